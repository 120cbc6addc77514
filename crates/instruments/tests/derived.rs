//! Derived measures at family level.

use cohort_instruments::MeasureScores;
use cohort_panel::Panel;

use crate::scored;

fn family(panel: &Panel, scores: &MeasureScores, fid: &str, wave: &str) -> Option<f64> {
    let w = panel.study().wave_index(wave).unwrap() as u8;
    scores
        .iter()
        .find(|s| panel.cluster_id(cohort_panel::ClusterId(s.unit)) == fid && s.wave == w)
        .unwrap_or_else(|| panic!("no score for {fid} at {wave}"))
        .value
}

#[test]
fn family_incidents_take_the_larger_partner_report_plus_the_children() {
    let (p, s) = scored();
    let inc = s.of("family_incidents").unwrap();
    // F1 at T0: partner reports P1 4 and P2 16: the larger, 16 (the same
    // conflicts, counted once); children: C1 25. 16 + 25 = 41.
    assert_eq!(family(&p, inc, "F1", "T0"), Some(41.0));
    // F2 at T0: partner P3 0; children C2 8 (cv1 = 4: 6-10 times) + C3 0.
    assert_eq!(family(&p, inc, "F2", "T0"), Some(8.0));
    // F1 at T2: C1's child items are refused: the children's term is
    // unknown, so the sum is unknown, with a note naming the term.
    assert_eq!(family(&p, inc, "F1", "T2"), None);
    let row = inc.iter().find(|x| x.value.is_none()).unwrap();
    assert_eq!(
        row.note.as_ref().unwrap().to_string(),
        "child.annual has no value"
    );
}

#[test]
fn family_any_violence_is_decided_by_one_known_act() {
    let (p, s) = scored();
    let any = s.of("family_any").unwrap();
    // F1 at T0: partner violence (P1, P2) and C1: 1.
    assert_eq!(family(&p, any, "F1", "T0"), Some(1.0));
    // F1 at T2: P1 reports acts; the children's term is unknown, but one
    // known act settles "any".
    assert_eq!(family(&p, any, "F1", "T2"), Some(1.0));
    // F2 at T0: no partner violence, but C2 experienced violence: 1.
    assert_eq!(family(&p, any, "F2", "T0"), Some(1.0));
    // F2 at T2: P3's partner items are too incomplete and no child took
    // part: unknown.
    assert_eq!(family(&p, any, "F2", "T2"), None);
    // One row per family and wave present: F1 T0, F1 T2, F2 T0, F2 T2.
    assert_eq!(any.len(), 4);
}
