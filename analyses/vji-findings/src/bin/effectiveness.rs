//! `vji-effectiveness STUDY [--out DIR]`: the change tables between every
//! pair of consecutive waves and from the first to the last, for every
//! measure, after disclosure control; written to `DIR/effectiveness.json`
//! and `DIR/change_<A>_<B>.csv` (default `reports/vji-effectiveness`).

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use cohort_report::{change_rows, Rules};
use cohort_stats::{change_table, BootstrapSpec, ChangeOptions};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let study = PathBuf::from(
        args.first()
            .context("usage: vji-effectiveness STUDY [--out DIR]")?,
    );
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or("reports/vji-effectiveness".into(), PathBuf::from);
    let spec = BootstrapSpec {
        replicates: 2000,
        seed: 20201112,
    };
    let p = vji_findings::prepare(&study, Some(spec.seed)).map_err(|e| anyhow!(e))?;
    let panel = &p.loaded.panel;
    let rules = Rules::from(&panel.study().disclosure);
    let waves: Vec<String> = panel
        .study()
        .waves
        .iter()
        .map(|w| w.label.clone())
        .collect();
    let mut pairs: Vec<(u8, u8)> = (1..waves.len() as u8).map(|w| (w - 1, w)).collect();
    if waves.len() > 2 {
        pairs.push((0, waves.len() as u8 - 1));
    }
    let all: Vec<usize> = (0..p.scores.measures.len()).collect();
    let opts = ChangeOptions {
        bootstrap: Some(spec),
        progress: &|_| {},
        reliability: Default::default(),
    };
    let mut suppressions = Vec::new();
    let mut tables = serde_json::Map::new();
    std::fs::create_dir_all(&out)?;
    for (a, b) in pairs {
        let rows = change_rows(
            &change_table(panel, &p.scores, &all, a, b, &opts),
            &rules,
            &mut suppressions,
        );
        let name = format!("{}_{}", waves[a as usize], waves[b as usize]);
        let mut w = csv::Writer::from_path(out.join(format!("change_{name}.csv")))?;
        w.write_record([
            "measure",
            "level",
            "n_pairs",
            "mean_from",
            "mean_to",
            "mean_diff",
            "ci_low",
            "ci_high",
            "p_t",
            "p_t_holm",
            "p_wilcoxon",
            "p_mcnemar",
            "dz",
        ])?;
        let f = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        for r in &rows {
            let ci = r.mean_diff_ci95;
            w.write_record([
                r.measure.clone(),
                r.level.clone(),
                r.n_pairs.to_string(),
                f(r.mean_from),
                f(r.mean_to),
                f(r.mean_diff),
                f(ci.map(|c| c[0])),
                f(ci.map(|c| c[1])),
                f(r.p_t),
                f(r.p_t_holm),
                f(r.p_wilcoxon),
                f(r.p_mcnemar),
                f(r.dz),
            ])?;
        }
        w.flush()?;
        tables.insert(name, serde_json::to_value(&rows)?);
    }
    let doc = serde_json::json!({
        "schema": "cohort.effectiveness/1",
        "provenance": p.provenance,
        "bootstrap": {"replicates": spec.replicates, "seed": spec.seed},
        "min_cell": rules.min_cell,
        "change": tables,
        "suppressions": suppressions,
    });
    std::fs::write(
        out.join("effectiveness.json"),
        serde_json::to_string_pretty(&doc)? + "\n",
    )?;
    eprintln!("written to {}", out.display());
    Ok(())
}
