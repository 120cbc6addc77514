//! The formula parser on any text: a formula or an error with a column
//! inside the text (or just past it), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match cohort_models::parse(text) {
        Ok(f) => {
            for v in f.vars() {
                assert!(v.column >= 1 && v.column <= text.chars().count());
            }
        }
        Err(e) => assert!(e.column >= 1 && e.column <= text.chars().count() + 1),
    }
});
