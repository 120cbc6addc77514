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
