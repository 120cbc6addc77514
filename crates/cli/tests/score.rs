//! `cohort score`: the summary, the long and wide CSV.

use crate::{cohort, cohort_json};

#[test]
fn json_summary_counts_scores_and_reasons_per_wave() {
    let j = cohort_json(&["score", "--json", "fixtures/scoring/study.toml"]);
    assert_eq!(j["schema"], "cohort.score/1");
    let measures = j["measures"].as_array().unwrap();
    let annual = measures
        .iter()
        .find(|m| m["name"] == "partner.annual")
        .unwrap();
    assert_eq!(annual["level"], "respondent");
    assert_eq!(annual["kind"], "count");
    // T0: P1, P2, P3 scored. T2: P1 scored, P3 with two items refused.
    assert_eq!(annual["waves"][0]["scored"], 3);
    assert_eq!(annual["waves"][1]["scored"], 1);
    assert_eq!(
        annual["waves"][1]["null_by_reason"]["2 items missing, at most 1 allowed"],
        1
    );
    assert!(j["reliability"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["scale"] == "total"));
}

#[test]
fn long_csv_has_a_row_per_unit_wave_and_measure() {
    let dir = std::env::temp_dir().join(format!("cohort-score-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("scores.csv");
    let out = cohort(&[
        "score",
        "fixtures/scoring/study.toml",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("level,respondent,cluster,role,wave,measure,value,answered,missing,note")
    );
    // Family F1 at T0: 16 (larger partner report) + 25 (C1) = 41.
    assert!(
        text.contains("family,,F1,,T0,family_incidents,41,0,0,\n"),
        "{text}"
    );
    // P2 at T0: pv2 refused (one allowed): 16 a year from two answered items.
    assert!(
        text.contains("respondent,P2,F1,parent,T0,partner.annual,16,2,1,\n"),
        "{text}"
    );
    // A note with a comma is quoted, as CSV requires.
    assert!(text.contains("respondent,P3,F2,parent,T2,partner.annual,,1,2,\"2 items missing, at most 1 allowed\"\n"), "{text}");

    let wide = dir.join("wide.csv");
    let out = cohort(&[
        "score",
        "fixtures/scoring/study.toml",
        "--out",
        wide.to_str().unwrap(),
        "--wide",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&wide).unwrap();
    assert!(
        text.starts_with("respondent,cluster,role,wave,partner.prevalence,"),
        "{text}"
    );
    let family = std::fs::read_to_string(dir.join("wide.family.csv")).unwrap();
    assert_eq!(
        family.lines().next(),
        Some("cluster,wave,family_any,family_incidents")
    );
    assert!(family.contains("\nF1,T0,1,41\n"), "{family}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_instrument_declaration_is_exit_2() {
    let out = cohort(&["score", "fixtures/bad/study_unknown_type/study.toml"]);
    assert_eq!(out.status.code(), Some(2));
}
