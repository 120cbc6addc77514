//! A GLMM that cannot be estimated as it stands gives a summary that says
//! so: notes, `converged: false`, null (never NaN) where there is no
//! standard error.

use cohort_models::{design, fit_glmm, parse, Column, Frame, GlmmFamily};
use cohort_stats::glmm_summary;

#[test]
fn a_separated_logistic_mixed_model_has_null_standard_errors_and_a_note() {
    // 20 groups x 3 observations; every response of arm a is 0.
    let n = 60;
    let mut f = Frame::new(n);
    let arm: Vec<Option<u32>> = (0..n).map(|i| Some(((i / 3) % 2) as u32)).collect();
    let y: Vec<Option<f64>> = (0..n)
        .map(|i| {
            Some(if (i / 3) % 2 == 0 {
                0.0
            } else {
                (i % 2) as f64
            })
        })
        .collect();
    f.insert("y", Column::Numeric(y));
    f.insert(
        "arm",
        Column::Factor {
            levels: vec!["a".into(), "b".into()],
            codes: arm,
        },
    );
    f.insert(
        "g",
        Column::Factor {
            levels: (0..20).map(|g| format!("g{g}")).collect(),
            codes: (0..n).map(|i| Some((i / 3) as u32)).collect(),
        },
    );
    let d = design(&parse("y ~ arm + (1 | g)").unwrap(), &f).unwrap();
    let fit = fit_glmm(&d, GlmmFamily::Binomial, 1).unwrap();
    let s = glmm_summary(&d, &fit);
    assert!(!s.converged);
    assert!(
        s.notes
            .iter()
            .any(|n| n.starts_with("complete separation: 30 of 60")
                && n.contains("(Intercept), armb")),
        "{:?}",
        s.notes
    );
    assert!(
        !s.notes.iter().any(|n| n.contains("optimiser stopped")),
        "the optimiser met its tolerance: {:?}",
        s.notes
    );
    let json = serde_json::to_value(&s).unwrap();
    for c in json["coefficients"].as_array().unwrap() {
        assert!(c["estimate"].is_f64());
        for key in ["se", "statistic", "p_value"] {
            assert!(c[key].is_null(), "{key}: {c}");
        }
    }
    assert!(!serde_json::to_string(&s).unwrap().contains("NaN"));
}
