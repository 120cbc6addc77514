//! Cronbach's alpha, its Feldt interval, item-rest correlations.

// Reference values are kept as R printed them (sprintf("%.17g")).
#![allow(clippy::excessive_precision)]

use cohort_instruments::{cronbach_alpha, pearson};

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs()
}

#[test]
fn alpha_and_feldt_interval_match_r() {
    // Six cases, three items. By hand: item variances 1.1, 1.1, 0.8 (sum
    // 3.0), totals 5, 7, 9, 11, 5, 11 with variance 7.6, so
    // alpha = 3/2 * (1 - 3.0 / 7.6) = 6.9 / 7.6 = 0.907894736842...
    // Interval: R 4.2.2, 1 - (1 - a) * qf(c(0.975, 0.025), 5, 10):
    // 0.60983421477209976, 0.9860850406946069.
    let x = vec![
        vec![1.0, 2.0, 2.0],
        vec![2.0, 2.0, 3.0],
        vec![3.0, 3.0, 3.0],
        vec![4.0, 3.0, 4.0],
        vec![2.0, 1.0, 2.0],
        vec![3.0, 4.0, 4.0],
    ];
    let (alpha, [lo, hi]) = cronbach_alpha(&x).unwrap();
    assert!(close(alpha, 6.9 / 7.6, 1e-14), "{alpha}");
    assert!(close(lo, 0.609_834_214_772_099_76, 1e-9), "{lo}");
    assert!(close(hi, 0.986_085_040_694_606_9, 1e-9), "{hi}");
    // Item-rest, R: cor(x[, j], rowSums(x[, -j])).
    let col = |j: usize| x.iter().map(|r| r[j]).collect::<Vec<f64>>();
    let rest = |j: usize| {
        x.iter()
            .map(|r| r.iter().sum::<f64>() - r[j])
            .collect::<Vec<f64>>()
    };
    assert!(close(
        pearson(&col(0), &rest(0)).unwrap(),
        0.764_470_787_156_438_24,
        1e-12
    ));
    assert!(close(
        pearson(&col(2), &rest(2)).unwrap(),
        0.942_809_041_582_063_47,
        1e-12
    ));
}

#[test]
fn f_quantiles_match_r_in_the_tails() {
    // statrs' quantile functions have had bugs: pin the ones used.
    // R 4.2.2: qf(p, 5, 10) and qf(p, 199, 1791).
    use statrs::distribution::{ContinuousCDF, FisherSnedecor};
    let f = FisherSnedecor::new(5.0, 10.0).unwrap();
    for (p, want) in [
        (0.025, 0.151_076_701_029_981_83),
        (0.975, 4.236_085_668_188_633_4),
        (1e-6, 0.002_259_135_695_039_660_2),
        (1.0 - 1e-6, 49.356_539_766_593_073),
    ] {
        let got = f.inverse_cdf(p);
        assert!(
            close(got, want, 1e-8),
            "qf({p}, 5, 10): got {got}, R {want}"
        );
    }
    let f = FisherSnedecor::new(199.0, 1791.0).unwrap();
    assert!(close(f.inverse_cdf(0.025), 0.805_476_998_397_148_81, 1e-8));
    assert!(close(f.inverse_cdf(0.975), 1.220_034_389_282_726_3, 1e-8));
}

#[test]
fn degenerate_cases_say_why() {
    assert_eq!(
        cronbach_alpha(&[vec![1.0, 2.0]]).unwrap_err().to_string(),
        "1 complete case(s); at least 2 needed"
    );
    assert_eq!(
        cronbach_alpha(&[vec![1.0], vec![2.0]])
            .unwrap_err()
            .to_string(),
        "fewer than 2 items"
    );
    assert_eq!(
        cronbach_alpha(&[]).unwrap_err().to_string(),
        "0 complete case(s); at least 2 needed"
    );
    let flat = vec![vec![1.0, 1.0], vec![1.0, 1.0]];
    assert_eq!(
        cronbach_alpha(&flat).unwrap_err().to_string(),
        "the total score has no variance"
    );
    assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
}

#[test]
fn large_constant_offsets_do_not_change_alpha() {
    // Values 1e12 + small: a one-pass sum of squares would lose them.
    let base = [
        [1.0, 2.0, 2.0],
        [2.0, 2.0, 3.0],
        [3.0, 3.0, 3.0],
        [4.0, 3.0, 4.0],
    ];
    let small: Vec<Vec<f64>> = base.iter().map(|r| r.to_vec()).collect();
    let big: Vec<Vec<f64>> = base
        .iter()
        .map(|r| r.iter().map(|v| v + 1e12).collect())
        .collect();
    let (a, _) = cronbach_alpha(&small).unwrap();
    let (b, _) = cronbach_alpha(&big).unwrap();
    assert!(close(b, a, 1e-9), "{a} vs {b}");
}
