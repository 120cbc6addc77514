//! Estimates per wave and group, and the difference in change between
//! groups.

use cohort_instruments::{Level, MeasureId, Scores};
use cohort_panel::{Cell, ClusterId, Panel, RespondentId, VarKind, Wave};
use serde::Serialize;

use crate::bootstrap::{totals_bootstrap, BootstrapCi, BootstrapRecord, BootstrapSpec};
use crate::describe::{describe, proportion, Descriptives, Proportion};
use crate::error::StatsError;
use crate::sums::mean;

/// Version of the estimate fields.
pub const DESCRIBE_SCHEMA: &str = "cohort.describe/1";

/// One measure at one wave (in one group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveEstimate {
    /// Version of these fields.
    pub schema: &'static str,
    /// The measure.
    pub measure: String,
    /// Respondent or family.
    pub level: Level,
    /// Wave label.
    pub wave: String,
    /// Group code, when grouped.
    pub group: Option<String>,
    /// n, mean, SD, median, quartiles, t interval of the mean.
    pub descriptives: Descriptives,
    /// Share above zero with Wilson and Clopper-Pearson intervals.
    pub prevalence: Option<Proportion>,
    /// Cluster-bootstrap interval of the mean.
    pub mean_ci95_bootstrap: Option<BootstrapCi>,
    /// How the bootstrap was run.
    pub bootstrap_method: Option<BootstrapRecord>,
    /// Share of the sum held by the two largest values (the dominance of
    /// a mean; null when the sum is not positive).
    pub top2_share: Option<f64>,
}

/// Share of the sum of the positive values held by the two largest: what
/// the dominance rule (n = 2, k = 90%) of a published mean looks at.
pub fn top2_share(x: &[f64]) -> Option<f64> {
    let total: f64 = x.iter().filter(|v| **v > 0.0).sum();
    if total <= 0.0 {
        return None;
    }
    let (mut a, mut b) = (0.0f64, 0.0f64);
    for &v in x.iter().filter(|v| **v > 0.0) {
        if v > a {
            b = a;
            a = v;
        } else if v > b {
            b = v;
        }
    }
    Some((a + b) / total)
}

/// The group of each unit of a level, by a categorical variable (or the
/// role): its value at the unit's first observation. Units without a
/// value are in no group.
pub fn unit_groups(panel: &Panel, level: Level, variable: &str) -> Result<UnitGroups, StatsError> {
    let n_units = match level {
        Level::Respondent => panel.n_respondents(),
        Level::Family => panel.n_clusters(),
    };
    let mut groups = vec![None; n_units];
    let role = panel.study().data.role.as_deref() == Some(variable);
    let (labels, col) = if role {
        match &panel.role_variable().kind {
            VarKind::Categorical { codes } => (
                codes.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
                None,
            ),
            _ => {
                return Err(StatsError::NotCategorical {
                    variable: variable.to_string(),
                })
            }
        }
    } else {
        let col = panel
            .column(variable)
            .ok_or_else(|| StatsError::UnknownVariable {
                variable: variable.to_string(),
            })?;
        match &panel.variable_of(col).kind {
            VarKind::Categorical { codes } => {
                (codes.iter().map(|c| c.code.clone()).collect(), Some(col))
            }
            _ => {
                return Err(StatsError::NotCategorical {
                    variable: variable.to_string(),
                })
            }
        }
    };
    for i in 0..panel.n_observations() {
        let r = panel.respondent(i);
        let unit = match level {
            Level::Respondent => r.0,
            Level::Family => panel.cluster_of(r).0,
        } as usize;
        if groups[unit].is_some() {
            continue;
        }
        groups[unit] = match col {
            None => Some(panel.role_of(r)),
            Some(c) => match c.get(i, panel.variable_of(c)) {
                Cell::Category(k) => Some(k),
                _ => None,
            },
        };
    }
    Ok(UnitGroups { labels, groups })
}

