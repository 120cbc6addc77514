//! Linear mixed models and GEE against R (lme4, geepack) on the reference
//! datasets of fixtures/reference (R 4.2.2 with tight optimiser controls).
//! The formula of each model is read from the R call stored beside its
//! values; nothing of the expected values enters the fit.

use cohort_models::{
    design, fit_gee, fit_lmm, parse, standard_errors, Column, CorStr, Criterion, Family, Frame,
    GeeOptions, GlmmFamily, Response,
};
use cohort_testkit::fixture;
use serde_json::Value;

/// A shared reference dataset as a frame: `id` and the manifest's group
/// (in the manifest's level order) as factors.
fn frame(name: &str) -> Frame {
    let dir = fixture("reference");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("data/MANIFEST.json")).unwrap())
            .unwrap();
    let spec = &manifest[name];
    let levels: Vec<String> = spec["group_levels"]
        .as_array()
        .map(|l| l.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    let levels: Vec<&str> = levels.iter().map(String::as_str).collect();
    let mut factors = vec![("id", None)];
    if let Some(g) = spec["group"].as_str() {
        factors.push((g, Some(&levels[..])));
    }
    read_frame(&format!("data/{name}.csv"), &factors)
}

/// A CSV of fixtures/reference as a frame. The `factors` are factors, with
/// the levels given (the first the reference) or, as R's `factor()`, in
/// sorted order; a column with a value that is not a number is a factor
/// too; the rest are numeric.
fn read_frame(file: &str, factors: &[(&str, Option<&[&str]>)]) -> Frame {
    let mut rdr = csv::Reader::from_path(fixture("reference").join(file)).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut f = Frame::new(rows.len());
    for (j, h) in headers.iter().enumerate() {
        let values: Vec<&str> = rows.iter().map(|r| r[j].as_str()).collect();
        let declared = factors.iter().find(|(name, _)| name == h);
        let numeric = declared.is_none()
            && values
                .iter()
                .all(|v| v.is_empty() || v.parse::<f64>().is_ok());
        if numeric {
            f.insert(
                h,
                Column::Numeric(values.iter().map(|v| v.parse().ok()).collect()),
            );
        } else {
            let levels: Vec<String> = match declared {
                Some((_, Some(given))) => given.iter().map(|l| l.to_string()).collect(),
                _ => {
                    let mut seen: Vec<String> = values
                        .iter()
                        .filter(|v| !v.is_empty())
                        .map(|v| v.to_string())
                        .collect();
                    seen.sort();
                    seen.dedup();
                    seen
                }
            };
            let codes = values
                .iter()
                .map(|v| levels.iter().position(|l| l == v).map(|i| i as u32))
                .collect();
            f.insert(h, Column::Factor { levels, codes });
        }
    }
    f
}

