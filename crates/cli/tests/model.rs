//! `cohort model` and `cohort gee` on the shipped VJI fixture: the results
//! contract, and bad formulas answered with exit 2 at the token.

use crate::{cohort, cohort_json};

#[test]
fn a_mixed_model_on_all_families_gives_the_full_contract() {
    let v = cohort_json(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "family_incidents ~ factor(wave) + (1 | family_id)",
        "--json",
    ]);
    assert_eq!(v["schema"], "cohort.model/1");
    assert_eq!(v["kind"], "lmm");
    assert_eq!(v["fit"], "reml");
    assert_eq!(v["disclosure"], "not checked");
    let terms: Vec<&str> = v["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap())
        .collect();
    assert_eq!(terms, ["(Intercept)", "factor(wave)T1", "factor(wave)T2"]);
    for c in v["coefficients"].as_array().unwrap() {
        let (est, se) = (c["estimate"].as_f64().unwrap(), c["se"].as_f64().unwrap());
        // The interval is the estimate +- t(0.975, df) SE, Satterthwaite's
        // df of a thousand or more families: t between the normal's
        // 1.959964 and t(0.975, 1000) = 1.962339 (R: qt(0.975, 1000)).
        let (lo, hi) = (
            c["ci95"][0].as_f64().unwrap(),
            c["ci95"][1].as_f64().unwrap(),
        );
        assert!(((est - lo) - (hi - est)).abs() < 1e-9 * se.max(1.0));
        let q = (est - lo) / se;
        assert!(c["df"].as_f64().unwrap() > 1000.0, "{}", c["df"]);
        assert!((1.959_964..1.962_339).contains(&q), "{q}");
    }
    let groups = v["ngroups"]["family_id"].as_u64().unwrap();
    assert!(groups > 1000, "{groups}");
    let vc = v["varcomp"].as_array().unwrap();
    assert_eq!(vc.last().unwrap()["group"], "Residual");
    // AIC = criterion + 2 df.
    let (aic, crit, df) = (
        v["aic"].as_f64().unwrap(),
        v["criterion"].as_f64().unwrap(),
        v["df_loglik"].as_f64().unwrap(),
    );
    assert!((aic - crit - 2.0 * df).abs() < 1e-9);
    assert_eq!(v["converged"], true);
    // Rows without the outcome are accounted for.
    let excluded: u64 = v["excluded"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert!(v["nobs"].as_u64().unwrap() + excluded >= groups * 2);
}

#[test]
fn a_gee_on_a_binary_measure_gives_the_full_contract() {
    let v = cohort_json(&[
        "gee",
        "fixtures/vji/study.toml",
        "--formula",
        "partner.prevalence ~ factor(wave)",
        "--family",
        "binomial",
        "--id",
        "family_id",
        "--corstr",
        "exchangeable",
        "--json",
    ]);
    assert_eq!(v["schema"], "cohort.gee/1");
    assert_eq!(
        (v["family"].as_str(), v["link"].as_str()),
        (Some("binomial"), Some("logit"))
    );
    assert_eq!(v["corstr"], "exchangeable");
    assert_eq!(v["disclosure"], "not checked");
    assert_eq!(v["alpha"].as_array().unwrap().len(), 1);
    for c in v["coefficients"].as_array().unwrap() {
        let z = c["estimate"].as_f64().unwrap() / c["se_robust"].as_f64().unwrap();
        assert!((c["wald"].as_f64().unwrap() - z * z).abs() < 1e-9 * z * z);
        // The corrections make the robust SE larger, never smaller.
        assert!(c["se_mancl_derouen"].as_f64().unwrap() >= c["se_robust"].as_f64().unwrap());
    }
    assert!(v["n_clusters"].as_u64().unwrap() > 1000);
}

#[test]
fn a_bad_formula_exits_2_pointing_at_the_token() {
    let o = cohort(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "family_incidents ~ factor(wave) + (1 | famly_id)",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("column 40: unknown name 'famly_id'; did you mean 'family_id'?"),
        "{err}"
    );
    let o = cohort(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "family_incidents ~ ~",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // The months of a wave are a combination of the wave factor: the
    // aliased term is named.
    let o = cohort(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "family_incidents ~ factor(wave) + months",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rank-deficient: months is a linear combination"),
        "{err}"
    );
}

#[test]
fn the_vji_mixed_model_matches_lme4() {
    // lme4 1.1-31 on the same scores (fixtures/reference/expected/
    // vji_family_incidents_lmm.json, with its call).
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(cohort_testkit::fixture(
            "reference/expected/vji_family_incidents_lmm.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let v = cohort_json(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "family_incidents ~ factor(wave) + (1 | family_id)",
        "--json",
    ]);
    assert_eq!(v["nobs"], r["nobs"]);
    assert_eq!(v["ngroups"]["family_id"], r["ngroups"]);
    let close = |got: f64, want: f64, rel: f64| (got - want).abs() <= rel * want.abs();
    for c in v["coefficients"].as_array().unwrap() {
        let term = c["term"].as_str().unwrap();
        let se = r["se"][term].as_f64().unwrap();
        let est = r["estimate"][term].as_f64().unwrap();
        assert!(
            (c["estimate"].as_f64().unwrap() - est).abs() <= 1e-6 * se,
            "{term}"
        );
        assert!(close(c["se"].as_f64().unwrap(), se, 1e-5), "{term}");
    }
    let vc = v["varcomp"].as_array().unwrap();
    assert!(close(
        vc[0]["vcov"].as_f64().unwrap(),
        r["varcomp"]["family_id"].as_f64().unwrap(),
        1e-5
    ));
    assert!(close(
        vc[1]["vcov"].as_f64().unwrap(),
        r["varcomp"]["Residual"].as_f64().unwrap(),
        1e-5
    ));
    let crit = v["criterion"].as_f64().unwrap();
    assert!(close(crit, r["criterion"].as_f64().unwrap(), 1e-9));
}

#[test]
fn the_vji_nested_model_matches_lme4() {
    // Children and parents within families; lme4 1.1-31 and lmerTest 3.1-3
    // on the same scores (fixtures/reference/expected/vji_trauma_nested.json,
    // written by fixtures/reference/extra.R, with its call).
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(cohort_testkit::fixture(
            "reference/expected/vji_trauma_nested.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let r = &r["lmm"]["nested_reml"];
    let v = cohort_json(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "trauma.total ~ factor(wave) + sex + (1 | family_id/respondent_id)",
        "--json",
    ]);
    assert_eq!(v["nobs"], r["nobs"]);
    assert_eq!(v["ngroups"], r["ngroups"]);
    let close = |got: &serde_json::Value, want: &serde_json::Value, rel: f64| {
        let (got, want) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        (got - want).abs() <= rel * want.abs()
    };
    // p on the log scale: a t of 31.5 puts p at 1e-167, where 1e-6 in t
    // moves p by 1e-4 relative.
    let close_p = |got: &serde_json::Value, want: &serde_json::Value| {
        let (got, want) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        (got.ln() - want.ln()).abs() <= 1e-5 * want.ln().abs().max(1.0)
    };
    let coefficients = v["coefficients"].as_array().unwrap();
    assert_eq!(coefficients.len(), 4);
    for c in coefficients {
        let term = c["term"].as_str().unwrap();
        let se = r["se"][term].as_f64().unwrap();
        let est = r["estimate"][term].as_f64().unwrap();
        assert!(
            (c["estimate"].as_f64().unwrap() - est).abs() <= 1e-6 * se,
            "{term}"
        );
        assert!(close(&c["se"], &r["se"][term], 1e-5), "{term}");
        // Satterthwaite's df, as lmerTest.
        assert!(
            close(&c["df"], &r["df"][term], 1e-6),
            "{term} df {}",
            c["df"]
        );
        assert!(close_p(&c["p_value"], &r["p"][term]), "{term} p");
    }
    // Type III F tests, as lmerTest's anova(fit, type = 3).
    let (anova, want) = (
        v["anova"].as_array().unwrap(),
        r["anova_type3"].as_array().unwrap(),
    );
    assert_eq!(anova.len(), 2);
    for (got, want) in anova.iter().zip(want) {
        assert_eq!(got["term"], want["term"]);
        assert_eq!(got["df_num"], want["df_num"]);
        assert!(close(&got["f"], &want["f"], 1e-6), "{got}");
        assert!(close(&got["df_den"], &want["df_den"], 1e-6), "{got}");
        assert!(close_p(&got["p_value"], &want["p_value"]), "{got}");
    }
    let (vc, want) = (
        v["varcomp"].as_array().unwrap(),
        r["varcomp"].as_array().unwrap(),
    );
    assert_eq!(vc.len(), 3);
    for (got, want) in vc.iter().zip(want) {
        assert_eq!(got["group"], want["group"]);
        assert!(close(&got["vcov"], &want["vcov"], 1e-5), "{got}");
    }
    assert!(close(&v["criterion"], &r["criterion"], 1e-9));
}

#[test]
fn a_negative_binomial_model_with_clustered_ses_matches_r() {
    // MASS::glm.nb with sandwich::vcovCL (CR1) and clubSandwich::vcovCR
    // (CR2) by family on the same scores (fixtures/reference/expected/
    // vji_family_incidents_negbin.json, from extra.R).
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(cohort_testkit::fixture(
            "reference/expected/vji_family_incidents_negbin.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let r = &r["negbin"];
    let close = |got: &serde_json::Value, want: &serde_json::Value, rel: f64| {
        let (got, want) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        (got - want).abs() <= rel * want.abs()
    };
    for (kind, key) in [("cr1", "se_cr1"), ("cr2", "se_cr2")] {
        let v = cohort_json(&[
            "model",
            "fixtures/vji/study.toml",
            "--formula",
            "family_incidents ~ factor(wave)",
            "--family",
            "negbin",
            "--cluster-se",
            kind,
            "--json",
        ]);
        assert_eq!(v["kind"], "glm");
        assert_eq!(v["family"], "negbin");
        assert_eq!(v["link"], "log");
        assert_eq!(v["vcov"], kind.to_uppercase());
        assert_eq!(v["cluster"]["column"], "family_id");
        assert_eq!(v["cluster"]["n_clusters"], r["n_clusters"]);
        assert_eq!(v["nobs"], r["nobs"]);
        assert_eq!(v["df_loglik"], 4);
        assert!(close(&v["theta"], &r["theta"], 1e-6), "{}", v["theta"]);
        assert!(close(&v["se_theta"], &r["se_theta"], 1e-5));
        assert!(close(&v["loglik"], &r["loglik"], 1e-9));
        assert!(close(&v["aic"], &r["aic"], 1e-9));
        for c in v["coefficients"].as_array().unwrap() {
            let term = c["term"].as_str().unwrap();
            assert!(close(&c["estimate"], &r["estimate"][term], 1e-6), "{term}");
            assert!(
                close(&c["se"], &r[key][term], 1e-5),
                "{kind} {term}: {}",
                c["se"]
            );
            assert!(c["df"].is_null(), "z tests for a GLM");
        }
    }
}

#[test]
fn poisson_and_nested_logistic_mixed_models_match_glmer() {
    // glmer (Laplace, tight control) on the same scores (fixtures/
    // reference/expected/vji_glmm.json, from extra.R). R's two Hessians of
    // glmer's deviance, its own vcov (plain differences) and numDeriv's
    // (Richardson), differ by 1e-4 to 1.3e-3 on these models: each SE must
    // be within 1e-4 of one of them (ours is within 2e-5 of the closer one,
    // and moves by 5e-5 between steps of 1e-2 and 3e-2).
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(cohort_testkit::fixture("reference/expected/vji_glmm.json"))
            .unwrap(),
    )
    .unwrap();
    let close = |got: &serde_json::Value, want: &serde_json::Value, rel: f64| {
        let (got, want) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        (got - want).abs() <= rel * want.abs()
    };
    for (key, formula, family) in [
        (
            "poisson_ri",
            "family_incidents ~ factor(wave) + (1 | family_id)",
            "poisson",
        ),
        (
            "binomial_nested",
            "trauma.total.clinical ~ factor(wave) + (1 | family_id/respondent_id)",
            "binomial",
        ),
        (
            "binomial_ri",
            "family_severe_or_frequent ~ factor(wave) + (1 | family_id)",
            "binomial",
        ),
    ] {
        let m = &r[key];
        let v = cohort_json(&[
            "model",
            "fixtures/vji/study.toml",
            "--formula",
            formula,
            "--family",
            family,
            "--json",
        ]);
        assert_eq!(v["kind"], "glmm");
        assert_eq!(v["fit"], "laplace");
        assert_eq!(v["nobs"], m["nobs"]);
        assert_eq!(v["ngroups"], m["ngroups"]);
        assert_eq!(v["df_loglik"], m["df_logLik"]);
        for c in v["coefficients"].as_array().unwrap() {
            let term = c["term"].as_str().unwrap();
            let (est, se) = (
                m["estimate"][term].as_f64().unwrap(),
                m["se_numderiv"][term].as_f64().unwrap(),
            );
            // 1e-5 relative or 1e-5 of the SE (the tolerance),
            // with a little room for glmer's own stopping point on a flat
            // likelihood (2e-5 of the SE).
            assert!(
                (c["estimate"].as_f64().unwrap() - est).abs() <= (1e-5 * est.abs()).max(2e-5 * se),
                "{key} {term}: {}",
                c["estimate"]
            );
            assert!(
                close(&c["se"], &m["se"][term], 1e-4)
                    || close(&c["se"], &m["se_numderiv"][term], 1e-4),
                "{key} {term} se {}",
                c["se"]
            );
            assert!(c["df"].is_null());
        }
        let ll = v["loglik"].as_f64().unwrap();
        let want = m["logLik"].as_f64().unwrap();
        assert!((ll - want).abs() <= 1e-6, "{key} logLik {ll} vs {want}");
        assert!(ll >= want - 1e-9, "{key}: below glmer's likelihood");
        if family == "poisson" {
            // Pearson chi-square / residual df at the conditional modes,
            // as sum(residuals(fit, "pearson")^2) / df.residual(fit).
            assert!(
                close(&v["dispersion"], &m["pearson_dispersion"], 1e-6),
                "{}",
                v["dispersion"]
            );
        } else {
            assert!(v["dispersion"].is_null());
        }
        for (got, want) in v["varcomp"]
            .as_array()
            .unwrap()
            .iter()
            .zip(m["varcomp"].as_array().unwrap())
        {
            assert_eq!(got["group"], want["group"]);
            assert!(close(&got["vcov"], &want["vcov"], 1e-4), "{key} {got}");
        }
        // The conditional modes summarised as lme4's ranef(fit): levels,
        // mean and SD of the modes, per grouping (1e-4 of their SD).
        let modes = v["conditional_modes"].as_array().unwrap();
        assert_eq!(modes.len(), m["modes"].as_array().unwrap().len());
        for want in m["modes"].as_array().unwrap() {
            let got = modes
                .iter()
                .find(|g| g["group"] == want["group"])
                .unwrap_or_else(|| panic!("{key}: no modes of {}", want["group"]));
            assert_eq!(got["effect"], "(Intercept)");
            assert_eq!(got["n"], want["n"]);
            let sd = want["sd"].as_f64().unwrap();
            for stat in ["mean", "sd"] {
                let (g, w) = (got[stat].as_f64().unwrap(), want[stat].as_f64().unwrap());
                assert!((g - w).abs() <= 1e-4 * sd, "{key} {stat}: {g} vs {w}");
            }
        }
    }
}

#[test]
fn a_negative_binomial_mixed_model_matches_glmmtmb() {
    // glmmTMB nbinom2 (Laplace), taken to its exact-gradient optimum
    // (vji_glmm.json, nbinom2_ri): estimates 1e-5 relative, SEs 1e-4,
    // theta 1e-5, SE(theta) 1e-4 (the delta method on glmmTMB's SE of log
    // theta), logLik 1e-6 and never below glmmTMB's.
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(cohort_testkit::fixture("reference/expected/vji_glmm.json"))
            .unwrap(),
    )
    .unwrap();
    let m = &r["nbinom2_ri"];
    let close = |got: &serde_json::Value, want: f64, rel: f64| {
        (got.as_f64().unwrap() - want).abs() <= rel * want.abs()
    };
    let v = cohort_json(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "family_incidents ~ factor(wave) + (1 | family_id)",
        "--family",
        "negbin",
        "--json",
    ]);
    assert_eq!(v["kind"], "glmm");
    assert_eq!(v["family"], "negbin");
    assert_eq!(v["nobs"], m["nobs"]);
    assert_eq!(v["df_loglik"], m["df_logLik"]);
    for c in v["coefficients"].as_array().unwrap() {
        let term = c["term"].as_str().unwrap();
        let want = m["estimate"][term].as_f64().unwrap();
        assert!(
            close(&c["estimate"], want, 1e-5),
            "{term}: {}",
            c["estimate"]
        );
        let want = m["se"][term].as_f64().unwrap();
        assert!(close(&c["se"], want, 1e-4), "{term} se: {}", c["se"]);
    }
    let theta = m["theta"].as_f64().unwrap();
    assert!(close(&v["theta"], theta, 1e-5), "theta {}", v["theta"]);
    let se_theta = theta * m["se_log_theta"].as_f64().unwrap();
    assert!(close(&v["se_theta"], se_theta, 1e-4), "{}", v["se_theta"]);
    let want = m["varcomp"][0]["vcov"].as_f64().unwrap();
    assert!(
        close(&v["varcomp"][0]["vcov"], want, 1e-4),
        "{}",
        v["varcomp"]
    );
    let (ll, want) = (v["loglik"].as_f64().unwrap(), m["logLik"].as_f64().unwrap());
    assert!(
        (ll - want).abs() <= 1e-6 && ll >= want - 1e-9,
        "{ll} vs {want}"
    );
    assert!(v["dispersion"].is_null(), "no Pearson check for the NB2");
}

#[test]
fn a_poisson_glm_reports_its_overdispersion() {
    // R: sum(residuals(glm, "pearson")^2) / df.residual (vji_glmm.json).
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(cohort_testkit::fixture("reference/expected/vji_glmm.json"))
            .unwrap(),
    )
    .unwrap();
    let v = cohort_json(&[
        "model",
        "fixtures/vji/study.toml",
        "--formula",
        "family_incidents ~ factor(wave)",
        "--family",
        "poisson",
        "--json",
    ]);
    let (got, want) = (
        v["dispersion"].as_f64().unwrap(),
        r["poisson_glm"]["pearson_dispersion"].as_f64().unwrap(),
    );
    assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
    assert!(v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().starts_with("overdispersion")));
}

#[test]
fn cluster_ses_are_refused_where_they_do_not_apply() {
    for (args, says) in [
        (
            &[
                "--formula",
                "family_incidents ~ factor(wave) + (1 | family_id)",
                "--cluster-se",
                "cr1",
            ][..],
            "random terms",
        ),
        (
            &[
                "--formula",
                "family_incidents ~ factor(wave)",
                "--cluster-se",
                "cr2",
                "--cluster",
                "region",
            ][..],
            "--cluster region: expected the cluster column",
        ),
    ] {
        let mut all = vec!["model", "fixtures/vji/study.toml"];
        all.extend_from_slice(args);
        let out = cohort(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
