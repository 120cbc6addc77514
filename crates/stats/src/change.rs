//! Change of a measure between two waves, in the results contract of
//! `shared/design.md`: tests, effect sizes, prevalence, transitions,
//! reliable change, and cluster-bootstrap intervals of every estimate.

use std::collections::BTreeMap;

use cohort_instruments::{Level, MeasureId, MeasureKind, MeasureScores, Scores};
use cohort_panel::{ClusterId, Panel, RespondentId, Wave};
use cohort_results::TrajectoryClass;
use serde::Serialize;

use crate::adjust::{benjamini_hochberg, holm};
use crate::bootstrap::{
    cluster_bootstrap, sparse_totals_bootstrap, totals_bootstrap, BootstrapCi, BootstrapRecord,
    BootstrapSpec,
};
use crate::describe::proportion;
use crate::paired::{
    effect_sizes, mcnemar, paired_t, sign_test, wilcoxon, McNemar, WilcoxonMethod,
};
use crate::sums::{mean, quantile_sorted, sd};

/// Version of the change fields.
pub const CHANGE_SCHEMA: &str = "cohort.change/1";

/// The paired t-test as published: null fields with a note when it cannot
/// be computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedTOut {
    /// t.
    pub statistic: Option<f64>,
    /// n - 1.
    pub df: Option<f64>,
    /// Two-sided p.
    pub p_value: Option<f64>,
    /// 95% interval of the mean difference (t distribution).
    pub ci95: Option<[f64; 2]>,
    /// Standard error of the mean difference.
    pub se: Option<f64>,
    /// The variant.
    pub method: &'static str,
    /// Why null.
    pub note: Option<String>,
}

/// The Wilcoxon signed-rank test as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WilcoxonOut {
    /// V, the sum of ranks of positive differences (R's V).
    pub statistic: Option<f64>,
    /// Two-sided p.
    pub p_value: Option<f64>,
    /// `exact` or `normal`.
    pub method: Option<&'static str>,
    /// Continuity correction in the normal approximation.
    pub continuity_correction: Option<bool>,
    /// Non-zero differences (zeros dropped, Wilcoxon's method).
    pub n_nonzero: usize,
    /// Whether absolute differences are tied (average ranks, tie-corrected
    /// variance).
    pub ties: Option<bool>,
    /// Why null.
    pub note: Option<String>,
}

/// The sign test as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignOut {
    /// Increases.
    pub n_pos: u64,
    /// Decreases.
    pub n_neg: u64,
    /// Two-sided exact binomial p (zeros dropped); null when every
    /// difference is zero.
    pub p_value: Option<f64>,
    /// Why `p_value` is null.
    pub note: Option<String>,
}

/// Effect sizes as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectOut {
    /// Cohen's d_z.
    pub dz: Option<f64>,
    /// 95% interval of d_z (normal approximation).
    pub dz_ci95: Option<[f64; 2]>,
    /// d_av (Lakens 2013).
    pub dav: Option<f64>,
    /// Hedges' g_av.
    pub gav: Option<f64>,
    /// Matched-pairs rank-biserial correlation.
    pub rank_biserial: Option<f64>,
    /// McNemar conditional odds ratio b / c.
    pub mcnemar_odds_ratio: Option<f64>,
    /// Its exact 95% interval.
    pub mcnemar_odds_ratio_ci95: Option<[f64; 2]>,
    /// How each is computed.
    pub method: &'static str,
    /// Why something is null.
    pub note: Option<String>,
}

/// Prevalence (value > 0) at both waves, on the complete pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrevalenceOut {
    /// Share at `from`.
    pub from: Option<f64>,
    /// Share at `to`.
    pub to: Option<f64>,
    /// Wilson 95% interval at `from`.
    pub from_ci95: Option<[f64; 2]>,
    /// Wilson 95% interval at `to`.
    pub to_ci95: Option<[f64; 2]>,
    /// Clopper-Pearson 95% interval at `from`.
    pub from_ci95_exact: Option<[f64; 2]>,
    /// Clopper-Pearson 95% interval at `to`.
    pub to_ci95_exact: Option<[f64; 2]>,
}

/// Transitions of the complete pairs ([`TrajectoryClass`]); every pair is
/// in exactly one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transitions {
    /// From above zero to zero.
    pub stopped: u64,
    /// From zero to above zero.
    pub started: u64,
    /// Lower, still above zero.
    pub decreased: u64,
    /// The same (zero to zero included).
    pub unchanged: u64,
    /// Higher, from above zero.
    pub increased: u64,
    /// Each count over the pairs.
    pub shares: BTreeMap<String, f64>,
}

/// The full transition table of a classed measure: `counts[from][to]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionTable {
    /// Class labels, in order.
    pub classes: Vec<String>,
    /// Counts, rows = class at `from`, columns = class at `to`.
    pub counts: Vec<Vec<u64>>,
}

