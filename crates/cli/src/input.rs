//! Reading a study and its data for the commands that compute: errors go
//! to stderr in one format, and the caller gets the exit code.

use std::fmt::Write as _;
use std::path::Path;

use cohort_instruments::{score, Instruments, Scores};
use cohort_panel::{load, LoadReport, Loaded, Mode, Study, PROBLEMS_KEPT};

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

/// A study read, loaded and scored.
pub struct Scored {
    /// The study file.
    pub study: Study,
    /// Its instruments.
    pub spec: Instruments,
    /// The panel and load report.
    pub loaded: Loaded,
    /// The scores.
    pub scores: Scores,
}

/// Reads, loads and scores a study, or `None` after printing why not.
pub fn read_scored(path: &Path, lenient: bool) -> Option<Scored> {
    let study = read_study(path)?;
    let spec = match Instruments::from_study(&study) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let loaded = read_panel(&study, lenient)?;
    let scores = score(&loaded.panel, &spec);
    Some(Scored {
        study,
        spec,
        loaded,
        scores,
    })
}

/// The loaded panel, or `None` after printing the problems.
pub fn read_panel(study: &Study, lenient: bool) -> Option<Loaded> {
    let mode = if lenient { Mode::Lenient } else { Mode::Strict };
    match load(study, mode) {
        Ok(l) => Some(l),
        Err(f) => {
            eprint!("{}", render_problems(&f.report, mode));
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
