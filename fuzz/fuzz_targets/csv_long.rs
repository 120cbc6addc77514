//! The CSV loader, long layout (fixtures/small/study.toml), on any bytes:
//! every row accounted for (read = kept + excluded), never a panic.
#![no_main]

use cohort_panel::{load_reader, Mode, Study};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn study() -> &'static Study {
    static STUDY: OnceLock<Study> = OnceLock::new();
    STUDY.get_or_init(|| {
        let text = include_str!("../../fixtures/small/study.toml");
        Study::from_str_in(text, Path::new("study.toml"), Path::new(".")).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(loaded) = load_reader(study(), Mode::Lenient, "fuzz.csv", data) {
        let r = &loaded.report;
        let excluded: u64 = r.rows_excluded().values().sum();
        assert_eq!(r.rows_read(), r.rows_kept() + excluded);
    }
});
