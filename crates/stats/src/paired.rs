//! Tests and effect sizes for two waves, on complete pairs. Conventions
//! follow R's defaults unless a field says otherwise; the difference is
//! always `to - from` (negative = decrease).

use serde::Serialize;

use crate::dist::{
    binom_mid_p_half, binom_test_half, chi2_1_upper, normal_quantile, normal_two_sided, t_quantile,
    t_two_sided,
};
use crate::error::Degenerate;
use crate::sums::{correlation, mean, sd};

/// Paired t-test (R `t.test(to, from, paired = TRUE)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedT {
    /// t.
    pub statistic: f64,
    /// n - 1.
    pub df: f64,
    /// Two-sided p.
    pub p_value: f64,
    /// Mean of to - from.
    pub mean_diff: f64,
    /// Standard error of the mean difference.
    pub se: f64,
    /// 95% interval of the mean difference.
    pub ci95: [f64; 2],
}

/// The paired t-test, or why not (fewer than 2 pairs, no variance).
pub fn paired_t(diff: &[f64]) -> Result<PairedT, Degenerate> {
    let n = diff.len();
    if n < 2 {
        return Err(Degenerate::TooFewPairs { n, needed: 2 });
    }
    let m = mean(diff).unwrap_or(0.0);
    let s = sd(diff).unwrap_or(0.0);
    if s == 0.0 {
        return Err(Degenerate::NoVariance);
    }
    let se = s / (n as f64).sqrt();
    let df = (n - 1) as f64;
    let t = m / se;
    let q = t_quantile(0.975, df);
    Ok(PairedT {
        statistic: t,
        df,
        p_value: t_two_sided(t, df),
        mean_diff: m,
        se,
        ci95: [m - q * se, m + q * se],
    })
}

/// Wilcoxon signed-rank test of paired differences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wilcoxon {
    /// V: the sum of the ranks of the positive differences (R's V).
    pub statistic: f64,
    /// Two-sided p.
    pub p_value: f64,
    /// `exact` or `normal`.
    pub method: &'static str,
    /// Whether the normal approximation used a continuity correction.
    pub continuity_correction: bool,
    /// Pairs with a non-zero difference (zeros are dropped).
    pub n_nonzero: usize,
    /// Pairs with a zero difference.
    pub n_zero: usize,
    /// Whether the absolute differences have ties (average ranks).
    pub ties: bool,
    /// Expected V under the null: n(n + 1) / 4.
    pub expected: f64,
    /// Variance of V under the null, with the tie correction.
    pub variance: f64,
    /// The normal statistic (null for the exact test).
    pub z: Option<f64>,
    /// Matched-pairs rank-biserial correlation: (W+ - W-) / (W+ + W-).
    pub rank_biserial: f64,
}

/// Which p-value the Wilcoxon test reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WilcoxonMethod {
    /// R's default: exact when fewer than 50 non-zero pairs and no ties or
    /// zeros, else normal with continuity correction.
    RDefault,
    /// Normal approximation; `true` = with continuity correction.
    Normal(bool),
}

/// Ranks of `x` (1-based), ties given their average rank.
fn ranks(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut tie_sizes = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        if j > i {
            tie_sizes.push(j - i + 1);
        }
        i = j + 1;
    }
    (r, tie_sizes)
}

/// P(V <= v) of the exact null distribution of V for n pairs, counting
/// the subsets of ranks 1..n with each sum (exact in f64 below n = 50).
fn signrank_cdf(v: i64, n: usize) -> f64 {
    let max = n * (n + 1) / 2;
    let mut counts = vec![0.0f64; max + 1];
    counts[0] = 1.0;
    for r in 1..=n {
        for s in (r..=max).rev() {
            counts[s] += counts[s - r];
        }
    }
    let total = 2f64.powi(n as i32);
    if v < 0 {
        return 0.0;
    }
    counts[..=(v as usize).min(max)].iter().sum::<f64>() / total
}

