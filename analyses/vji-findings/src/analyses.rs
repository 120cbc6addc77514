//! The effectiveness, trauma and attrition analyses as documents, after
//! disclosure control. Their binaries only write them out.

use cohort_instruments::{reliability, MeasureId};
use cohort_panel::{Cell, VarKind, Wave};
use cohort_results::{CountTable, Gate, Rules};
use cohort_stats::{
    change_results, change_table, estimate_results, proportion, study_results, wave_estimates,
    BootstrapSpec, ChangeOptions, ResultsOptions,
};
use serde_json::{json, Value};

use crate::{AnalysisError, Prepared};

fn gate(p: &Prepared) -> Gate {
    Gate::new(Rules::from(&p.loaded.panel.study().disclosure))
}

/// Change tables between consecutive waves and from the first to the last.
pub fn effectiveness(p: &Prepared, spec: &BootstrapSpec) -> Result<Value, AnalysisError> {
    let panel = &p.loaded.panel;
    let mut gate = gate(p);
    let waves = panel.study().wave_labels();
    let mut pairs: Vec<(u8, u8)> = (1..waves.len() as u8).map(|w| (w - 1, w)).collect();
    if waves.len() > 2 {
        pairs.push((0, waves.len() as u8 - 1));
    }
    let all: Vec<MeasureId> = p.scores.ids().collect();
    let opts = ChangeOptions {
        bootstrap: Some(*spec),
        progress: &|_| {},
        reliability: Default::default(),
    };
    let mut tables = serde_json::Map::new();
    for (a, b) in pairs {
        let name = format!("{}_{}", waves[a as usize], waves[b as usize]);
        let rows = gate.changes(
            &format!("change {name}"),
            &change_results(&change_table(
                panel,
                &p.scores,
                &all,
                Wave(a),
                Wave(b),
                &opts,
            )),
        );
        tables.insert(name, json!(rows));
    }
    Ok(json!({
        "schema": "cohort.effectiveness/2",
        "provenance": p.provenance,
        "bootstrap": {"replicates": spec.replicates, "seed": spec.seed},
        "disclosure": gate.rules(),
        "change": tables,
        "suppressions": gate.finish(),
    }))
}

/// Trauma measures per wave, reliability, reliable change.
pub fn trauma(p: &Prepared, spec: &BootstrapSpec) -> Result<Value, AnalysisError> {
    let panel = &p.loaded.panel;
    let mut gate = gate(p);
    let est: Vec<_> = wave_estimates(panel, &p.scores, None, Some(*spec), &|_| {})?
        .into_iter()
        .filter(|e| e.measure.starts_with("trauma"))
        .collect();
    let rows = gate.estimates("estimates", &estimate_results(&est, &p.scores));
    let rel = reliability(panel, &panel.study().instruments);
    let first = panel.study().waves[0].label.clone();
    let last = (panel.study().waves.len() - 1) as u8;
    let alpha = cohort_instruments::alphas_at(&rel, &first);
    let scales: Vec<MeasureId> = p
        .scores
        .ids()
        .filter(|&m| alpha.contains_key(&p.scores.def(m).name))
        .collect();
    let opts = ChangeOptions {
        bootstrap: None,
        progress: &|_| {},
        reliability: alpha,
    };
    let mut reliable = Vec::new();
    for c in change_table(panel, &p.scores, &scales, Wave(0), Wave(last), &opts) {
        let Some(rc) = c.reliable_change else {
            continue;
        };
        let t = gate.table(&CountTable {
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
            structural: Vec::new(),
        });
        let pairs = gate.count(c.n_pairs as u64);
        reliable.push(json!({"measure": c.measure, "pairs": pairs, "reliability": rc.reliability, "s_diff": rc.s_diff, "counts": t}));
    }
    let reliability = gate.reliability(
        &rel.iter()
            .map(|r| cohort_results::Reliability {
                scale: r.measure(),
                wave: r.wave.clone(),
                n: r.n as u64,
                alpha: r.alpha,
                ci95: r.alpha_ci95,
            })
            .collect::<Vec<_>>(),
    );
    Ok(json!({
        "schema": "cohort.trauma/2",
        "provenance": p.provenance,
        "bootstrap": {"replicates": spec.replicates, "seed": spec.seed},
        "disclosure": gate.rules(),
        "estimates": rows,
        "reliability": reliability,
        "reliable_change": reliable,
        "suppressions": gate.finish(),
    }))
}

/// Taking part, returning and dropping out; retention by risk factor.
pub fn attrition(p: &Prepared) -> Result<Value, AnalysisError> {
    let panel = &p.loaded.panel;
    let results = study_results(
        &p.loaded,
        &p.scores,
        &[],
        p.provenance.clone(),
        &ResultsOptions {
            bootstrap: None,
            by: None,
            progress: &|_| {},
        },
    )?;
    let mut gate = gate(p);
    let taking_part = gate.table(&results.response);
    let per_wave = gate.table(&results.attrition);
    let patterns = gate.table(&results.patterns);
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
            let share = gate.share(
                &format!("retention by {factor}"),
                &code.code,
                prop.as_ref().map(|p| p.estimate),
                prop.as_ref().map(|p| p.wilson),
                n,
            );
            by_factor.push(json!({
                "factor": factor, "code": code.code, "label": code.label, "families": share.n,
                "complete_share": share.value,
                "ci95": share.ci95,
            }));
        }
    }
    Ok(json!({
        "schema": "cohort.attrition/2",
        "provenance": p.provenance,
        "disclosure": gate.rules(),
        "taking_part": taking_part,
        "per_wave": per_wave,
        "patterns": patterns,
        "retention_by_risk_factor": by_factor,
        "suppressions": gate.finish(),
    }))
}
