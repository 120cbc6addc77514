//! Study-file problems: all collected in one pass, each with its line,
//! column and key.

use std::path::Path;

use cohort_panel::{Study, StudyError};

const STUDY: &str = r#"[study]
name = "three mistakes"

[data]
path = "x.csv"
respondent = "rid"
cluster = "fid"
role = "role"
wave = "wave"
wave_col = "w"

[[waves]]
label = "T0"
months = 0
recall_months = 12

[[variables]]
name = "role"
type = "categorical"
codes = { p = "parent" }

[[variables]]
name = "age"
type = "integr"
range = [0, 99]

[disclosure]
round_to = 0
"#;

#[test]
fn three_mistakes_in_three_places_give_three_located_problems() {
    let err = Study::from_str_in(STUDY, Path::new("three.toml"), Path::new(".")).unwrap_err();
    let StudyError::Invalid { problems, .. } = err else {
        panic!("not a validation error: {err}");
    };
    let found: Vec<(usize, usize, &str)> = problems
        .iter()
        .map(|p| {
            let at = p.position.expect("every problem is located");
            (at.line, at.column, p.key.as_str())
        })
        .collect();
    // Line 10: `wave_col` (unknown); line 24: `type` of the second
    // variable; line 28: `round_to` (0). Counted in STUDY above, 1-based.
    assert_eq!(
        found,
        [
            (10, 1, "data.wave_col"),
            (24, 1, "variables.1.type"),
            (28, 1, "disclosure.round_to"),
        ]
    );
    assert!(problems[0].message.contains("did you mean `wave`?"));
    assert!(problems[1]
        .message
        .contains("type \"integr\" is not a type"));
    assert_eq!(
        problems[2].to_string(),
        "line 28, column 1: [disclosure] round_to must be at least 1 (1 = no rounding)"
    );
}

#[test]
fn a_value_in_an_inline_table_is_located_at_its_key() {
    // The second code's label is not a string: line 19 (`wave_col` is
    // gone), column 25, where `q` stands; the role variable's own problem
    // is the only one (no "declare the role" on top of it).
    let text = STUDY
        .replace(
            "codes = { p = \"parent\" }",
            "codes = { p = \"parent\", q = 3 }",
        )
        .replace("wave_col = \"w\"\n", "")
        .replace("type = \"integr\"", "type = \"integer\"")
        .replace("round_to = 0", "round_to = 1");
    let err = Study::from_str_in(&text, Path::new("x.toml"), Path::new(".")).unwrap_err();
    let StudyError::Invalid { problems, .. } = err else {
        panic!("{err}");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    let at = problems[0].position.unwrap();
    assert_eq!((at.line, at.column), (19, 25), "{}", problems[0]);
    assert_eq!(problems[0].key, "variables.0.codes.q");
}

#[test]
fn values_in_messages_cannot_break_the_line() {
    // NUL, a line break and a BOM are shown escaped.
    assert_eq!(cohort_panel::show_value(b"P0\x001\nx"), "P0\\01\\nx");
    assert_eq!(
        cohort_panel::show_value("\u{feff}P02".as_bytes()),
        "\\u{feff}P02"
    );
}
