//! `vji-trauma STUDY [--out DIR]`: children's trauma symptoms: the
//! trauma measures per wave, the reliability of the scales, and reliable
//! change (Jacobson-Truax) from the first to the last wave, after
//! disclosure control; written to `DIR/trauma.json` (default
//! `reports/vji-trauma`).

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use cohort_instruments::reliability;
use cohort_report::{estimate_rows, protect, CountTable, Rules};
use cohort_stats::{change_table, wave_estimates, BootstrapSpec, ChangeOptions};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let study = PathBuf::from(
        args.first()
            .context("usage: vji-trauma STUDY [--out DIR]")?,
    );
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or("reports/vji-trauma".into(), PathBuf::from);
    let spec = BootstrapSpec {
        replicates: 2000,
        seed: 20201112,
    };
    let p = vji_findings::prepare(&study, Some(spec.seed)).map_err(|e| anyhow!(e))?;
    let panel = &p.loaded.panel;
    let rules = Rules::from(&panel.study().disclosure);
    let mut suppressions = Vec::new();
    let est: Vec<_> = wave_estimates(panel, &p.scores, None, Some(spec), &|_| {})
        .map_err(|e| anyhow!(e))?
        .into_iter()
        .filter(|e| e.measure.starts_with("trauma"))
        .collect();
    let rows = estimate_rows(&est, &p.scores, &rules, &mut suppressions);
    let rel = reliability(panel, &p.spec);
    let first = panel.study().waves[0].label.clone();
    let last = (panel.study().waves.len() - 1) as u8;
    let alpha: std::collections::BTreeMap<String, f64> = rel
        .iter()
        .filter(|r| r.wave == first)
        .filter_map(|r| {
            r.alpha
                .map(|a| (format!("{}.{}", r.instrument, r.scale), a))
        })
        .collect();
    let scales: Vec<usize> = p
        .scores
        .measures
        .iter()
        .enumerate()
        .filter(|(_, m)| alpha.contains_key(&m.name))
        .map(|(i, _)| i)
        .collect();
    let opts = ChangeOptions {
        bootstrap: None,
        progress: &|_| {},
        reliability: alpha,
    };
    let mut reliable = Vec::new();
    for c in change_table(panel, &p.scores, &scales, 0, last, &opts) {
        let Some(rc) = c.reliable_change else {
            continue;
        };
        let counts = vec![vec![
            rc.improved,
            rc.unchanged,
            rc.deteriorated,
            rc.recovered.unwrap_or(0),
        ]];
        let t = protect(
            &CountTable {
                title: format!("reliable change of {}", c.measure),
                rows: vec!["children".into()],
                columns: vec![
                    "improved".into(),
                    "unchanged".into(),
                    "deteriorated".into(),
                    "recovered (of improved)".into(),
                ],
                counts,
                // Improved + unchanged + deteriorated = the pairs; recovered
                // is a subset of improved: no totals are published.
                totals: false,
            },
            &rules,
        );
        suppressions.extend(t.suppressions.iter().cloned());
        reliable.push(serde_json::json!({"measure": c.measure, "pairs": c.n_pairs, "reliability": rc.reliability, "s_diff": rc.s_diff, "counts": t}));
    }
    let reliability: Vec<_> = rel
        .iter()
        .map(|r| {
            let ok = r.n as u64 >= rules.min_cell;
            serde_json::json!({"scale": format!("{}.{}", r.instrument, r.scale), "wave": r.wave, "n": r.n, "alpha": r.alpha.filter(|_| ok), "ci95": r.alpha_ci95.filter(|_| ok)})
        })
        .collect();
    std::fs::create_dir_all(&out)?;
    let doc = serde_json::json!({
        "schema": "cohort.trauma/1",
        "provenance": p.provenance,
        "min_cell": rules.min_cell,
        "estimates": rows,
        "reliability": reliability,
        "reliable_change": reliable,
        "suppressions": suppressions,
    });
    std::fs::write(
        out.join("trauma.json"),
        serde_json::to_string_pretty(&doc)? + "\n",
    )?;
    eprintln!("written to {}", out.display());
    Ok(())
}
