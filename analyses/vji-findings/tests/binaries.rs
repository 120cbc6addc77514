//! The analysis binaries run on fixtures/vji and publish nothing below
//! min_cell.

use std::process::Command;

fn run(bin: &str, exe: &str) -> serde_json::Value {
    let root = cohort_testkit::workspace_root();
    let out = std::env::temp_dir().join(format!("{bin}-{}", std::process::id()));
    let status = Command::new(exe)
        .args([
            root.join("fixtures/vji/study.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "{bin}");
    let file = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let v = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    std::fs::remove_dir_all(&out).ok();
    v
}

/// Every `{"shown": "count", "value": n}` in the document is at least 10,
/// or a structural zero (nobody drops out at the first wave: such zeros
/// are the only counts below the minimum the gate shows).
fn counts_at_least(v: &serde_json::Value, min: u64) {
    match v {
        serde_json::Value::Object(m) => {
            if m.get("shown").and_then(|s| s.as_str()) == Some("count") {
                let n = m["value"].as_u64().unwrap();
                assert!(n >= min || n == 0, "published count {n}");
            }
            m.values().for_each(|x| counts_at_least(x, min));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| counts_at_least(x, min)),
        _ => {}
    }
}

#[test]
fn effectiveness_trauma_and_attrition() {
    let e = run("vji-effectiveness", env!("CARGO_BIN_EXE_vji-effectiveness"));
    let t0t2 = e["change"]["T0_T2"].as_array().unwrap();
    let any = t0t2
        .iter()
        .find(|r| r["measure"] == "family_any_violence")
        .unwrap();
    assert!(any["mean_diff"].as_f64().unwrap() < 0.0);
    assert!(e["change"]["T0_T1"].is_array() && e["change"]["T1_T2"].is_array());
    counts_at_least(&e, 10);

    let t = run("vji-trauma", env!("CARGO_BIN_EXE_vji-trauma"));
    assert!(t["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["measure"] == "trauma.total.clinical"));
    assert_eq!(t["reliable_change"][0]["measure"], "trauma.total");
    counts_at_least(&t, 10);

    let a = run("vji-attrition", env!("CARGO_BIN_EXE_vji-attrition"));
    assert!(a["retention_by_risk_factor"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["factor"] == "poverty"));
    counts_at_least(&a, 10);
}

#[test]
fn f12_adjusted_odds_ratio_matches_geepack() {
    // geepack on the same children (fixtures/reference/expected/
    // vji_f12_gee.json, with its call): values printed to 13 digits.
    let root = cohort_testkit::workspace_root();
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("fixtures/reference/expected/vji_f12_gee.json"))
            .unwrap(),
    )
    .unwrap();
    let doc = run("vji-findings", env!("CARGO_BIN_EXE_vji-findings"));
    let gee = &doc["findings"]["F12"]["versions"]["gee"];
    let close = |got: &serde_json::Value, want: &serde_json::Value| {
        let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        (g - w).abs() <= 1e-9 * w.abs()
    };
    assert!(close(&gee["value"], &r["odds_ratio"]), "{gee}");
    assert!(close(&gee["ci95"][0], &r["ci95"][0]), "{gee}");
    assert!(close(&gee["ci95"][1], &r["ci95"][1]), "{gee}");
    assert_eq!(gee["n"], r["nobs"]);
}

#[test]
fn f9_glmm_ratios_match_glmmtmb_and_glmer() {
    // F9's GLMM versions against R on the same scores (fixtures/reference/
    // expected/vji_glmm.json): the rate ratio exp(beta_T2) of glmmTMB's NB2
    // and the odds ratio of glmer's logistic model (tight control), with
    // Wald intervals exp(beta -+ 1.959964 se), the SE as glmmTMB's exact
    // Hessian or numDeriv's of glmer's deviance (se_numderiv) gives it.
    let root = cohort_testkit::workspace_root();
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("fixtures/reference/expected/vji_glmm.json")).unwrap(),
    )
    .unwrap();
    let doc = run("vji-findings", env!("CARGO_BIN_EXE_vji-findings"));
    let versions = &doc["findings"]["F9"]["versions"];
    for (version, key) in [("glmm", "nbinom2_ri"), ("glmm_prevalence", "binomial_ri")] {
        let f = &versions[version];
        let m = &r[key];
        let se_key = if m["se_numderiv"].is_object() {
            "se_numderiv"
        } else {
            "se"
        };
        let (b, se) = (
            m["estimate"]["factor(wave)T2"].as_f64().unwrap(),
            m[se_key]["factor(wave)T2"].as_f64().unwrap(),
        );
        // On the log scale: the coefficient within 1e-5 of its size, each
        // bound within that and 1.96 x the SE's tolerance.
        let log = |v: &serde_json::Value| v.as_f64().unwrap().ln();
        let tolerance = 1e-5 * b.abs();
        assert!((log(&f["value"]) - b).abs() <= tolerance, "{version}: {f}");
        for (k, sign) in [(0, -1.0), (1, 1.0)] {
            let want = b + sign * 1.959964 * se;
            assert!(
                (log(&f["ci95"][k]) - want).abs() <= tolerance + 1.96 * se * 1e-4,
                "{version}: {f} vs exp({want})"
            );
        }
        assert_eq!(
            f["n"],
            m["ngroups"]["family_id"].as_u64().map_or(
                // glmmTMB stores no group count: the families of glmer's Poisson
                // fit on the same rows.
                r["poisson_ri"]["ngroups"]["family_id"].clone(),
                serde_json::Value::from,
            )
        );
    }
}
