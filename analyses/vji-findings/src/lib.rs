//! The findings of `shared/findings.md`, by ID, computed from a scored
//! panel. Any study that declares these measures can feed it:
//! `family_any_violence`, `family_both_violence`, `family_incidents`,
//! `family_severe_or_frequent` (family level), `child_abuse.prevalence`,
//! `child_abuse.annual`, `child_to_parent.prevalence`,
//! `trauma.total.clinical` (children) and the variables `poverty` and
//! `childhood_abuse` (codes 0/1). Waves: the first, and the last (T2).
//! A finding whose measure is missing is null with a note.
//!
//! Intervals: shares of families (independent units) by Wilson; means of
//! families by t; anything on children or parents (clustered in families)
//! by the cluster bootstrap (percentile), with the seed recorded.
#![deny(missing_docs)]

mod analyses;
pub mod cli;
mod error;
mod findings;
pub use analyses::{attrition, effectiveness, trauma};
pub use error::AnalysisError;
pub use findings::{findings, FINDINGS};

use std::collections::BTreeMap;

use cohort_instruments::Scores;
use cohort_panel::{Cell, Panel, VarKind};
use cohort_stats::{cluster_bootstrap, proportion, BootstrapSpec};
use serde::Serialize;

/// Version of the findings fields.
pub const FINDINGS_SCHEMA: &str = "cohort.findings/1";

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The value (shares as fractions); null with a note when it cannot
    /// be computed or is suppressed.
    pub value: Option<f64>,
    /// 95% interval.
    pub ci95: Option<[f64; 2]>,
    /// Units the value is based on.
    pub n: usize,
    /// Two-sided p-value, for findings that are a test (F9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// What it is, exactly.
    pub definition: String,
    /// How the interval is computed.
    pub method: String,
    /// Why null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The same finding by other methods, each through the gate: `lmm`,
    /// from a linear mixed model on every family, `glmm`, a negative
    /// binomial mixed model's rate ratio, and `glmm_prevalence`, a logistic
    /// mixed model's odds ratio (F9); `gee` (F12).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub versions: BTreeMap<String, Finding>,
}

/// Values of a measure by (unit, wave).
fn values(scores: &Scores, name: &str) -> Option<BTreeMap<(u32, u8), f64>> {
    scores.of(name).map(|m| m.by_unit_wave())
}

fn missing(definition: &str, what: &str) -> Finding {
    Finding {
        value: None,
        ci95: None,
        n: 0,
        p_value: None,
        definition: definition.into(),
        method: String::new(),
        note: Some(format!("the study does not declare {what}")),
        versions: BTreeMap::new(),
    }
}

/// A share of independent units (families), Wilson interval.
fn family_share(xs: &[f64], definition: &str) -> Finding {
    let k = xs.iter().filter(|v| **v > 0.0).count() as u64;
    let p = proportion(k, xs.len() as u64);
    Finding {
        value: p.as_ref().map(|p| p.estimate),
        ci95: p.as_ref().map(|p| p.wilson),
        n: xs.len(),
        p_value: None,
        definition: definition.into(),
        method: "share of families; Wilson 95% interval".into(),
        note: p.is_none().then(|| "no family with a value".into()),
        versions: BTreeMap::new(),
    }
}

/// A mean or share of clustered units, with a cluster-bootstrap interval.
fn clustered(
    panel: &Panel,
    by_cluster: &[Vec<f64>],
    spec: &BootstrapSpec,
    definition: &str,
    stat: fn(&[f64]) -> Option<f64>,
) -> Finding {
    let all: Vec<f64> = by_cluster.iter().flatten().copied().collect();
    let ci = cluster_bootstrap(
        panel.n_clusters(),
        spec,
        |clusters| {
            let x: Vec<f64> = clusters
                .iter()
                .flat_map(|&c| by_cluster[c as usize].iter().copied())
                .collect();
            vec![stat(&x)]
        },
        &|_| {},
    );
    Finding {
        value: stat(&all),
        ci95: ci[0].percentile,
        n: all.len(),
        p_value: None,
        definition: definition.into(),
        method: format!(
            "cluster bootstrap (families resampled), percentile 95% interval, {} replicates, seed {}",
            spec.replicates, spec.seed
        ),
        note: ci[0].note.clone(),
    versions: BTreeMap::new(),
}
}

