//! Sum scales: reversed items, prorating, cut-offs, norms.

use crate::{scored, value};

#[test]
fn reversed_item_and_subscale() {
    let (p, s) = scored();
    // C1 at T0: t1..t4 = 1, 2, 3, 0; t4 reversed on 0-3: 0 + 3 - 0 = 3.
    // Total 1 + 2 + 3 + 3 = 9; subscale a = t1 + t2 = 3.
    assert_eq!(value(&p, &s, "tsc.total", "C1", "T0"), Some(9.0));
    assert_eq!(value(&p, &s, "tsc.a", "C1", "T0"), Some(3.0));
}

#[test]
fn prorating_at_its_limit_and_beyond() {
    let (p, s) = scored();
    // C1 at T2: t1 = 1, t2 = 1, t3 refused, t4 = 2 (reversed: 1). Three
    // answered, sum 3, mean 1; one missing, one allowed: 3 + 1 * 1 = 4.
    assert_eq!(value(&p, &s, "tsc.total", "C1", "T2"), Some(4.0));
    // C3 at T0: every item refused: no score.
    assert_eq!(value(&p, &s, "tsc.total", "C3", "T0"), None);
    assert_eq!(value(&p, &s, "tsc.total.clinical", "C3", "T0"), None);
}

#[test]
fn clinical_cutoff_by_age_band_and_sex_with_its_boundary() {
    let (p, s) = scored();
    // C1 at T0: age 10, girl: cut-off 7; 9 >= 7: clinical.
    assert_eq!(value(&p, &s, "tsc.total.clinical", "C1", "T0"), Some(1.0));
    // C1 at T2: 4 < 7: not clinical.
    assert_eq!(value(&p, &s, "tsc.total.clinical", "C1", "T2"), Some(0.0));
    // C2 at T0: age 5 (band 3-7, cut-off 6); t = 2, 2, 2, 3 (reversed: 0),
    // total 6: exactly at the cut-off counts as clinical.
    assert_eq!(value(&p, &s, "tsc.total", "C2", "T0"), Some(6.0));
    assert_eq!(value(&p, &s, "tsc.total.clinical", "C2", "T0"), Some(1.0));
}

#[test]
fn norm_scores_from_the_norms_file() {
    let (p, s) = scored();
    // Toy norms: total T = 40 + 3 * raw; a T = 45 + 4 * raw.
    // C1 at T0: total 9 -> 67; a 3 -> 57, below clinical_t 65 -> 0.
    assert_eq!(value(&p, &s, "tsc.total.t", "C1", "T0"), Some(67.0));
    assert_eq!(value(&p, &s, "tsc.a.t", "C1", "T0"), Some(57.0));
    assert_eq!(value(&p, &s, "tsc.a.clinical", "C1", "T0"), Some(0.0));
    // C2 at T0: a = 2 + 2 = 4 -> 61.
    assert_eq!(value(&p, &s, "tsc.a.t", "C2", "T0"), Some(61.0));
}
