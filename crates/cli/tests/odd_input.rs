//! fixtures/odd: the data of fixtures/small written in unusual but valid
//! ways (line endings, a BOM, quotes, padding, 3.00 for 3, columns in
//! another order). Each must load, and score exactly as fixtures/small.

use crate::{assert_ok, cohort};
use cohort_testkit::fixture;

/// The scores `cohort score` writes for `study`.
fn scores(study: &std::path::Path, out: &std::path::Path) -> Vec<u8> {
    let o = cohort(&[
        "score",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&o);
    std::fs::read(out).unwrap()
}

#[test]
fn every_odd_case_loads_and_scores_as_the_plain_file() {
    let tmp = std::env::temp_dir().join(format!("cohort-odd-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cases: Vec<_> = std::fs::read_dir(fixture("odd"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("same_as.txt").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "only {} odd cases", cases.len());
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let same_as = std::fs::read_to_string(case.join("same_as.txt")).unwrap();
        let plain = scores(
            &fixture("small").join(same_as.trim()),
            &tmp.join(format!("{name}.plain.csv")),
        );
        let odd = scores(&case.join("study.toml"), &tmp.join(format!("{name}.csv")));
        assert!(plain.len() > 1000, "{name}: the plain scores are empty");
        assert!(
            odd == plain,
            "{name}: the scores differ from fixtures/small"
        );
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}