fn mean(x: &[f64]) -> Option<f64> {
    cohort_stats::sums::mean(x)
}

fn share(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().filter(|v| **v > 0.0).count() as f64 / x.len() as f64)
}

/// Values of a respondent measure at a wave, grouped by cluster.
fn by_cluster(
    panel: &Panel,
    v: &BTreeMap<(u32, u8), f64>,
    wave: u8,
    keep: impl Fn(u32) -> bool,
) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new(); panel.n_clusters()];
    for (&(u, w), &x) in v {
        if w == wave && keep(u) {
            out[panel.cluster_of(cohort_panel::RespondentId(u)).0 as usize].push(x);
        }
    }
    out
}

/// A 0/1 categorical variable at each respondent's first observation,
/// grouped by cluster; `per_family` keeps one value per family.
fn variable_by_cluster(panel: &Panel, name: &str, per_family: bool) -> Option<Vec<Vec<f64>>> {
    let col = panel.column(name)?;
    let var = panel.variable_of(col);
    let VarKind::Categorical { codes } = &var.kind else {
        return None;
    };
    let yes = codes.iter().position(|c| c.code == "1")? as u16;
    let mut seen_r = vec![false; panel.n_respondents()];
    let mut seen_c = vec![false; panel.n_clusters()];
    let mut out = vec![Vec::new(); panel.n_clusters()];
    for i in 0..panel.n_observations() {
        let r = panel.respondent(i);
        let c = panel.cluster_of(r).0 as usize;
        if seen_r[r.0 as usize] || (per_family && seen_c[c]) {
            continue;
        }
        if let Cell::Category(k) = col.get(i, var) {
            seen_r[r.0 as usize] = true;
            seen_c[c] = true;
            out[c].push(if k == yes { 1.0 } else { 0.0 });
        }
    }
    Some(out)
}

/// A study opened ([`cohort_instruments::open`], strict) with the
/// provenance of its inputs, for the analysis binaries.
pub struct Prepared {
    /// The loaded panel and its load report.
    pub loaded: cohort_panel::Loaded,
    /// The scores.
    pub scores: Scores,
    /// Provenance of the inputs.
    pub provenance: cohort_panel::Provenance,
}

/// Opens (strict) and hashes a study.
pub fn prepare(path: &std::path::Path, seed: Option<u64>) -> Result<Prepared, AnalysisError> {
    let s = cohort_instruments::open(path, cohort_panel::Mode::Strict)?;
    let provenance =
        cohort_panel::provenance(&s.study, seed).map_err(|source| AnalysisError::Hashing {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Prepared {
        loaded: s.loaded,
        scores: s.scores,
        provenance,
    })
}

/// An analysis of the registry (`cohort_testkit::golden::ANALYSES`) by
/// name, computed on a prepared study: the published document its binary
/// prints with `--json` and writes with `--out`.
pub fn analysis(
    name: &str,
    p: &Prepared,
    spec: &BootstrapSpec,
) -> Result<serde_json::Value, AnalysisError> {
    let doc = match name {
        "vji-findings" => serde_json::json!({
            "schema": FINDINGS_SCHEMA,
            "provenance": p.provenance,
            "bootstrap": {"replicates": spec.replicates, "seed": spec.seed},
            "findings": findings(&p.loaded.panel, &p.scores, spec),
        }),
        "vji-effectiveness" => effectiveness(p, spec)?,
        "vji-trauma" => trauma(p, spec)?,
        "vji-attrition" => attrition(p)?,
        other => {
            return Err(AnalysisError::UnknownAnalysis {
                name: other.to_string(),
            })
        }
    };
    Ok(doc)
}