fn expected(name: &str) -> Value {
    let path = fixture("reference").join(format!("expected/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The formula of an R call: its first argument.
fn formula_of(call: &str) -> String {
    let open = call.find('(').unwrap();
    let mut depth = 0;
    let mut out = String::new();
    for c in call[open + 1..].chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => break,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// `got` within `rel` of `want` relative (or absolute near zero).
fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-3)
}

/// Checks every lmer fit of `models` (a JSON object of R results) on
/// `data`: estimates, SEs, variance components in lme4's order, criterion,
/// log-likelihood, AIC, BIC, counts; returns the number of values checked
/// and pushes what differs to `failures`.
fn check_lmm(data: &Frame, models: &Value, failures: &mut Vec<String>) -> usize {
    let mut checked = 0;
    for (key, m) in models.as_object().unwrap() {
        let formula = formula_of(m["call"].as_str().unwrap());
        let criterion = if m["REML"].as_bool().unwrap() {
            Criterion::Reml
        } else {
            Criterion::Ml
        };
        let d = design(&parse(&formula).unwrap(), data).unwrap();
        let fit = fit_lmm(&d, criterion).unwrap();
        let se = fit.se();
        let mut check = |what: String, got: f64, want: f64, rel: f64| {
            checked += 1;
            if !close(got, want, rel) {
                failures.push(format!("{key} {what}: {got} vs R {want}"));
            }
        };
        assert_eq!(
            d.names.len(),
            m["estimate"].as_object().unwrap().len(),
            "{key}"
        );
        for (j, name) in d.names.iter().enumerate() {
            let want_se = m["se"][name].as_f64().unwrap();
            let want = m["estimate"][name].as_f64().unwrap();
            // Estimates to 1e-6 relative or 1e-6 of their SE.
            let tol = 1e-6f64.max(1e-6 * want_se / want.abs().max(1e-3));
            check(format!("estimate {name}"), fit.beta[j], want, tol);
            check(format!("se {name}"), se[j], want_se, 1e-5);
        }
        let want_varcomp = m["varcomp"].as_array().unwrap();
        assert_eq!(fit.varcomp.len(), want_varcomp.len(), "{key}");
        for (got, want) in fit.varcomp.iter().zip(want_varcomp) {
            assert_eq!(got.group, want["group"].as_str().unwrap(), "{key}");
            check(
                format!("vcov {} {:?}", got.group, got.var1),
                got.vcov,
                want["vcov"].as_f64().unwrap(),
                1e-5,
            );
            check(
                format!("sdcor {} {:?}", got.group, got.var1),
                got.sdcor.unwrap(),
                want["sdcor"].as_f64().unwrap(),
                1e-5,
            );
        }
        // Satterthwaite's df and type III F tests where lmerTest gave them
        // (extra.R).
        if m["df"].is_object() {
            let tests = cohort_models::mixed_tests(&d, data, &fit).unwrap();
            for (j, name) in d.names.iter().enumerate() {
                let want = m["df"][name].as_f64().unwrap();
                check(
                    format!("df {name}"),
                    tests.coefficient_df[j].unwrap(),
                    want,
                    1e-6,
                );
            }
            let want_anova = m["anova_type3"].as_array().unwrap();
            assert_eq!(tests.anova.len(), want_anova.len(), "{key}");
            for ((term, test), want) in tests.anova.iter().zip(want_anova) {
                assert_eq!(term, want["term"].as_str().unwrap(), "{key}");
                let test = test.unwrap();
                assert_eq!(
                    test.df_num as u64,
                    want["df_num"].as_u64().unwrap(),
                    "{key} {term}"
                );
                check(
                    format!("F {term}"),
                    test.f,
                    want["f"].as_f64().unwrap(),
                    1e-6,
                );
                check(
                    format!("ddf {term}"),
                    test.df_den,
                    want["df_den"].as_f64().unwrap(),
                    1e-6,
                );
            }
        }
        for (group, n) in &fit.ngroups {
            assert_eq!(
                Some(*n as u64),
                m["ngroups"][group].as_u64(),
                "{key} {group}"
            );
        }
        check(
            "criterion".into(),
            fit.criterion,
            m["criterion"].as_f64().unwrap(),
            1e-6,
        );
        check(
            "logLik".into(),
            fit.loglik,
            m["logLik"].as_f64().unwrap(),
            1e-6,
        );
        check("AIC".into(), fit.aic(), m["AIC"].as_f64().unwrap(), 1e-6);
        check("BIC".into(), fit.bic(), m["BIC"].as_f64().unwrap(), 1e-6);
        assert_eq!(
            fit.df_loglik as u64,
            m["df_logLik"].as_u64().unwrap(),
            "{key}"
        );
        assert_eq!(fit.nobs as u64, m["nobs"].as_u64().unwrap(), "{key}");
        assert_eq!(fit.singular, m["singular"].as_bool().unwrap(), "{key}");
        // Never a worse optimum than R's.
        assert!(
            fit.criterion <= m["criterion"].as_f64().unwrap() + 1e-7,
            "{key}: criterion {} above R's",
            fit.criterion
        );
    }
    checked
}

#[test]
fn linear_mixed_models_match_lme4() {
    let mut failures = Vec::new();
    let checked = check_lmm(
        &frame("sleepstudy"),
        &expected("sleepstudy")["r"]["lmm"],
        &mut failures,
    );
    assert!(checked > 80, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nested_and_unbalanced_mixed_models_match_lme4() {
    // Pastes: casks within batches (1 | batch/cask); Orthodont: 16 boys
    // and 11 girls, an interaction with a between-subject factor, random
    // intercepts and slopes (fixtures/reference/extra.R).
    let mut failures = Vec::new();
    let pastes = read_frame("data/pastes.csv", &[]);
    let mut checked = check_lmm(&pastes, &expected("pastes")["lmm"], &mut failures);
    let orthodont = read_frame(
        "data/orthodont.csv",
        &[("Subject", None), ("Sex", Some(&["Male", "Female"]))],
    );
    checked += check_lmm(&orthodont, &expected("orthodont")["lmm"], &mut failures);
    // Five classic designs: one-way, split plot, two nested, randomized
    // block (extra.R).
    for name in ["dyestuff", "cake", "machines", "oats", "ergostool"] {
        let data = read_frame(&format!("data/{name}.csv"), &[]);
        checked += check_lmm(&data, &expected(name)["lmm"], &mut failures);
    }
    assert!(checked > 150, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gee_matches_geepack() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in ["sleepstudy", "ohio", "bacteria"] {
        let data = frame(name);
        for (key, m) in expected(name)["r"]["gee"].as_object().unwrap() {
            let call = m["call"].as_str().unwrap();
            let family = if call.contains("binomial") {
                Family::Binomial
            } else {
                Family::Gaussian
            };
            let corstr = match m["corstr"].as_str().unwrap() {
                "independence" => CorStr::Independence,
                "exchangeable" => CorStr::Exchangeable,
                "ar1" => CorStr::Ar1,
                other => panic!("{other}"),
            };
            let d = design(&parse(&formula_of(call)).unwrap(), &data).unwrap();
            let codes = |col: &str| -> Vec<u32> {
                let (_, codes) = data.get(col).unwrap().as_factor();
                d.rows.iter().map(|&i| codes[i].unwrap()).collect()
            };
            let options = GeeOptions {
                family,
                corstr,
                cluster: codes("id"),
                wave: codes("wave"),
                tolerance: 1e-12,
                max_iterations: 500,
            };
            let fit = fit_gee(&d, &options).unwrap();
            assert!(fit.converged, "{name} {key}");
            let se = standard_errors(&fit.vcov_robust, d.p());
            let mut check = |what: String, got: f64, want: f64| {
                checked += 1;
                if !close(got, want, 1e-6) {
                    failures.push(format!("{name} {key} {what}: {got} vs geepack {want}"));
                }
            };
            for (j, term) in d.names.iter().enumerate() {
                check(
                    format!("estimate {term}"),
                    fit.beta[j],
                    m["estimate"][term].as_f64().unwrap(),
                );
                check(
                    format!("se {term}"),
                    se[j],
                    m["robust_se"][term].as_f64().unwrap(),
                );
                check(
                    format!("wald {term}"),
                    (fit.beta[j] / se[j]).powi(2),
                    m["wald"][term].as_f64().unwrap(),
                );
            }
            check("scale".into(), fit.scale, m["scale"].as_f64().unwrap());
            if let Some(a) = m["alpha"]["alpha"].as_f64() {
                check("alpha".into(), fit.alpha[0], a);
            }
            assert_eq!(fit.nobs as u64, m["nobs"].as_u64().unwrap(), "{name} {key}");
            assert_eq!(
                fit.cluster_sizes.len() as u64,
                m["n_clusters"].as_u64().unwrap()
            );
        }
    }
    assert!(checked > 150, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn logistic_regressions_match_r_glm() {
    // R's glm on ohio (fixtures/reference/expected/ohio_glm.json, with the
    // calls), the smoke factor with levels 0, 1.
    let data = frame("ohio");
    let path = fixture("reference").join("expected/ohio_glm.json");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for key in ["wave_binomial", "time_smoke_binomial"] {
        let m = &r[key];
        let d = design(
            &parse(&formula_of(m["call"].as_str().unwrap())).unwrap(),
            &data,
        )
        .unwrap();
        let fit = cohort_models::fit_glm(&d, Family::Binomial).unwrap();
        let p = d.p();
        for (j, name) in d.names.iter().enumerate() {
            let se = fit.vcov[j * p + j].sqrt();
            assert!(
                close(fit.fit.beta[j], m["estimate"][name].as_f64().unwrap(), 1e-6),
                "{key} {name}"
            );
            assert!(
                close(se, m["se"][name].as_f64().unwrap(), 1e-5),
                "{key} {name} se"
            );
        }
        assert!(
            close(fit.loglik, m["loglik"].as_f64().unwrap(), 1e-9),
            "{key} loglik"
        );
        assert!(
            close(fit.fit.deviance, m["deviance"].as_f64().unwrap(), 1e-9),
            "{key} deviance"
        );
        assert_eq!(fit.nobs as u64, m["nobs"].as_u64().unwrap());
    }
}

#[test]
fn unstructured_gee_matches_geepack() {
    // geepack's unstructured working correlation: one alpha per pair of
    // waves, (1,2), (1,3), ..., (3,4) (fixtures/reference/expected/
    // ohio_extra.json, from extra.R, with smoke numeric as R reads it).
    let data = read_frame("data/ohio.csv", &[("id", None)]);
    let m = &expected("ohio_extra")["gee_unstructured"];
    let d = design(
        &parse(&formula_of(m["call"].as_str().unwrap())).unwrap(),
        &data,
    )
    .unwrap();
    let (_, ids) = data.get("id").unwrap().as_factor();
    let wave = match data.get("wave").unwrap() {
        Column::Numeric(v) => v,
        _ => unreachable!("wave is numeric"),
    };
    let options = GeeOptions {
        family: Family::Binomial,
        corstr: CorStr::Unstructured,
        cluster: d.rows.iter().map(|&i| ids[i].unwrap()).collect(),
        wave: d
            .rows
            .iter()
            .map(|&i| wave[i].unwrap() as u32 - 1)
            .collect(),
        tolerance: 1e-12,
        max_iterations: 500,
    };
    let fit = fit_gee(&d, &options).unwrap();
    assert!(fit.converged);
    let se = standard_errors(&fit.vcov_robust, d.p());
    for (j, term) in d.names.iter().enumerate() {
        assert!(
            close(fit.beta[j], m["estimate"][term].as_f64().unwrap(), 1e-6),
            "{term}: {} vs {}",
            fit.beta[j],
            m["estimate"][term]
        );
        assert!(
            close(se[j], m["robust_se"][term].as_f64().unwrap(), 1e-6),
            "{term} se"
        );
    }
    let want: Vec<f64> = m["alpha"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(fit.alpha.len(), 6);
    for (got, want) in fit.alpha.iter().zip(&want) {
        assert!(close(*got, *want, 1e-6), "alpha {got} vs {want}");
    }
    assert!(close(fit.scale, m["scale"].as_f64().unwrap(), 1e-6));
    assert_eq!(
        fit.cluster_sizes.len() as u64,
        m["n_clusters"].as_u64().unwrap()
    );
}

#[test]
fn negative_binomial_matches_glm_nb() {
    // MASS::glm.nb on quine (fixtures/reference/expected/quine.json, from
    // extra.R): estimates, SEs, theta and its SE, log-likelihood, AIC,
    // deviance; factor levels sorted, as R's factor().
    let data = read_frame("data/quine.csv", &[]);
    let m = &expected("quine")["negbin"];
    let d = design(
        &parse(&formula_of(m["call"].as_str().unwrap())).unwrap(),
        &data,
    )
    .unwrap();
    let nb = cohort_models::fit_negbin(&d).unwrap();
    assert!(nb.model.fit.converged);
    let se = standard_errors(&nb.model.vcov, d.p());
    assert_eq!(d.names.len(), 7);
    for (j, term) in d.names.iter().enumerate() {
        let want_se = m["se"][term].as_f64().unwrap();
        assert!(
            (nb.model.fit.beta[j] - m["estimate"][term].as_f64().unwrap()).abs() <= 1e-6 * want_se,
            "{term}: {}",
            nb.model.fit.beta[j]
        );
        assert!(close(se[j], want_se, 1e-5), "{term} se {}", se[j]);
    }
    assert!(
        close(nb.theta, m["theta"].as_f64().unwrap(), 1e-6),
        "theta {}",
        nb.theta
    );
    assert!(
        close(nb.se_theta, m["se_theta"].as_f64().unwrap(), 1e-5),
        "{}",
        nb.se_theta
    );
    assert!(
        close(nb.model.loglik, m["loglik"].as_f64().unwrap(), 1e-9),
        "{}",
        nb.model.loglik
    );
    assert!(close(
        nb.model.fit.deviance,
        m["deviance"].as_f64().unwrap(),
        1e-7
    ));
    // Never below R's likelihood.
    assert!(nb.model.loglik >= m["loglik"].as_f64().unwrap() - 1e-9);
}

#[test]
fn cluster_robust_standard_errors_match_sandwich_and_clubsandwich() {
    // An lm (Orthodont, by child) and a logistic model (ohio, by child):
    // CR1 as sandwich::vcovCL(type = "HC1"), CR2 as clubSandwich::vcovCR
    // (fixtures/reference/expected/{orthodont,ohio_extra}.json).
    let orthodont = read_frame(
        "data/orthodont.csv",
        &[("Subject", None), ("Sex", Some(&["Male", "Female"]))],
    );
    let ohio = read_frame("data/ohio.csv", &[("id", None)]);
    for (data, cluster, m, family) in [
        (
            &orthodont,
            "Subject",
            &expected("orthodont")["cluster_se"]["lm"],
            Family::Gaussian,
        ),
        (
            &ohio,
            "id",
            &expected("ohio_extra")["cluster_se"]["glm"],
            Family::Binomial,
        ),
    ] {
        let d = design(
            &parse(&formula_of(m["call"].as_str().unwrap())).unwrap(),
            data,
        )
        .unwrap();
        let (_, codes) = data.get(cluster).unwrap().as_factor();
        let groups: Vec<u32> = d.rows.iter().map(|&i| codes[i].unwrap()).collect();
        let beta = match family {
            Family::Gaussian => cohort_models::fit_lm(&d).unwrap().beta,
            _ => cohort_models::fit_glm(&d, family).unwrap().fit.beta,
        };
        let se =
            cohort_models::cluster_robust(&d, Response::Family(family), &beta, &groups).unwrap();
        for (j, term) in d.names.iter().enumerate() {
            assert!(
                close(beta[j], m["estimate"][term].as_f64().unwrap(), 1e-8),
                "{cluster} {term}"
            );
            for (got, key) in [(&se.cr1, "se_cr1"), (&se.cr2, "se_cr2")] {
                let got = got[j * d.p() + j].sqrt();
                assert!(
                    close(got, m[key][term].as_f64().unwrap(), 1e-6),
                    "{cluster} {term} {key}: {got} vs {}",
                    m[key][term]
                );
            }
        }
        assert_eq!(se.n_clusters as u64, m["n_clusters"].as_u64().unwrap());
    }
}

#[test]
fn binomial_mixed_models_match_glmer_laplace_and_agq() {
    // glmer (Laplace, and adaptive quadrature with 10 points; tight
    // controls) on ohio and bacteria, the shared
    // reference set: estimates 1e-5 relative (or of their SE), SEs 1e-4,
    // logLik 1e-6 absolute; never below glmer's likelihood.
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in ["ohio", "bacteria"] {
        let data = frame(name);
        let models = &expected(name)["r"]["glmm"];
        for (key, nagq) in [
            ("ri_wave_laplace", 1),
            ("ri_time_laplace", 1),
            ("ri_wave_agq10", 10),
        ] {
            checked += check_glmm(
                &format!("{name} {key}"),
                &data,
                &models[key],
                GlmmFamily::Binomial,
                nagq,
                &mut failures,
            );
        }
    }
    // glmmTMB's Laplace fits of the same models (its default control): at
    // its likelihood within 1e-6 and never below it by more than 1e-7
    // (glmer's default control stops 4e-5 short of the tight fit above:
    // BENCHMARKS.md).
    for name in ["ohio", "bacteria"] {
        let data = frame(name);
        let models = &expected(name)["r"]["glmm"];
        for (tmb, glmer) in [
            ("ri_wave_glmmTMB", "ri_wave_laplace"),
            ("ri_time_glmmTMB", "ri_time_laplace"),
        ] {
            let call = models[glmer]["call"].as_str().unwrap();
            let d = design(&parse(&formula_of(call)).unwrap(), &data).unwrap();
            let fit = cohort_models::fit_glmm(&d, GlmmFamily::Binomial, 1).unwrap();
            let want = models[tmb]["logLik"].as_f64().unwrap();
            checked += 1;
            if (fit.loglik - want).abs() > 1e-6 || fit.loglik < want - 1e-7 {
                failures.push(format!("{name} {tmb}: logLik {} vs {want}", fit.loglik));
            }
        }
    }
    assert!(checked > 30, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Fits the GLMM of the R call in `m` and checks it against `m`'s values:
/// estimates 1e-5 relative (or of their SE), SEs 1e-4, variances 1e-4,
/// logLik 1e-6 absolute and never below R's, and the NB2's theta 1e-5 and
/// the SE of its log 1e-4 (glmmTMB's `betad` and its SE).
/// Returns the number of values checked.
fn check_glmm(
    label: &str,
    data: &Frame,
    m: &Value,
    family: GlmmFamily,
    agq: usize,
    failures: &mut Vec<String>,
) -> usize {
    let d = design(
        &parse(&formula_of(m["call"].as_str().unwrap())).unwrap(),
        data,
    )
    .unwrap();
    let fit = cohort_models::fit_glmm(&d, family, agq).unwrap();
    let se = fit.se();
    let mut checked = 0;
    let mut check = |what: String, ok: bool| {
        checked += 1;
        if !ok {
            failures.push(format!("{label} {what}"));
        }
    };
    for (j, term) in d.names.iter().enumerate() {
        let (want, want_se) = (
            m["estimate"][term].as_f64().unwrap(),
            m["se"][term].as_f64().unwrap(),
        );
        check(
            format!("estimate {term}: {} vs {want}", fit.beta[j]),
            (fit.beta[j] - want).abs() <= 1e-5 * want.abs().max(want_se),
        );
        check(
            format!("se {term}: {} vs {want_se}", se[j]),
            close(se[j], want_se, 1e-4),
        );
    }
    // lme4 lists the variances and covariances as cohort does (the
    // residual aside); glmmTMB one variance per grouping.
    let want = m["varcomp"].as_array().unwrap();
    let got: Vec<&cohort_models::VarComp> = fit
        .varcomp
        .iter()
        .filter(|v| v.group != "Residual")
        .collect();
    if want.iter().all(|v| v["sdcor"].is_f64()) {
        check(
            format!("{} variance components vs {}", got.len(), want.len()),
            got.len() == want.len(),
        );
        for (g, w) in got.iter().zip(want) {
            let w = w["vcov"].as_f64().unwrap();
            check(
                format!("{} {:?} {:?}: {} vs {w}", g.group, g.var1, g.var2, g.vcov),
                close(g.vcov, w, 1e-4),
            );
        }
    } else {
        for w in want {
            let group = w["group"].as_str().unwrap();
            let w = w["vcov"].as_f64().unwrap();
            let g = got
                .iter()
                .find(|v| v.group == group && v.var2.is_none())
                .map(|v| v.vcov);
            check(
                format!("variance {group}: {g:?} vs {w}"),
                g.is_some_and(|g| close(g, w, 1e-4)),
            );
        }
    }
    let want_ll = m["logLik"].as_f64().unwrap();
    check(
        format!("logLik {} vs {want_ll}", fit.loglik),
        (fit.loglik - want_ll).abs() <= 1e-6,
    );
    check(
        format!("logLik {} below R's {want_ll}", fit.loglik),
        fit.loglik >= want_ll - 1e-7,
    );
    if let Some(want) = m["theta"].as_f64() {
        let (theta, se_theta) = fit.nb_theta.unwrap();
        let want_se = m["se_log_theta"].as_f64().unwrap();
        check(format!("theta {theta} vs {want}"), close(theta, want, 1e-4));
        check(
            format!("se(log theta) {} vs {want_se}", se_theta / theta),
            close(se_theta / theta, want_se, 1e-4),
        );
    }
    checked
}

#[test]
fn count_mixed_models_match_glmer_and_glmmtmb() {
    // Poisson (glmer and glmmTMB) and NB2 (glmmTMB nbinom2) GLMMs, Laplace,
    // on MASS::epil and glmmTMB::Salamanders (fixtures/reference/extra.R):
    // a random intercept, a correlated random slope, and sites with
    // species nested in them.
    let mut failures = Vec::new();
    let mut checked = 0;
    let epil = read_frame("data/epil.csv", &[("subject", None), ("trt", None)]);
    let models = expected("epil_glmm");
    for (key, family) in [
        ("poisson_glmer", GlmmFamily::Poisson),
        ("poisson_slope_glmer", GlmmFamily::Poisson),
        ("poisson_tmb", GlmmFamily::Poisson),
        ("nbinom2_ri", GlmmFamily::NegBin),
    ] {
        checked += check_glmm(
            &format!("epil {key}"),
            &epil,
            &models[key],
            family,
            1,
            &mut failures,
        );
    }
    let species: &[&str] = &["GP", "PR", "DM", "EC-A", "EC-L", "DES-L", "DF"];
    let salamanders = read_frame(
        "data/salamanders.csv",
        &[
            ("site", None),
            ("mined", Some(&["yes", "no"])),
            ("spp", Some(species)),
        ],
    );
    let models = expected("salamanders_glmm");
    for (key, family) in [
        ("poisson_ri", GlmmFamily::Poisson),
        ("nbinom2_ri", GlmmFamily::NegBin),
        ("nbinom2_nested", GlmmFamily::NegBin),
    ] {
        checked += check_glmm(
            &format!("salamanders {key}"),
            &salamanders,
            &models[key],
            family,
            1,
            &mut failures,
        );
    }
    assert!(checked > 80, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn adaptive_quadrature_matches_a_brute_force_integral() {
    // No R function fits the NB2 by adaptive quadrature with theta
    // estimated (glmer.nb's nAGQ = 10 fails on these data). At cohort's
    // AGQ estimates (25 points) the marginal log-likelihood, integrated
    // here family by family over b ~ N(0, sigma^2) on a grid of 20,001
    // points to +-12 sigma (the trapezoid rule, exact to far below 1e-9 for
    // a smooth integrand this narrow), must be cohort's logLik: for the
    // NB2 and the Poisson on MASS::epil.
    let epil = read_frame("data/epil.csv", &[("subject", None), ("trt", None)]);
    let formula = "y ~ lbase * trt + lage + V4 + (1 | subject)";
    let d = design(&parse(formula).unwrap(), &epil).unwrap();
    let lg = statrs::function::gamma::ln_gamma;
    for family in [GlmmFamily::NegBin, GlmmFamily::Poisson] {
        let fit = cohort_models::fit_glmm(&d, family, 25).unwrap();
        let sigma = fit.varcomp[0].vcov.sqrt();
        let theta = fit.nb_theta.map(|t| t.0);
        let log_p = |y: f64, eta: f64| -> f64 {
            let mu = eta.exp();
            match theta {
                Some(t) => {
                    lg(y + t) - lg(t) - lg(y + 1.0)
                        + t * (t / (t + mu)).ln()
                        + y * (mu / (t + mu)).ln()
                }
                None => y * eta - mu - lg(y + 1.0),
            }
        };
        let p = d.p();
        let subject = &d.random[0].levels;
        let mut by_subject: std::collections::BTreeMap<u32, Vec<(f64, f64)>> =
            std::collections::BTreeMap::new();
        for (i, &level) in subject.iter().enumerate() {
            let fixed: f64 = (0..p).map(|j| d.x[[i, j]] * fit.beta[j]).sum();
            by_subject.entry(level).or_default().push((d.y[i], fixed));
        }
        let points = 20_001;
        let step = 24.0 * sigma / (points - 1) as f64;
        let mut total = 0.0;
        for rows in by_subject.values() {
            let logs: Vec<f64> = (0..points)
                .map(|k| {
                    let b = -12.0 * sigma + k as f64 * step;
                    let prior = -0.5 * (b / sigma).powi(2)
                        - (sigma * (2.0 * std::f64::consts::PI).sqrt()).ln();
                    prior + rows.iter().map(|&(y, f)| log_p(y, f + b)).sum::<f64>()
                })
                .collect();
            let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = logs
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let w = if k == 0 || k == points - 1 { 0.5 } else { 1.0 };
                    w * (l - top).exp()
                })
                .sum();
            total += top + (sum * step).ln();
        }
        assert!(
            (fit.loglik - total).abs() < 1e-6,
            "{family:?}: cohort {} vs the integral {total}",
            fit.loglik
        );
    }
}