/// Reliable change (Jacobson-Truax) of a scale, per respondent, with
/// higher scores meaning more symptoms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliableChange {
    /// Reliability used (Cronbach's alpha at `from`).
    pub reliability: f64,
    /// SD at `from` of the complete pairs.
    pub sd_from: f64,
    /// S_diff = sqrt(2) * sd_from * sqrt(1 - reliability).
    pub s_diff: f64,
    /// RCI <= -1.96.
    pub improved: u64,
    /// |RCI| < 1.96.
    pub unchanged: u64,
    /// RCI >= 1.96.
    pub deteriorated: u64,
    /// Improved and from the clinical range to outside it.
    pub recovered: Option<u64>,
    /// Why `recovered` is null.
    pub note: Option<String>,
}

/// Adjusted p-values within the family of tests a command reports.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Adjusted {
    /// Holm.
    pub holm: Option<f64>,
    /// Benjamini-Hochberg.
    pub bh: Option<f64>,
}

/// Change of one measure between two waves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeSummary {
    /// Version of these fields.
    pub schema: &'static str,
    /// The measure.
    pub measure: String,
    /// `respondent` or `family`.
    pub level: Level,
    /// Wave label.
    pub from: String,
    /// Wave label.
    pub to: String,
    /// Units with a value at both waves.
    pub n_pairs: usize,
    /// Units with a value at `from` only.
    pub n_from_only: usize,
    /// Units with a value at `to` only.
    pub n_to_only: usize,
    /// Clusters (families) the pairs are in.
    pub n_clusters: usize,
    /// Mean at `from` (pairs).
    pub mean_from: Option<f64>,
    /// Mean at `to` (pairs).
    pub mean_to: Option<f64>,
    /// Mean of `to - from`.
    pub mean_diff: Option<f64>,
    /// SD of `to - from`.
    pub sd_diff: Option<f64>,
    /// Median of `to - from`.
    pub median_diff: Option<f64>,
    /// Paired t-test.
    pub paired_t: PairedTOut,
    /// Wilcoxon signed-rank test.
    pub wilcoxon: WilcoxonOut,
    /// Sign test.
    pub sign_test: SignOut,
    /// McNemar on prevalence (value > 0).
    pub mcnemar: McNemar,
    /// Effect sizes.
    pub effect_size: EffectOut,
    /// Prevalence at both waves.
    pub prevalence: PrevalenceOut,
    /// Transitions.
    pub transitions: Transitions,
    /// Full transition table (binary and classed measures).
    pub transition_table: Option<TransitionTable>,
    /// Reliable change (scale scores with a known reliability).
    pub reliable_change: Option<ReliableChange>,
    /// Adjusted p-values (`paired_t`, `wilcoxon`, `mcnemar`) within the
    /// table the command reports.
    pub p_adjusted: BTreeMap<String, Adjusted>,
    /// Cluster-bootstrap intervals, by estimate.
    pub bootstrap: Option<BTreeMap<String, BootstrapCi>>,
    /// How the bootstrap was run.
    pub bootstrap_method: Option<BootstrapRecord>,
}

/// Items grouped by cluster: one list in cluster order (in the order they
/// were given within a cluster) and where each cluster's items start. A
/// vector per cluster and measure was 49 million vectors on a million
/// families.
#[derive(Debug, Clone, PartialEq)]
struct ByCluster<T> {
    items: Vec<T>,
    /// Per cluster, where its items start; one more at the end.
    starts: Vec<usize>,
}

impl<T> ByCluster<T> {
    /// Groups `(cluster, item)` by cluster (a stable sort).
    fn new(n_clusters: usize, mut pairs: Vec<(u32, T)>) -> ByCluster<T> {
        pairs.sort_by_key(|p| p.0);
        let mut starts = vec![0; n_clusters + 1];
        for &(c, _) in &pairs {
            starts[c as usize + 1] += 1;
        }
        for c in 0..n_clusters {
            starts[c + 1] += starts[c];
        }
        ByCluster {
            items: pairs.into_iter().map(|(_, item)| item).collect(),
            starts,
        }
    }

    /// Cluster `c`'s items.
    fn get(&self, c: usize) -> &[T] {
        &self.items[self.starts[c]..self.starts[c + 1]]
    }

    /// Every cluster's items, in cluster order (empty ones included).
    fn iter(&self) -> impl Iterator<Item = &[T]> + '_ {
        (0..self.starts.len() - 1).map(|c| self.get(c))
    }

    /// All items, in cluster order.
    fn all(&self) -> &[T] {
        &self.items
    }
}

/// Pairs of one measure grouped by cluster, and the units at one wave only.
struct PairData {
    by_cluster: ByCluster<(f64, f64, u32)>,
    n_from_only: usize,
    n_to_only: usize,
}

