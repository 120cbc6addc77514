//! The content of a report as data (`results.json`): everything a table or
//! figure shows, after disclosure control, with provenance. Figures and
//! the HTML and Markdown files are drawn from this alone, never from the
//! microdata.

use std::collections::BTreeMap;

use cohort_instruments::{Level, MeasureKind, Reliability, Scores};
use cohort_panel::{Loaded, Response};
use cohort_stats::{
    change_table, wave_estimates, BootstrapSpec, ChangeOptions, ChangeSummary, WaveEstimate,
};
use serde::{Deserialize, Serialize};

use crate::disclosure::{
    protect, protect_value, CountTable, ProtectedTable, Rules, Shown, Suppression,
};
use crate::provenance::Provenance;

/// Version of the report fields.
pub const REPORT_SCHEMA: &str = "cohort.report/1";

/// A published share or mean at one wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateRow {
    /// The measure.
    pub measure: String,
    /// What it is.
    pub label: String,
    /// `respondent` or `family`.
    pub level: String,
    /// `share` (of units above zero) or `mean`.
    pub statistic: String,
    /// Wave label.
    pub wave: String,
    /// Units it is based on.
    pub n: u64,
    /// The value; null when suppressed (fewer than `min_cell` units).
    pub value: Option<f64>,
    /// 95% interval: Wilson for shares, cluster bootstrap (percentile) for
    /// means, or t where no bootstrap ran.
    pub ci95: Option<[f64; 2]>,
    /// First quartile, median and third quartile (means only).
    pub quartiles: Option<[f64; 3]>,
    /// The group, for estimates by group.
    #[serde(default)]
    pub group: Option<String>,
}

/// Families of one trajectory of `family_incidents` from the first to the
/// last wave, and their mean at each wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// `stopped`, `decreased`, `persistent`, `increased` or `none`.
    pub class: String,
    /// Families in the class (with a value at the first and last wave).
    pub n: u64,
    /// Share of those families (null when suppressed).
    pub share: Option<f64>,
    /// Per wave: families of the class with a value, mean, t 95% interval.
    pub waves: Vec<EstimateRow>,
}

/// A published change between the first and the last wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    /// The measure.
    pub measure: String,
    /// `respondent` or `family`.
    pub level: String,
    /// Complete pairs.
    pub n_pairs: u64,
    /// Means at the two waves and their difference (null when suppressed).
    pub mean_from: Option<f64>,
    /// Mean at the last wave.
    pub mean_to: Option<f64>,
    /// Mean of last - first.
    pub mean_diff: Option<f64>,
    /// 95% interval of the mean difference (cluster bootstrap, percentile;
    /// t where no bootstrap ran).
    pub mean_diff_ci95: Option<[f64; 2]>,
    /// Paired t-test p, and Holm-adjusted across the table.
    pub p_t: Option<f64>,
    /// Holm-adjusted p of the t-test.
    pub p_t_holm: Option<f64>,
    /// Wilcoxon signed-rank p (R's default variant).
    pub p_wilcoxon: Option<f64>,
    /// McNemar p on prevalence (continuity correction).
    pub p_mcnemar: Option<f64>,
    /// Cohen's d_z and its interval.
    pub dz: Option<f64>,
    /// Interval of d_z.
    pub dz_ci95: Option<[f64; 2]>,
}

/// Cronbach's alpha of a scale at a wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityRow {
    /// `instrument.scale`.
    pub scale: String,
    /// Wave label.
    pub wave: String,
    /// Complete cases.
    pub n: u64,
    /// Alpha (null when suppressed or not estimable).
    pub alpha: Option<f64>,
    /// Feldt 95% interval.
    pub ci95: Option<[f64; 2]>,
}