/// The signed-rank test of the differences `to - from`.
pub fn wilcoxon(diff: &[f64], method: WilcoxonMethod) -> Result<Wilcoxon, Degenerate> {
    let nonzero: Vec<f64> = diff.iter().copied().filter(|d| *d != 0.0).collect();
    let n = nonzero.len();
    let n_zero = diff.len() - n;
    if n == 0 {
        return Err(Degenerate::AllZero);
    }
    let abs: Vec<f64> = nonzero.iter().map(|d| d.abs()).collect();
    let (r, tie_sizes) = ranks(&abs);
    let v: f64 = nonzero
        .iter()
        .zip(&r)
        .filter(|(d, _)| **d > 0.0)
        .map(|(_, r)| r)
        .sum();
    let total = (n * (n + 1)) as f64 / 2.0;
    let expected = total / 2.0;
    let tie_term: f64 = tie_sizes
        .iter()
        .map(|&t| (t * t * t - t) as f64)
        .sum::<f64>()
        / 48.0;
    let variance = (n * (n + 1) * (2 * n + 1)) as f64 / 24.0 - tie_term;
    let ties = !tie_sizes.is_empty();
    let rank_biserial = (v - (total - v)) / total;
    let exact = method == WilcoxonMethod::RDefault && n < 50 && !ties && n_zero == 0;
    if exact {
        // As R: the tail beyond V on the side it falls, doubled.
        let vi = v.round() as i64;
        let p = if v > expected {
            1.0 - signrank_cdf(vi - 1, n)
        } else {
            signrank_cdf(vi, n)
        };
        return Ok(Wilcoxon {
            statistic: v,
            p_value: (2.0 * p).min(1.0),
            method: "exact",
            continuity_correction: false,
            n_nonzero: n,
            n_zero,
            ties,
            expected,
            variance,
            z: None,
            rank_biserial,
        });
    }
    if variance <= 0.0 {
        return Err(Degenerate::NoRankVariance);
    }
    let correct = match method {
        WilcoxonMethod::RDefault => true,
        WilcoxonMethod::Normal(c) => c,
    };
    let d = v - expected;
    // R: sign(z) * 0.5, and sign(0) = 0 (f64::signum(0.0) is 1).
    let cc = if correct && d != 0.0 {
        0.5 * d.signum()
    } else {
        0.0
    };
    let z = (d - cc) / variance.sqrt();
    Ok(Wilcoxon {
        statistic: v,
        p_value: normal_two_sided(z),
        method: "normal",
        continuity_correction: correct,
        n_nonzero: n,
        n_zero,
        ties,
        expected,
        variance,
        z: Some(z),
        rank_biserial,
    })
}

/// Sign test: exact binomial on the signs, zeros dropped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignTest {
    /// Positive differences.
    pub n_pos: u64,
    /// Negative differences.
    pub n_neg: u64,
    /// Zero differences (dropped).
    pub n_zero: u64,
    /// Two-sided exact p (R `binom.test(n_pos, n_pos + n_neg)`); null
    /// when every difference is zero (R cannot run `binom.test` on 0
    /// trials).
    pub p_value: Option<f64>,
    /// Why `p_value` is null.
    pub note: Option<String>,
}

/// The sign test of the differences.
pub fn sign_test(diff: &[f64]) -> SignTest {
    let n_pos = diff.iter().filter(|d| **d > 0.0).count() as u64;
    let n_neg = diff.iter().filter(|d| **d < 0.0).count() as u64;
    let n = n_pos + n_neg;
    SignTest {
        n_pos,
        n_neg,
        n_zero: diff.len() as u64 - n,
        p_value: (n > 0).then(|| binom_test_half(n_pos, n)),
        note: (n == 0).then(|| Degenerate::AllZero.to_string()),
    }
}

/// McNemar's test of a change in prevalence (value > 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McNemar {
    /// Positive at `from`, not at `to`.
    pub b: u64,
    /// Not positive at `from`, positive at `to`.
    pub c: u64,
    /// (b - c)^2 / (b + c).
    pub chi2: Option<f64>,
    /// (|b - c| - 1)^2 / (b + c) (R's default).
    pub chi2_cc: Option<f64>,
    /// p of `chi2_cc` (R's default, 1 df).
    pub p_value: Option<f64>,
    /// p of `chi2` (no continuity correction).
    pub p_value_no_cc: Option<f64>,
    /// Exact binomial p of b in b + c.
    pub p_exact: Option<f64>,
    /// Mid-p of the exact test.
    pub p_mid: Option<f64>,
    /// Conditional odds ratio b / c: above 1, more stopped than started.
    pub odds_ratio: Option<f64>,
    /// Its exact interval (from the Clopper-Pearson interval of b / (b + c)).
    pub odds_ratio_ci95: Option<[f64; 2]>,
    /// Why something is null.
    pub note: Option<String>,
}