fn cluster_of_unit(panel: &Panel, level: Level, unit: u32) -> u32 {
    match level {
        Level::Respondent => panel.cluster_of(RespondentId(unit)).0,
        Level::Family => ClusterId(unit).0,
    }
}

fn pair_data(panel: &Panel, level: Level, m: &MeasureScores, from: u8, to: u8) -> PairData {
    let mut at_from: BTreeMap<u32, f64> = BTreeMap::new();
    let mut at_to: BTreeMap<u32, f64> = BTreeMap::new();
    for i in 0..m.len() {
        if let Some(v) = m.value(i) {
            if m.wave(i) == from {
                at_from.insert(m.unit(i), v);
            }
            if m.wave(i) == to {
                at_to.insert(m.unit(i), v);
            }
        }
    }
    let mut pairs = Vec::new();
    for (&u, &a) in &at_from {
        if let Some(&b) = at_to.get(&u) {
            pairs.push((cluster_of_unit(panel, level, u), (a, b, u)));
        }
    }
    let by_cluster = ByCluster::new(panel.n_clusters(), pairs);
    let n_pairs = by_cluster.all().len();
    PairData {
        by_cluster,
        n_from_only: at_from.len() - n_pairs,
        n_to_only: at_to.len() - n_pairs,
    }
}

/// Names of the bootstrapped estimates.
const BOOT_NAMES: [&str; 9] = [
    "mean_from",
    "mean_to",
    "mean_diff",
    "dz",
    "dav",
    "rank_biserial",
    "prevalence_from",
    "prevalence_to",
    "prevalence_diff",
];

