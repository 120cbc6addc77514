//! The statistics against fixtures/reference (R 4.2.2; see its README):
//! per-wave descriptives and first-vs-last paired tests of sleepstudy,
//! ohio and bacteria. Statistics within 1e-10 relative, p-values 1e-8.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cohort_stats::sums::{mean, sd};
use cohort_stats::{
    describe, effect_sizes, mcnemar, paired_t, proportion, sign_test, wilcoxon, WilcoxonMethod,
};
use serde_json::Value;

const STAT: f64 = 1e-10;
const P: f64 = 1e-8;

/// fixtures/reference: the public datasets and their R values.
fn reference_dir() -> PathBuf {
    cohort_testkit::fixture("reference")
}

struct Dataset {
    expected: Value,
    /// wave -> (id -> value); missing outcomes left out.
    by_wave: BTreeMap<i64, BTreeMap<String, f64>>,
    /// id -> group (the manifest's group column), when there is one.
    group: BTreeMap<String, String>,
}

fn dataset(name: &str) -> Dataset {
    let dir = reference_dir();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("expected/{name}.json"))).unwrap(),
    )
    .unwrap();
    let outcome = expected["spec"]["outcome"].as_str().unwrap().to_string();
    let mut reader = csv::Reader::from_path(dir.join(format!("data/{name}.csv"))).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    let (id, wave, y) = (col("id"), col("wave"), col(&outcome));
    let group_col = expected["spec"]["group"].as_str().map(col);
    let mut by_wave: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
    let mut group = BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        if let Some(g) = group_col {
            group.insert(rec[id].to_string(), rec[g].to_string());
        }
        if rec[y].is_empty() || rec[y] == *"NA" {
            continue;
        }
        by_wave
            .entry(rec[wave].parse().unwrap())
            .or_default()
            .insert(rec[id].to_string(), rec[y].parse().unwrap());
    }
    Dataset {
        expected,
        by_wave,
        group,
    }
}

fn check(what: &str, got: f64, want: &Value, rel: f64) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: reference is {want}"));
    let ok = if want == 0.0 {
        got.abs() < rel
    } else {
        ((got - want) / want).abs() <= rel
    };
    assert!(
        ok,
        "{what}: got {got:.17}, R {want:.17} (tolerance {rel:e} relative)"
    );
}

/// Descriptives of `x` against a reference row: n, mean, SD, median,
/// quartiles, min, max, and the prevalence where the row has one.
fn check_row(what: &str, x: &[f64], row: &Value) {
    let s = describe(x);
    let at = |f: &str| format!("{what} {f}");
    assert_eq!(s.n as i64, row["n"].as_i64().unwrap(), "{}", at("n"));
    for (f, v) in [
        ("mean", s.mean),
        ("sd", s.sd),
        ("median", s.median),
        ("q25", s.q25),
        ("q75", s.q75),
        ("min", s.min),
        ("max", s.max),
    ] {
        check(&at(f), v.unwrap(), &row[f], STAT);
    }
    if let Some(prev) = row.get("prevalence") {
        let k = x.iter().filter(|v| **v > 0.0).count() as u64;
        check(
            &at("prevalence"),
            proportion(k, x.len() as u64).unwrap().estimate,
            prev,
            STAT,
        );
    }
}

fn descriptives(name: &str) {
    let d = dataset(name);
    for row in d.expected["r"]["descriptives"]["by_wave"]
        .as_array()
        .unwrap()
    {
        let w = row["wave"].as_i64().unwrap();
        let x: Vec<f64> = d.by_wave[&w].values().copied().collect();
        check_row(&format!("{name} wave {w}"), &x, row);
    }
}

/// Descriptives per wave and group (`descriptives.by_wave_group`).
fn descriptives_by_group(name: &str) {
    let d = dataset(name);
    let rows = d.expected["r"]["descriptives"]["by_wave_group"]
        .as_array()
        .unwrap();
    assert!(!rows.is_empty());
    let group_key = d.expected["spec"]["group"].as_str().unwrap();
    for row in rows {
        let w = row["wave"].as_i64().unwrap();
        let g = match &row[group_key] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let x: Vec<f64> = d.by_wave[&w]
            .iter()
            .filter(|(id, _)| d.group[*id] == g)
            .map(|(_, v)| *v)
            .collect();
        check_row(&format!("{name} wave {w} group {g}"), &x, row);
    }
}

#[test]
fn ohio_descriptives_by_smoking() {
    descriptives_by_group("ohio");
}

#[test]
fn bacteria_descriptives_by_treatment() {
    descriptives_by_group("bacteria");
}