/// Replicates and seed of the cluster bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapInfo {
    /// Replicates.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
}

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// Version of these fields.
    pub schema: String,
    /// Study name.
    pub study: String,
    /// Toolkit version and input hashes.
    pub provenance: Provenance,
    /// Smallest published count and the rounding.
    pub min_cell: u64,
    /// Counts rounded to a multiple of this.
    pub round_to: u64,
    /// How the bootstrap ran (families resampled; ChaCha8 stream per
    /// replicate).
    pub bootstrap: Option<BootstrapInfo>,
    /// Wave labels in order.
    pub waves: Vec<String>,
    /// Rows read, kept, excluded.
    pub rows: BTreeMap<String, u64>,
    /// Respondents and families taking part per wave (protected).
    pub response: ProtectedTable,
    /// Families by response pattern (protected).
    pub patterns: ProtectedTable,
    /// Shares and means per measure and wave.
    pub estimates: Vec<EstimateRow>,
    /// The grouping variable of `by_group`, if any.
    #[serde(default)]
    pub by: Option<String>,
    /// Estimates per measure, wave and group of `by`.
    #[serde(default)]
    pub by_group: Vec<EstimateRow>,
    /// Change from the first to the last wave.
    pub change: Vec<ChangeRow>,
    /// Reliability of the scales.
    pub reliability: Vec<ReliabilityRow>,
    /// Families by class (none / minor / severe or frequent) at the first
    /// wave (rows) and the last wave (columns), protected.
    pub transitions: Option<ProtectedTable>,
    /// Trajectories of family incidents.
    pub trajectories: Vec<Trajectory>,
    /// Families present, returned and dropped out per wave, protected.
    pub attrition: ProtectedTable,
    /// Every cell not published, and why.
    pub suppressions: Vec<Suppression>,
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Respondent => "respondent",
        Level::Family => "family",
    }
}