/// The groups of the units of a level by a categorical variable.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitGroups {
    /// The group codes, in declared order (the first is the reference).
    pub labels: Vec<String>,
    /// Per unit, its group (an index into `labels`), if it has one.
    pub groups: Vec<Option<u16>>,
}

fn cluster_of(panel: &Panel, level: Level, unit: u32) -> usize {
    match level {
        Level::Respondent => panel.cluster_of(RespondentId(unit)).0 as usize,
        Level::Family => ClusterId(unit).0 as usize,
    }
}

/// Estimates of every measure at every wave (and in every group of `by`).
pub fn wave_estimates(
    panel: &Panel,
    scores: &Scores,
    by: Option<&str>,
    bootstrap: Option<BootstrapSpec>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<WaveEstimate>, StatsError> {
    let n_waves = panel.study().waves.len();
    // Cells: (measure, wave, group) with their values and clusters, in
    // cluster order (and in the scores' order within a cluster). One list
    // per cell, not one per cell and cluster: 147 cells of a million
    // families were 147 million vectors.
    struct CellData {
        measure: usize,
        wave: usize,
        group: Option<String>,
        values: Vec<(u32, f64)>,
    }
    let mut cells: Vec<CellData> = Vec::new();
    for (m, def) in scores.measures.iter().enumerate() {
        let grouping = by.map(|v| unit_groups(panel, def.level, v)).transpose()?;
        let n_groups = grouping.as_ref().map_or(1, |g| g.labels.len());
        let base = cells.len();
        for w in 0..n_waves {
            for g in 0..n_groups {
                cells.push(CellData {
                    measure: m,
                    wave: w,
                    group: grouping.as_ref().map(|u| u.labels[g].clone()),
                    values: Vec::new(),
                });
            }
        }
        let s = &scores.scores[m];
        for i in 0..s.len() {
            let Some(v) = s.value(i) else { continue };
            let g = match &grouping {
                None => 0,
                Some(u) => match u.groups[s.unit(i) as usize] {
                    Some(g) => g as usize,
                    None => continue,
                },
            };
            let cell = base + s.wave(i) as usize * n_groups + g;
            let cluster = cluster_of(panel, def.level, s.unit(i)) as u32;
            cells[cell].values.push((cluster, v));
        }
    }
    // Stable, and nearly free on scores that come family by family.
    for c in &mut cells {
        c.values.sort_by_key(|&(cluster, _)| cluster);
    }
    // Each cell's mean is its clusters' summed values over their count:
    // two numbers per cluster and cell, bootstrapped in linear time.
    let boot = bootstrap.as_ref().map(|spec| {
        let dim = 2 * cells.len();
        let mut rows = vec![0.0; panel.n_clusters() * dim];
        let mut one = Vec::new();
        for (j, c) in cells.iter().enumerate() {
            for run in c.values.chunk_by(|a, b| a.0 == b.0) {
                let k = run[0].0 as usize;
                one.clear();
                one.extend(run.iter().map(|&(_, v)| v));
                rows[k * dim + 2 * j] = crate::sums::sum(&one);
                rows[k * dim + 2 * j + 1] = one.len() as f64;
            }
        }
        totals_bootstrap(
            &rows,
            dim,
            spec,
            |total| {
                (0..cells.len())
                    .map(|j| (total[2 * j + 1] > 0.0).then(|| total[2 * j] / total[2 * j + 1]))
                    .collect()
            },
            progress,
        )
    });
    Ok(cells
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let x: Vec<f64> = c.values.iter().map(|&(_, v)| v).collect();
            let k = x.iter().filter(|v| **v > 0.0).count() as u64;
            WaveEstimate {
                schema: DESCRIBE_SCHEMA,
                measure: scores.measures[c.measure].name.clone(),
                level: scores.measures[c.measure].level,
                wave: panel.study().waves[c.wave].label.clone(),
                group: c.group.clone(),
                descriptives: describe(&x),
                prevalence: proportion(k, x.len() as u64),
                mean_ci95_bootstrap: boot.as_ref().map(|b| b[j].clone()),
                bootstrap_method: bootstrap.as_ref().map(|b| b.record(panel.n_clusters())),
                top2_share: top2_share(&x),
            }
        })
        .collect())
}

