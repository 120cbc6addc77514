//! fixtures/small: a hand-made study whose summary was counted by hand
//! from the table in fixtures/small/make.py (each number is derived in a
//! comment next to it).

use cohort_panel::{load, DataSummary, Mode, Study};
use cohort_testkit::fixture;

use crate::rows;

fn summary(file: &str) -> DataSummary {
    let study = Study::from_path(&fixture(file)).unwrap();
    let loaded = load(&study, Mode::Strict).unwrap();
    DataSummary::new(&loaded.panel, &loaded.report)
}

#[test]
fn summary_matches_hand_count() {
    let s = summary("small/study.toml");
    // 13 parents (P01a..P12a plus P03b) and 13 children.
    assert_eq!(s.respondents, 26);
    let by_role: Vec<(&str, u64)> = s
        .respondents_by_role
        .iter()
        .map(|r| (r.role.as_str(), r.n))
        .collect();
    assert_eq!(by_role, [("parent", 13), ("child", 13)]);
    // Family sizes: F05, F11 one; F01, F04, F06, F08, F09, F10, F12 two;
    // F02, F03 three; F07 four. Sorted 1,1,2,2,2,2,2,2,2,3,3,4: the 6th and
    // 7th are 2, so the median is 2; mean 26 / 12.
    assert_eq!(s.clusters.n, 12);
    let sizes: Vec<(u64, u64)> = s
        .clusters
        .size_counts
        .iter()
        .map(|c| (c.size, c.clusters))
        .collect();
    assert_eq!(sizes, [(1, 2), (2, 7), (3, 2), (4, 1)]);
    assert_eq!(s.clusters.size_median, Some(2.0));
    assert_eq!(s.clusters.size_mean, Some(26.0 / 12.0));
    // T0: all but C10a (late entry) = 25; 13 parents, 12 children.
    // T1: absent P06a, C04a, C07c, P08a, C08a, P11a -> 26 - 6 = 20
    //     (10 parents, 10 children).
    // T2: absent also P03b, P09a, C09a; P06a back -> 18 (9 and 9).
    let per_wave: Vec<(u64, u64, u64)> = s
        .observations_per_wave
        .iter()
        .map(|w| (w.n, w.by_role[0].n, w.by_role[1].n))
        .collect();
    assert_eq!(per_wave, [(25, 13, 12), (20, 10, 10), (18, 9, 9)]);
    assert_eq!(s.observations, 63);
    assert_eq!(s.load.rows_read(), 63);
    // Respondents: XXX 16; XX. 3 (P03b, P09a, C09a); X.. 5 (C04a, C07c,
    // P08a, C08a, P11a); X.X 1 (P06a); .XX 1 (C10a).
    let r = &s.response.respondents;
    assert_eq!(
        (r.complete, r.dropped_out, r.late_entry, r.returned),
        (16, 8, 1, 1)
    );
    let pats: Vec<(&str, u64)> = r
        .patterns
        .iter()
        .map(|p| (p.pattern.as_str(), p.n))
        .collect();
    assert_eq!(
        pats,
        [("XXX", 16), ("X..", 5), ("XX.", 3), ("X.X", 1), (".XX", 1)]
    );
    // Families: F08 and F11 only at T0, F09 at T0 and T1, the rest all.
    let c = &s.response.clusters;
    assert_eq!(
        (c.complete, c.dropped_out, c.late_entry, c.returned),
        (9, 3, 0, 0)
    );
    let present: Vec<u64> = c.present.iter().map(|w| w.n).collect();
    assert_eq!(present, [12, 10, 9]);
}

#[test]
fn missingness_matches_the_cells_set_by_hand() {
    let s = summary("small/study.toml");
    let var = |name: &str| s.missingness.iter().find(|v| v.variable == name).unwrap();
    // psy: T0 C02b -9 and P07a -8; T1 P03b empty; T2 none.
    let psy = var("psy");
    let t0 = &psy.waves[0];
    assert_eq!((t0.n, t0.present, t0.empty), (25, 23, 0));
    let codes: Vec<(&str, u64)> = t0.codes.iter().map(|c| (c.code.as_str(), c.n)).collect();
    assert_eq!(codes, [("-9", 1), ("-8", 1)]);
    assert_eq!((psy.waves[1].present, psy.waves[1].empty), (19, 1));
    assert_eq!(psy.waves[2].present, 18);
    // poverty -9 for family F04: P04a at three waves, C04a at T0.
    let pov: Vec<u64> = var("poverty").waves.iter().map(|w| w.codes[0].n).collect();
    assert_eq!(pov, [2, 1, 1]);
    // wellbeing: P11a empty at T0, C07b -9 at T2.
    let wb = var("wellbeing");
    assert_eq!((wb.waves[0].empty, wb.waves[2].codes[0].n), (1, 1));
}

