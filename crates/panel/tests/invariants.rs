//! Properties that hold for any input: no panic, every row accounted for.

use cohort_panel::{load_reader, Mode, Study};
use cohort_testkit::fixture;
use proptest::prelude::*;

fn small_study() -> Study {
    Study::from_path(&fixture("small/study.toml")).unwrap()
}

fn valid_bytes() -> Vec<u8> {
    std::fs::read(fixture("small/panel_long.csv")).unwrap()
}

/// In lenient mode every row read is kept or excluded with a reason, and
/// the panel holds exactly the kept rows.
fn check_accounting(bytes: &[u8]) {
    let study = small_study();
    if let Ok(l) = load_reader(&study, Mode::Lenient, "p.csv", bytes) {
        let r = &l.report;
        let excluded: u64 = r.rows_excluded().values().sum();
        assert_eq!(r.rows_read(), r.rows_kept() + excluded);
        assert_eq!(r.rows_kept(), l.panel.n_observations() as u64);
        let kept = r.problems.len() as u64;
        assert!(kept <= r.problem_count());
    }
    // Strict mode may fail but must not panic.
    let _ = load_reader(&study, Mode::Strict, "p.csv", bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary bytes never panic the loader.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_accounting(&bytes);
    }

    /// A valid file with a few bytes changed: rows still add up.
    #[test]
    fn corrupted_file_rows_add_up(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = valid_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        check_accounting(&bytes);
    }

    /// Dropping lines anywhere (including the header) never panics.
    #[test]
    fn dropped_lines_never_panic(keep in proptest::collection::vec(any::<bool>(), 64)) {
        let text = String::from_utf8(valid_bytes()).unwrap();
        let kept: Vec<&str> = text.lines().zip(keep.iter().cycle()).filter(|(_, k)| **k).map(|(l, _)| l).collect();
        check_accounting(kept.join("\n").as_bytes());
    }
}

#[test]
fn lenient_excludes_and_counts_each_kind_of_row_problem() {
    // Rows 2-4 have three different row-level problems.
    let csv = "respondent_id,family_id,role,wave,sex,age,poverty,psy,phys,wellbeing,interview\n\
        P01a,F01,parent,T0,1,34,1,0,0,2.25,2017-03-01\n\
        P01a,F01,parent,T0,1,34,1,0,0,2.25,2017-03-01\n\
        P02a,F01,parent,T9,1,34,1,0,0,2.25,2017-03-01\n\
        P03a,F01,parent,T0,1,34\n\
        P04a,F02,parent,T0,1,34,1,9,0,2.25,2017-03-01\n";
    let l = load_reader(&small_study(), Mode::Lenient, "p.csv", csv.as_bytes()).unwrap();
    let r = &l.report;
    assert_eq!((r.rows_read(), r.rows_kept()), (5, 2));
    let excluded: Vec<(String, u64)> = r
        .rows_excluded()
        .into_iter()
        .map(|(k, n)| (k.name(), n))
        .collect();
    assert_eq!(
        excluded,
        [
            ("ragged_row".to_string(), 1),
            ("undeclared_wave".to_string(), 1),
            ("duplicate_observation".to_string(), 1)
        ]
    );
    // The out-of-range psy of P04a is one excluded value in a kept row.
    assert_eq!(r.values_excluded.values().sum::<u64>(), 1);
    assert_eq!(r.problem_count(), 4);
}