/// Mean change in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMeanChange {
    /// Group code.
    pub group: String,
    /// Complete pairs in the group.
    pub n_pairs: usize,
    /// Mean of `to - from`.
    pub mean_diff: Option<f64>,
    /// This group's mean change minus the reference group's.
    pub difference_from_reference: Option<f64>,
    /// Cluster-bootstrap interval of that difference.
    pub difference_ci95: Option<BootstrapCi>,
}

/// Difference in change between groups (each against the first group,
/// the reference).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupChange {
    /// The grouping variable.
    pub variable: String,
    /// The reference group.
    pub reference: String,
    /// Per group.
    pub groups: Vec<GroupMeanChange>,
    /// How the bootstrap was run (clusters from all groups together).
    pub bootstrap_method: Option<BootstrapRecord>,
}

/// Mean change of measure `m` between `waves` (from, to) by the groups of
/// `variable`, with bootstrap intervals of the differences.
pub fn group_change(
    panel: &Panel,
    scores: &Scores,
    m: MeasureId,
    (from, to): (Wave, Wave),
    variable: &str,
    bootstrap: Option<BootstrapSpec>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<GroupChange, StatsError> {
    let def = scores.def(m);
    let (from, to) = (from.0, to.0);
    let UnitGroups { labels, groups } = unit_groups(panel, def.level, variable)?;
    let at = scores.scores_of(m).by_unit_wave();
    // diffs[group][cluster]
    let mut diffs = vec![vec![Vec::new(); panel.n_clusters()]; labels.len()];
    for (&(u, w), &a) in &at {
        if w != from {
            continue;
        }
        if let (Some(&b), Some(g)) = (at.get(&(u, to)), groups[u as usize]) {
            diffs[g as usize][cluster_of(panel, def.level, u)].push(b - a);
        }
    }
    // Per cluster and group: the sum of the differences and their count.
    let dim = 2 * labels.len();
    let mut rows = vec![0.0; panel.n_clusters() * dim];
    for (g, by_cluster) in diffs.iter().enumerate() {
        for (c, d) in by_cluster.iter().enumerate() {
            rows[c * dim + 2 * g] = crate::sums::sum(d);
            rows[c * dim + 2 * g + 1] = d.len() as f64;
        }
    }
    let means = |total: &[f64]| -> Vec<Option<f64>> {
        (0..labels.len())
            .map(|g| (total[2 * g + 1] > 0.0).then(|| total[2 * g] / total[2 * g + 1]))
            .collect()
    };
    let stat = |total: &[f64]| -> Vec<Option<f64>> {
        let m = means(total);
        m.iter().map(|g| g.zip(m[0]).map(|(a, r)| a - r)).collect()
    };
    let estimate_means: Vec<Option<f64>> = diffs
        .iter()
        .map(|g| mean(&g.iter().flatten().copied().collect::<Vec<f64>>()))
        .collect();
    let estimate_diffs: Vec<Option<f64>> = estimate_means
        .iter()
        .map(|g| g.zip(estimate_means[0]).map(|(a, r)| a - r))
        .collect();
    let boot = bootstrap
        .as_ref()
        .map(|spec| totals_bootstrap(&rows, dim, spec, stat, progress));
    Ok(GroupChange {
        variable: variable.to_string(),
        reference: labels[0].clone(),
        groups: labels
            .iter()
            .enumerate()
            .map(|(g, label)| GroupMeanChange {
                group: label.clone(),
                n_pairs: diffs[g].iter().map(Vec::len).sum(),
                mean_diff: estimate_means[g],
                difference_from_reference: (g > 0).then_some(estimate_diffs[g]).flatten(),
                difference_ci95: (g > 0)
                    .then(|| boot.as_ref().map(|b| b[g].clone()))
                    .flatten(),
            })
            .collect(),
        bootstrap_method: bootstrap.as_ref().map(|b| b.record(panel.n_clusters())),
    })
}
