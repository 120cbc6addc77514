//! `cohort audit REPORT_DIR`: checks a report folder as a reader with a
//! calculator would, before it leaves the building: small counts, values
//! on too few units or with a small implied count, and suppressed cells
//! that the published tables and their links pin down. Exit 1 on any
//! finding.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cohort_results::{audit, PublishedResults};

use crate::EXIT_BAD_INPUT;

#[derive(Args)]
pub struct AuditArgs {
    /// A report folder written by `cohort report` (its results.json is
    /// what every table and figure is drawn from).
    report: PathBuf,
}

pub fn run(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let file = args.report.join("results.json");
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "error: {}: {e}; expected the results.json of a report",
                file.display()
            );
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let published: PublishedResults = match serde_json::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!(
                "error: {}: not the results of `cohort report` ({e})",
                file.display()
            );
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let findings = audit(&published);
    for f in &findings {
        println!("{}: {f}", file.display());
    }
    let summary = format!(
        "{} finding(s) in {} (min_cell {}, rounding {})",
        findings.len(),
        args.report.display(),
        published.rules.smallest_count(),
        published.rules.rounding()
    );
    if findings.is_empty() {
        crate::verbosity::note!("{summary}: nothing a reader could recover");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{summary}");
        Ok(ExitCode::FAILURE)
    }
}
