//! fixtures/bad: each case is a study with one defect; `cohort check` must
//! exit with code 2 and say where and what (expected_error.txt).

use crate::cohort;
use cohort_testkit::fixture;

#[test]
fn every_bad_case_exits_2_with_its_message() {
    let mut cases: Vec<_> = std::fs::read_dir(fixture("bad"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected_error.txt").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "only {} bad cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected = std::fs::read_to_string(case.join("expected_error.txt")).unwrap();
        let expected = expected.trim_end();
        let study = case.join("study.toml");
        let out = cohort(&["check", study.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Each line of expected_error.txt is a part of the message.
        let said = expected.lines().all(|part| stderr.contains(part));
        if out.status.code() != Some(2) || !said {
            failures.push(format!(
                "{}: exit {:?}\n  expected: {expected}\n  got: {stderr}",
                case.display(),
                out.status.code()
            ));
        }
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lenient_check_accounts_for_every_row_of_every_readable_bad_case() {
    for case in std::fs::read_dir(fixture("bad"))
        .unwrap()
        .filter_map(Result::ok)
    {
        let study = case.path().join("study.toml");
        let out = cohort(&["check", "--lenient", "--json", study.to_str().unwrap()]);
        let json: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(_) => continue, // the study file itself is bad: no JSON
        };
        for f in json["load"]["files"].as_array().unwrap() {
            let read = f["rows_read"].as_u64().unwrap();
            let kept = f["rows_kept"].as_u64().unwrap();
            let excluded: u64 = f["rows_excluded"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(read, kept + excluded, "{}", case.path().display());
            // Rows read are the file's lines after the header, whatever
            // their endings and however a quote joins them.
            let data = case.path().join("panel.csv");
            if read > 0 && data.is_file() {
                let bytes = std::fs::read(&data).unwrap();
                let text = String::from_utf8_lossy(&bytes)
                    .replace("\r\n", "\n")
                    .replace('\r', "\n");
                let lines = text.lines().skip(1).filter(|l| !l.is_empty()).count() as u64;
                assert_eq!(read, lines, "{}", case.path().display());
            }
        }
    }
}

#[test]
fn a_study_without_measures_is_told_so_not_given_an_empty_table() {
    // fixtures/small without its [[instruments]]: valid data, no measure.
    let dir = std::env::temp_dir().join(format!("cohort-no-measures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let study = std::fs::read_to_string(fixture("small/study.toml")).unwrap();
    let without = &study[..study.find("[[instruments]]").unwrap()];
    std::fs::write(dir.join("study.toml"), without).unwrap();
    std::fs::copy(fixture("small/panel_long.csv"), dir.join("panel_long.csv")).unwrap();
    let path = dir.join("study.toml");
    let path = path.to_str().unwrap();
    let check = cohort(&["check", path]);
    assert_eq!(check.status.code(), Some(0), "the data themselves are fine");
    for args in [
        vec!["score", path],
        vec!["describe", path],
        vec!["change", path, "--from", "T0", "--to", "T2"],
    ] {
        let out = cohort(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("no measure, so there is nothing to analyse"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed a table");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
