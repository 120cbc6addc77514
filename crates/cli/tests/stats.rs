//! `cohort change` and `cohort describe` on fixtures/vji.

use std::process::Command;

use crate::{cohort, cohort_json};

const CONTRACT: [&str; 18] = [
    "schema",
    "measure",
    "from",
    "to",
    "n_pairs",
    "n_from_only",
    "n_to_only",
    "mean_from",
    "mean_to",
    "mean_diff",
    "sd_diff",
    "paired_t",
    "wilcoxon",
    "sign_test",
    "mcnemar",
    "effect_size",
    "prevalence",
    "transitions",
];

#[test]
fn change_of_family_violence_gives_the_full_contract() {
    let j = cohort_json(&[
        "change",
        "fixtures/vji/study.toml",
        "--measure",
        "family_any_violence",
        "--from",
        "T0",
        "--to",
        "T2",
        "--json",
        "--bootstrap",
        "200",
    ]);
    for key in CONTRACT {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    for (obj, keys) in [
        ("paired_t", &["statistic", "df", "p_value", "ci95"][..]),
        (
            "wilcoxon",
            &["statistic", "p_value", "method", "n_nonzero"][..],
        ),
        ("sign_test", &["n_pos", "n_neg", "p_value"][..]),
        (
            "mcnemar",
            &["b", "c", "chi2", "chi2_cc", "p_value", "p_exact", "p_mid"][..],
        ),
        (
            "effect_size",
            &["dz", "dz_ci95", "dav", "rank_biserial"][..],
        ),
        ("prevalence", &["from", "to", "from_ci95", "to_ci95"][..]),
        (
            "transitions",
            &["stopped", "started", "decreased", "unchanged", "increased"][..],
        ),
    ] {
        for k in keys {
            assert!(j[obj].get(*k).is_some(), "missing {obj}.{k}");
        }
    }
    assert_eq!(j["level"], "family");
    assert_eq!(j["bootstrap_method"]["replicates"], 200);
    // Transitions add up to the pairs.
    let t = &j["transitions"];
    let sum: u64 = ["stopped", "started", "decreased", "unchanged", "increased"]
        .iter()
        .map(|k| t[k].as_u64().unwrap())
        .sum();
    assert_eq!(sum, j["n_pairs"].as_u64().unwrap());
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let run = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_cohort"))
            .args([
                "change",
                "fixtures/vji/study.toml",
                "--from",
                "T0",
                "--to",
                "T2",
                "--json",
                "--bootstrap",
                "300",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(cohort_testkit::workspace_root())
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(one.len() > 10_000);
    assert!(one == run("2"), "1 and 2 threads differ");
}

#[test]
fn describe_by_group_and_bad_arguments() {
    let j = cohort_json(&[
        "describe",
        "fixtures/vji/study.toml",
        "--by",
        "poverty",
        "--json",
        "--bootstrap",
        "50",
    ]);
    let rows = j.as_array().unwrap();
    assert!(rows
        .iter()
        .any(|r| r["measure"] == "family_incidents" && r["group"] == "1" && r["wave"] == "T0"));
    let out = cohort(&[
        "change",
        "fixtures/vji/study.toml",
        "--measure",
        "family_any_violenc",
        "--from",
        "T0",
        "--to",
        "T2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `family_any_violence`?"));
    let out = cohort(&[
        "change",
        "fixtures/vji/study.toml",
        "--from",
        "T0",
        "--to",
        "T9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = cohort(&["describe", "fixtures/vji/study.toml", "--by", "age"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn describe_one_measure_and_a_typo_with_a_suggestion() {
    let all = cohort_json(&[
        "describe",
        "fixtures/vji/study.toml",
        "--json",
        "--bootstrap",
        "50",
    ]);
    let one = cohort_json(&[
        "describe",
        "fixtures/vji/study.toml",
        "--json",
        "--bootstrap",
        "50",
        "--measure",
        "family_any_violence",
    ]);
    let of = |j: &serde_json::Value| -> Vec<serde_json::Value> {
        j.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["measure"] == "family_any_violence")
            .cloned()
            .collect()
    };
    let rows = one.as_array().unwrap();
    assert_eq!(rows.len(), 3, "one measure at three waves");
    // The same estimates and intervals as in the run of every measure.
    assert_eq!(of(&one), of(&all));
    let out = cohort(&[
        "describe",
        "fixtures/vji/study.toml",
        "--measure",
        "family_any_violnce",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `family_any_violence`?"), "{err}");
}

#[test]
fn analyst_json_is_marked_as_not_disclosure_checked() {
    let j = cohort_json(&[
        "change",
        "fixtures/small/study.toml",
        "--measure",
        "partner.prevalence",
        "--from",
        "T0",
        "--to",
        "T2",
        "--json",
        "--bootstrap",
        "0",
    ]);
    assert_eq!(j["disclosure"], "not checked");
    let d = cohort_json(&[
        "describe",
        "fixtures/small/study.toml",
        "--json",
        "--bootstrap",
        "0",
    ]);
    let rows = d.as_array().expect("one object per measure and wave");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["disclosure"] == "not checked"));
}

#[test]
fn numeric_arguments_out_of_range_are_bad_input() {
    for args in [
        &[
            "describe",
            "fixtures/small/study.toml",
            "--bootstrap",
            "18446744073709551615",
        ][..],
        &[
            "describe",
            "fixtures/small/study.toml",
            "--bootstrap",
            "4294967296",
        ],
        &[
            "report",
            "fixtures/small/study.toml",
            "--out",
            "/nonexistent/x",
            "--bootstrap",
            "-1",
        ],
        &[
            "synth",
            "--preset",
            "vji",
            "--seed",
            "1",
            "--families",
            "0",
            "--out",
            "/nonexistent/x",
        ],
        &[
            "synth",
            "--preset",
            "vji",
            "--seed",
            "1",
            "--families",
            "18446744073709551615",
            "--out",
            "/nonexistent/x",
        ],
        &[
            "change",
            "fixtures/small/study.toml",
            "--from",
            "T0",
            "--to",
            "T0",
        ],
    ] {
        let out = cohort(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}
