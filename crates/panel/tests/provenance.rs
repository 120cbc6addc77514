//! SHA-256 and provenance.

use cohort_panel::{provenance, FileHash, Study};
use cohort_testkit::fixture;

#[test]
fn sha256_of_the_standard_test_vector() {
    // FIPS 180-2, "abc".
    let path = std::env::temp_dir().join(format!("cohort-sha-{}", std::process::id()));
    std::fs::write(&path, "abc").unwrap();
    assert_eq!(
        FileHash::of(&path).unwrap().sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    std::fs::remove_file(&path).ok();
}

#[test]
fn provenance_names_every_input() {
    let study = Study::from_path(&fixture("small/study.toml")).unwrap();
    let p = provenance(&study, Some(7)).unwrap();
    assert_eq!(p.data.len(), 1);
    assert!(p.data[0].path.ends_with("panel_long.csv"));
    assert_eq!(
        p.data[0].sha256,
        FileHash::of(&study.data.files[0]).unwrap().sha256
    );
    assert_eq!(p.seed, Some(7));
    assert_eq!(p.toolkit_version, env!("CARGO_PKG_VERSION"));
}
