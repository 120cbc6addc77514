//! `cohort check` on fixtures/small: the JSON fields and the text summary.

use crate::{cohort, cohort_json};

#[test]
fn json_has_stable_fields_and_the_hand_counted_numbers() {
    let j = cohort_json(&["check", "--json", "fixtures/small/study.toml"]);
    assert_eq!(j["schema"], "cohort.check/1");
    // 26 respondents in 12 families, 63 observations (counts derived in
    // crates/panel/tests/small.rs).
    assert_eq!(j["respondents"], 26);
    assert_eq!(j["clusters"]["n"], 12);
    assert_eq!(j["observations"], 63);
    assert_eq!(j["response"]["respondents"]["complete"], 16);
    assert_eq!(j["load"]["files"][0]["rows_read"], 63);
    assert_eq!(j["load"]["files"][0]["rows_kept"], 63);
    let waves: Vec<&str> = j["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["label"].as_str().unwrap())
        .collect();
    assert_eq!(waves, ["T0", "T1", "T2"]);
}

#[test]
fn text_summary_shows_accounting_and_patterns() {
    let out = cohort(&["check", "fixtures/small/study_wide.toml"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    // The wide file has 26 rows, one per respondent.
    assert!(text.contains("26 read = 26 kept + 0 excluded"), "{text}");
    assert!(
        text.contains("complete 16, dropped out 8, late entry 1, returned 1"),
        "{text}"
    );
}

#[test]
fn strict_failure_in_json_mode_still_reports_problems() {
    let out = cohort(&["check", "--json", "fixtures/bad/out_of_range/study.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["ok"], false);
    assert_eq!(j["load"]["problems"][0]["kind"], "out_of_range");
    assert_eq!(j["load"]["problems"][0]["line"], 5);
    assert_eq!(j["load"]["problems"][0]["value"], "9");
}

#[test]
fn missing_study_file_is_exit_2() {
    let out = cohort(&["check", "fixtures/does-not-exist.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("cannot read study file fixtures/does-not-exist.toml"));
}

#[test]
fn a_lenient_run_that_keeps_no_row_is_an_error() {
    let dir = std::env::temp_dir().join(format!("cohort-nothing-kept-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let study = std::fs::read_to_string(cohort_testkit::fixture("small/study.toml")).unwrap();
    std::fs::write(dir.join("study.toml"), study).unwrap();
    // Every row's wave is undeclared: lenient excludes them all.
    let data: String = std::fs::read_to_string(cohort_testkit::fixture("small/panel_long.csv"))
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                format!(
                    "{}\n",
                    l.replace(",T0,", ",T9,")
                        .replace(",T1,", ",T9,")
                        .replace(",T2,", ",T9,")
                )
            }
        })
        .collect();
    std::fs::write(dir.join("panel_long.csv"), data).unwrap();
    let out = cohort(&[
        "check",
        dir.join("study.toml").to_str().unwrap(),
        "--lenient",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no row was kept"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
