//! Incident frequency (Conflict-Tactics style).

use crate::{scored, value};

#[test]
fn category_seven_counts_for_ever_but_not_in_the_period() {
    let (p, s) = scored();
    // P1 at T0: pv1 = 3 (3-5 times: midpoint 4), pv2 = 7 (before, not in
    // the period: 0), pv3 = 0. Recall 12 months, so 4 incidents a year,
    // one distinct act (variety 1), minor only; chronicity, the annual
    // frequency of a respondent with an act, is 4.
    assert_eq!(value(&p, &s, "partner.annual", "P1", "T0"), Some(4.0));
    assert_eq!(value(&p, &s, "partner.prevalence", "P1", "T0"), Some(1.0));
    assert_eq!(value(&p, &s, "partner.variety", "P1", "T0"), Some(1.0));
    assert_eq!(value(&p, &s, "partner.chronicity", "P1", "T0"), Some(4.0));
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
    // No act in the period: chronicity does not apply (null, with why).
    assert_eq!(value(&p, &s, "child.chronicity", "C3", "T0"), None);
    let c3 = s
        .of("child.chronicity")
        .unwrap()
        .iter()
        .find(|x| x.value.is_none() && x.missing == 0)
        .unwrap();
    assert_eq!(c3.note.unwrap().to_string(), "no act in the period");
}

#[test]
fn a_six_month_recall_period_is_scaled_to_twelve_months() {
    let (p, s) = scored();
    // P1 at T2: pv1 = 2 (twice: 2), pv2 = 1 (once: 1), pv3 = 0: 3 incidents
    // in the 6-month recall period of T2, so 3 * 12 / 6 = 6 a year.
    assert_eq!(value(&p, &s, "partner.annual", "P1", "T2"), Some(6.0));
    assert_eq!(value(&p, &s, "partner.variety", "P1", "T2"), Some(2.0));
    assert_eq!(value(&p, &s, "partner.chronicity", "P1", "T2"), Some(6.0));
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
    // instrument allows one missing item: P3's psychological group at T2,
    // and its note says so (not "at most 0 allowed").
    assert_eq!(
        value(&p, &s, "partner.psychological.prevalence", "P3", "T2"),
        None
    );
    let psych = s.of("partner.psychological.prevalence").unwrap();
    let row = psych.iter().find(|x| x.value.is_none()).unwrap();
    assert_eq!(
        row.note.as_ref().unwrap().to_string(),
        "the item is not answered"
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

/// A four-item partner instrument (three minor items, one severe; one
/// item may be missing) scored on `rows` of `m1,m2,m3,s1` at one
/// 12-month wave: the scores of `measure`, row by row.
fn four_items(rows: &[&str], measure: &str) -> Vec<Option<f64>> {
    use cohort_instruments::score;
    use cohort_panel::{load_reader, Mode, Study};
    let study = Study::from_str_in(
        r#"
[study]
name = "settled"
[data]
path = "x.csv"
respondent = "rid"
cluster = "fid"
role = "role"
wave = "wave"
missing = { -9 = "refused" }
[[waves]]
label = "T0"
months = 0
recall_months = 12
[[variables]]
name = "role"
type = "categorical"
codes = { p = "parent" }
[[variables]]
name = "m1"
type = "integer"
range = [0, 7]
[[variables]]
name = "m2"
type = "integer"
range = [0, 7]
[[variables]]
name = "m3"
type = "integer"
range = [0, 7]
[[variables]]
name = "s1"
type = "integer"
range = [0, 7]
[[instruments]]
name = "partner"
kind = "incident_frequency"
reporter = "p"
max_missing = 1
[[instruments.groups]]
name = "minor"
severity = "minor"
items = ["m1", "m2", "m3"]
[[instruments.groups]]
name = "severe"
severity = "severe"
items = ["s1"]
"#,
        std::path::Path::new("settled.toml"),
        std::path::Path::new("."),
    )
    .unwrap();
    let mut csv = String::from("rid,fid,role,wave,m1,m2,m3,s1\n");
    for (i, r) in rows.iter().enumerate() {
        csv.push_str(&format!("R{i},F{i},p,T0,{r}\n"));
    }
    let loaded = load_reader(&study, Mode::Strict, "x.csv", csv.as_bytes()).unwrap();
    let spec = study.instruments.clone();
    let scores = score(&loaded.panel, &spec);
    let mut list: Vec<_> = scores.of(measure).unwrap().iter().collect();
    list.sort_by_key(|s| s.unit);
    list.into_iter().map(|s| s.value).collect()
}

#[test]
fn answered_items_that_settle_severity_and_severe_or_frequent_give_the_value() {
    let rows = [
        // A minor act (3-5 times: 4), two minor items refused, the severe
        // item answered 0: two missing, one allowed. Severity is settled
        // (minor only: no severe act is possible, the severe item is
        // answered); the count is not.
        "3,-9,-9,0",
        // The same, but more than 20 times (25) already: severe or
        // frequent is settled (25 >= 22, missing items only add).
        "6,-9,-9,0",
        // A minor act, one minor and the severe item refused: a severe act
        // may be hidden, so severity is unknown.
        "3,-9,0,-9",
    ];
    assert_eq!(four_items(&rows, "partner.annual"), [None, None, None]);
    assert_eq!(
        four_items(&rows, "partner.prevalence"),
        [Some(1.0), Some(1.0), Some(1.0)]
    );
    assert_eq!(
        four_items(&rows, "partner.severity"),
        [Some(1.0), Some(1.0), None]
    );
    // Severe or frequent: 4 a year so far cannot settle "no" (missing
    // items may add), 25 settles "yes".
    assert_eq!(
        four_items(&rows, "partner.severe_or_frequent"),
        [None, Some(1.0), None]
    );
}
