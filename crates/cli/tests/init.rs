//! `cohort init`: a drafted study file passes `cohort check` on the data
//! it came from, with no edits.

use crate::{assert_ok, cohort};

#[test]
fn a_drafted_study_file_checks_on_its_data() {
    let dir = std::env::temp_dir().join(format!("cohort-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let root = cohort_testkit::workspace_root();
    // Four public long files: counts (epil), binary (ohio), continuous
    // (sleepstudy), text codes and string ids (bacteria).
    for name in ["epil", "ohio", "sleepstudy", "bacteria"] {
        let csv = dir.join(format!("{name}.csv"));
        std::fs::copy(
            root.join(format!("fixtures/reference/data/{name}.csv")),
            &csv,
        )
        .unwrap();
        let study = dir.join(format!("{name}.toml"));
        assert_ok(&cohort(&[
            "init",
            csv.to_str().unwrap(),
            "--out",
            study.to_str().unwrap(),
        ]));
        let text = std::fs::read_to_string(&study).unwrap();
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
    let wide = dir.join("panel_wide.csv");
    std::fs::copy(root.join("fixtures/small/panel_wide.csv"), &wide).unwrap();
    let study = dir.join("wide.toml");
    assert_ok(&cohort(&[
        "init",
        wide.to_str().unwrap(),
        "--out",
        study.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&study).unwrap();
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
    let dta = dir.join("panel_long.dta");
    std::fs::copy(root.join("fixtures/formats/panel_long.dta"), &dta).unwrap();
    let study = dir.join("dta.toml");
    assert_ok(&cohort(&[
        "init",
        dta.to_str().unwrap(),
        "--out",
        study.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(&study).unwrap();
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
