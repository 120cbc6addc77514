//! Distribution functions against R 4.2.2 (values printed with
//! sprintf("%.17g")), in the tails down to 1e-89.
#![allow(clippy::excessive_precision)]

use cohort_stats::dist::*;
use cohort_stats::{mcnemar, proportion};

fn close(got: f64, want: f64, rel: f64) -> bool {
    if want == 0.0 {
        return got.abs() <= rel;
    }
    ((got - want) / want).abs() <= rel
}

#[test]
fn t_tails_match_r() {
    // 2 * pt(-|t|, df)
    for (t, df, want) in [
        (2.5, 10.0, 0.031446844236608776),
        (8.0, 17.0, 3.6499332431446699e-07),
        (12.0, 5.0, 7.0894925171615278e-05),
        (30.0, 100.0, 8.3803325586883361e-52),
        (9.0, 536.0, 3.913880665526347e-18),
    ] {
        let got = t_two_sided(t, df);
        assert!(close(got, want, 1e-10), "t {t} df {df}: {got} vs R {want}");
    }
}

/// statrs' erfc, behind the normal and chi-square tails, is accurate to
/// about 5e-11 relative (measured: -4.5e-11 at z = 1.96, 5.3e-11 at 7.5,
/// -7.1e-11 at 20), far inside the 1e-6 wanted of a p-value.
#[test]
fn normal_and_chi_square_tails_match_r() {
    for (z, want) in [
        (1.96, 0.049995790296440856),
        (7.5, 6.3817833458217927e-14),
        (9.0, 2.2571768119076816e-19),
        (20.0, 5.5072482372124675e-89),
    ] {
        assert!(close(normal_two_sided(z), want, 1e-10), "z {z}");
    }
    for (x, want) in [
        (3.84, 0.050043521248705224),
        (50.0, 1.5374597944280343e-12),
        (60.0, 9.4857375710738494e-15),
    ] {
        assert!(close(chi2_1_upper(x), want, 1e-10), "chi2 {x}");
    }
}

#[test]
fn binomial_tests_match_r() {
    // binom.test(k, n)$p.value
    for (k, n, want) in [
        (2, 60, 3.176278684513531e-15),
        (0, 45, 5.684341886080799e-14),
        (17, 18, 0.00014495849609375016),
        (30, 60, 1.0),
    ] {
        assert!(
            close(binom_test_half(k, n), want, 1e-12),
            "binom {k} of {n}"
        );
    }
    // Mid-p, b = 3 of 12: 2 * (pbinom(2, 12, .5) + dbinom(3, 12, .5) / 2).
    assert!(close(
        mcnemar(3, 9).p_mid.unwrap(),
        0.092285156249999931,
        1e-12
    ));
}

#[test]
fn quantiles_match_r() {
    for (p, df, want) in [
        (0.975, 17.0, 2.1098155778333165),
        (0.975, 3.0, 3.1824463052837078),
        (0.975, 1000.0, 1.9623390808264076),
        (1.0 - 1e-10, 10.0, 25.466007808016009),
    ] {
        let got = t_quantile(p, df);
        assert!(close(got, want, 1e-9), "qt({p}, {df}): {got} vs R {want}");
    }
    assert!(close(normal_quantile(0.975), 1.9599639845400536, 1e-12));
    assert!(close(normal_quantile(1e-12), -7.0344838253011321, 1e-10));
}

#[test]
fn f_tails_match_r() {
    // pf(f, d1, d2, lower.tail = FALSE)
    for (f, d1, d2, want) in [
        (3.5, 2.0, 10.0, 0.07042962777237427),
        (330.285339234588, 6.0, 9.0, 4.9840305287248114e-10),
    ] {
        let got = f_upper(f, d1, d2);
        assert!(
            close(got, want, 1e-10),
            "pf({f}, {d1}, {d2}): {got} vs R {want}"
        );
    }
}

#[test]
fn proportion_intervals_match_r() {
    // prop.test(7, 20, correct = FALSE)$conf.int (Wilson) and
    // binom.test(7, 20)$conf.int (Clopper-Pearson).
    let p = proportion(7, 20).unwrap();
    assert!(
        close(p.wilson[0], 0.18119182410108206, 1e-12)
            && close(p.wilson[1], 0.56714572331476365, 1e-12),
        "{p:?}"
    );
    assert!(
        close(p.clopper_pearson[0], 0.15390920478454115, 1e-10),
        "{p:?}"
    );
    assert!(
        close(p.clopper_pearson[1], 0.59218853453282816, 1e-10),
        "{p:?}"
    );
    let zero = proportion(0, 20).unwrap();
    assert_eq!(zero.clopper_pearson[0], 0.0);
    assert!(close(zero.clopper_pearson[1], 0.16843347098308536, 1e-10));
    assert!(proportion(0, 0).is_none());
}
