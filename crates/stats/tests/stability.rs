//! Sums that do not lose digits to large constant offsets.

use cohort_stats::sums::{mean, variance};
use cohort_stats::{describe, paired_t, sign_test, wilcoxon, WilcoxonMethod};

#[test]
fn variance_is_the_same_with_many_constant_leading_digits() {
    let big: Vec<f64> = [0.4, 0.3, 0.5, 0.1, 0.2, 0.45]
        .iter()
        .map(|v| 1_000_000_000_000.0 + v)
        .collect();
    // Shifting back is exact (Sterbenz): the same values near zero.
    let shifted: Vec<f64> = big.iter().map(|v| v - 1_000_000_000_000.0).collect();
    let vs = variance(&shifted).unwrap();
    let vb = variance(&big).unwrap();
    assert!(((vb - vs) / vs).abs() < 1e-12, "{vs} vs {vb}");
    let small = [0.4, 0.3, 0.5, 0.1, 0.2, 0.45];
    let vs = variance(&small).unwrap();
    // By hand: mean 0.325, squared deviations .005625 .000625 .030625
    // .050625 .015625 .015625, sum .11875, / 5 = .02375.
    assert!((vs - 0.02375).abs() < 1e-15);
    assert!((mean(&small).unwrap() - 0.325).abs() < 1e-15);
}

#[test]
fn degenerate_samples_give_reasons_not_nan() {
    let d = describe(&[]);
    assert_eq!((d.n, d.mean, d.sd), (0, None, None));
    assert_eq!(d.note.as_deref(), Some("no values"));
    let one = describe(&[3.0]);
    assert_eq!((one.mean, one.sd, one.mean_ci95_t), (Some(3.0), None, None));
    assert_eq!(
        paired_t(&[1.0, 1.0, 1.0]).unwrap_err().to_string(),
        "the differences have no variance"
    );
    assert_eq!(
        paired_t(&[1.0]).unwrap_err().to_string(),
        "1 pair(s); at least 2 needed"
    );
}

#[test]
fn wilcoxon_at_its_expectation_has_no_continuity_correction() {
    // Differences 1, -1, 2, -2: absolute values tie in pairs (ranks 1.5,
    // 1.5, 3.5, 3.5), so R's default is the normal approximation with
    // continuity correction. V = 1.5 + 3.5 = 5 = n(n + 1)/4 = 4 * 5 / 4.
    // R's correction is sign(V - 5) * 0.5 = 0, so z = 0 and p = 1
    // (wilcox.test(c(1, -1, 2, -2)): V = 5, p-value = 1).
    let w = wilcoxon(&[1.0, -1.0, 2.0, -2.0], WilcoxonMethod::RDefault).unwrap();
    assert_eq!((w.statistic, w.expected, w.method), (5.0, 5.0, "normal"));
    assert!(w.continuity_correction);
    assert_eq!(w.z, Some(0.0));
    assert_eq!(w.p_value, 1.0);
}

#[test]
fn a_sign_test_without_non_zero_differences_is_null_with_a_note() {
    // R: binom.test(0, 0) is an error ("'n' must be a positive integer").
    let s = sign_test(&[0.0, 0.0, 0.0]);
    assert_eq!((s.n_pos, s.n_neg, s.n_zero), (0, 0, 3));
    assert_eq!(s.p_value, None);
    assert_eq!(s.note.as_deref(), Some("every difference is zero"));
    // One non-zero difference: binom.test(1, 1) gives p = 1.
    assert_eq!(sign_test(&[0.0, 2.0]).p_value, Some(1.0));
}

#[test]
fn top2_share_is_the_two_largest_over_the_positive_sum() {
    // 10 + 5 of 10 + 5 + 1 = 16: 15/16; zeros and negatives add nothing.
    assert_eq!(
        cohort_stats::top2_share(&[10.0, 5.0, 1.0, 0.0, -1.0]),
        Some(15.0 / 16.0)
    );
    assert_eq!(cohort_stats::top2_share(&[0.0, 0.0]), None);
    assert_eq!(cohort_stats::top2_share(&[3.0]), Some(1.0));
}