/// Matched-pairs rank-biserial correlation (W+ - W-) / (W+ + W-), ranks
/// of |d| among the non-zero differences with ties averaged. `scratch`
/// is reused between calls: this runs for every replicate.
fn rank_biserial(diff: impl Iterator<Item = f64>, scratch: &mut Vec<(f64, bool)>) -> Option<f64> {
    scratch.clear();
    scratch.extend(diff.filter(|d| *d != 0.0).map(|d| (d.abs(), d > 0.0)));
    let n = scratch.len();
    if n == 0 {
        return None;
    }
    scratch.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut w_pos = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && scratch[j + 1].0 == scratch[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        w_pos += rank * scratch[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let total = (n * (n + 1)) as f64 / 2.0;
    Some((w_pos - (total - w_pos)) / total)
}

/// Sums per cluster and measure from which every statistic of
/// `BOOT_NAMES` but the rank-biserial follows: pairs, the sums of `from`
/// and `to`, the sums of squares of `from`, `to` and their difference about
/// the whole sample's means (shifted, so that the SDs lose no digits), and
/// the counts above 0.
const MOMENTS: usize = 8;

/// One bootstrap of the change table: the means, SDs, effect sizes and
/// prevalences from per-cluster sums ([`totals_bootstrap`], linear in the
/// clusters), the rank-biserial correlation from the drawn pairs
/// ([`cluster_bootstrap`]); the same draws for both. In `BOOT_NAMES`
/// order per measure.
fn bootstrap_table(
    n_clusters: usize,
    data: &[PairData],
    spec: &BootstrapSpec,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<BootstrapCi> {
    let dim = MOMENTS * data.len();
    let mut rows = vec![0.0; n_clusters * dim];
    let mut shifts = Vec::with_capacity(data.len());
    for (j, d) in data.iter().enumerate() {
        let all = d.by_cluster.all().iter();
        let n = all.clone().count().max(1) as f64;
        let (cf, ct) = all.fold((0.0, 0.0), |(f, t), &(a, b, _)| (f + a, t + b));
        let (cf, ct) = (cf / n, ct / n);
        shifts.push((cf, ct, ct - cf));
        for (c, pairs) in d.by_cluster.iter().enumerate() {
            let r = &mut rows[c * dim + MOMENTS * j..c * dim + MOMENTS * (j + 1)];
            for &(a, b, _) in pairs {
                let dd = b - a - (ct - cf);
                r[0] += 1.0;
                r[1] += a;
                r[2] += b;
                r[3] += (a - cf) * (a - cf);
                r[4] += (b - ct) * (b - ct);
                r[5] += dd * dd;
                r[6] += f64::from(u8::from(a > 0.0));
                r[7] += f64::from(u8::from(b > 0.0));
            }
        }
    }
    let moments = totals_bootstrap(
        &rows,
        dim,
        spec,
        |total| {
            shifts
                .iter()
                .enumerate()
                .flat_map(|(j, &shift)| from_moments(&total[MOMENTS * j..MOMENTS * (j + 1)], shift))
                .collect()
        },
        progress,
    );
    let ranks = rank_biserial_bootstrap(n_clusters, data, spec);
    let per = BOOT_NAMES.len() - 1;
    let rank = BOOT_NAMES
        .iter()
        .position(|n| *n == "rank_biserial")
        .expect("a name");
    (0..data.len())
        .flat_map(|j| {
            let mut cis: Vec<BootstrapCi> = moments[per * j..per * (j + 1)].to_vec();
            cis.insert(rank, ranks[j].clone());
            cis
        })
        .collect()
}

/// Most distinct |differences| of a measure whose rank-biserial
/// correlation is bootstrapped from counts (beyond: from the drawn pairs,
/// sorted per replicate).
const MAX_RANK_LEVELS: usize = 1024;

/// The rank-biserial correlation of each measure, bootstrapped. With at
/// most [`MAX_RANK_LEVELS`] distinct non-zero |differences| (scores take
/// few values) it is a function of the counts of positive and negative
/// differences at each |difference|: those are summed per cluster and
/// bootstrapped in linear time ([`sparse_totals_bootstrap`]); otherwise
/// the drawn pairs are ranked per replicate ([`cluster_bootstrap`]). The
/// same draws either way.
fn rank_biserial_bootstrap(
    n_clusters: usize,
    data: &[PairData],
    spec: &BootstrapSpec,
) -> Vec<BootstrapCi> {
    // Per measure: its sorted distinct |differences|, if few enough, and
    // its first slot (two per level: negative, positive).
    let mut levels: Vec<Option<Vec<f64>>> = Vec::with_capacity(data.len());
    let mut offsets = Vec::with_capacity(data.len());
    let mut dim = 0;
    for d in data {
        let mut v: Vec<f64> = d
            .by_cluster
            .all()
            .iter()
            .map(|&(a, b, _)| (b - a).abs())
            .filter(|x| *x != 0.0)
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        offsets.push(dim);
        if v.len() <= MAX_RANK_LEVELS {
            dim += 2 * v.len();
            levels.push(Some(v));
        } else {
            levels.push(None);
        }
    }
    let counted: Vec<usize> = (0..data.len()).filter(|&j| levels[j].is_some()).collect();
    let ranked: Vec<usize> = (0..data.len()).filter(|&j| levels[j].is_none()).collect();
    let slot_range = |j: usize| offsets[j]..offsets[j] + 2 * levels[j].as_ref().map_or(0, Vec::len);
    // Cluster c's (slot, 1) per non-zero difference, by measure.
    let entries: Vec<Vec<(u32, f64)>> = (0..n_clusters)
        .map(|c| {
            let mut e = Vec::new();
            for &j in &counted {
                let lv = levels[j].as_ref().expect("a counted measure");
                for &(a, b, _) in data[j].by_cluster.get(c) {
                    let diff = b - a;
                    if diff != 0.0 {
                        let k = lv.partition_point(|x| *x < diff.abs());
                        e.push(((offsets[j] + 2 * k + usize::from(diff > 0.0)) as u32, 1.0));
                    }
                }
            }
            e
        })
        .collect();
    let from_counts = |counts: &[f64]| -> Option<f64> {
        let (mut w_pos, mut below) = (0.0, 0.0);
        for level in counts.chunks(2) {
            let (neg, pos) = (level[0], level[1]);
            let n = neg + pos;
            w_pos += (below + (n + 1.0) / 2.0) * pos;
            below += n;
        }
        let total = below * (below + 1.0) / 2.0;
        (below > 0.0).then(|| (w_pos - (total - w_pos)) / total)
    };
    let stat = |total: &[f64]| -> Vec<Option<f64>> {
        counted
            .iter()
            .map(|&j| from_counts(&total[slot_range(j)]))
            .collect()
    };
    let mut full = vec![0.0; dim];
    for e in &entries {
        for &(slot, w) in e {
            full[slot as usize] += w;
        }
    }
    let estimate = stat(&full);
    let by_counts = sparse_totals_bootstrap(
        &entries,
        dim,
        spec,
        stat,
        |leave| {
            // Only the measures the cluster has differences in change.
            let mut out = estimate.clone();
            for (i, &j) in counted.iter().enumerate() {
                let range = slot_range(j);
                let mine = entries[leave]
                    .iter()
                    .filter(|(slot, _)| range.contains(&(*slot as usize)));
                if mine.clone().next().is_some() {
                    let mut rest = full[range.clone()].to_vec();
                    for &(slot, w) in mine {
                        rest[slot as usize - range.start] -= w;
                    }
                    out[i] = from_counts(&rest);
                }
            }
            out
        },
        &|_| {},
    );
    let by_ranks = if ranked.is_empty() {
        Vec::new()
    } else {
        cluster_bootstrap(
            n_clusters,
            spec,
            |clusters| {
                let (mut f, mut t, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
                ranked
                    .iter()
                    .map(|&j| {
                        gather_into(&data[j], clusters, &mut f, &mut t);
                        rank_biserial(t.iter().zip(&f).map(|(b, a)| b - a), &mut scratch)
                    })
                    .collect()
            },
            &|_| {},
        )
    };
    (0..data.len())
        .map(|j| match counted.iter().position(|&c| c == j) {
            Some(i) => by_counts[i].clone(),
            None => by_ranks[ranked.iter().position(|&r| r == j).expect("ranked")].clone(),
        })
        .collect()
}

/// The statistics of `BOOT_NAMES` but the rank-biserial from one
/// measure's summed moments (see [`MOMENTS`]) and the shifts `(from, to,
/// difference)` they were taken about.
fn from_moments(m: &[f64], (cf, ct, cd): (f64, f64, f64)) -> Vec<Option<f64>> {
    let n = m[0];
    if n == 0.0 {
        return vec![None; BOOT_NAMES.len() - 1];
    }
    let (mf, mt) = (m[1] / n, m[2] / n);
    let md = mt - mf;
    // The sum of squares about the mean from that about the shift c:
    // sum (x - c)^2 - n (mean - c)^2; a remainder at the rounding of the
    // shifted sum is no variance.
    let sd = |shifted: f64, mean: f64, c: f64| -> Option<f64> {
        let ss = shifted - n * (mean - c) * (mean - c);
        (n >= 2.0 && ss > 1e-12 * shifted).then(|| (ss / (n - 1.0)).sqrt())
    };
    let sdd = sd(m[5], md, cd);
    let avg_sd = sd(m[3], mf, cf)
        .zip(sd(m[4], mt, ct))
        .map(|(a, b)| (a + b) / 2.0);
    let (prev_f, prev_t) = (m[6] / n, m[7] / n);
    vec![
        Some(mf),
        Some(mt),
        Some(md),
        sdd.map(|s| md / s),
        avg_sd.map(|s| md / s),
        Some(prev_f),
        Some(prev_t),
        Some(prev_t - prev_f),
    ]
}

/// The pairs of the drawn clusters into `from` and `to` (cleared first).
fn gather_into(data: &PairData, clusters: &[u32], from: &mut Vec<f64>, to: &mut Vec<f64>) {
    from.clear();
    to.clear();
    for &c in clusters {
        for &(a, b, _) in data.by_cluster.get(c as usize) {
            from.push(a);
            to.push(b);
        }
    }
}

fn gather(data: &PairData, clusters: &[u32]) -> (Vec<f64>, Vec<f64>) {
    let (mut from, mut to) = (Vec::new(), Vec::new());
    gather_into(data, clusters, &mut from, &mut to);
    (from, to)
}

/// What to compute beside the tests.
pub struct ChangeOptions<'a> {
    /// Cluster bootstrap, if any.
    pub bootstrap: Option<BootstrapSpec>,
    /// Called with replicates done.
    pub progress: &'a (dyn Fn(usize) + Sync),
    /// Reliability (alpha at `from`) of scale measures, by measure name.
    pub reliability: BTreeMap<String, f64>,
}

/// Change of each of `measures` (indices into `scores`) from wave `from`
/// to wave `to`, with one bootstrap for the whole table (the same cluster
/// draws for every measure) and p-values adjusted across the table.
pub fn change_table(
    panel: &Panel,
    scores: &Scores,
    measures: &[MeasureId],
    from: Wave,
    to: Wave,
    opts: &ChangeOptions<'_>,
) -> Vec<ChangeSummary> {
    let (from, to) = (from.0, to.0);
    let data: Vec<PairData> = measures
        .iter()
        .map(|&m| pair_data(panel, scores.def(m).level, scores.scores_of(m), from, to))
        .collect();
    let boot: Option<Vec<BootstrapCi>> = opts
        .bootstrap
        .as_ref()
        .map(|spec| bootstrap_table(panel.n_clusters(), &data, spec, opts.progress));
    let mut out: Vec<ChangeSummary> = measures
        .iter()
        .zip(&data)
        .enumerate()
        .map(|(j, (&m, d))| {
            let boot = boot.as_ref().map(|b| {
                BOOT_NAMES
                    .iter()
                    .zip(&b[j * BOOT_NAMES.len()..(j + 1) * BOOT_NAMES.len()])
                    .map(|(n, ci)| (n.to_string(), ci.clone()))
                    .collect()
            });
            summarise(panel, scores, m, d, from, to, opts, boot)
        })
        .collect();
    // Adjust within the table, test by test.
    for test in ["paired_t", "wilcoxon", "mcnemar"] {
        let p: Vec<Option<f64>> = out
            .iter()
            .map(|s| match test {
                "paired_t" => s.paired_t.p_value,
                "wilcoxon" => s.wilcoxon.p_value,
                _ => s.mcnemar.p_value,
            })
            .collect();
        let (h, b) = (holm(&p), benjamini_hochberg(&p));
        for (i, s) in out.iter_mut().enumerate() {
            s.p_adjusted.insert(
                test.to_string(),
                Adjusted {
                    holm: h[i],
                    bh: b[i],
                },
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    panel: &Panel,
    scores: &Scores,
    m: MeasureId,
    d: &PairData,
    from: u8,
    to: u8,
    opts: &ChangeOptions<'_>,
    bootstrap: Option<BTreeMap<String, BootstrapCi>>,
) -> ChangeSummary {
    let def = scores.def(m);
    let all: Vec<u32> = (0..panel.n_clusters() as u32).collect();
    let (f, t) = gather(d, &all);
    let units: Vec<u32> = all
        .iter()
        .flat_map(|&c| d.by_cluster.get(c as usize).iter().map(|p| p.2))
        .collect();
    let diff: Vec<f64> = t.iter().zip(&f).map(|(b, a)| b - a).collect();
    let mut sorted = diff.clone();
    sorted.sort_by(f64::total_cmp);
    let pt = paired_t(&diff);
    let w = wilcoxon(&diff, WilcoxonMethod::RDefault);
    let es = effect_sizes(&f, &t);
    let b = f
        .iter()
        .zip(&t)
        .filter(|(a, b)| **a > 0.0 && **b <= 0.0)
        .count() as u64;
    let c = f
        .iter()
        .zip(&t)
        .filter(|(a, b)| **a <= 0.0 && **b > 0.0)
        .count() as u64;
    let mc = mcnemar(b, c);
    let n = f.len() as u64;
    let k = |x: &[f64]| x.iter().filter(|v| **v > 0.0).count() as u64;
    let (pf, ptt) = (proportion(k(&f), n), proportion(k(&t), n));
    let mut tr = Transitions {
        stopped: 0,
        started: 0,
        decreased: 0,
        unchanged: 0,
        increased: 0,
        shares: BTreeMap::new(),
    };
    for (&a, &bb) in f.iter().zip(&t) {
        match TrajectoryClass::of(a, bb) {
            TrajectoryClass::Stopped => tr.stopped += 1,
            TrajectoryClass::Started => tr.started += 1,
            TrajectoryClass::Decreased => tr.decreased += 1,
            TrajectoryClass::Increased => tr.increased += 1,
            TrajectoryClass::Persistent | TrajectoryClass::None => tr.unchanged += 1,
        }
    }
    if n > 0 {
        for (name, v) in [
            ("stopped", tr.stopped),
            ("started", tr.started),
            ("decreased", tr.decreased),
            ("unchanged", tr.unchanged),
            ("increased", tr.increased),
        ] {
            tr.shares.insert(name.into(), v as f64 / n as f64);
        }
    }
    let classes: Option<Vec<String>> = match &def.kind {
        MeasureKind::Class(labels) => Some(labels.clone()),
        MeasureKind::Binary => Some(vec!["0".into(), "1".into()]),
        _ => None,
    };
    let transition_table = classes.map(|classes| {
        let mut counts = vec![vec![0u64; classes.len()]; classes.len()];
        for (&a, &bb) in f.iter().zip(&t) {
            let (i, j) = (a as usize, bb as usize);
            if i < classes.len() && j < classes.len() {
                counts[i][j] += 1;
            }
        }
        TransitionTable { classes, counts }
    });
    let reliable_change = opts.reliability.get(&def.name).and_then(|&rel| {
        let sd_from = sd(&f)?;
        let s_diff = std::f64::consts::SQRT_2 * sd_from * (1.0 - rel).max(0.0).sqrt();
        if s_diff <= 0.0 {
            return None;
        }
        let rci: Vec<f64> = diff.iter().map(|d| d / s_diff).collect();
        let improved: Vec<bool> = rci.iter().map(|r| *r <= -1.96).collect();
        let clinical = scores.of(&format!("{}.clinical", def.name));
        let recovered = clinical.map(|cm| {
            let status = cm.by_unit_wave();
            units
                .iter()
                .zip(&improved)
                .filter(|(u, imp)| {
                    **imp
                        && status.get(&(**u, from)) == Some(&1.0)
                        && status.get(&(**u, to)) == Some(&0.0)
                })
                .count() as u64
        });
        Some(ReliableChange {
            reliability: rel,
            sd_from,
            s_diff,
            improved: improved.iter().filter(|i| **i).count() as u64,
            unchanged: rci.iter().filter(|r| r.abs() < 1.96).count() as u64,
            deteriorated: rci.iter().filter(|r| **r >= 1.96).count() as u64,
            recovered,
            note: clinical
                .is_none()
                .then(|| "no clinical cut-off for this scale: recovery unknown".to_string()),
        })
    });
    let waves = &panel.study().waves;
    ChangeSummary {
        schema: CHANGE_SCHEMA,
        measure: def.name.clone(),
        level: def.level,
        from: waves[from as usize].label.clone(),
        to: waves[to as usize].label.clone(),
        n_pairs: f.len(),
        n_from_only: d.n_from_only,
        n_to_only: d.n_to_only,
        n_clusters: d.by_cluster.iter().filter(|c| !c.is_empty()).count(),
        mean_from: mean(&f),
        mean_to: mean(&t),
        mean_diff: mean(&diff),
        sd_diff: sd(&diff),
        median_diff: quantile_sorted(&sorted, 0.5),
        paired_t: match &pt {
            Ok(p) => PairedTOut {
                statistic: Some(p.statistic),
                df: Some(p.df),
                p_value: Some(p.p_value),
                ci95: Some(p.ci95),
                se: Some(p.se),
                method: "two-sided, df = n - 1, t interval",
                note: None,
            },
            Err(e) => PairedTOut {
                statistic: None,
                df: None,
                p_value: None,
                ci95: None,
                se: None,
                method: "two-sided, df = n - 1, t interval",
                note: Some(e.to_string()),
            },
        },
        wilcoxon: match &w {
            Ok(x) => WilcoxonOut {
                statistic: Some(x.statistic),
                p_value: Some(x.p_value),
                method: Some(x.method),
                continuity_correction: Some(x.continuity_correction),
                n_nonzero: x.n_nonzero,
                ties: Some(x.ties),
                note: None,
            },
            Err(e) => WilcoxonOut {
                statistic: None,
                p_value: None,
                method: None,
                continuity_correction: None,
                n_nonzero: 0,
                ties: None,
                note: Some(e.to_string()),
            },
        },
        sign_test: {
            let s = sign_test(&diff);
            SignOut {
                n_pos: s.n_pos,
                n_neg: s.n_neg,
                p_value: s.p_value,
                note: s.note,
            }
        },
        effect_size: EffectOut {
            dz: es.dz,
            dz_ci95: es.dz_ci95,
            dav: es.dav,
            gav: es.gav,
            rank_biserial: w.as_ref().ok().map(|x| x.rank_biserial),
            mcnemar_odds_ratio: mc.odds_ratio,
            mcnemar_odds_ratio_ci95: mc.odds_ratio_ci95,
            method: "dz = mean/sd of differences, CI normal approximation se = sqrt(1/n + dz^2/(2n)); dav over the mean of the two SDs (Lakens 2013); gav = dav (1 - 3/(4(n-1) - 1)); rank-biserial (W+ - W-)/(W+ + W-); odds ratio b/c with exact CI",
            note: es.note.clone(),
        },
        mcnemar: mc,
        prevalence: PrevalenceOut {
            from: pf.as_ref().map(|p| p.estimate),
            to: ptt.as_ref().map(|p| p.estimate),
            from_ci95: pf.as_ref().map(|p| p.wilson),
            to_ci95: ptt.as_ref().map(|p| p.wilson),
            from_ci95_exact: pf.as_ref().map(|p| p.clopper_pearson),
            to_ci95_exact: ptt.as_ref().map(|p| p.clopper_pearson),
        },
        transitions: tr,
        transition_table,
        reliable_change,
        p_adjusted: BTreeMap::new(),
        bootstrap,
        bootstrap_method: opts.bootstrap.as_ref().map(|b| b.record(panel.n_clusters())),
    }
}

#[cfg(test)]
mod tests {

    // The pooled computation of every statistic of `BOOT_NAMES` (two
    // passes over the pairs), the reference of the bootstrap from sums.
    /// Sample SD (n - 1) about a known mean, two-pass; `None` below 2 values
    /// or without variance.
    fn sd_about(x: impl Iterator<Item = f64>, m: f64, n: usize) -> Option<f64> {
        let ss: f64 = x.map(|v| (v - m) * (v - m)).sum();
        (n >= 2 && ss > 0.0).then(|| (ss / (n - 1) as f64).sqrt())
    }

    /// The bootstrapped estimates of a set of pairs, in the order of
    /// `BOOT_NAMES`: two passes over the pairs, no allocation but `scratch`.
    fn estimates(from: &[f64], to: &[f64], scratch: &mut Vec<(f64, bool)>) -> Vec<Option<f64>> {
        let n = from.len();
        if n == 0 {
            return vec![None; BOOT_NAMES.len()];
        }
        let nf = n as f64;
        let (mut sf, mut st, mut pf, mut pt) = (0.0, 0.0, 0usize, 0usize);
        for (&a, &b) in from.iter().zip(to) {
            sf += a;
            st += b;
            pf += usize::from(a > 0.0);
            pt += usize::from(b > 0.0);
        }
        let (mf, mt) = (sf / nf, st / nf);
        let md = mt - mf;
        let diff = || to.iter().zip(from).map(|(b, a)| b - a);
        let sdd = sd_about(diff(), md, n);
        let avg_sd = sd_about(from.iter().copied(), mf, n)
            .zip(sd_about(to.iter().copied(), mt, n))
            .map(|(a, b)| (a + b) / 2.0);
        let (prev_f, prev_t) = (pf as f64 / nf, pt as f64 / nf);
        vec![
            Some(mf),
            Some(mt),
            Some(md),
            sdd.map(|s| md / s),
            avg_sd.map(|s| md / s),
            rank_biserial(diff(), scratch),
            Some(prev_f),
            Some(prev_t),
            Some(prev_t - prev_f),
        ]
    }

    #[test]
    fn the_change_bootstrap_from_sums_is_the_pooled_one() {
        // Clusters of 1 to 3 pairs: scores with ties, zeros and equal
        // values (the rank-biserial from counts), and continuous values
        // with more distinct |differences| than MAX_RANK_LEVELS (ranked per
        // replicate). The intervals of every statistic against the pooled
        // computation on the same draws, to 1e-9.
        fn scores(c: u32, k: u32) -> (f64, f64) {
            let a = f64::from((c * 7 + k * 3) % 11);
            let b = f64::from((c * 5 + k) % 9) - if c % 4 == 0 { a } else { 0.0 };
            (a, b.max(0.0))
        }
        fn continuous(c: u32, k: u32) -> (f64, f64) {
            let a = f64::from(c) * 0.0137 + f64::from(k) * 0.71;
            (a, a + (f64::from(c * 31 + k * 17) * 0.618).sin())
        }
        type Pairs = fn(u32, u32) -> (f64, f64);
        let cases: [(u32, Pairs); 2] = [(80, scores), (700, continuous)];
        for (n, value) in cases {
            let pairs: Vec<(u32, (f64, f64, u32))> = (0..n)
                .flat_map(|c| {
                    (0..c % 3 + 1).map(move |k| {
                        let (a, b) = value(c, k);
                        (c, (a, b, c * 3 + k))
                    })
                })
                .collect();
            let by_cluster = ByCluster::new(n as usize, pairs);
            let data = vec![PairData {
                by_cluster,
                n_from_only: 0,
                n_to_only: 0,
            }];
            let spec = BootstrapSpec {
                replicates: 300,
                seed: 11,
            };
            let sums = bootstrap_table(n as usize, &data, &spec, &|_| {});
            let pooled = cluster_bootstrap(
                n as usize,
                &spec,
                |clusters| {
                    let (mut f, mut t, mut scratch) = (Vec::new(), Vec::new(), Vec::new());
                    gather_into(&data[0], clusters, &mut f, &mut t);
                    estimates(&f, &t, &mut scratch)
                },
                &|_| {},
            );
            assert_eq!(sums.len(), BOOT_NAMES.len());
            for (name, (a, b)) in BOOT_NAMES.iter().zip(sums.iter().zip(&pooled)) {
                assert_eq!(a.valid_replicates, b.valid_replicates, "{name}");
                let close = |x: Option<[f64; 2]>, y: Option<[f64; 2]>| match (x, y) {
                    (Some(x), Some(y)) => (0..2).all(|i| (x[i] - y[i]).abs() < 1e-9),
                    (None, None) => true,
                    _ => false,
                };
                assert!(close(a.percentile, b.percentile), "{n} {name}: {a:?} {b:?}");
                assert!(close(a.bca, b.bca), "{n} {name}: {a:?} {b:?}");
            }
        }
    }

    use super::*;

    #[test]
    fn fast_estimates_agree_with_the_full_functions() {
        let from = [3.0, 0.0, 2.0, 5.0, 1.0, 1.0, 0.0, 4.0];
        let to = [1.0, 0.0, 2.5, 2.0, 0.0, 3.0, 1.0, 1.0];
        let diff: Vec<f64> = to.iter().zip(&from).map(|(b, a)| b - a).collect();
        let fast = estimates(&from, &to, &mut Vec::new());
        let es = effect_sizes(&from, &to);
        let w = wilcoxon(&diff, WilcoxonMethod::Normal(true)).unwrap();
        let close = |a: Option<f64>, b: Option<f64>| (a.unwrap() - b.unwrap()).abs() < 1e-14;
        assert!(close(fast[2], mean(&diff)));
        assert!(close(fast[3], es.dz));
        assert!(close(fast[4], es.dav));
        assert!(close(fast[5], Some(w.rank_biserial)));
        // Above zero: 3, 2, 5, 1, 1, 4 at from (6 of 8); 1, 2.5, 2, 3, 1, 1
        // at to (6 of 8).
        assert_eq!(
            (fast[6], fast[7], fast[8]),
            (Some(0.75), Some(0.75), Some(0.0))
        );
    }
}
