//! Integration tests of the `cohort` binary.

mod bad_input;
mod check;
mod docs;
mod report;
mod score;
mod stats;
mod synth;
mod verify;

use std::process::{Command, Output};

/// Runs `cohort` with `args` from the workspace root.
pub fn cohort(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(args)
        .current_dir(cohort_testkit::workspace_root())
        .output()
        .expect("the cohort binary runs")
}
