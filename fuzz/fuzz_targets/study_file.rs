//! The study-file reader on any text: an error or a study, never a panic,
//! a hang or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|text: &str| {
    let _ = cohort_panel::Study::from_str_in(text, Path::new("study.toml"), Path::new("."));
});
