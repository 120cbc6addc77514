//! The distribution functions the tests use, in forms that keep their
//! accuracy in the far tails (p-values down to 1e-300): upper tails are
//! computed directly, never as 1 - cdf.

use statrs::function::beta::beta_reg;
use statrs::function::erf::erfc;
use statrs::function::gamma::ln_gamma;

/// Two-sided p-value of a standard normal statistic: erfc(|z| / sqrt 2).
pub fn normal_two_sided(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// Standard normal cdf.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile (statrs' inverse, pinned against R in tests).
pub fn normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::new(0.0, 1.0).map_or(f64::NAN, |n| n.inverse_cdf(p))
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom:
/// I_{df/(df+t^2)}(df/2, 1/2), the regularized incomplete beta.
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return 0.0;
    }
    beta_reg(df / 2.0, 0.5, df / (df + t * t)).min(1.0)
}

/// Quantile of the t distribution (statrs' inverse, pinned against R).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

/// Upper tail of the F distribution with `d1` and `d2` degrees of
/// freedom: P(F > f) = I_{d2 / (d2 + d1 f)}(d2 / 2, d1 / 2).
pub fn f_upper(f: f64, d1: f64, d2: f64) -> f64 {
    if !f.is_finite() {
        return 0.0;
    }
    if f <= 0.0 {
        return 1.0;
    }
    beta_reg(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f)).min(1.0)
}

/// Upper tail of chi-square with 1 df: P(X > x) = erfc(sqrt(x / 2)).
pub fn chi2_1_upper(x: f64) -> f64 {
    erfc((x / 2.0).sqrt()).min(1.0)
}

/// Binomial probability mass, from log-gamma.
pub fn binom_pmf(k: u64, n: u64, p: f64) -> f64 {
    if k > n {
        return 0.0;
    }
    let (k, n) = (k as f64, n as f64);
    let ln_choose = ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0);
    let ln_p = if k > 0.0 { k * p.ln() } else { 0.0 }
        + if n - k > 0.0 {
            (n - k) * (1.0 - p).ln()
        } else {
            0.0
        };
    (ln_choose + ln_p).exp()
}

/// P(X <= k) for X ~ Binomial(n, 1/2), summed from the small tail.
fn binom_half_lower(k: u64, n: u64) -> f64 {
    (0..=k).map(|i| binom_pmf(i, n, 0.5)).sum()
}

/// Two-sided exact binomial p-value of `k` successes in `n` trials under
/// p = 1/2, as R's `binom.test(k, n)`: twice the smaller tail, at most 1.
pub fn binom_test_half(k: u64, n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let small = k.min(n - k);
    if 2 * small == n {
        return 1.0;
    }
    (2.0 * binom_half_lower(small, n)).min(1.0)
}

/// Mid-p of the two-sided exact binomial test under p = 1/2: twice the
/// smaller tail with half the probability of the observed count.
pub fn binom_mid_p_half(k: u64, n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let small = k.min(n - k);
    let tail = binom_half_lower(small, n) - 0.5 * binom_pmf(small, n, 0.5);
    (2.0 * tail).min(1.0)
}

/// Quantile of the beta distribution, by bisection on the regularized
/// incomplete beta (for Clopper-Pearson limits).
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if beta_reg(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-16 {
            break;
        }
    }
    0.5 * (lo + hi)
}
