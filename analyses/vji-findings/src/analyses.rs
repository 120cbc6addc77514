//! The effectiveness, trauma and attrition analyses as documents, after
//! disclosure control. Their binaries only write them out.

use std::collections::BTreeMap;

use cohort_instruments::reliability;
use cohort_panel::{Cell, VarKind};
use cohort_report::{
    build, change_rows, estimate_rows, protect, protect_value, CountTable, Rules, Shown,
};
use cohort_stats::{change_table, proportion, wave_estimates, BootstrapSpec, ChangeOptions};
use serde_json::{json, Value};

use crate::Prepared;

fn to_value<T: serde::Serialize>(x: &T) -> Result<Value, String> {
    serde_json::to_value(x).map_err(|e| e.to_string())
}

/// Change tables between consecutive waves and from the first to the last.
pub fn effectiveness(p: &Prepared, spec: &BootstrapSpec) -> Result<Value, String> {
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
        bootstrap: Some(*spec),
        progress: &|_| {},
        reliability: Default::default(),
    };
    let mut suppressions = Vec::new();
    let mut tables = serde_json::Map::new();
    for (a, b) in pairs {
        let rows = change_rows(
            &change_table(panel, &p.scores, &all, a, b, &opts),
            &rules,
            &mut suppressions,
        );
        tables.insert(
            format!("{}_{}", waves[a as usize], waves[b as usize]),
            to_value(&rows)?,
        );
    }
    Ok(json!({
        "schema": "cohort.effectiveness/1",
        "provenance": p.provenance,
        "bootstrap": {"replicates": spec.replicates, "seed": spec.seed},
        "min_cell": rules.min_cell,
        "change": tables,
        "suppressions": suppressions,
    }))
}

/// Trauma measures per wave, reliability, reliable change.
pub fn trauma(p: &Prepared, spec: &BootstrapSpec) -> Result<Value, String> {
    let panel = &p.loaded.panel;
    let rules = Rules::from(&panel.study().disclosure);
    let mut suppressions = Vec::new();
    let est: Vec<_> = wave_estimates(panel, &p.scores, None, Some(*spec), &|_| {})?
        .into_iter()
        .filter(|e| e.measure.starts_with("trauma"))
        .collect();
    let rows = estimate_rows(&est, &p.scores, &rules, &mut suppressions);
    let rel = reliability(panel, &p.spec);
    let first = panel.study().waves[0].label.clone();
    let last = (panel.study().waves.len() - 1) as u8;
    let alpha: BTreeMap<String, f64> = rel
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
                counts: vec![vec![
                    rc.improved,
                    rc.unchanged,
                    rc.deteriorated,
                    rc.recovered.unwrap_or(0),
                ]],
                // Recovered is a subset of improved: no totals are published.
                totals: false,
            },
            &rules,
        );
        suppressions.extend(t.suppressions.iter().cloned());
        reliable.push(json!({"measure": c.measure, "pairs": c.n_pairs, "reliability": rc.reliability, "s_diff": rc.s_diff, "counts": t}));
    }
    let reliability: Vec<Value> = rel
        .iter()
        .map(|r| {
            let ok = r.n as u64 >= rules.min_cell;
            json!({"scale": format!("{}.{}", r.instrument, r.scale), "wave": r.wave, "n": r.n, "alpha": r.alpha.filter(|_| ok), "ci95": r.alpha_ci95.filter(|_| ok)})
        })
        .collect();
    Ok(json!({
        "schema": "cohort.trauma/1",
        "provenance": p.provenance,
        "bootstrap": {"replicates": spec.replicates, "seed": spec.seed},
        "min_cell": rules.min_cell,
        "estimates": rows,
        "reliability": reliability,
        "reliable_change": reliable,
        "suppressions": suppressions,
    }))
}

/// Taking part, returning and dropping out; retention by risk factor.
pub fn attrition(p: &Prepared) -> Result<Value, String> {
    let panel = &p.loaded.panel;
    let rules = Rules::from(&panel.study().disclosure);
    let data = build(
        &p.loaded,
        &p.scores,
        &[],
        p.provenance.clone(),
        None,
        None,
        &|_| {},
    )?;
    let n_waves = panel.study().waves.len();
    let present = panel.cluster_waves();
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
            let ok = matches!(
                protect_value(prop.as_ref().map_or(0.0, |p| p.estimate), n, &rules),
                Shown::Value { .. }
            );
            by_factor.push(json!({
                "factor": factor, "code": code.code, "label": code.label, "families": n,
                "complete_share": prop.as_ref().map(|p| p.estimate).filter(|_| ok),
                "ci95": prop.as_ref().map(|p| p.wilson).filter(|_| ok),
            }));
        }
    }
    Ok(json!({
        "schema": "cohort.attrition/1",
        "provenance": data.provenance,
        "min_cell": rules.min_cell,
        "taking_part": data.response,
        "per_wave": data.attrition,
        "patterns": data.patterns,
        "retention_by_risk_factor": by_factor,
        "suppressions": data.suppressions,
    }))
}
