//! Numerically stable sums: means and variances that do not lose digits
//! to large constant offsets (1000000000000.4, 1000000000000.3, ...).

/// Mean by compensated (Neumaier) summation.
pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| sum(x) / x.len() as f64)
}

/// Neumaier's compensated sum.
pub fn sum(x: &[f64]) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for &v in x {
        let t = s + v;
        if s.abs() >= v.abs() {
            c += (s - t) + v;
        } else {
            c += (v - t) + s;
        }
        s = t;
    }
    s + c
}

/// Sample variance (n - 1) by the corrected two-pass algorithm: squared
/// deviations from the mean, minus the (rounding) residual of the
/// deviations' sum. `None` below 2 values.
pub fn variance(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let m = mean(x)?;
    let dev: Vec<f64> = x.iter().map(|v| v - m).collect();
    let ss: f64 = sum(&dev.iter().map(|d| d * d).collect::<Vec<_>>());
    let r = sum(&dev);
    Some(((ss - r * r / n as f64) / (n - 1) as f64).max(0.0))
}

/// Sample standard deviation (n - 1).
pub fn sd(x: &[f64]) -> Option<f64> {
    variance(x).map(f64::sqrt)
}

/// Pearson correlation; `None` without variance on either side.
pub fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mx, my) = (mean(x)?, mean(y)?);
    let sxy = sum(&x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .collect::<Vec<_>>());
    let sxx = sum(&x.iter().map(|a| (a - mx) * (a - mx)).collect::<Vec<_>>());
    let syy = sum(&y.iter().map(|b| (b - my) * (b - my)).collect::<Vec<_>>());
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Quantile of sorted values, R's type 7 (numpy's linear).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}
