//! Cluster bootstrap: families are resampled, not respondents, because
//! the children of one family are not independent. Each replicate draws
//! from its own ChaCha8 stream (the seed, stream = replicate number), so
//! the result is the same on any number of threads.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::dist::{normal_cdf, normal_quantile};
use crate::sums::quantile_sorted;

/// How to bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootstrapSpec {
    /// Number of replicates.
    pub replicates: usize,
    /// Seed of the replicate streams.
    pub seed: u64,
}

/// The one default of every command and analysis: 2,000 replicates, seed
/// 20201112 (the publication date of the VJI report).
pub const DEFAULT_BOOTSTRAP: BootstrapSpec = BootstrapSpec {
    replicates: 2000,
    seed: 20201112,
};

/// Bootstrap intervals of one statistic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapCi {
    /// 95% percentile interval (R type 7 quantiles of the replicates).
    pub percentile: Option<[f64; 2]>,
    /// 95% bias-corrected and accelerated interval (acceleration from the
    /// leave-one-cluster-out jackknife).
    pub bca: Option<[f64; 2]>,
    /// Replicates in which the statistic could be computed.
    pub valid_replicates: usize,
    /// Why an interval is null.
    pub note: Option<String>,
}

/// The record of a bootstrap run, for results files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapRecord {
    /// What is resampled.
    pub unit: &'static str,
    /// Number of replicates.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
    /// Generator and how streams are assigned.
    pub generator: &'static str,
    /// The clusters resampled.
    pub n_clusters: usize,
    /// With fewer than [`FEW_CLUSTERS`]: "N clusters: fewer than M".
    pub note: Option<String>,
}

/// Fewer clusters than this: a cluster bootstrap's intervals are too
/// narrow (its replicates show less spread than the sampling
/// distribution; Cameron, Gelbach and Miller 2008), and every interval
/// says so.
pub const FEW_CLUSTERS: usize = 30;

/// Fewer clusters than this: no bootstrap interval at all (with 2
/// clusters a percentile interval excluded 0 where the paired t-test gave
/// p = 0.12).
pub const MIN_BOOTSTRAP_CLUSTERS: usize = 10;

/// The note of a bootstrap on `n_clusters` clusters, if they are few.
fn few_clusters(n_clusters: usize) -> Option<String> {
    (n_clusters < FEW_CLUSTERS).then(|| {
        format!(
            "{n_clusters} clusters: fewer than {FEW_CLUSTERS}, too few for a cluster bootstrap \
             to show the sampling variation{}",
            if n_clusters < MIN_BOOTSTRAP_CLUSTERS {
                format!(" (below {MIN_BOOTSTRAP_CLUSTERS}: no interval)")
            } else {
                ": the intervals are too narrow".to_string()
            }
        )
    })
}

impl BootstrapSpec {
    /// The record of this run on `n_clusters` clusters.
    pub fn record(&self, n_clusters: usize) -> BootstrapRecord {
        BootstrapRecord {
            unit: "cluster (family)",
            replicates: self.replicates,
            seed: self.seed,
            generator: "ChaCha8 (rand_chacha), seeded with the seed, stream = replicate number",
            n_clusters,
            note: few_clusters(n_clusters),
        }
    }
}

/// `k` intervals that cannot be: fewer than 2 clusters.
fn too_few_to_resample(n_clusters: usize, k: usize) -> Vec<BootstrapCi> {
    vec![
        BootstrapCi {
            percentile: None,
            bca: None,
            valid_replicates: 0,
            note: Some(format!("{n_clusters} cluster(s): at least 2 needed")),
        };
        k
    ]
}

/// Applies the few-clusters rule to intervals on `n_clusters` clusters:
/// below [`MIN_BOOTSTRAP_CLUSTERS`] no interval, below [`FEW_CLUSTERS`] a
/// note.
fn with_few_clusters(mut cis: Vec<BootstrapCi>, n_clusters: usize) -> Vec<BootstrapCi> {
    if let Some(note) = few_clusters(n_clusters) {
        for ci in &mut cis {
            if n_clusters < MIN_BOOTSTRAP_CLUSTERS {
                ci.percentile = None;
                ci.bca = None;
            }
            ci.note = Some(match ci.note.take() {
                Some(other) => format!("{note}; {other}"),
                None => note.clone(),
            });
        }
    }
    cis
}

