//! `vji-attrition STUDY [--out DIR]`: who stays in the study: families
//! taking part, returning and dropping out per wave, response patterns,
//! and retention to the last wave by household risk factor (Wilson
//! intervals), after disclosure control; written to `DIR/attrition.json`
//! (default `reports/vji-attrition`).

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use cohort_panel::{Cell, VarKind};
use cohort_report::{build, protect_value, Rules, Shown};
use cohort_stats::proportion;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let study = PathBuf::from(
        args.first()
            .context("usage: vji-attrition STUDY [--out DIR]")?,
    );
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or("reports/vji-attrition".into(), PathBuf::from);
    let p = vji_findings::prepare(&study, None).map_err(|e| anyhow!(e))?;
    let panel = &p.loaded.panel;
    let rules = Rules::from(&panel.study().disclosure);
    let data = build(
        &p.loaded,
        &p.scores,
        &[],
        p.provenance.clone(),
        None,
        &|_| {},
    );
    // Families at the first wave and whether they took part at every wave.
    let n_waves = panel.study().waves.len();
    let mut present = vec![0u64; panel.n_clusters()];
    for i in 0..panel.n_observations() {
        present[panel.cluster_of(panel.respondent(i)).0 as usize] |= 1 << panel.wave(i).0;
    }
    let complete = |c: usize| present[c] == (1 << n_waves) - 1;
    let mut by_factor = Vec::new();
    for factor in ["poverty", "unemployment", "complex_divorce"] {
        let Some(col) = panel.column(factor) else {
            continue;
        };
        let var = panel.variable_of(col);
        let VarKind::Categorical { codes } = &var.kind else {
            continue;
        };
        let mut seen = vec![false; panel.n_clusters()];
        let mut tally = vec![(0u64, 0u64); codes.len()];
        for i in 0..panel.n_observations() {
            let c = panel.cluster_of(panel.respondent(i)).0 as usize;
            if seen[c] || panel.wave(i).0 != 0 {
                continue;
            }
            if let Cell::Category(k) = col.get(i, var) {
                seen[c] = true;
                tally[k as usize].1 += 1;
                tally[k as usize].0 += u64::from(complete(c));
            }
        }
        for (code, (k, n)) in codes.iter().zip(tally) {
            let prop = proportion(k, n);
            let shown = protect_value(prop.as_ref().map_or(0.0, |p| p.estimate), n, &rules);
            let ok = matches!(shown, Shown::Value { .. });
            by_factor.push(serde_json::json!({
                "factor": factor, "code": code.code, "label": code.label, "families": n,
                "complete_share": prop.as_ref().map(|p| p.estimate).filter(|_| ok),
                "ci95": prop.as_ref().map(|p| p.wilson).filter(|_| ok),
            }));
        }
    }
    std::fs::create_dir_all(&out)?;
    let doc = serde_json::json!({
        "schema": "cohort.attrition/1",
        "provenance": data.provenance,
        "min_cell": rules.min_cell,
        "taking_part": data.response,
        "per_wave": data.attrition,
        "patterns": data.patterns,
        "retention_by_risk_factor": by_factor,
        "suppressions": data.suppressions,
    });
    std::fs::write(
        out.join("attrition.json"),
        serde_json::to_string_pretty(&doc)? + "\n",
    )?;
    eprintln!("written to {}", out.display());
    Ok(())
}
