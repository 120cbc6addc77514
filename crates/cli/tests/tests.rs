//! Integration tests of the `cohort` binary.

mod bad_input;
mod check;
mod docs;
mod init;
mod model;
mod odd_input;
mod plain_study;
mod report;
mod score;
mod shell;
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

/// Asserts that a run exited 0, showing its output where not.
pub fn assert_ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Runs `cohort` with `args`, expects exit code 0 and parses stdout as JSON.
pub fn cohort_json(args: &[&str]) -> serde_json::Value {
    let out = cohort(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}
