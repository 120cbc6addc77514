//! Writing a panel to long CSV and reading it back gives the same panel.

use cohort_panel::{load, load_reader, write_long, Mode, Study};
use cohort_testkit::fixture;
use proptest::prelude::*;

use crate::rows;

fn roundtrip(study_file: &str, reread_with: &str) {
    let study = Study::from_path(&fixture(study_file)).unwrap();
    let panel = load(&study, Mode::Strict).unwrap().panel;
    let mut csv = Vec::new();
    write_long(&panel, &mut csv).unwrap();
    let long_study = Study::from_path(&fixture(reread_with)).unwrap();
    let again = load_reader(&long_study, Mode::Strict, "written.csv", csv.as_slice()).unwrap();
    assert_eq!(rows(&panel), rows(&again.panel));
    let mut csv2 = Vec::new();
    write_long(&again.panel, &mut csv2).unwrap();
    assert_eq!(csv, csv2, "writing twice gives the same bytes");
}

#[test]
fn long_roundtrip() {
    roundtrip("small/study.toml", "small/study.toml");
}

#[test]
fn wide_to_long_roundtrip() {
    roundtrip("small/study_wide.toml", "small/study.toml");
}

#[test]
fn dutch_export_roundtrip_keeps_delimiter_and_decimal_comma() {
    roundtrip("small/study_nl.toml", "small/study_nl.toml");
}

const STUDY: &str = r#"
[study]
name = "prop"
[data]
path = "p.csv"
respondent = "rid"
cluster = "fid"
role = "role"
wave = "wave"
missing = { -9999999 = "refused" }
[[waves]]
label = "A"
months = 0
recall_months = 12
[[waves]]
label = "B"
months = 6
recall_months = 6
[[variables]]
name = "role"
type = "categorical"
codes = { p = "parent", c = "child" }
[[variables]]
name = "n"
type = "integer"
range = [-300, 300]
[[variables]]
name = "x"
type = "float"
range = [-1e6, 1e6]
[[variables]]
name = "k"
type = "categorical"
codes = { a = "A", "b b" = "B, quoted" }
"#;

fn cell_n() -> impl Strategy<Value = String> {
    prop_oneof![
        (-300i64..=300).prop_map(|v| v.to_string()),
        Just("-9999999".to_string()),
        Just(String::new())
    ]
}

fn cell_x() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1e6f64..1e6).prop_map(|v| v.to_string()),
        Just("-9999999".to_string()),
        Just(String::new())
    ]
}

fn cell_k() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_string()),
        Just("\"b b\"".to_string()),
        Just(String::new())
    ]
}

proptest! {
    /// Any valid long file survives load -> write -> load unchanged.
    #[test]
    fn random_valid_panels_roundtrip(
        people in proptest::collection::vec((0u8..5, any::<bool>(), any::<bool>(), any::<bool>()), 1..12),
        cells in proptest::collection::vec((cell_n(), cell_x(), cell_k()), 24),
    ) {
        let study = Study::from_str_in(STUDY, std::path::Path::new("p.toml"), std::path::Path::new(".")).unwrap();
        let mut csv = String::from("rid,fid,role,wave,n,x,k\n");
        let mut any = false;
        for (i, (fam, child, a, b)) in people.iter().enumerate() {
            for (w, present) in [("A", *a), ("B", *b)] {
                if present {
                    any = true;
                    let (n, x, k) = &cells[(2 * i + usize::from(w == "B")) % cells.len()];
                    let role = if *child { "c" } else { "p" };
                    csv.push_str(&format!("R{i},F{fam},{role},{w},{n},{x},{k}\n"));
                }
            }
        }
        prop_assume!(any);
        let first = load_reader(&study, Mode::Strict, "p.csv", csv.as_bytes()).unwrap();
        let mut written = Vec::new();
        write_long(&first.panel, &mut written).unwrap();
        let second = load_reader(&study, Mode::Strict, "w.csv", written.as_slice()).unwrap();
        prop_assert_eq!(rows(&first.panel), rows(&second.panel));
    }
}
