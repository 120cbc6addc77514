//! GLMMs on degenerate data: separation, all-zero counts, a variance at
//! its boundary, a theta without overdispersion. Each gives a result that
//! says so (or a clear error), never NaN and never a panic.

use cohort_models::{design, fit_glmm, parse, Column, Frame, GlmmFamily};

/// 40 groups x 4 waves; `y` from `response(group, wave)`, `arm` = group
/// parity (a factor a/b).
fn frame(response: impl Fn(usize, usize) -> f64) -> Frame {
    let (groups, waves) = (40, 4);
    let n = groups * waves;
    let mut f = Frame::new(n);
    let mut y = Vec::new();
    let mut g = Vec::new();
    let mut arm = Vec::new();
    let mut wave = Vec::new();
    for i in 0..groups {
        for w in 0..waves {
            y.push(Some(response(i, w)));
            g.push(Some(i as u32));
            arm.push(Some((i % 2) as u32));
            wave.push(Some(w as u32));
        }
    }
    f.insert("y", Column::Numeric(y));
    f.insert(
        "g",
        Column::Factor {
            levels: (0..groups).map(|i| format!("g{i}")).collect(),
            codes: g,
        },
    );
    f.insert(
        "arm",
        Column::Factor {
            levels: vec!["a".into(), "b".into()],
            codes: arm,
        },
    );
    f.insert(
        "wave",
        Column::Factor {
            levels: (1..=waves).map(|w| format!("T{w}")).collect(),
            codes: wave,
        },
    );
    f
}

fn fit_to(f: &Frame, formula: &str, family: GlmmFamily) -> Result<cohort_models::GlmmFit, String> {
    let d = design(&parse(formula).unwrap(), f).unwrap();
    fit_glmm(&d, family, 1).map_err(|e| e.to_string())
}

/// A deterministic pseudo-count with some spread within and between
/// groups.
fn count(i: usize, w: usize) -> f64 {
    ((i * 7 + w * 3) % 5) as f64 + if i % 3 == 0 { 3.0 } else { 0.0 }
}

#[test]
fn complete_separation_gives_a_result_without_standard_errors() {
    // Every response of arm a is 0: its log-odds (the intercept) run off to
    // -infinity and armb's to +infinity; glmer reports about -25 and +25
    // with SEs of 1e5. Here the estimates stay, their SEs are NaN (null in
    // the results), and the fit is not converged.
    let f = frame(|i, w| {
        if i % 2 == 0 {
            0.0
        } else {
            ((i + w) % 2) as f64
        }
    });
    let fit = fit_to(&f, "y ~ arm + (1 | g)", GlmmFamily::Binomial).unwrap();
    assert!(!fit.converged);
    assert_eq!(fit.separated, 80, "the 80 observations of arm a");
    assert_eq!(fit.diverging, ["(Intercept)", "armb"]);
    assert!(fit.beta[0] < -BETA && fit.beta[1] > BETA, "{:?}", fit.beta);
    assert!(fit.se().iter().all(|v| v.is_nan()));
    // Arm b alone: half its responses are 1, with no variation between
    // its groups (a variance at 0), so the likelihood is 80 log(1/2).
    assert!(
        (fit.loglik - 80.0 * 0.5f64.ln()).abs() < 1e-6,
        "{}",
        fit.loglik
    );
    let f = frame(|i, w| if i % 2 == 0 { 0.0 } else { count(i, w) });
    let fit = fit_to(&f, "y ~ arm + (1 | g)", GlmmFamily::Poisson).unwrap();
    assert!(!fit.converged && fit.separated == 80);
    assert_eq!(fit.diverging, ["(Intercept)", "armb"]);
}

/// Beyond an odds or rate ratio of e^10.
const BETA: f64 = 10.0;

#[test]
fn all_zero_counts_give_a_result_that_says_nothing_is_estimable() {
    let f = frame(|_, _| 0.0);
    for family in [GlmmFamily::Poisson, GlmmFamily::NegBin] {
        let fit = fit_to(&f, "y ~ wave + (1 | g)", family).unwrap();
        assert!(!fit.converged, "{family:?}");
        assert_eq!(fit.separated, 160);
        assert_eq!(fit.diverging.len(), 4, "{:?}", fit.diverging);
        assert!(fit.beta[0] < -BETA);
        assert!(fit.se().iter().all(|v| v.is_nan()));
        // Every fitted mean at 0: the likelihood is 1.
        assert!(fit.loglik.abs() < 1e-6 && fit.loglik.is_finite());
        if family == GlmmFamily::NegBin {
            assert!(fit.nb_theta.unwrap().1.is_nan(), "theta is not identified");
        }
    }
}

#[test]
fn a_variance_at_zero_is_a_boundary_fit_with_the_glm_estimates() {
    // y = wave number in every group: no variation between groups, so
    // the variance is 0 and the fit is the Poisson GLM, whose estimates
    // are the log means, log(w) - log(1), with SEs sqrt(1 / sum mu) for
    // the intercept (40 observations of mean 1) and sqrt(1/40 + 1/(40 w))
    // for wave w.
    let f = frame(|_, w| (w + 1) as f64);
    let fit = fit_to(&f, "y ~ wave + (1 | g)", GlmmFamily::Poisson).unwrap();
    assert!(fit.converged && fit.singular);
    assert!(fit.varcomp[0].vcov < 1e-12, "{:?}", fit.varcomp);
    let se = fit.se();
    for (j, w) in [1.0f64, 2.0, 3.0, 4.0].iter().enumerate() {
        assert!((fit.beta[j] - w.ln()).abs() < 1e-6, "{j}: {}", fit.beta[j]);
        let want = if j == 0 {
            (1.0f64 / 40.0).sqrt()
        } else {
            (1.0 / 40.0 + 1.0 / (40.0 * w)).sqrt()
        };
        assert!(
            (se[j] - want).abs() < 1e-6 * want,
            "{j}: {} vs {want}",
            se[j]
        );
    }
}

#[test]
fn a_negative_binomial_without_overdispersion_has_theta_at_its_bound() {
    // Counts no more dispersed than the Poisson's: theta runs off to
    // infinity. The fit stops at theta = 1e8 (the boundary, stated), with
    // the Poisson GLMM's estimates and likelihood, and no SE for theta.
    let f = frame(count);
    let nb = fit_to(&f, "y ~ wave + (1 | g)", GlmmFamily::NegBin).unwrap();
    let poisson = fit_to(&f, "y ~ wave + (1 | g)", GlmmFamily::Poisson).unwrap();
    assert!(nb.converged && nb.theta_at_bound);
    let (theta, se_theta) = nb.nb_theta.unwrap();
    assert!((theta - 1e8).abs() < 1.0 && se_theta.is_nan());
    for (a, b) in nb.beta.iter().zip(&poisson.beta) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
    for (a, b) in nb.se().iter().zip(poisson.se()) {
        assert!((a - b).abs() < 1e-4 * b, "{a} vs {b}");
    }
    // At theta = 1e8 the NB2's log-likelihood is the Poisson's to within
    // sum mu^2 / (2 theta) (a few units of 1e-6 here).
    assert!(
        (nb.loglik - poisson.loglik).abs() < 1e-5,
        "{} {}",
        nb.loglik,
        poisson.loglik
    );
}
