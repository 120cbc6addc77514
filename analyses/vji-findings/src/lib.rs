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
pub use analyses::{attrition, effectiveness, trauma};
pub use error::AnalysisError;

use std::collections::BTreeMap;

use cohort_instruments::Scores;
use cohort_panel::{Cell, Panel, VarKind};
use cohort_results::{Gate, Rules};
use cohort_stats::{cluster_bootstrap, paired_t, proportion, trajectories, BootstrapSpec};
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

/// Every finding, by ID, after the disclosure gate: a value based on too
/// few units is null with a note, and so is its n.
pub fn findings(panel: &Panel, scores: &Scores, spec: &BootstrapSpec) -> BTreeMap<String, Finding> {
    let first = 0u8;
    let last = (panel.study().waves.len() - 1) as u8;
    let (w0, wl) = (
        &panel.study().waves[0].label,
        &panel.study().waves[last as usize].label,
    );
    let at = |v: &BTreeMap<(u32, u8), f64>, w: u8| -> Vec<f64> {
        v.iter()
            .filter(|((_, ww), _)| *ww == w)
            .map(|(_, x)| *x)
            .collect()
    };
    let mut f = BTreeMap::new();
    let mut gate = Gate::new(Rules::from(&panel.study().disclosure));
    let family = |name: &str| values(scores, name);

    let def = format!("families with partner violence and/or violence against a child (family_any_violence = 1), {w0}");
    f.insert(
        "F1",
        family("family_any_violence").map_or_else(
            || missing(&def, "family_any_violence"),
            |v| family_share(&at(&v, first), &def),
        ),
    );

    let def = format!("mean incidents per family per 12 months (family_incidents), {w0}");
    f.insert(
        "F2",
        match family("family_incidents") {
            None => missing(&def, "family_incidents"),
            Some(v) => {
                let x = at(&v, first);
                let d = cohort_stats::describe(&x);
                Finding {
                    value: d.mean,
                    ci95: d.mean_ci95_t,
                    n: x.len(),
                    p_value: None,
                    definition: def,
                    method: "mean of families; t 95% interval".into(),
                    note: d.note,
                }
            }
        },
    );

    let def = format!("families with both partner violence and violence against a child (family_both_violence = 1), {w0}");
    f.insert(
        "F3",
        family("family_both_violence").map_or_else(
            || missing(&def, "family_both_violence"),
            |v| family_share(&at(&v, first), &def),
        ),
    );

    let child_prev = family("child_abuse.prevalence");
    let def =
        format!("children who experienced direct violence (child_abuse.prevalence = 1), {w0}");
    f.insert(
        "F4a",
        match &child_prev {
            None => missing(&def, "child_abuse.prevalence"),
            Some(v) => clustered(
                panel,
                &by_cluster(panel, v, first, |_| true),
                spec,
                &def,
                share,
            ),
        },
    );

    let def = format!("mean incidents against a child per 12 months (child_abuse.annual), children with direct violence, {w0}");
    f.insert(
        "F4b",
        match (&child_prev, family("child_abuse.annual")) {
            (Some(p), Some(a)) => {
                let hit = |u: u32| p.get(&(u, first)) == Some(&1.0);
                clustered(panel, &by_cluster(panel, &a, first, hit), spec, &def, mean)
            }
            _ => missing(&def, "child_abuse.prevalence and child_abuse.annual"),
        },
    );

    let sof = family("family_severe_or_frequent");
    let def =
        format!("families with severe or frequent violence (family_severe_or_frequent = 1), {w0}");
    f.insert(
        "F5",
        sof.as_ref().map_or_else(
            || missing(&def, "family_severe_or_frequent"),
            |v| family_share(&at(v, first), &def),
        ),
    );

    let def = "families in poverty (poverty = 1)".to_string();
    f.insert(
        "F6",
        match variable_by_cluster(panel, "poverty", true) {
            None => missing(&def, "a 0/1 variable poverty"),
            Some(v) => family_share(&v.concat(), &def),
        },
    );

    let waves = panel.study().wave_labels();
    let def = format!("families in which the violence stopped: {} above 0 at {w0} and 0 at {wl}, of the families above 0 at {w0} with a value at {wl} (the report's stopped share)", cohort_stats::TRAJECTORY_MEASURE);
    f.insert(
        "F7",
        match trajectories(scores, &waves) {
            None => missing(&def, cohort_stats::TRAJECTORY_MEASURE),
            Some(t) => {
                // Through the gate as the report publishes it: null where the
                // trajectory table hides the stopped count or its base.
                let (_, published) = gate.trajectories(&t);
                Finding {
                    value: published.value,
                    ci95: published.ci95,
                    n: t.stopped.of as usize,
                    p_value: None,
                    note: match (t.stopped.share, published.value) {
                        (None, _) => Some("no family with violence at the first wave".into()),
                        (Some(_), None) => Some(
                            "suppressed: a count of the trajectories it comes from is suppressed"
                                .into(),
                        ),
                        _ => None,
                    },
                    definition: def,
                    method: "share of families; Wilson 95% interval".into(),
                }
            }
        },
    );

    let def = format!(
        "families still with severe or frequent violence (family_severe_or_frequent = 1), {wl}"
    );
    f.insert(
        "F8",
        sof.as_ref().map_or_else(
            || missing(&def, "family_severe_or_frequent"),
            |v| family_share(&at(v, last), &def),
        ),
    );

    let def = format!("change in mean incidents per family (F2) from {w0} to {wl}, families with both: mean of {wl} - {w0}, paired t-test");
    f.insert(
        "F9",
        match family("family_incidents") {
            None => missing(&def, "family_incidents"),
            Some(v) => {
                let d: Vec<f64> = v
                    .iter()
                    .filter(|((_, w), _)| *w == first)
                    .filter_map(|((u, _), a)| v.get(&(*u, last)).map(|b| b - a))
                    .collect();
                match paired_t(&d) {
                    Ok(t) => Finding {
                        value: Some(t.mean_diff),
                        ci95: Some(t.ci95),
                        n: d.len(),
                        p_value: Some(t.p_value),
                        definition: def,
                        method: "paired t-test, two-sided; t 95% interval of the mean change"
                            .into(),
                        note: None,
                    },
                    Err(e) => Finding {
                        value: None,
                        ci95: None,
                        n: d.len(),
                        p_value: None,
                        definition: def,
                        method: "paired t-test".into(),
                        note: Some(e.to_string()),
                    },
                }
            }
        },
    );

    let def = format!(
        "children with trauma symptoms in the clinical range (trauma.total.clinical = 1), {w0}"
    );
    f.insert(
        "F10",
        match family("trauma.total.clinical") {
            None => missing(&def, "trauma.total.clinical"),
            Some(v) => clustered(
                panel,
                &by_cluster(panel, &v, first, |_| true),
                spec,
                &def,
                share,
            ),
        },
    );

    let def = "parents who experienced abuse as a child (childhood_abuse = 1)".to_string();
    f.insert(
        "F11",
        match variable_by_cluster(panel, "childhood_abuse", false) {
            None => missing(&def, "a 0/1 variable childhood_abuse"),
            Some(v) => clustered(panel, &v, spec, &def, share),
        },
    );

    let def = format!("odds ratio of a child's violence toward a parent (child_to_parent.prevalence) for children with against without direct violence (child_abuse.prevalence), {w0}");
    f.insert(
        "F12",
        match (&child_prev, family("child_to_parent.prevalence")) {
            (Some(p), Some(c)) => {
                // Per cluster, the pairs (experienced, own violence) coded 2a + b.
                let mut cells = vec![Vec::new(); panel.n_clusters()];
                for (&(u, w), &own) in &c {
                    if let (true, Some(&exp)) = (w == first, p.get(&(u, first))) {
                        cells[panel.cluster_of(cohort_panel::RespondentId(u)).0 as usize]
                            .push(2.0 * exp + own);
                    }
                }
                fn odds_ratio(x: &[f64]) -> Option<f64> {
                    let n = |k: f64| x.iter().filter(|v| **v == k).count() as f64;
                    let (a, b, c, d) = (n(3.0), n(2.0), n(1.0), n(0.0));
                    (b > 0.0 && c > 0.0 && d > 0.0).then(|| a * d / (b * c))
                }
                clustered(panel, &cells, spec, &def, odds_ratio)
            }
            _ => missing(
                &def,
                "child_abuse.prevalence and child_to_parent.prevalence",
            ),
        },
    );

    let def = format!("families taking part at every wave, of the families at {w0}");
    f.insert("F13", {
        let all_waves = (1u64 << panel.study().waves.len()) - 1;
        let present = panel.cluster_waves();
        let x: Vec<f64> = present
            .iter()
            .filter(|m| **m & 1 == 1)
            .map(|m| if *m == all_waves { 1.0 } else { 0.0 })
            .collect();
        family_share(&x, &def)
    });

    f.into_iter()
        .map(|(id, mut finding)| {
            let shown = gate.allows("findings", id, "value", finding.n as u64);
            if !shown {
                if finding.value.is_some() {
                    finding.note = Some("suppressed: based on too few units".into());
                }
                finding.value = None;
                finding.ci95 = None;
                finding.p_value = None;
            }
            finding.n = gate.n(finding.n as u64, shown).unwrap_or(0) as usize;
            (id.to_string(), finding)
        })
        .collect()
}

/// A study opened ([`cohort_instruments::open`], strict) with the
/// provenance of its inputs, for the analysis binaries.
pub struct Prepared {
    /// The loaded panel and its load report.
    pub loaded: cohort_panel::Loaded,
    /// The instruments.
    pub spec: cohort_instruments::Instruments,
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
        spec: s.spec,
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