/// The most jackknife evaluations for the BCa acceleration: with more
/// clusters, a delete-a-group jackknife over this many groups (Efron and
/// Tibshirani 1993, 11.5: the acceleration from the grouped jackknife's
/// skewness), with cluster c in group c mod 2,000.
pub const JACKKNIFE_GROUPS: usize = 2000;

/// A uniform index below `n` without modulo bias (Lemire's method).
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let threshold = n.wrapping_neg() % n;
    loop {
        let m = u128::from(rng.next_u64()) * u128::from(n);
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}

/// The clusters drawn in replicate `b`.
pub fn draw(spec: &BootstrapSpec, n_clusters: usize, b: usize) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    rng.set_stream(b as u64);
    (0..n_clusters)
        .map(|_| below(&mut rng, n_clusters as u64) as u32)
        .collect()
}

/// Bootstraps `stat`, a function of a multiset of clusters returning one
/// value per statistic (`None` where it cannot be computed). `progress` is
/// called with the number of replicates done (from any thread).
pub fn cluster_bootstrap<F>(
    n_clusters: usize,
    spec: &BootstrapSpec,
    stat: F,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<BootstrapCi>
where
    F: Fn(&[u32]) -> Vec<Option<f64>> + Sync,
{
    let all: Vec<u32> = (0..n_clusters as u32).collect();
    let estimate = stat(&all);
    let k = estimate.len();
    if n_clusters < 2 {
        return too_few_to_resample(n_clusters, k);
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let replicates: Vec<Vec<Option<f64>>> = (0..spec.replicates)
        .into_par_iter()
        .map(|b| {
            let v = stat(&draw(spec, n_clusters, b));
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if d % 256 == 0 || d == spec.replicates {
                progress(d);
            }
            v
        })
        .collect();
    // The jackknife, for the acceleration: leave one cluster out, or
    // beyond JACKKNIFE_GROUPS clusters one group of clusters (cluster c in
    // group c mod G), so that its cost is that of G evaluations, not one
    // per cluster (quadratic in the cohort).
    let groups = n_clusters.min(JACKKNIFE_GROUPS);
    let jackknife: Vec<Vec<Option<f64>>> = (0..groups)
        .into_par_iter()
        .map(|leave| {
            let rest: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&c| c as usize % groups != leave)
                .collect();
            stat(&rest)
        })
        .collect();
    let jack: Vec<JackknifeMoments> = (0..k)
        .map(|j| {
            let values: Vec<f64> = jackknife.iter().filter_map(|r| r[j]).collect();
            JackknifeMoments::of(&values)
        })
        .collect();
    intervals(&estimate, &replicates, &jack, n_clusters)
}

/// Bootstraps statistics that are functions of the clusters' summed
/// statistics (sums and counts: means, shares and their differences):
/// `rows` holds `dim` numbers per cluster (row-major), `stat` maps a total
/// row to one value per statistic. A replicate adds the rows of the drawn
/// clusters (the same draws as [`cluster_bootstrap`]), and the
/// leave-one-cluster-out jackknife subtracts one row from the total, so
/// the cost is linear in the clusters: (replicates + 1) x clusters x dim
/// additions. The intervals are those of [`cluster_bootstrap`] up to the
/// rounding of the sums (summed per cluster first).
pub fn totals_bootstrap<F>(
    rows: &[f64],
    dim: usize,
    spec: &BootstrapSpec,
    stat: F,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<BootstrapCi>
where
    F: Fn(&[f64]) -> Vec<Option<f64>> + Sync,
{
    let n_clusters = rows.len().checked_div(dim).unwrap_or(0);
    let row = |c: usize| &rows[c * dim..(c + 1) * dim];
    let mut total = vec![0.0; dim];
    for c in 0..n_clusters {
        for (t, v) in total.iter_mut().zip(row(c)) {
            *t += v;
        }
    }
    let estimate = stat(&total);
    let k = estimate.len();
    if n_clusters < 2 {
        return too_few_to_resample(n_clusters, k);
    }
    let adder: Adder<'_, fn(usize, f64, &mut [f64])> = Adder::Rows { rows, dim };
    let replicates = replicate_totals(n_clusters, dim, spec, adder, &stat, progress);
    let jack = jackknife_moments(n_clusters, k, |leave| {
        let rest: Vec<f64> = total.iter().zip(row(leave)).map(|(t, v)| t - v).collect();
        stat(&rest)
    });
    intervals(&estimate, &replicates, &jack, n_clusters)
}

/// [`totals_bootstrap`] for sparse rows: cluster c adds `weight` to the
/// total's entry `slot` for each `(slot, weight)` of `entries[c]` (counts
/// by category, say). `leave_one_out(c)` gives the statistics without
/// cluster c (the caller knows which of them c touches).
pub fn sparse_totals_bootstrap<F, L>(
    entries: &[Vec<(u32, f64)>],
    dim: usize,
    spec: &BootstrapSpec,
    stat: F,
    leave_one_out: L,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<BootstrapCi>
where
    F: Fn(&[f64]) -> Vec<Option<f64>> + Sync,
    L: Fn(usize) -> Vec<Option<f64>> + Sync,
{
    let n_clusters = entries.len();
    let mut total = vec![0.0; dim];
    for e in entries {
        for &(slot, w) in e {
            total[slot as usize] += w;
        }
    }
    let estimate = stat(&total);
    let k = estimate.len();
    if n_clusters < 2 {
        return too_few_to_resample(n_clusters, k);
    }
    let add = |c: usize, w: f64, acc: &mut [f64]| {
        for &(slot, v) in &entries[c] {
            acc[slot as usize] += w * v;
        }
    };
    let replicates = replicate_totals(
        n_clusters,
        dim,
        spec,
        Adder::Each { add: &add, dim },
        &stat,
        progress,
    );
    let jack = jackknife_moments(n_clusters, k, leave_one_out);
    intervals(&estimate, &replicates, &jack, n_clusters)
}

/// The replicates' statistics from totals: in blocks of
/// [`REPLICATE_BLOCK`] replicates, each block's draws become counts per
/// cluster, and one pass over the clusters adds each cluster
/// ([`Adder::add`], counts r x clusters) to every
/// replicate of the block that drew it (a
/// cluster's data are read once a block, not once a draw). The sums run
/// in cluster order within one thread: the same on any number of threads.
fn replicate_totals(
    n_clusters: usize,
    dim: usize,
    spec: &BootstrapSpec,
    adder: Adder<'_, impl Fn(usize, f64, &mut [f64]) + Sync>,
    stat: &(dyn Fn(&[f64]) -> Vec<Option<f64>> + Sync),
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Vec<Option<f64>>> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let blocks: Vec<std::ops::Range<usize>> = (0..spec.replicates)
        .step_by(REPLICATE_BLOCK)
        .map(|a| a..(a + REPLICATE_BLOCK).min(spec.replicates))
        .collect();
    blocks
        .par_iter()
        .flat_map_iter(|range| {
            let r = range.len();
            let mut acc = vec![0.0; r * dim];
            match block_counts::<u16>(spec, n_clusters, range.clone()) {
                Some(counts) => adder.add(&counts, r, &mut acc),
                None => {
                    // A replicate draws n_clusters times, and cluster
                    // indices are u32: no count exceeds u32::MAX.
                    let counts = block_counts::<u32>(spec, n_clusters, range.clone())
                        .expect("at most u32::MAX draws per replicate");
                    adder.add(&counts, r, &mut acc);
                }
            }
            let d = done.fetch_add(r, std::sync::atomic::Ordering::Relaxed) + r;
            progress(d);
            (0..r)
                .map(|i| stat(&acc[i * dim..(i + 1) * dim]))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A count of draws: `u16` halves the memory a block's counts take and
/// the traffic of reading them; `u32` where a cluster is drawn more often
/// than `u16` holds.
trait Count: Copy + Default + PartialEq + Into<f64> + Send + Sync {
    /// Adds one; `false` (and no change) if the count is full.
    fn increment(&mut self) -> bool;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn increment(&mut self) -> bool {
                self.checked_add(1).map(|v| *self = v).is_some()
            }
        }
    )*};
}
count!(u16, u32);

/// How often each cluster is drawn in each replicate of `range`, replicate
/// by replicate (r x clusters: the counts a draw adds to are one
/// replicate's, a row that stays in cache); `None` if a count overflows.
fn block_counts<C: Count>(
    spec: &BootstrapSpec,
    n_clusters: usize,
    range: std::ops::Range<usize>,
) -> Option<Vec<C>> {
    let mut counts = vec![C::default(); range.len() * n_clusters];
    for (drawn, b) in counts.chunks_exact_mut(n_clusters.max(1)).zip(range) {
        for c in draw(spec, n_clusters, b) {
            if !drawn[c as usize].increment() {
                return None;
            }
        }
    }
    Some(counts)
}

/// How a block's draws are added to its replicates' totals.
enum Adder<'a, F> {
    /// Dense rows, clusters x `dim` ([`add_drawn_rows`]).
    Rows { rows: &'a [f64], dim: usize },
    /// `add(cluster, count, totals)` ([`add_drawn`]).
    Each { add: &'a F, dim: usize },
}

impl<F: Fn(usize, f64, &mut [f64]) + Sync> Adder<'_, F> {
    fn add<C: Count>(&self, counts: &[C], r: usize, acc: &mut [f64]) {
        match *self {
            Adder::Rows { rows, dim } => add_drawn_rows(counts, r, rows, dim, acc),
            Adder::Each { add, dim } => add_drawn(counts, r, dim, add, acc),
        }
    }
}

/// Adds every cluster to the `r` replicate totals in `acc` (`r x dim`)
/// that drew it, `counts` (r x clusters) times, in cluster order: on
/// AVX2 where the processor has it (the same additions in the same order,
/// so the same bits: AVX2 without FMA), else on the baseline.
fn add_drawn<C: Count>(
    counts: &[C],
    r: usize,
    dim: usize,
    add: &(impl Fn(usize, f64, &mut [f64]) + Sync),
    acc: &mut [f64],
) {
    #[inline(always)]
    fn each<C: Count>(
        counts: &[C],
        r: usize,
        dim: usize,
        add: &(impl Fn(usize, f64, &mut [f64]) + Sync),
        acc: &mut [f64],
    ) {
        let n_clusters = counts.len().checked_div(r).unwrap_or(0);
        for c in 0..n_clusters {
            for i in 0..r {
                let w = counts[i * n_clusters + c];
                if w != C::default() {
                    add(c, w.into(), &mut acc[i * dim..(i + 1) * dim]);
                }
            }
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn with_avx2<C: Count>(
            counts: &[C],
            r: usize,
            dim: usize,
            add: &(impl Fn(usize, f64, &mut [f64]) + Sync),
            acc: &mut [f64],
        ) {
            each(counts, r, dim, add, acc);
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            unsafe { with_avx2(counts, r, dim, add, acc) };
            return;
        }
    }
    each(counts, r, dim, add, acc);
}

/// Sums of one replicate held in registers while a chunk of clusters is
/// added ([`add_drawn_rows`]): 8 AVX2 registers (tiles of 16 and of 32
/// sums gave the same time on the 300,000-family report).
const TILE: usize = 32;

/// Clusters per chunk of [`add_drawn_rows`]: a tile of their rows (16 KiB)
/// stays in the first-level cache for all the replicates of a block (128
/// clusters gave the same time).
const ROW_CHUNK: usize = 64;

/// [`add_drawn`] for dense rows (`rows`: clusters x `dim`): per chunk of
/// clusters, the clusters each replicate drew, then per [`TILE`] of the
/// sums and per replicate, the chunk's drawn rows added to sums held in
/// registers (the sums were loaded and stored once per drawn cluster, and
/// did not fit in the first-level cache). Each sum gets the same additions
/// in the same order (cluster order, no FMA): the same bits.
fn add_drawn_rows<C: Count>(counts: &[C], r: usize, rows: &[f64], dim: usize, acc: &mut [f64]) {
    #[inline(always)]
    fn each<C: Count>(counts: &[C], r: usize, rows: &[f64], dim: usize, acc: &mut [f64]) {
        let n_clusters = counts.len().checked_div(r).unwrap_or(0);
        // Per replicate i of the block, the chunk's clusters it drew (where
        // their rows start) with their counts, in cluster order:
        // `drawn[i * ROW_CHUNK..][..lens[i]]`.
        let mut drawn = vec![(0usize, 0.0f64); ROW_CHUNK * r];
        let mut lens = vec![0usize; r];
        for first in (0..n_clusters).step_by(ROW_CHUNK) {
            let chunk = first..(first + ROW_CHUNK).min(n_clusters);
            lens.iter_mut().for_each(|l| *l = 0);
            for i in 0..r {
                let list = &mut drawn[i * ROW_CHUNK..(i + 1) * ROW_CHUNK];
                for c in chunk.clone() {
                    let w = counts[i * n_clusters + c];
                    if w != C::default() {
                        list[lens[i]] = (c * dim, w.into());
                        lens[i] += 1;
                    }
                }
            }
            let of = |i: usize| &drawn[i * ROW_CHUNK..i * ROW_CHUNK + lens[i]];
            let mut d0 = 0;
            while d0 + TILE <= dim {
                for i in 0..r {
                    let sums: &mut [f64; TILE] = (&mut acc[i * dim + d0..i * dim + d0 + TILE])
                        .try_into()
                        .expect("a tile of TILE sums");
                    let mut t = *sums;
                    for &(at, w) in of(i) {
                        let row: &[f64; TILE] = (&rows[at + d0..at + d0 + TILE])
                            .try_into()
                            .expect("a tile of TILE values");
                        for k in 0..TILE {
                            t[k] += w * row[k];
                        }
                    }
                    *sums = t;
                }
                d0 += TILE;
            }
            if d0 < dim {
                for i in 0..r {
                    let sums = &mut acc[i * dim + d0..(i + 1) * dim];
                    for &(at, w) in of(i) {
                        for (t, v) in sums.iter_mut().zip(&rows[at + d0..at + dim]) {
                            *t += w * v;
                        }
                    }
                }
            }
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn with_avx2<C: Count>(counts: &[C], r: usize, rows: &[f64], dim: usize, acc: &mut [f64]) {
            each(counts, r, rows, dim, acc);
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            unsafe { with_avx2(counts, r, rows, dim, acc) };
            return;
        }
    }
    each(counts, r, rows, dim, acc);
}

/// The leave-one-cluster-out jackknife's moments per statistic, in two
/// passes over fixed chunks of clusters (the same sums on any number of
/// threads), without keeping a value per cluster: the mean, then the
/// second and third central moments.
fn jackknife_moments(
    n_clusters: usize,
    k: usize,
    leave_one_out: impl Fn(usize) -> Vec<Option<f64>> + Sync,
) -> Vec<JackknifeMoments> {
    let chunks: Vec<std::ops::Range<usize>> = (0..n_clusters)
        .step_by(JACKKNIFE_CHUNK)
        .map(|a| a..(a + JACKKNIFE_CHUNK).min(n_clusters))
        .collect();
    let in_chunks = |f: &Accumulate<'_>| -> Vec<f64> {
        let parts: Vec<Vec<f64>> = chunks
            .par_iter()
            .map(|range| {
                let mut acc = vec![0.0; 3 * k];
                for leave in range.clone() {
                    f(&leave_one_out(leave), &mut acc);
                }
                acc
            })
            .collect();
        let mut out = vec![0.0; 3 * k];
        for part in parts {
            for (o, p) in out.iter_mut().zip(part) {
                *o += p;
            }
        }
        out
    };
    let first = in_chunks(&|v, acc| {
        for (j, x) in v.iter().enumerate() {
            if let Some(x) = x {
                acc[3 * j] += 1.0;
                acc[3 * j + 1] += x;
            }
        }
    });
    let means: Vec<f64> = (0..k)
        .map(|j| first[3 * j + 1] / first[3 * j].max(1.0))
        .collect();
    let second = in_chunks(&|v, acc| {
        for (j, x) in v.iter().enumerate() {
            if let Some(x) = x {
                let d = means[j] - x;
                acc[3 * j + 1] += d * d;
                acc[3 * j + 2] += d * d * d;
            }
        }
    });
    (0..k)
        .map(|j| JackknifeMoments {
            n: first[3 * j] as usize,
            square: second[3 * j + 1],
            cube: second[3 * j + 2],
        })
        .collect()
}

/// The intervals of each statistic from its estimate, replicates and
/// jackknife moments, with the few-clusters rule.
fn intervals(
    estimate: &[Option<f64>],
    replicates: &[Vec<Option<f64>>],
    jack: &[JackknifeMoments],
    n_clusters: usize,
) -> Vec<BootstrapCi> {
    let cis = (0..estimate.len())
        .map(|j| {
            let mut values: Vec<f64> = replicates.iter().filter_map(|r| r[j]).collect();
            values.sort_by(f64::total_cmp);
            interval(estimate[j], &values, &jack[j])
        })
        .collect();
    with_few_clusters(cis, n_clusters)
}

/// Adds one jackknife value per statistic to the chunk's sums.
type Accumulate<'a> = dyn Fn(&[Option<f64>], &mut [f64]) + Sync + 'a;

/// Replicates per pass over the clusters' rows.
const REPLICATE_BLOCK: usize = 64;

/// Clusters per chunk of the jackknife's sums.
const JACKKNIFE_CHUNK: usize = 4096;

/// The jackknife values' number and central moments: what the BCa
/// acceleration needs.
struct JackknifeMoments {
    n: usize,
    /// `sum (mean - t)^2`.
    square: f64,
    /// `sum (mean - t)^3`.
    cube: f64,
}

impl JackknifeMoments {
    fn of(jack: &[f64]) -> JackknifeMoments {
        let mean = jack.iter().sum::<f64>() / jack.len().max(1) as f64;
        JackknifeMoments {
            n: jack.len(),
            square: jack.iter().map(|t| (mean - t).powi(2)).sum(),
            cube: jack.iter().map(|t| (mean - t).powi(3)).sum(),
        }
    }
}

fn interval(estimate: Option<f64>, sorted: &[f64], jack: &JackknifeMoments) -> BootstrapCi {
    let valid = sorted.len();
    let Some(est) = estimate else {
        return BootstrapCi {
            percentile: None,
            bca: None,
            valid_replicates: valid,
            note: Some("the statistic cannot be computed on the data".into()),
        };
    };
    if valid < 2 {
        return BootstrapCi {
            percentile: None,
            bca: None,
            valid_replicates: valid,
            note: Some(format!("{valid} valid replicate(s)")),
        };
    }
    let q = |p: f64| quantile_sorted(sorted, p);
    let percentile = q(0.025).zip(q(0.975)).map(|(a, b)| [a, b]);
    let below = sorted.iter().filter(|v| **v < est).count() as f64;
    let z0 = normal_quantile(below / valid as f64);
    let num = jack.cube;
    let den = jack.square.powf(1.5);
    let (bca, note) = if !z0.is_finite() {
        (
            None,
            Some("every replicate lies on one side of the estimate: no BCa interval".to_string()),
        )
    } else if den == 0.0 || jack.n < 2 {
        (
            None,
            Some("the jackknife has no variance: no BCa interval".to_string()),
        )
    } else {
        let a = num / (6.0 * den);
        let adjust = |z: f64| normal_cdf(z0 + (z0 + z) / (1.0 - a * (z0 + z)));
        let (lo, hi) = (
            adjust(normal_quantile(0.025)),
            adjust(normal_quantile(0.975)),
        );
        (q(lo).zip(q(hi)).map(|(a, b)| [a, b]), None)
    };
    BootstrapCi {
        percentile,
        bca,
        valid_replicates: valid,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_count_says_so_and_stays() {
        let (mut small, mut wide) = (u16::MAX - 1, u16::MAX as u32);
        assert!(small.increment());
        assert!(!small.increment(), "u16::MAX + 1 does not fit");
        assert_eq!(small, u16::MAX);
        assert!(wide.increment());
        assert_eq!(wide, 65_536);
    }

    #[test]
    fn the_tiled_sums_are_the_sums_one_cluster_at_a_time_to_the_bit() {
        // Rows of awkward values (so that the order of additions shows in
        // the bits), counts with zeros, several chunks and tiles, and a
        // rest narrower than a tile.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for (n_clusters, dim, r) in [
            (1, 1, 1),
            (300, 33, 7),
            (2 * ROW_CHUNK + 5, 2 * TILE + 9, 32),
            (70, TILE, 3),
        ] {
            let rows: Vec<f64> = (0..n_clusters * dim)
                .map(|_| (next() % 1_000_003) as f64 / 7.0 - 70_000.0)
                .collect();
            let counts: Vec<u32> = (0..n_clusters * r).map(|_| (next() % 4) as u32).collect();
            let mut one_at_a_time = vec![0.0; r * dim];
            let add = |c: usize, w: f64, acc: &mut [f64]| {
                for (t, v) in acc.iter_mut().zip(&rows[c * dim..(c + 1) * dim]) {
                    *t += w * v;
                }
            };
            add_drawn(&counts, r, dim, &add, &mut one_at_a_time);
            let mut tiled = vec![0.0; r * dim];
            add_drawn_rows(&counts, r, &rows, dim, &mut tiled);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&tiled),
                bits(&one_at_a_time),
                "{n_clusters} x {dim}, {r}"
            );
        }
    }

    #[test]
    fn percentile_and_bca_worked_by_hand() {
        // Replicates 1, 2, ..., 20; estimate 8.5, so 8 of 20 lie below it:
        // z0 = qnorm(0.4) = -0.2533471. Jackknife values 1, 2, 3, 4, 10
        // (mean 4; deviations 3, 2, 1, 0, -6): a = (27 + 8 + 1 - 216) /
        // (6 * 50^1.5) = -0.0848528. Adjusted levels (R 4.2.2:
        // pnorm(z0 + (z0 + z) / (1 - a (z0 + z))) at z = qnorm(.025),
        // qnorm(.975)): 0.0014485632, 0.8920295294; type-7 quantiles of
        // 1..20 there: 1 + 19 * level.
        let reps: Vec<f64> = (1..=20).map(f64::from).collect();
        let ci = interval(
            Some(8.5),
            &reps,
            &JackknifeMoments::of(&[1.0, 2.0, 3.0, 4.0, 10.0]),
        );
        let [lo, hi] = ci.percentile.unwrap();
        assert!(
            (lo - 1.475).abs() < 1e-12 && (hi - 19.525).abs() < 1e-12,
            "{lo} {hi}"
        );
        let [blo, bhi] = ci.bca.unwrap();
        assert!((blo - 1.027_522_701_715_096_3).abs() < 1e-9, "{blo}");
        assert!((bhi - 17.948_561_059_198_482).abs() < 1e-9, "{bhi}");
        assert_eq!(ci.valid_replicates, 20);
    }

    #[test]
    fn degenerate_bootstraps_say_why() {
        // Every replicate above the estimate: no bias correction possible.
        let ci = interval(
            Some(0.0),
            &[1.0, 2.0, 3.0],
            &JackknifeMoments::of(&[1.0, 2.0]),
        );
        assert!(ci.bca.is_none() && ci.percentile.is_some());
        assert!(ci.note.unwrap().contains("one side"));
        let one = cluster_bootstrap(
            1,
            &BootstrapSpec {
                replicates: 10,
                seed: 1,
            },
            |_| vec![Some(1.0)],
            &|_| {},
        );
        assert_eq!(
            one[0].note.as_deref(),
            Some("1 cluster(s): at least 2 needed")
        );
    }

    /// Cluster c has c % 4 + 1 values, 0.37 c + 0.11 v for v = 0, 1, ...
    fn clustered_values(n: usize) -> Vec<Vec<f64>> {
        (0..n)
            .map(|c| {
                (0..c % 4 + 1)
                    .map(|v| 0.37 * c as f64 + 0.11 * v as f64)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_sums_bootstrap_gives_the_pooled_bootstrap_intervals() {
        // The mean of the drawn clusters' values, once pooled value by
        // value and once from per-cluster sums and counts: the same draws,
        // so the same intervals up to the rounding of the sums; the
        // jackknife (all 60 clusters left out in turn) likewise.
        let data = clustered_values(60);
        let spec = BootstrapSpec {
            replicates: 500,
            seed: 9,
        };
        let pooled = cluster_bootstrap(
            data.len(),
            &spec,
            |clusters| {
                let x: Vec<f64> = clusters
                    .iter()
                    .flat_map(|&c| data[c as usize].iter().copied())
                    .collect();
                vec![crate::sums::mean(&x)]
            },
            &|_| {},
        );
        let rows: Vec<f64> = data
            .iter()
            .flat_map(|v| [v.iter().sum::<f64>(), v.len() as f64])
            .collect();
        let sums = totals_bootstrap(&rows, 2, &spec, |t| vec![Some(t[0] / t[1])], &|_| {});
        let close = |a: [f64; 2], b: [f64; 2]| (0..2).all(|i| (a[i] - b[i]).abs() < 1e-12);
        assert!(close(
            pooled[0].percentile.unwrap(),
            sums[0].percentile.unwrap()
        ));
        assert!(close(pooled[0].bca.unwrap(), sums[0].bca.unwrap()));
        assert_eq!(pooled[0].valid_replicates, 500);
        assert_eq!(sums[0].valid_replicates, 500);
        assert!(pooled[0].note.is_none() && sums[0].note.is_none());
    }

    #[test]
    fn few_clusters_get_a_note_and_below_the_floor_no_interval() {
        let spec = BootstrapSpec {
            replicates: 200,
            seed: 3,
        };
        for (n, interval) in [(5, false), (20, true), (40, true)] {
            let data = clustered_values(n);
            let rows: Vec<f64> = data
                .iter()
                .flat_map(|v| [v.iter().sum::<f64>(), v.len() as f64])
                .collect();
            let sums = totals_bootstrap(&rows, 2, &spec, |t| vec![Some(t[0] / t[1])], &|_| {});
            let pooled = cluster_bootstrap(
                n,
                &spec,
                |clusters| vec![Some(clusters.iter().map(|&c| f64::from(c)).sum::<f64>())],
                &|_| {},
            );
            for ci in [&sums[0], &pooled[0]] {
                assert_eq!(ci.percentile.is_some(), interval, "{n}: {ci:?}");
                match ci.note.as_deref() {
                    Some(note) => {
                        assert!(n < FEW_CLUSTERS);
                        assert!(note.starts_with(&format!("{n} clusters: fewer than 30")));
                    }
                    None => assert!(n >= FEW_CLUSTERS),
                }
            }
            let record = spec.record(n);
            assert_eq!(record.n_clusters, n);
            assert_eq!(record.note.is_some(), n < FEW_CLUSTERS);
        }
    }

    #[test]
    fn draws_are_uniform_over_clusters() {
        // 2,000 replicates of 10 clusters: each cluster drawn about 2,000
        // times (binomial sd 42); all within 5 sd.
        let spec = BootstrapSpec {
            replicates: 2000,
            seed: 5,
        };
        let mut counts = [0u32; 10];
        for b in 0..spec.replicates {
            for c in draw(&spec, 10, b) {
                counts[c as usize] += 1;
            }
        }
        assert!(
            counts
                .iter()
                .all(|&n| (n as f64 - 2000.0).abs() < 5.0 * 42.4),
            "{counts:?}"
        );
    }
}
