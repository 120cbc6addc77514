//! `audit` finds every kind of leak in results published with the rules
//! off, and nothing in the same results published through the gate.

use std::collections::BTreeMap;

use cohort_panel::{FileHash, Provenance};
use cohort_results::{
    audit, publish, CountTable, Estimate, Methods, Rules, Statistic, StudyResults, Unit,
};

fn estimate(measure: &str, statistic: Statistic, group: Option<&str>, n: u64, v: f64) -> Estimate {
    Estimate {
        measure: measure.into(),
        label: measure.into(),
        level: Unit::Family,
        statistic,
        wave: "T0".into(),
        group: group.map(String::from),
        n,
        value: Some(v),
        ci95: Some([v * 0.9, v * 1.1]),
        quartiles: None,
        whiskers: None,
        top2_share: None,
    }
}

/// A small study: 40 families, one of them a late entry.
fn results() -> StudyResults {
    let hash = |p: &str| FileHash {
        path: p.into(),
        sha256: "0".repeat(64),
    };
    StudyResults {
        study: "audit".into(),
        design: Default::default(),
        provenance: Provenance {
            toolkit_version: "test".into(),
            study: hash("study.toml"),
            data: vec![hash("panel.csv")],
            seed: None,
        },
        rules: Rules {
            min_cell: 10,
            round_to: 1,
        },
        bootstrap: None,
        methods: Methods::default(),
        waves: vec!["T0".into(), "T1".into()],
        rows: BTreeMap::from([
            ("read".to_string(), 80),
            ("excluded: refused".to_string(), 3),
        ]),
        // 39 families at T0 (40 minus the late entry), 30 at T1.
        response: CountTable {
            title: "taking part per wave".into(),
            rows: vec!["respondents".into(), "families".into()],
            columns: vec!["T0".into(), "T1".into()],
            counts: vec![vec![80, 60], vec![39, 30]],
            totals: false,
            structural: Vec::new(),
        },
        patterns: CountTable {
            title: "families by response pattern".into(),
            rows: vec!["families".into()],
            columns: vec![
                "complete".into(),
                "dropped out".into(),
                "late entry".into(),
                "returned".into(),
            ],
            counts: vec![vec![29, 10, 1, 0]],
            totals: true,
            structural: Vec::new(),
        },
        attrition: CountTable {
            title: "families present, returned and dropped out per wave".into(),
            rows: vec![
                "present".into(),
                "of which returned".into(),
                "dropped out".into(),
            ],
            columns: vec!["T0".into(), "T1".into()],
            counts: vec![vec![39, 30], vec![0, 0], vec![0, 10]],
            totals: false,
            structural: vec![[1, 0], [2, 0]],
        },
        models: Vec::new(),
        estimates: vec![
            // A share of 39 families implying 3 without.
            estimate("any", Statistic::Share, None, 39, 36.0 / 39.0),
            // A mean over 6 families.
            estimate("few", Statistic::Mean, None, 6, 12.0),
            // The overall mean whose groups follow.
            estimate("incidents", Statistic::Mean, None, 39, 40.0),
        ],
        by: Some("region".into()),
        by_group: vec![
            estimate("incidents", Statistic::Mean, Some("north"), 26, 30.0),
            estimate("incidents", Statistic::Mean, Some("south"), 13, 60.0),
        ],
        change: Vec::new(),
        reliability: Vec::new(),
        transitions: None,
        trajectories: None,
    }
}

#[test]
fn every_leak_is_found_when_the_rules_are_off() {
    let r = results();
    // The gate with the rules off (min_cell 1), then read as the real rules.
    let mut off = r.clone();
    off.rules = Rules {
        min_cell: 1,
        round_to: 1,
    };
    let mut p = publish(&off);
    p.rules = r.rules;
    let found = audit(&p);
    let has = |rule: &str, table: &str, row: &str| {
        found
            .iter()
            .any(|f| f.rule == rule && f.table.contains(table) && f.row == row)
    };
    let all: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    // The late entry (1 family) and the 3 excluded rows are small counts.
    assert!(
        has("small count", "response pattern", "families"),
        "{all:#?}"
    );
    assert!(has("small count", "rows", "excluded: refused"), "{all:#?}");
    // A mean over 6 families; a share implying 3 families without.
    assert!(has("small n", "estimates", "few"), "{all:#?}");
    assert!(has("implied count", "estimates", "any"), "{all:#?}");
    // The n of the mean over 6 families is itself a small count.
    assert!(
        found
            .iter()
            .any(|f| f.rule == "small count" && f.row == "few" && f.detail.contains("an n")),
        "{all:#?}"
    );
    // Differencing needs a hidden group: see
    // `a_group_given_back_by_the_overall_estimate_is_found`.
}