#[test]
fn long_wide_and_dutch_export_load_to_the_same_panel() {
    let load_rows = |file: &str| {
        let study = Study::from_path(&fixture(file)).unwrap();
        rows(&load(&study, Mode::Strict).unwrap().panel)
    };
    let long = load_rows("small/study.toml");
    assert_eq!(long.len(), 63);
    assert_eq!(long, load_rows("small/study_wide.toml"));
    assert_eq!(long, load_rows("small/study_nl.toml"));
    // The same panel written by pandas as Stata .dta (fixtures/formats/make.py):
    // numbers as doubles, the date as %td.
    assert_eq!(long, load_rows("formats/study_dta.toml"));
    // One value read by hand: P01a at T0 has wellbeing 2.25 and was
    // interviewed 2017-03-01 (17226 days after 1970-01-01:
    // 47 years * 365 + 11 leap days = 17166, + 31 + 28 + 1 - 1).
    assert!(long[0].starts_with("P01a F01 0 T0"), "{}", long[0]);
    assert!(long[0].contains("Float(2.25) Date(17226)"), "{}", long[0]);
}

#[test]
fn wide_summary_equals_long_summary() {
    let mut long = summary("small/study.toml");
    let mut wide = summary("small/study_wide.toml");
    long.load = Default::default();
    wide.load = Default::default();
    wide.layout = "long";
    assert_eq!(long, wide);
}

#[test]
fn a_damaged_stata_file_is_refused_with_its_reason() {
    let dir = std::env::temp_dir().join(format!("cohort-dta-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let study_text = std::fs::read_to_string(fixture("formats/study_dta.toml")).unwrap();
    std::fs::write(dir.join("study.toml"), &study_text).unwrap();
    let whole = std::fs::read(fixture("formats/panel_long.dta")).unwrap();
    // Cut inside the records, then inside the header.
    for cut in [whole.len() - 300, 40] {
        std::fs::write(dir.join("panel_long.dta"), &whole[..cut]).unwrap();
        let study = Study::from_path(&dir.join("study.toml")).unwrap();
        let failure = load(&study, Mode::Strict).unwrap_err();
        let text: Vec<String> = failure
            .report
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect();
        let text = text.join("\n");
        assert!(text.contains("panel_long.dta"), "{text}");
        assert!(
            text.contains(".dta") && (text.contains("read") || text.contains("end")),
            "{text}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stata_extended_missing_code_is_a_declared_missing_code() {
    // Stata writes `.a` for "not asked"; declared, it counts as that code
    // in an integer and in a float column; undeclared, it is no number.
    let text = std::fs::read_to_string(fixture("small/study.toml")).unwrap();
    let declared = text.replace(
        r#"missing = { -9 = "refused", -8 = "don't know" }"#,
        r#"missing = { -9 = "refused", -8 = "don't know", ".a" = "not asked" }"#,
    );
    assert_ne!(declared, text);
    let csv = "respondent_id,family_id,role,wave,sex,age,poverty,psy,phys,wellbeing,interview\n\
        P01a,F01,parent,T0,1,34,1,.a,0,.a,2017-03-01\n\
        P02a,F02,parent,T0,1,34,1,3,0,2.5,2017-03-01\n";
    let dir = fixture("small");
    let study = Study::from_str_in(&declared, &dir.join("study.toml"), &dir).unwrap();
    let loaded = cohort_panel::load_reader(&study, Mode::Strict, "p.csv", csv.as_bytes()).unwrap();
    let s = DataSummary::new(&loaded.panel, &loaded.report);
    for name in ["psy", "wellbeing"] {
        let var = s.missingness.iter().find(|v| v.variable == name).unwrap();
        let codes: Vec<(&str, u64)> = var.waves[0]
            .codes
            .iter()
            .map(|c| (c.code.as_str(), c.n))
            .collect();
        assert_eq!(codes, [("-9", 0), ("-8", 0), (".a", 1)], "{name}");
        assert_eq!(var.waves[0].present, 1, "{name}");
    }
    let study = Study::from_str_in(&text, &dir.join("study.toml"), &dir).unwrap();
    let failure =
        cohort_panel::load_reader(&study, Mode::Strict, "p.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(failure.report.problem_count(), 2);
}
