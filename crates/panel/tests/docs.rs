//! Every example in docs/study-file.md is a complete study over the data
//! in fixtures/small: it parses and its data load with nothing excluded,
//! so the docs cannot drift from the code.

use cohort_panel::{load, Mode, Study};
use cohort_testkit::workspace_root;

#[test]
fn every_toml_example_in_the_docs_parses() {
    let root = workspace_root();
    let text = std::fs::read_to_string(root.join("docs/study-file.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(b), "```") => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(blocks.len() >= 4, "found {} toml examples", blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        let dir = root.join("fixtures/small");
        let study = match Study::from_str_in(b, &dir.join("example.toml"), &dir) {
            Ok(s) => s,
            Err(e) => panic!("example {} does not parse: {e}\n{b}", i + 1),
        };
        // Lenient, because an example may declare only some columns.
        let loaded = match load(&study, Mode::Lenient) {
            Ok(l) => l,
            Err(e) => panic!("example {} does not load: {:?}", i + 1, e.report.problems),
        };
        let r = &loaded.report;
        assert!(
            r.rows_read() > 0 && r.rows_read() == r.rows_kept(),
            "example {}: {r:?}",
            i + 1
        );
        assert!(
            r.values_excluded.is_empty(),
            "example {}: {:?}",
            i + 1,
            r.problems
        );
    }
}