#[test]
fn strict_mode_keeps_fifty_problems_and_counts_all() {
    let mut csv = String::from(
        "respondent_id,family_id,role,wave,sex,age,poverty,psy,phys,wellbeing,interview\n",
    );
    for i in 0..120 {
        csv.push_str(&format!(
            "R{i},F{i},parent,T0,1,34,1,99,0,2.25,2017-03-01\n"
        ));
    }
    let err = load_reader(&small_study(), Mode::Strict, "p.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(err.report.problem_count(), 120);
    assert_eq!(err.report.problems.len(), cohort_panel::PROBLEMS_KEPT);
    assert_eq!(err.report.problems[49].line, Some(51));
}

#[test]
fn problems_of_one_batch_are_reported_in_file_order() {
    // Values are read column by column within a batch; the report must
    // still list problems by line, then column.
    let csv = "respondent_id,family_id,role,wave,sex,age,poverty,psy,phys,wellbeing,interview\n\
        P01a,F01,parent,T0,1,34,1,0,9,2.25,2017-03-01\n\
        P02a,F02,parent,T0,1,34,1,9,0,2.25,2017-03-01\n\
        P03a,F03,parent,T9,1,34,1,0,0,2.25,2017-03-01\n\
        P04a,F04,parent,T0,1,34,1,9,9,2.25,2017-03-01\n";
    let err = load_reader(&small_study(), Mode::Strict, "p.csv", csv.as_bytes()).unwrap_err();
    let at: Vec<(Option<u64>, Option<String>)> = err
        .report
        .problems
        .iter()
        .map(|p| (p.line, p.column.clone()))
        .collect();
    let col = |c: &str| Some(c.to_string());
    assert_eq!(
        at,
        [
            (Some(2), col("phys")),
            (Some(3), col("psy")),
            (Some(4), col("wave")),
            (Some(5), col("psy")),
            (Some(5), col("phys"))
        ]
    );
}

#[test]
fn a_problem_after_blank_lines_and_a_quoted_line_break_is_on_its_own_line() {
    // Line 3 is blank; the row on lines 4-5 holds a quoted line break (a
    // data row over two lines, reported as a quote not closed on its
    // line); line 7 is blank.
    let csv = "respondent_id,family_id,role,wave,sex,age,poverty,psy,phys,wellbeing,interview\n\
        P01a,F01,parent,T0,1,34,1,0,0,2.25,2017-03-01\n\
        \n\
        \"P02\na\",F02,parent,T0,1,34,1,0,0,2.25,2017-03-01\n\
        P03a,F03,parent,T0,1,34,1,0,9,2.25,2017-03-01\n\
        \n\
        P04a,F04,parent,T0,1,34,1,0\n";
    let err = load_reader(&small_study(), Mode::Strict, "p.csv", csv.as_bytes()).unwrap_err();
    let at: Vec<(Option<u64>, String)> = err
        .report
        .problems
        .iter()
        .map(|p| (p.line, format!("{:?}", p.kind)))
        .collect();
    assert_eq!(
        at,
        [
            (Some(4), "UnclosedQuote".to_string()),
            (Some(6), "OutOfRange".to_string()),
            (Some(8), "RaggedRow".to_string())
        ],
        "{:#?}",
        err.report.problems
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The wide layout: a valid file with bytes changed or lines dropped
    /// never panics, and rows add up.
    #[test]
    fn wide_layout_survives_corruption(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6), keep in proptest::collection::vec(any::<bool>(), 27)) {
        let study = Study::from_path(&fixture("small/study_wide.toml")).unwrap();
        let text = std::fs::read(fixture("small/panel_wide.csv")).unwrap();
        let mut bytes: Vec<u8> = text
            .split(|b| *b == b'\n')
            .zip(keep.iter().cycle())
            .filter(|(_, k)| **k)
            .flat_map(|(l, _)| l.iter().copied().chain(std::iter::once(b'\n')))
            .collect();
        for (at, b) in edits {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
        }
        if let Ok(l) = load_reader(&study, Mode::Lenient, "w.csv", bytes.as_slice()) {
            let r = &l.report;
            let excluded: u64 = r.rows_excluded().values().sum();
            prop_assert_eq!(r.rows_read(), r.rows_kept() + excluded);
        }
        let _ = load_reader(&study, Mode::Strict, "w.csv", bytes.as_slice());
    }
}

#[test]
fn a_quote_never_closed_stops_the_file_at_the_record_limit_not_at_memory() {
    // A quote opened on line 5, then more than MAX_RECORD_BYTES of rows:
    // without a bound the parser would hold the rest of the file as one
    // record. It stops with the record's first line instead.
    let text = String::from_utf8(valid_bytes()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let quoted = format!("\"{}", lines[4]);
    lines[4] = &quoted;
    let row = lines[1];
    let mut csv = lines.join("\n");
    let limit = cohort_panel::MAX_RECORD_BYTES as usize;
    while csv.len() < limit + 2 * row.len() + 1000 {
        csv.push('\n');
        csv.push_str(row);
    }
    let err = load_reader(&small_study(), Mode::Lenient, "p.csv", csv.as_bytes()).unwrap_err();
    let p = err
        .report
        .problems
        .iter()
        .find(|p| p.kind == cohort_panel::ProblemKind::RecordTooLong)
        .expect("the long record is a problem");
    assert_eq!(p.line, Some(5));
    assert!(p.message.contains("never closed"), "{}", p.message);
    // The three rows before it were read and kept.
    assert_eq!(err.report.rows_read(), 3);
}

#[test]
fn a_line_longer_than_the_limit_stops_the_file() {
    let text = String::from_utf8(valid_bytes()).unwrap();
    let mut csv = text.lines().take(3).collect::<Vec<_>>().join("\n");
    csv.push('\n');
    csv.push_str(&"7".repeat(cohort_panel::MAX_RECORD_BYTES as usize + 10));
    let err = load_reader(&small_study(), Mode::Lenient, "p.csv", csv.as_bytes()).unwrap_err();
    let p = &err.report.problems[0];
    assert_eq!(
        (p.kind, p.line),
        (cohort_panel::ProblemKind::RecordTooLong, Some(4))
    );
}
