//! Estimates at one wave: descriptives, proportions with their intervals,
//! the t interval of a mean.

use serde::Serialize;

use crate::dist::{beta_quantile, normal_quantile, t_quantile};
use crate::sums::{mean, quantile_sorted, sd};

/// Descriptives of a sample; `None` where the sample is too small.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Descriptives {
    /// Number of values.
    pub n: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard deviation (n - 1).
    pub sd: Option<f64>,
    /// Median (R type 7).
    pub median: Option<f64>,
    /// First quartile (R type 7).
    pub q25: Option<f64>,
    /// Third quartile (R type 7).
    pub q75: Option<f64>,
    /// 10th percentile (R type 7).
    pub p10: Option<f64>,
    /// 90th percentile (R type 7).
    pub p90: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// 95% interval of the mean from the t distribution (n - 1 df).
    pub mean_ci95_t: Option<[f64; 2]>,
    /// Why something is null.
    pub note: Option<String>,
}

/// Descriptives of `x` (no missing values in it).
pub fn describe(x: &[f64]) -> Descriptives {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let m = mean(x);
    let s = sd(x);
    let ci = match (m, s) {
        (Some(m), Some(s)) => {
            let half = t_quantile(0.975, (x.len() - 1) as f64) * s / (x.len() as f64).sqrt();
            Some([m - half, m + half])
        }
        _ => None,
    };
    Descriptives {
        n: x.len(),
        mean: m,
        sd: s,
        median: quantile_sorted(&sorted, 0.5),
        q25: quantile_sorted(&sorted, 0.25),
        q75: quantile_sorted(&sorted, 0.75),
        p10: quantile_sorted(&sorted, 0.1),
        p90: quantile_sorted(&sorted, 0.9),
        min: sorted.first().copied(),
        max: sorted.last().copied(),
        mean_ci95_t: ci,
        note: match x.len() {
            0 => Some("no values".into()),
            1 => Some("one value: no standard deviation or interval".into()),
            _ => None,
        },
    }
}

/// A proportion with its 95% intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proportion {
    /// Count with the property.
    pub k: u64,
    /// Count in all.
    pub n: u64,
    /// k / n.
    pub estimate: f64,
    /// Wilson score interval.
    pub wilson: [f64; 2],
    /// Clopper-Pearson (exact) interval.
    pub clopper_pearson: [f64; 2],
}

/// `k` of `n`, with Wilson and Clopper-Pearson 95% intervals; `None` when
/// `n` is 0.
pub fn proportion(k: u64, n: u64) -> Option<Proportion> {
    if n == 0 || k > n {
        return None;
    }
    let (kf, nf) = (k as f64, n as f64);
    let p = kf / nf;
    let z = normal_quantile(0.975);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = z / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let lower = if k == 0 {
        0.0
    } else {
        beta_quantile(0.025, kf, nf - kf + 1.0)
    };
    let upper = if k == n {
        1.0
    } else {
        beta_quantile(0.975, kf + 1.0, nf - kf)
    };
    Some(Proportion {
        k,
        n,
        estimate: p,
        wilson: [(centre - half).max(0.0), (centre + half).min(1.0)],
        clopper_pearson: [lower, upper],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_r_type_7() {
        // R: quantile(1:11, c(0.1, 0.9)) = 2, 10 (order statistics
        // 1 + 0.1 x 10 = 2 and 1 + 0.9 x 10 = 10).
        let x: Vec<f64> = (1..=11).map(f64::from).collect();
        let d = describe(&x);
        assert_eq!((d.p10, d.p90), (Some(2.0), Some(10.0)));
        // quantile(c(0, 10), c(0.1, 0.9)) = 1, 9: interpolated.
        let d = describe(&[10.0, 0.0]);
        assert!((d.p10.unwrap() - 1.0).abs() < 1e-12);
        assert!((d.p90.unwrap() - 9.0).abs() < 1e-12);
    }
}
