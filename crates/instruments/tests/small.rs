//! Scoring of fixtures/small. Items follow fixtures/small/make.py:
//! person i (0-based in its table) at wave w has psy = (3i + 2w) mod 8 and
//! phys = (i + w) mod 5; psy is minor, phys severe. Midpoints 0, 1, 2, 4,
//! 8, 15, 25; code 7 = before the period; T2 has a 6-month recall.

use cohort_instruments::score;
use cohort_panel::{load, Mode, Study};
use cohort_testkit::fixture;

use crate::value;

#[test]
fn small_fixture_scores_worked_by_hand() {
    let study = Study::from_path(&fixture("small/study.toml")).unwrap();
    let panel = load(&study, Mode::Strict).unwrap().panel;
    let s = score(&panel, &study.instruments);
    let v = |m: &str, rid: &str, w: &str| value(&panel, &s, m, rid, w);
    // P01a (i = 0): T0 psy 0, phys 0 -> nothing.
    assert_eq!(v("partner.annual", "P01a", "T0"), Some(0.0));
    assert_eq!(v("partner.severity", "P01a", "T0"), Some(0.0));
    // T1: psy 2 (twice: 2), phys 1 (once: 1) -> 3 a year; severe.
    assert_eq!(v("partner.annual", "P01a", "T1"), Some(3.0));
    assert_eq!(v("partner.severity", "P01a", "T1"), Some(2.0));
    // T2: psy 4 (6-10: 8), phys 2 (2) -> 10 in 6 months, 20 a year.
    assert_eq!(v("partner.annual", "P01a", "T2"), Some(20.0));
    // P02a (i = 2): T0 psy 6 (25) + phys 2 (2) = 27 >= 22: frequent.
    assert_eq!(v("partner.annual", "P02a", "T0"), Some(27.0));
    assert_eq!(v("partner.severe_or_frequent", "P02a", "T0"), Some(1.0));
    // P03a (i = 5): T0 psy (15 mod 8) = 7, before the period; phys 0.
    assert_eq!(v("partner.prevalence", "P03a", "T0"), Some(0.0));
    assert_eq!(v("partner.ever", "P03a", "T0"), Some(1.0));
    // P07a (i = 13): T0 psy "don't know", phys 3 (3-5: 4): an act is seen,
    // but with no missing item allowed the frequency is unknown.
    assert_eq!(v("partner.prevalence", "P07a", "T0"), Some(1.0));
    assert_eq!(v("partner.severity", "P07a", "T0"), Some(2.0));
    assert_eq!(v("partner.annual", "P07a", "T0"), None);
    // Parents only: 13 at T0, 10 at T1, 9 at T2.
    assert_eq!(s.of("partner.annual").unwrap().len(), 32);
}
