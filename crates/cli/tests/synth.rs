//! fixtures/vji is reproducible from its seed, and its wide form is the
//! same panel.

use cohort_panel::{load, write_long, Mode, Study};
use cohort_testkit::fixture;

use crate::{assert_ok, cohort, cohort_json};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cohort-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn vji_fixture_regenerates_byte_for_byte() {
    let dir = temp_dir("vji");
    let out = cohort(&[
        "synth",
        "--preset",
        "vji",
        "--seed",
        "20201112",
        "--families",
        "1100",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_ok(&out);
    for file in ["study.toml", "panel.csv"] {
        let committed = std::fs::read(fixture(&format!("vji/{file}"))).unwrap();
        let again = std::fs::read(dir.join(file)).unwrap();
        assert!(
            committed == again,
            "fixtures/vji/{file} differs from a fresh `cohort synth` run"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn vji_fixture_passes_strict_check() {
    let j = cohort_json(&["check", "--json", "fixtures/vji/study.toml"]);
    assert_eq!(j["clusters"]["n"], 1100);
    assert_eq!(j["load"]["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn wide_layout_is_the_same_panel() {
    let dir = temp_dir("vji-wide");
    let args = [
        "synth",
        "--preset",
        "vji",
        "--seed",
        "5",
        "--families",
        "300",
        "--out",
        dir.to_str().unwrap(),
    ];
    assert_eq!(cohort(&args).status.code(), Some(0));
    let mut wide_args = args.to_vec();
    wide_args.extend(["--layout", "wide"]);
    assert_eq!(cohort(&wide_args).status.code(), Some(0));
    let as_long = |study: &str| {
        let study = Study::from_path(&dir.join(study)).unwrap();
        let panel = load(&study, Mode::Strict).unwrap().panel;
        let mut out = Vec::new();
        write_long(&panel, &mut out).unwrap();
        out
    };
    assert!(as_long("study.toml") == as_long("study_wide.toml"));
    std::fs::remove_dir_all(&dir).ok();
}
