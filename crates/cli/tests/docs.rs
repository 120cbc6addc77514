//! Every example in docs/study-file.md is a complete study over the data
//! in fixtures/small (or the folder its first line names, `# data: ...`):
//! it parses, its instruments are valid, its data load with nothing
//! excluded and it scores, and its declared models resolve. So the docs
//! cannot drift from the code.

use cohort_instruments::score;
use cohort_panel::{load, Mode, Study};
use cohort_testkit::workspace_root;

fn examples() -> Vec<String> {
    let text = std::fs::read_to_string(workspace_root().join("docs/study-file.md")).unwrap();
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
    blocks
}

#[test]
fn every_toml_example_in_the_docs_loads_and_scores() {
    let root = workspace_root();
    let blocks = examples();
    assert!(blocks.len() >= 5, "found {} toml examples", blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        let folder = b
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# data: "))
            .unwrap_or("fixtures/small");
        let dir = root.join(folder);
        let study = match Study::from_str_in(b, &dir.join("example.toml"), &dir) {
            Ok(s) => s,
            Err(e) => panic!("example {} does not parse: {e}\n{b}", i + 1),
        };
        let spec = &study.instruments;
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
        let scores = score(&loaded.panel, spec);
        // Every measure an example declares gets a value for somebody.
        for (m, list) in scores.measures.iter().zip(&scores.scores) {
            assert!(
                (0..list.len()).any(|i| list.value(i).is_some()),
                "example {}: {} has no value",
                i + 1,
                m.name
            );
        }
        // Declared models resolve: their formulas read, their names found
        // (fitting them is the data's business).
        for spec in &study.models {
            if let Err(e) = cohort_stats::model_request(&loaded.panel, &scores, spec) {
                assert!(!e.is_declaration(), "example {}: {}: {e}", i + 1, spec.name);
            }
        }
    }
}