#[test]
fn a_hidden_small_count_pinned_by_linked_tables_is_found() {
    // Hide the late entry as "<10" by hand but leave the families at T0
    // and the total: 40 - 39 gives it back exactly.
    let r = results();
    let mut p = publish(&r);
    // What a naive gate would publish: every table protected alone.
    p.patterns = cohort_results::protect(&r.patterns, &r.rules);
    p.response = cohort_results::protect(&r.response, &r.rules);
    p.attrition = cohort_results::protect(&r.attrition, &r.rules);
    let found = audit(&p);
    assert!(
        found
            .iter()
            .any(|f| f.rule == "recoverable" && f.column == "late entry"),
        "{found:#?}"
    );
}

#[test]
fn a_group_given_back_by_the_overall_estimate_is_found() {
    let r = results();
    let mut p = publish(&r);
    // Hide only the south group by hand: overall x 39 - north x 26 gives
    // it back.
    let south = p
        .by_group
        .iter_mut()
        .find(|g| g.group.as_deref() == Some("south"))
        .unwrap();
    south.value = None;
    south.n = None;
    let north = p
        .by_group
        .iter_mut()
        .find(|g| g.group.as_deref() == Some("north"))
        .unwrap();
    north.value = Some(30.0);
    north.n = Some(26);
    let found = audit(&p);
    assert!(
        found
            .iter()
            .any(|f| f.rule == "recoverable" && f.table == "estimates by group"),
        "{found:#?}"
    );
}

#[test]
fn the_gate_leaves_nothing_to_find() {
    let r = results();
    let p = publish(&r);
    assert_eq!(audit(&p), Vec::new());
    // The late entry is hidden, and so is what would give it back.
    assert_eq!(p.patterns.cells[0][2].to_string(), "<10");
}

/// Three waves, 60 families: 37 complete, 20 left after T0 and 3 after T1.
/// Every cell is 0 or at least 10, yet the cumulative dropouts (20 by T1,
/// 23 by T2) give the 3 that left after T1 by subtraction.
fn three_waves() -> StudyResults {
    let mut r = results();
    let waves = || vec!["T0".to_string(), "T1".into(), "T2".into()];
    r.waves = waves();
    r.response.columns = waves();
    r.response.counts = vec![vec![120, 80, 74], vec![60, 40, 37]];
    r.patterns.counts = vec![vec![37, 23, 0, 0]];
    r.attrition.columns = waves();
    r.attrition.counts = vec![vec![60, 40, 37], vec![0, 0, 0], vec![0, 20, 23]];
    r.estimates.clear();
    r.by_group.clear();
    r.rows.clear();
    r
}

#[test]
fn dropouts_between_waves_from_cumulative_counts_are_found() {
    let r = three_waves();
    // The gate with the rules off (min_cell 1), then read as the real rules.
    let mut off = r.clone();
    off.rules = Rules {
        min_cell: 1,
        round_to: 1,
    };
    let mut p = publish(&off);
    p.rules = r.rules;
    let found = audit(&p);
    assert!(
        found.iter().any(|f| f.rule == "recoverable"
            && f.row == "dropped out at this wave"
            && f.column == "T2"),
        "{found:#?}"
    );
    assert!(found.iter().any(|f| f.row == "pattern XX."), "{found:#?}");
}

#[test]
fn the_gate_protects_dropouts_between_waves() {
    let r = three_waves();
    let p = publish(&r);
    assert_eq!(audit(&p), Vec::new());
    // Something of the attrition or response tables had to go.
    let hidden = |t: &cohort_results::ProtectedTable| {
        t.cells
            .iter()
            .flatten()
            .filter(|s| !matches!(s, cohort_results::Shown::Count { .. }))
            .count()
    };
    assert!(hidden(&p.attrition) + hidden(&p.response) + hidden(&p.patterns) > 0);
}

#[test]
fn percentiles_on_too_few_units_are_found() {
    let r = results();
    let mut p = publish(&r);
    // Whiskers on an estimate of fewer than 10 x min_cell units, as a
    // naive renderer might add them.
    let e = p
        .estimates
        .iter_mut()
        .find(|e| e.n.is_some_and(|n| n < 100))
        .expect("a small estimate");
    e.whiskers = Some([0.0, 1.0]);
    let found = audit(&p);
    assert!(
        found
            .iter()
            .any(|f| f.rule == "percentiles on too few units"),
        "{found:#?}"
    );
}
