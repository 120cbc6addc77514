//! Sums that do not lose digits to large constant offsets.

use cohort_stats::sums::{mean, variance};
use cohort_stats::{describe, paired_t};

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
        paired_t(&[1.0, 1.0, 1.0]).unwrap_err(),
        "the differences have no variance"
    );
    assert_eq!(
        paired_t(&[1.0]).unwrap_err(),
        "1 pair(s); at least 2 needed"
    );
}
