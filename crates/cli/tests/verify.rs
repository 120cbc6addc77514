//! `cohort verify`: passes on the committed fixtures, fails with a
//! readable diff when an expected value is wrong.

use cohort_testkit::fixture;

use crate::cohort;

#[test]
fn committed_fixtures_verify() {
    let out = cohort(&["verify", "fixtures"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every expected value of every analysis matches: "N of N values".
    let line = text.lines().last().unwrap_or_default();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(
        words.len() > 3 && words[0] == words[2] && words[1] == "of",
        "{text}"
    );
    assert!(words[0].parse::<u64>().unwrap() > 1000, "{text}");
    for analysis in [
        "vji-findings",
        "vji-effectiveness",
        "vji-trauma",
        "vji-attrition",
    ] {
        assert!(
            fixture(&format!("vji/expected/{analysis}.json")).is_file(),
            "{analysis}"
        );
    }
}

#[test]
fn a_corrupted_expected_value_is_a_mismatch_with_a_diff() {
    let dir = std::env::temp_dir().join(format!("cohort-verify-{}", std::process::id()));
    let vji = dir.join("vji");
    std::fs::create_dir_all(vji.join("expected")).unwrap();
    for f in ["study.toml", "panel.csv"] {
        std::fs::copy(fixture(&format!("vji/{f}")), vji.join(f)).unwrap();
    }
    let expected = std::fs::read_to_string(fixture("vji/expected/vji-findings.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&expected).unwrap();
    doc["values"]["findings.F1.value"]["expected"] = serde_json::json!(0.95);
    std::fs::write(vji.join("expected/vji-findings.json"), doc.to_string()).unwrap();
    let out = cohort(&["verify", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("MISMATCH vji findings.F1.value: expected 0.95, got 0.93436645396536"),
        "{text}"
    );
    assert!(text.contains("tolerance 0.000000001"), "{text}");
    assert!(text.contains("78 of 79 values match"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}
