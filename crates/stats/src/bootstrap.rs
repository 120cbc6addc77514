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
}

impl BootstrapSpec {
    /// The record of this run.
    pub fn record(&self) -> BootstrapRecord {
        BootstrapRecord {
            unit: "cluster (family)",
            replicates: self.replicates,
            seed: self.seed,
            generator: "ChaCha8 (rand_chacha), seeded with the seed, stream = replicate number",
        }
    }
}

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
        return vec![
            BootstrapCi {
                percentile: None,
                bca: None,
                valid_replicates: 0,
                note: Some(format!("{n_clusters} cluster(s): at least 2 needed")),
            };
            k
        ];
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
    // Leave-one-cluster-out jackknife, for the acceleration.
    let jackknife: Vec<Vec<Option<f64>>> = (0..n_clusters)
        .into_par_iter()
        .map(|leave| {
            let rest: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&c| c as usize != leave)
                .collect();
            stat(&rest)
        })
        .collect();
    (0..k)
        .map(|j| {
            let mut values: Vec<f64> = replicates.iter().filter_map(|r| r[j]).collect();
            values.sort_by(f64::total_cmp);
            let jack: Vec<f64> = jackknife.iter().filter_map(|r| r[j]).collect();
            interval(estimate[j], &values, &jack)
        })
        .collect()
}

fn interval(estimate: Option<f64>, sorted: &[f64], jack: &[f64]) -> BootstrapCi {
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
    let mean_jack = jack.iter().sum::<f64>() / jack.len().max(1) as f64;
    let num: f64 = jack.iter().map(|t| (mean_jack - t).powi(3)).sum();
    let den: f64 = jack
        .iter()
        .map(|t| (mean_jack - t).powi(2))
        .sum::<f64>()
        .powf(1.5);
    let (bca, note) = if !z0.is_finite() {
        (
            None,
            Some("every replicate lies on one side of the estimate: no BCa interval".to_string()),
        )
    } else if den == 0.0 || jack.len() < 2 {
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
    fn percentile_and_bca_worked_by_hand() {
        // Replicates 1, 2, ..., 20; estimate 8.5, so 8 of 20 lie below it:
        // z0 = qnorm(0.4) = -0.2533471. Jackknife values 1, 2, 3, 4, 10
        // (mean 4; deviations 3, 2, 1, 0, -6): a = (27 + 8 + 1 - 216) /
        // (6 * 50^1.5) = -0.0848528. Adjusted levels (R 4.2.2:
        // pnorm(z0 + (z0 + z) / (1 - a (z0 + z))) at z = qnorm(.025),
        // qnorm(.975)): 0.0014485632, 0.8920295294; type-7 quantiles of
        // 1..20 there: 1 + 19 * level.
        let reps: Vec<f64> = (1..=20).map(f64::from).collect();
        let ci = interval(Some(8.5), &reps, &[1.0, 2.0, 3.0, 4.0, 10.0]);
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
        let ci = interval(Some(0.0), &[1.0, 2.0, 3.0], &[1.0, 2.0]);
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
