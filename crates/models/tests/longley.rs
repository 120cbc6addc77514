//! Linear regression on NIST's Longley data, the classic test of a least
//! squares routine (highly collinear regressors): at least 9 correct
//! digits (log relative error) on every coefficient and standard error
//! against NIST's certified values (fixtures/reference/expected/longley.json).

use cohort_models::{design, fit_lm, parse, Column, Frame};
use cohort_testkit::fixture;

/// Log relative error: the number of correct significant digits.
fn lre(got: f64, want: f64) -> f64 {
    if got == want {
        15.0
    } else {
        -((got - want).abs() / want.abs()).log10()
    }
}

#[test]
fn longley_to_nine_digits() {
    let dir = fixture("reference");
    let mut rdr = csv::Reader::from_path(dir.join("data/longley.csv")).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<f64>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(|v| v.parse().unwrap()).collect())
        .collect();
    let mut frame = Frame::new(rows.len());
    for (j, h) in headers.iter().enumerate() {
        frame.insert(
            h,
            Column::Numeric(rows.iter().map(|r| Some(r[j])).collect()),
        );
    }
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected/longley.json")).unwrap())
            .unwrap();
    let c = &expected["certified"];
    let d = design(&parse(expected["model"].as_str().unwrap()).unwrap(), &frame).unwrap();
    let fit = fit_lm(&d).unwrap();
    let p = d.p();
    let mut worst = 15.0f64;
    for (j, name) in d.names.iter().enumerate() {
        let e = lre(fit.beta[j], c["estimate"][name].as_f64().unwrap());
        let s = lre(fit.vcov[j * p + j].sqrt(), c["se"][name].as_f64().unwrap());
        assert!(
            e >= 9.0 && s >= 9.0,
            "{name}: LRE estimate {e:.1}, se {s:.1}"
        );
        worst = worst.min(e).min(s);
    }
    assert!(lre(fit.sigma, c["residual_sd"].as_f64().unwrap()) >= 9.0);
    assert!(lre(fit.rss, c["rss"].as_f64().unwrap()) >= 9.0);
    assert_eq!(fit.df_residual as u64, c["df_residual"].as_u64().unwrap());
    // The overall F from the fit's RSS and the centred total sum of squares.
    let y: Vec<f64> = d.y.iter().copied().collect();
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let tss: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let f = ((tss - fit.rss) / 6.0) / (fit.rss / 9.0);
    assert!(lre(f, c["f"].as_f64().unwrap()) >= 9.0, "F {f}");
    eprintln!("Longley: worst LRE {worst:.1}");
    assert!(worst >= 9.0);
}

#[test]
fn sequential_anova_matches_r() {
    // anova(lm(...)) in R (fixtures/reference/expected/anova.json).
    let dir = fixture("reference");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected/anova.json")).unwrap())
            .unwrap();
    for (key, file, formula) in [
        (
            "longley",
            "longley",
            "TOTEMP ~ GNPDEFL + GNP + UNEMP + ARMED + POP + YEAR",
        ),
        ("sleepstudy_oneway", "sleepstudy", "Reaction ~ factor(wave)"),
    ] {
        let mut rdr = csv::Reader::from_path(dir.join(format!("data/{file}.csv"))).unwrap();
        let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<f64>> = rdr
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|v| v.parse().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        let mut frame = Frame::new(rows.len());
        for (j, h) in headers.iter().enumerate() {
            let col = rows
                .iter()
                .map(|r| Some(r[j]).filter(|v| !v.is_nan()))
                .collect();
            frame.insert(h, Column::Numeric(col));
        }
        let d = design(&parse(formula).unwrap(), &frame).unwrap();
        let fit = fit_lm(&d).unwrap();
        let want = r[key]["rows"].as_array().unwrap();
        assert_eq!(fit.anova.len(), want.len(), "{key}");
        assert_eq!(
            fit.df_residual as u64,
            r[key]["df_residual"].as_u64().unwrap()
        );
        for ((term, df, ss), w) in fit.anova.iter().zip(want) {
            assert_eq!(term, w["term"].as_str().unwrap());
            assert_eq!(*df as u64, w["df"].as_u64().unwrap());
            let want_ss = w["sum_sq"].as_f64().unwrap();
            assert!(
                lre(*ss, want_ss) >= 9.0,
                "{key} {term}: {ss} vs R {want_ss}"
            );
            let f = (ss / *df as f64) / (fit.rss / fit.df_residual as f64);
            assert!(lre(f, w["f"].as_f64().unwrap()) >= 9.0, "{key} {term} F");
        }
    }
}