/// Builds the report content. `min_cell` rules apply to every count,
/// share, mean and test.
pub fn build(
    loaded: &Loaded,
    scores: &Scores,
    reliability: &[Reliability],
    provenance: Provenance,
    bootstrap: Option<BootstrapSpec>,
    by: Option<&str>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<ReportData, String> {
    let panel = &loaded.panel;
    let study = panel.study();
    let rules = Rules::from(&study.disclosure);
    // Only the response: the full DataSummary would also read every cell.
    let response_patterns = Response::new(panel);
    let waves: Vec<String> = study.waves.iter().map(|w| w.label.clone()).collect();
    let mut suppressions = Vec::new();

    let response = protect(
        &CountTable {
            title: "taking part per wave".into(),
            rows: vec!["respondents".into(), "families".into()],
            columns: waves.clone(),
            counts: vec![
                response_patterns
                    .respondents
                    .present
                    .iter()
                    .map(|w| w.n)
                    .collect(),
                response_patterns
                    .clusters
                    .present
                    .iter()
                    .map(|w| w.n)
                    .collect(),
            ],
            // Respondents and families, and waves, do not add up.
            totals: false,
        },
        &rules,
    );
    let c = &response_patterns.clusters;
    let patterns = protect(
        &CountTable {
            title: "families by response pattern".into(),
            rows: vec!["families".into()],
            columns: vec![
                "complete".into(),
                "dropped out".into(),
                "late entry".into(),
                "returned".into(),
            ],
            counts: vec![vec![c.complete, c.dropped_out, c.late_entry, c.returned]],
            totals: true,
        },
        &rules,
    );
    suppressions.extend(response.suppressions.iter().cloned());
    suppressions.extend(patterns.suppressions.iter().cloned());
    let mut rows = BTreeMap::new();
    rows.insert("read".to_string(), loaded.report.rows_read());
    rows.insert("kept".to_string(), loaded.report.rows_kept());
    for (k, n) in loaded.report.rows_excluded() {
        rows.insert(format!("excluded: {}", k.name()), n);
    }

    // Estimates: shares of binary and classed measures, means of counts
    // and scores.
    let est = wave_estimates(panel, scores, None, bootstrap, progress).unwrap_or_default();
    let estimates = estimate_rows(&est, scores, &rules, &mut suppressions);
    let by_group = match by {
        None => Vec::new(),
        Some(var) => {
            let grouped = wave_estimates(panel, scores, Some(var), None, progress)?;
            estimate_rows(&grouped, scores, &rules, &mut suppressions)
        }
    };

    // Change from the first to the last wave, every measure.
    let last = (waves.len() - 1) as u8;
    let rel_at_first: BTreeMap<String, f64> = reliability
        .iter()
        .filter(|r| Some(&r.wave) == waves.first())
        .filter_map(|r| {
            r.alpha
                .map(|a| (format!("{}.{}", r.instrument, r.scale), a))
        })
        .collect();
    let opts = ChangeOptions {
        bootstrap,
        progress,
        reliability: rel_at_first,
    };
    let all: Vec<usize> = (0..scores.measures.len()).collect();
    let table = if waves.len() > 1 {
        change_table(panel, scores, &all, 0, last, &opts)
    } else {
        Vec::new()
    };
    let change = change_rows(&table, &rules, &mut suppressions);

    let reliability = reliability
        .iter()
        .map(|r| {
            let ok = r.n as u64 >= rules.min_cell;
            ReliabilityRow {
                scale: format!("{}.{}", r.instrument, r.scale),
                wave: r.wave.clone(),
                n: r.n as u64,
                alpha: r.alpha.filter(|_| ok),
                ci95: r.alpha_ci95.filter(|_| ok),
            }
        })
        .collect();

    let transitions = family_transitions(scores, panel.n_clusters(), last, &rules);
    if let Some(t) = &transitions {
        suppressions.extend(t.suppressions.iter().cloned());
    }
    let trajectories = trajectories(scores, &waves, &rules, &mut suppressions);
    let attrition = attrition(panel, &waves, &rules);
    suppressions.extend(attrition.suppressions.iter().cloned());

    Ok(ReportData {
        schema: REPORT_SCHEMA.into(),
        study: study.name.clone(),
        provenance,
        min_cell: rules.min_cell,
        round_to: rules.round_to,
        bootstrap: bootstrap.map(|b| BootstrapInfo {
            replicates: b.replicates,
            seed: b.seed,
        }),
        waves,
        rows,
        response,
        patterns,
        estimates,
        by: by.map(String::from),
        by_group,
        change,
        reliability,
        transitions,
        trajectories,
        attrition,
        suppressions,
    })
}

/// Published rows of per-wave estimates: shares (Wilson) of binary
/// measures, means (bootstrap or t interval, quartiles) of the others;
/// values of fewer than `min_cell` units are withheld and listed.
pub fn estimate_rows(
    est: &[WaveEstimate],
    scores: &Scores,
    rules: &Rules,
    suppressions: &mut Vec<Suppression>,
) -> Vec<EstimateRow> {
    let kinds: BTreeMap<&str, (&MeasureKind, &str)> = scores
        .measures
        .iter()
        .map(|m| (m.name.as_str(), (&m.kind, m.label.as_str())))
        .collect();
    let mut estimates = Vec::new();
    for e in est {
        let Some((kind, label)) = kinds.get(e.measure.as_str()) else {
            continue;
        };
        let share = matches!(kind, MeasureKind::Binary);
        let n = e.descriptives.n as u64;
        let (value, ci) = if share {
            let p = e.prevalence.as_ref();
            (p.map(|p| p.estimate), p.map(|p| p.wilson))
        } else {
            let boot = e.mean_ci95_bootstrap.as_ref().and_then(|b| b.percentile);
            (e.descriptives.mean, boot.or(e.descriptives.mean_ci95_t))
        };
        let shown = value.map(|v| protect_value(v, n, rules));
        let published = matches!(shown, Some(Shown::Value { .. }));
        if value.is_some() && !published {
            suppressions.push(Suppression {
                table: "estimates".into(),
                row: e.measure.clone(),
                column: e.wave.clone(),
                reason: format!(
                    "based on {n} units, fewer than min_cell ({})",
                    rules.min_cell
                ),
            });
        }
        estimates.push(EstimateRow {
            measure: e.measure.clone(),
            label: label.to_string(),
            level: level_name(e.level).into(),
            statistic: if share { "share" } else { "mean" }.into(),
            wave: e.wave.clone(),
            n,
            value: value.filter(|_| published),
            ci95: ci.filter(|_| published),
            group: e.group.clone(),
            quartiles: if share {
                None
            } else {
                let d = &e.descriptives;
                d.q25
                    .zip(d.median)
                    .zip(d.q75)
                    .map(|((a, b), c)| [a, b, c])
                    .filter(|_| published)
            },
        });
    }

    estimates
}

/// Published rows of a change table: every statistic withheld (and
/// listed) when fewer than `min_cell` pairs.
pub fn change_rows(
    table: &[ChangeSummary],
    rules: &Rules,
    suppressions: &mut Vec<Suppression>,
) -> Vec<ChangeRow> {
    table
        .iter()
        .map(|c| {
            let ok = c.n_pairs as u64 >= rules.min_cell;
            if !ok && c.n_pairs > 0 {
                suppressions.push(Suppression {
                    table: "change".into(),
                    row: c.measure.clone(),
                    column: "all".into(),
                    reason: format!(
                        "{} pairs, fewer than min_cell ({})",
                        c.n_pairs, rules.min_cell
                    ),
                });
            }
            let keep = |v: Option<f64>| v.filter(|_| ok);
            let boot = c
                .bootstrap
                .as_ref()
                .and_then(|b| b.get("mean_diff"))
                .and_then(|ci| ci.percentile);
            ChangeRow {
                measure: c.measure.clone(),
                level: level_name(c.level).into(),
                n_pairs: c.n_pairs as u64,
                mean_from: keep(c.mean_from),
                mean_to: keep(c.mean_to),
                mean_diff: keep(c.mean_diff),
                mean_diff_ci95: boot.or(c.paired_t.ci95).filter(|_| ok),
                p_t: keep(c.paired_t.p_value),
                p_t_holm: keep(c.p_adjusted.get("paired_t").and_then(|a| a.holm)),
                p_wilcoxon: keep(c.wilcoxon.p_value),
                p_mcnemar: keep(c.mcnemar.p_value),
                dz: keep(c.effect_size.dz),
                dz_ci95: c.effect_size.dz_ci95.filter(|_| ok),
            }
        })
        .collect()
}

/// Values of a family measure by (cluster, wave).
fn family_values(scores: &Scores, name: &str) -> Option<BTreeMap<(u32, u8), f64>> {
    scores.of(name).map(|m| m.by_unit_wave())
}

/// The class of a family at a wave: 0 none, 1 minor, 2 severe or frequent.
fn family_class(
    any: &BTreeMap<(u32, u8), f64>,
    sof: &BTreeMap<(u32, u8), f64>,
    key: (u32, u8),
) -> Option<usize> {
    match (any.get(&key), sof.get(&key)) {
        (Some(a), _) if *a == 0.0 => Some(0),
        (_, Some(s)) if *s == 1.0 => Some(2),
        (Some(_), Some(_)) => Some(1),
        _ => None,
    }
}

const CLASSES: [&str; 3] = ["none", "minor", "severe or frequent"];

fn family_transitions(
    scores: &Scores,
    n_clusters: usize,
    last: u8,
    rules: &Rules,
) -> Option<ProtectedTable> {
    let any = family_values(scores, "family_any_violence")?;
    let sof = family_values(scores, "family_severe_or_frequent")?;
    let mut counts = vec![vec![0u64; 3]; 3];
    for c in 0..n_clusters as u32 {
        if let (Some(a), Some(b)) = (
            family_class(&any, &sof, (c, 0)),
            family_class(&any, &sof, (c, last)),
        ) {
            counts[a][b] += 1;
        }
    }
    Some(protect(
        &CountTable {
            title: "families by class, first by last wave".into(),
            rows: CLASSES.iter().map(|c| c.to_string()).collect(),
            columns: CLASSES.iter().map(|c| c.to_string()).collect(),
            counts,
            totals: true,
        },
        rules,
    ))
}

fn trajectories(
    scores: &Scores,
    waves: &[String],
    rules: &Rules,
    suppressions: &mut Vec<Suppression>,
) -> Vec<Trajectory> {
    let Some(v) = family_values(scores, "family_incidents") else {
        return Vec::new();
    };
    let last = (waves.len() - 1) as u8;
    let classes = ["stopped", "decreased", "persistent", "increased", "none"];
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); classes.len()];
    for (&(c, w), &a) in &v {
        if w != 0 {
            continue;
        }
        let Some(&b) = v.get(&(c, last)) else {
            continue;
        };
        let k = match (a > 0.0, b > 0.0) {
            (true, false) => 0,
            (false, false) => 4,
            _ if b < a => 1,
            _ if b == a => 2,
            _ => 3,
        };
        members[k].push(c);
    }
    let total: usize = members.iter().map(Vec::len).sum();
    classes
        .iter()
        .zip(&members)
        .map(|(class, fams)| {
            let n = fams.len() as u64;
            let ok = n >= rules.min_cell;
            if !ok && n > 0 {
                suppressions.push(Suppression {
                    table: "trajectories".into(),
                    row: class.to_string(),
                    column: "all".into(),
                    reason: format!("{n} families, fewer than min_cell ({})", rules.min_cell),
                });
            }
            let waves = waves
                .iter()
                .enumerate()
                .map(|(w, label)| {
                    let x: Vec<f64> = fams
                        .iter()
                        .filter_map(|c| v.get(&(*c, w as u8)).copied())
                        .collect();
                    let d = cohort_stats::describe(&x);
                    let shown = x.len() as u64 >= rules.min_cell && ok;
                    EstimateRow {
                        measure: "family_incidents".into(),
                        label: format!("trajectory {class}"),
                        level: "family".into(),
                        statistic: "mean".into(),
                        wave: label.clone(),
                        n: x.len() as u64,
                        value: d.mean.filter(|_| shown),
                        ci95: d.mean_ci95_t.filter(|_| shown),
                        quartiles: None,
                        group: None,
                    }
                })
                .collect();
            Trajectory {
                class: class.to_string(),
                n,
                share: (ok && total > 0).then(|| n as f64 / total as f64),
                waves,
            }
        })
        .collect()
}

