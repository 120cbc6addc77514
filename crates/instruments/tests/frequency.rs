//! Incident frequency (Conflict-Tactics style).

use crate::{scored, value};

#[test]
fn category_seven_counts_for_ever_but_not_in_the_period() {
    let (p, s) = scored();
    // P1 at T0: pv1 = 3 (3-5 times: midpoint 4), pv2 = 7 (before, not in
    // the period: 0), pv3 = 0. Recall 12 months, so 4 incidents a year,
    // one distinct act, minor only.
    assert_eq!(value(&p, &s, "partner.annual", "P1", "T0"), Some(4.0));
    assert_eq!(value(&p, &s, "partner.prevalence", "P1", "T0"), Some(1.0));
    assert_eq!(value(&p, &s, "partner.chronicity", "P1", "T0"), Some(1.0));
    assert_eq!(value(&p, &s, "partner.severity", "P1", "T0"), Some(1.0));
    assert_eq!(
        value(&p, &s, "partner.physical_minor.annual", "P1", "T0"),
        Some(0.0)
    );
    assert_eq!(
        value(&p, &s, "partner.physical_minor.prevalence", "P1", "T0"),
        Some(0.0)
    );
    // C3 at T0: cv1 = 7, cv2 = 0: nothing in the period, but ever.
    assert_eq!(value(&p, &s, "child.prevalence", "C3", "T0"), Some(0.0));
    assert_eq!(value(&p, &s, "child.ever", "C3", "T0"), Some(1.0));
    assert_eq!(value(&p, &s, "child.annual", "C3", "T0"), Some(0.0));
}

#[test]
fn a_six_month_recall_period_is_scaled_to_twelve_months() {
    let (p, s) = scored();
    // P1 at T2: pv1 = 2 (twice: 2), pv2 = 1 (once: 1), pv3 = 0: 3 incidents
    // in the 6-month recall period of T2, so 3 * 12 / 6 = 6 a year.
    assert_eq!(value(&p, &s, "partner.annual", "P1", "T2"), Some(6.0));
    assert_eq!(value(&p, &s, "partner.chronicity", "P1", "T2"), Some(2.0));
    assert_eq!(
        value(&p, &s, "partner.psychological.annual", "P1", "T2"),
        Some(4.0)
    );
}

#[test]
fn severe_or_frequent_by_a_severe_act_or_the_threshold() {
    let (p, s) = scored();
    // P2 at T0: pv1 = 5 (11-20: 15), pv2 refused, pv3 = 1 (severe, once):
    // one item missing, one allowed: 16 a year; severe, so severe or
    // frequent although 16 < 22.
    assert_eq!(value(&p, &s, "partner.annual", "P2", "T0"), Some(16.0));
    assert_eq!(value(&p, &s, "partner.severity", "P2", "T0"), Some(2.0));
    assert_eq!(
        value(&p, &s, "partner.severe_or_frequent", "P2", "T0"),
        Some(1.0)
    );
    // P1 at T0: 4 a year, minor only: neither.
    assert_eq!(
        value(&p, &s, "partner.severe_or_frequent", "P1", "T0"),
        Some(0.0)
    );
    // C1 at T0: cv1 = 6 (more than 20: 25) a year, minor only: frequent,
    // as 25 >= 22.
    assert_eq!(value(&p, &s, "child.annual", "C1", "T0"), Some(25.0));
    assert_eq!(value(&p, &s, "child.severity", "C1", "T0"), Some(1.0));
    assert_eq!(
        value(&p, &s, "child.severe_or_frequent", "C1", "T0"),
        Some(1.0)
    );
}

#[test]
fn missing_items_beyond_the_limit_give_no_score_but_an_act_still_counts() {
    let (p, s) = scored();
    // P3 at T2: pv1 and pv2 refused (2 missing, 1 allowed), pv3 = 0: no
    // act seen, so prevalence, annual and severity are unknown.
    assert_eq!(value(&p, &s, "partner.prevalence", "P3", "T2"), None);
    assert_eq!(value(&p, &s, "partner.annual", "P3", "T2"), None);
    assert_eq!(value(&p, &s, "partner.severity", "P3", "T2"), None);
    let list = s.of("partner.annual").unwrap();
    let row = list.iter().find(|x| x.value.is_none()).unwrap();
    assert_eq!((row.answered, row.missing), (1, 2));
    assert_eq!(
        row.note.as_ref().unwrap().to_string(),
        "2 items missing, at most 1 allowed"
    );
    // A group whose only item is missing is unknown even where the
    // instrument allows one missing item: P3's psychological group at T2.
    assert_eq!(
        value(&p, &s, "partner.psychological.prevalence", "P3", "T2"),
        None
    );
    assert_eq!(
        value(&p, &s, "partner.physical_severe.prevalence", "P3", "T2"),
        Some(0.0)
    );
    // C1 at T2: both child items refused, none allowed: all unknown.
    assert_eq!(value(&p, &s, "child.prevalence", "C1", "T2"), None);
    // P3 at T0: every item 0: known zeros.
    assert_eq!(value(&p, &s, "partner.prevalence", "P3", "T0"), Some(0.0));
    assert_eq!(value(&p, &s, "partner.ever", "P3", "T0"), Some(0.0));
    assert_eq!(value(&p, &s, "partner.severity", "P3", "T0"), Some(0.0));
}

#[test]
fn only_the_declared_reporters_are_scored() {
    let (_, s) = scored();
    // Partner violence: the three parents' five rows; child: four rows.
    assert_eq!(s.of("partner.annual").unwrap().len(), 5);
    assert_eq!(s.of("child.annual").unwrap().len(), 4);
}