/// McNemar's test from the discordant counts.
pub fn mcnemar(b: u64, c: u64) -> McNemar {
    let n = b + c;
    if n == 0 {
        return McNemar {
            b,
            c,
            chi2: None,
            chi2_cc: None,
            p_value: None,
            p_value_no_cc: None,
            p_exact: None,
            p_mid: None,
            odds_ratio: None,
            odds_ratio_ci95: None,
            note: Some("no discordant pairs".into()),
        };
    }
    let (bf, cf, nf) = (b as f64, c as f64, n as f64);
    let chi2 = (bf - cf).powi(2) / nf;
    let chi2_cc = ((bf - cf).abs() - 1.0).max(0.0).powi(2) / nf;
    let (or, ci, note) = if c == 0 || b == 0 {
        (
            None,
            None,
            Some("a discordant count is zero: no odds ratio".to_string()),
        )
    } else {
        let ci = crate::describe::proportion(b, n).map(|p| {
            let [lo, hi] = p.clopper_pearson;
            [
                lo / (1.0 - lo),
                if hi >= 1.0 {
                    f64::INFINITY
                } else {
                    hi / (1.0 - hi)
                },
            ]
        });
        (Some(bf / cf), ci.filter(|c| c[1].is_finite()), None)
    };
    McNemar {
        b,
        c,
        chi2: Some(chi2),
        chi2_cc: Some(chi2_cc),
        p_value: Some(chi2_1_upper(chi2_cc)),
        p_value_no_cc: Some(chi2_1_upper(chi2)),
        p_exact: Some(binom_test_half(b, n)),
        p_mid: Some(binom_mid_p_half(b, n)),
        odds_ratio: or,
        odds_ratio_ci95: ci,
        note,
    }
}

/// Standardised effect sizes of a paired difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectSizes {
    /// Cohen's d_z: mean(diff) / sd(diff).
    pub dz: Option<f64>,
    /// 95% interval of d_z, normal approximation with
    /// se = sqrt(1/n + dz^2 / (2n)).
    pub dz_ci95: Option<[f64; 2]>,
    /// d_av: mean(diff) / ((sd_from + sd_to) / 2) (Lakens 2013).
    pub dav: Option<f64>,
    /// Hedges' g_av: d_av * (1 - 3 / (4 (n - 1) - 1)).
    pub gav: Option<f64>,
    /// mean(diff) / sqrt((sd_from^2 + sd_to^2) / 2).
    pub d_avg_variance: Option<f64>,
    /// Correlation of from and to.
    pub r_from_to: Option<f64>,
    /// d_rm = d_z * sqrt(2 (1 - r)).
    pub drm: Option<f64>,
    /// Why something is null.
    pub note: Option<String>,
}

/// Effect sizes of the pairs (`from[i]`, `to[i]`).
pub fn effect_sizes(from: &[f64], to: &[f64]) -> EffectSizes {
    let diff: Vec<f64> = to.iter().zip(from).map(|(t, f)| t - f).collect();
    let n = diff.len() as f64;
    let m = mean(&diff);
    let sdd = sd(&diff).filter(|s| *s > 0.0);
    let (s1, s2) = (sd(from), sd(to));
    let dz = m.zip(sdd).map(|(m, s)| m / s);
    let z = normal_quantile(0.975);
    let dz_ci95 = dz.map(|d| {
        let se = (1.0 / n + d * d / (2.0 * n)).sqrt();
        [d - z * se, d + z * se]
    });
    let avg_sd = s1.zip(s2).map(|(a, b)| (a + b) / 2.0).filter(|s| *s > 0.0);
    let dav = m.zip(avg_sd).map(|(m, s)| m / s);
    let j = 1.0 - 3.0 / (4.0 * (n - 1.0) - 1.0);
    let avg_var = s1
        .zip(s2)
        .map(|(a, b)| ((a * a + b * b) / 2.0).sqrt())
        .filter(|s| *s > 0.0);
    let r = correlation(from, to);
    EffectSizes {
        dz,
        dz_ci95,
        dav,
        gav: dav.filter(|_| n > 2.0).map(|d| d * j),
        d_avg_variance: m.zip(avg_var).map(|(m, s)| m / s),
        r_from_to: r,
        drm: dz.zip(r).map(|(d, r)| d * (2.0 * (1.0 - r)).sqrt()),
        note: if dz.is_none() {
            Some("the differences have no variance".into())
        } else {
            None
        },
    }
}