fn attrition(panel: &cohort_panel::Panel, waves: &[String], rules: &Rules) -> ProtectedTable {
    let present = panel.cluster_waves();
    let k = waves.len();
    // Per wave: present; present after missing the wave before (returned);
    // absent now and at every later wave after taking part (dropped out).
    let (mut here_n, mut returned_n, mut dropped_n) = (vec![0u64; k], vec![0u64; k], vec![0u64; k]);
    for &m in &present {
        let at = |w: usize| m & (1 << w) != 0;
        for (w, ((h, r), d)) in here_n
            .iter_mut()
            .zip(&mut returned_n)
            .zip(&mut dropped_n)
            .enumerate()
        {
            let before = m & ((1 << w) - 1);
            if at(w) {
                *h += 1;
                if w > 0 && before != 0 && !at(w - 1) {
                    *r += 1;
                }
            } else if before != 0 && m >> (w + 1) == 0 {
                *d += 1;
            }
        }
    }
    let counts = vec![here_n, returned_n, dropped_n];
    protect(
        &CountTable {
            title: "families present, returned and dropped out per wave".into(),
            rows: vec![
                "present".into(),
                "of which returned".into(),
                "dropped out".into(),
            ],
            columns: waves.to_vec(),
            counts,
            totals: false,
        },
        rules,
    )
}