fn paired(name: &str) {
    let d = dataset(name);
    let e = &d.expected["r"]["paired_first_last"];
    let (first, last) = (
        e["first_wave"].as_i64().unwrap(),
        e["last_wave"].as_i64().unwrap(),
    );
    let (a, b) = (&d.by_wave[&first], &d.by_wave[&last]);
    let ids: Vec<&String> = a.keys().filter(|k| b.contains_key(*k)).collect();
    let from: Vec<f64> = ids.iter().map(|k| a[*k]).collect();
    let to: Vec<f64> = ids.iter().map(|k| b[*k]).collect();
    assert_eq!(from.len() as i64, e["n_pairs"].as_i64().unwrap());
    let diff: Vec<f64> = to.iter().zip(&from).map(|(t, f)| t - f).collect();
    check(
        &format!("{name} mean_diff"),
        mean(&diff).unwrap(),
        &e["mean_diff"],
        STAT,
    );
    check(
        &format!("{name} sd_diff"),
        sd(&diff).unwrap(),
        &e["sd_diff"],
        STAT,
    );

    let t = paired_t(&diff).unwrap();
    let rt = &e["paired_t"];
    check(&format!("{name} t"), t.statistic, &rt["t"], STAT);
    check(&format!("{name} t df"), t.df, &rt["df"], STAT);
    check(&format!("{name} t p"), t.p_value, &rt["p"], P);
    check(&format!("{name} t se"), t.se, &rt["se"], STAT);
    check(&format!("{name} t ci lo"), t.ci95[0], &rt["ci95"][0], STAT);
    check(&format!("{name} t ci hi"), t.ci95[1], &rt["ci95"][1], STAT);

    let rw = &e["wilcoxon_signed_rank"];
    let w = wilcoxon(&diff, WilcoxonMethod::RDefault).unwrap();
    check(&format!("{name} V"), w.statistic, &rw["V"], STAT);
    check(&format!("{name} E(V)"), w.expected, &rw["expected_V"], STAT);
    check(&format!("{name} var(V)"), w.variance, &rw["var_V"], STAT);
    assert_eq!(w.n_zero as i64, rw["n_zero_dropped"].as_i64().unwrap());
    assert_eq!(w.ties, rw["ties"].as_bool().unwrap());
    // R's default picks exact or normal with continuity correction.
    let r_default = &rw["r_default"];
    assert_eq!(
        w.method == "exact",
        r_default["exact_used"].as_bool().unwrap(),
        "{name} method"
    );
    check(
        &format!("{name} wilcoxon p (R default)"),
        w.p_value,
        &r_default["p"],
        P,
    );
    for (key, correct, z_key) in [
        ("normal_continuity", true, "z_continuity"),
        ("normal_no_continuity", false, "z_no_correction"),
    ] {
        let wn = wilcoxon(&diff, WilcoxonMethod::Normal(correct)).unwrap();
        check(
            &format!("{name} wilcoxon p {key}"),
            wn.p_value,
            &rw[key]["p"],
            P,
        );
        check(
            &format!("{name} wilcoxon {z_key}"),
            wn.z.unwrap(),
            &rw[z_key],
            STAT,
        );
    }

    let st = sign_test(&diff);
    let rs = &e["sign_test"];
    assert_eq!(
        (st.n_pos as i64, st.n_neg as i64, st.n_zero as i64),
        (
            rs["n_pos"].as_i64().unwrap(),
            rs["n_neg"].as_i64().unwrap(),
            rs["n_zero"].as_i64().unwrap()
        )
    );
    check(
        &format!("{name} sign p"),
        st.p_value.expect("non-zero differences"),
        &rs["p"],
        P,
    );

    if let Some(rm) = e.get("mcnemar_prevalence") {
        let b = from
            .iter()
            .zip(&to)
            .filter(|(f, t)| **f > 0.0 && **t <= 0.0)
            .count() as u64;
        let c = from
            .iter()
            .zip(&to)
            .filter(|(f, t)| **f <= 0.0 && **t > 0.0)
            .count() as u64;
        assert_eq!(
            (b as i64, c as i64),
            (rm["b"].as_i64().unwrap(), rm["c"].as_i64().unwrap())
        );
        let m = mcnemar(b, c);
        check(
            &format!("{name} mcnemar chi2 cc"),
            m.chi2_cc.unwrap(),
            &rm["chi2_continuity"]["statistic"],
            STAT,
        );
        check(
            &format!("{name} mcnemar p cc"),
            m.p_value.unwrap(),
            &rm["chi2_continuity"]["p"],
            P,
        );
        check(
            &format!("{name} mcnemar chi2"),
            m.chi2.unwrap(),
            &rm["chi2_no_continuity"]["statistic"],
            STAT,
        );
        check(
            &format!("{name} mcnemar p"),
            m.p_value_no_cc.unwrap(),
            &rm["chi2_no_continuity"]["p"],
            P,
        );
        check(
            &format!("{name} mcnemar exact"),
            m.p_exact.unwrap(),
            &rm["exact_binomial"]["p"],
            P,
        );
    }

    let es = effect_sizes(&from, &to);
    let re = &e["effect_sizes"];
    check(&format!("{name} d_z"), es.dz.unwrap(), &re["d_z"], STAT);
    check(&format!("{name} d_av"), es.dav.unwrap(), &re["d_av"], STAT);
    check(
        &format!("{name} d_avg_variance"),
        es.d_avg_variance.unwrap(),
        &re["d_avg_variance"],
        STAT,
    );
    check(
        &format!("{name} r"),
        es.r_from_to.unwrap(),
        &re["r_first_last"],
        STAT,
    );
    check(&format!("{name} d_rm"), es.drm.unwrap(), &re["d_rm"], STAT);
}

#[test]
fn sleepstudy_descriptives() {
    descriptives("sleepstudy");
}

#[test]
fn ohio_descriptives() {
    descriptives("ohio");
}

#[test]
fn bacteria_descriptives() {
    descriptives("bacteria");
}

#[test]
fn sleepstudy_paired_exact_wilcoxon() {
    paired("sleepstudy");
}

#[test]
fn ohio_paired_with_ties_and_zeros() {
    paired("ohio");
}

#[test]
fn bacteria_paired_with_missing_visits() {
    paired("bacteria");
}
