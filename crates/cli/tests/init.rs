//! `cohort init`: a drafted study file passes `cohort check` on the data
//! it came from, with no edits.

use crate::{assert_ok, cohort};

/// Copies the data file `from` into `dir` and drafts the study file
/// `dir/name` from the copy: its path and text.
fn drafted(
    from: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
) -> (std::path::PathBuf, String) {
    let data = dir.join(from.file_name().unwrap());
    std::fs::copy(from, &data).unwrap();
    let study = dir.join(name);
    assert_ok(&cohort(&[
        "init",
        data.to_str().unwrap(),
        "--out",
        study.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&study).unwrap();
    (study, text)
}

#[test]
fn a_drafted_study_file_checks_on_its_data() {
    let dir = std::env::temp_dir().join(format!("cohort-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = cohort_testkit::workspace_root();
    // Four public long files: counts (epil), binary (ohio), continuous
    // (sleepstudy), text codes and string ids (bacteria).
    for name in ["epil", "ohio", "sleepstudy", "bacteria"] {
        let data = root.join(format!("fixtures/reference/data/{name}.csv"));
        let (study, text) = drafted(&data, &dir, &format!("{name}.toml"));
        assert!(text.contains("# CHECK"), "{name}: guesses are marked");
        let o = cohort(&["check", study.to_str().unwrap()]);
        assert_ok(&o);
        let summary = String::from_utf8_lossy(&o.stdout);
        assert!(summary.contains("0 excluded"), "{name}: {summary}");
    }
    // The epilepsy draft finds the subject, period and outcome by itself.
    let text = std::fs::read_to_string(dir.join("epil.toml")).unwrap();
    assert!(text.contains("respondent = \"subject\""));
    assert!(text.contains("wave = \"period\""));
    assert!(text.contains("[[measures]]  # CHECK: an outcome to analyse?\nvariable = \"y\""));
    assert!(text.contains("codes = { \"placebo\" = \"placebo\", \"progabide\" = \"progabide\" }"));
    // A wide file (no wave column; columns named VARIABLE_WAVE): the waves
    // from the column names, in order, and the other columns
    // time-invariant.
    let wide = root.join("fixtures/small/panel_wide.csv");
    let (study, text) = drafted(&wide, &dir, "wide.toml");
    assert!(text.contains("layout = \"wide\""));
    let labels: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("label = "))
        .collect();
    assert_eq!(labels, ["\"T0\"", "\"T1\"", "\"T2\""]);
    assert!(text.contains("name = \"interview\"\ntype = \"date\""));
    assert!(text.contains("name = \"sex\"\ntime_invariant = true"));
    let o = cohort(&["check", study.to_str().unwrap()]);
    assert_ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("26 read = 26 kept + 0 excluded"));
    // A Stata file that pandas wrote (fixtures/formats/make.py): drafted
    // from its values as a CSV file would be, with the date a date.
    let dta = root.join("fixtures/formats/panel_long.dta");
    let (study, text) = drafted(&dta, &dir, "dta.toml");
    assert!(text.contains("path = \"panel_long.dta\""), "{text}");
    assert!(
        text.contains("name = \"interview\"\ntype = \"date\""),
        "{text}"
    );
    let o = cohort(&["check", study.to_str().unwrap()]);
    assert_ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("63 read = 63 kept + 0 excluded"));
    // A file without a recognisable key says what to name.
    let bad = dir.join("nokey.csv");
    std::fs::write(&bad, "a,b\n1,2\n").unwrap();
    let o = cohort(&["init", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--respondent COLUMN"));
    // A record without its closing quote ends at the loader's bound, with
    // its line, not in memory.
    let long = dir.join("long.csv");
    let mut text = b"id,wave,x\n1,1,\"".to_vec();
    text.resize(text.len() + (17 << 20), b'a');
    std::fs::write(&long, text).unwrap();
    let o = cohort(&["init", long.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 2") && err.contains("16 MiB"), "{err}");
    // Another format is named, not parsed as CSV.
    let sav = dir.join("panel.sav");
    std::fs::write(&sav, "$FL2@(#) SPSS DATA FILE").unwrap();
    let o = cohort(&["init", sav.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SPSS data file"));
    std::fs::remove_dir_all(&dir).ok();
}
