//! Reading a study and its data for the commands that compute: errors go
//! to stderr in one format, and the caller gets the exit code.

use std::fmt::Write as _;
use std::path::Path;

use cohort_instruments::{open, OpenError};
use cohort_panel::{LoadReport, Mode, Study, PROBLEMS_KEPT};

/// The study file, or `None` after printing why not.
pub fn read_study(path: &Path) -> Option<Study> {
    match Study::from_path(path) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

pub use cohort_instruments::ScoredStudy as Scored;

/// Reads, loads and scores a study ([`cohort_instruments::open`]), or
/// `None` after printing why not.
pub fn read_scored(path: &Path, lenient: bool) -> Option<Scored> {
    let mode = if lenient { Mode::Lenient } else { Mode::Strict };
    match open(path, mode) {
        Ok(s) => Some(s),
        Err(OpenError::Data(f)) => {
            eprint!("{}", render_problems(&f.report, mode));
            None
        }
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

/// The problems, grouped by kind, with the count of each kind.
pub fn render_problems(report: &LoadReport, mode: Mode) -> String {
    let mut s = String::new();
    let total = report.problem_count();
    let why = match mode {
        Mode::Strict if !report.has_file_problem() => {
            " (strict; --lenient excludes offending values and rows instead)"
        }
        _ => "",
    };
    let _ = writeln!(s, "error: {total} problem(s) in the data{why}");
    for (kind, n) in &report.problems_by_kind {
        let _ = writeln!(s, "  {} ({n}):", kind.name());
        for p in report.problems.iter().filter(|p| p.kind == *kind) {
            let _ = writeln!(s, "    {p}");
        }
    }
    if total > report.problems.len() as u64 {
        let _ = writeln!(
            s,
            "  (the first {PROBLEMS_KEPT} problems are shown in full; {total} in all)"
        );
    }
    s
}
