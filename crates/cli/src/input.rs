//! Reading a study and its data for the commands that compute: errors go
//! to stderr in one format, and the caller gets the exit code.

use std::fmt::Write as _;
use std::path::Path;

use cohort_instruments::{open_with_progress, MeasureId, OpenError};
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
    let progress = crate::progress::Progress::new();
    let mib = |bytes: u64| (bytes >> 20) as usize;
    let loading = |done: u64, total: u64| progress.tick("loading (MiB)", mib(done), mib(total));
    let scoring = |done: usize, total: usize| progress.tick("scoring", done, total);
    let opened = open_with_progress(path, mode, &loading, &scoring);
    drop(progress);
    match opened {
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

/// [`read_scored`] for the commands that analyse measures, with the
/// measures `named` (by `--measure`) resolved: a declared variable named
/// there becomes a measure. `None` also (after saying so) when a name is
/// neither, or when the study has no measure, rather than an empty table.
pub fn read_measures(
    path: &Path,
    lenient: bool,
    named: &[String],
) -> Option<(Scored, Vec<MeasureId>)> {
    let mut scored = read_scored(path, lenient)?;
    let mut ids = Vec::new();
    for name in named {
        match scored
            .scores
            .measure_or_variable(&scored.loaded.panel, name)
        {
            Ok(id) => ids.push(id),
            Err(why) => {
                eprintln!("error: --measure {name}: {why}");
                return None;
            }
        }
    }
    if scored.scores.measures.is_empty() {
        eprintln!(
            "error: {}: the study has no measure, so there is nothing to analyse; \
             expected an [[instruments]] entry that scores items into measures, a \
             [[measures]] entry naming an outcome variable, or --measure VARIABLE \
             (docs/study-file.md)",
            path.display()
        );
        return None;
    }
    Some((scored, ids))
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

/// Checks that every declared model (`[[models]]`) of the study resolves
/// on the scored panel as the report will fit it: the formula read, its
/// names found, the request consistent, the clusters found; `false` after
/// printing each problem at its key.
pub fn declared_models_resolve(
    study: &cohort_panel::Study,
    panel: &cohort_panel::Panel,
    scores: &cohort_instruments::Scores,
) -> bool {
    let problems: Vec<cohort_panel::StudyProblem> = study
        .models
        .iter()
        .enumerate()
        .filter_map(|(i, spec)| {
            // What the data make of a valid request (a rank-deficient
            // design) is the report's to say ("not fitted").
            let e = cohort_stats::model_request(panel, scores, spec)
                .err()
                .filter(cohort_stats::RequestError::is_declaration)?;
            Some(cohort_panel::StudyProblem::at(
                &study.positions,
                &format!("{}.formula", spec.key),
                format!(
                    "[[models]] {} ({}), `{}`: {}",
                    i + 1,
                    spec.name,
                    spec.formula,
                    match &e {
                        cohort_stats::RequestError::Cluster(m) => match spec.method {
                            cohort_panel::ModelMethod::Gee => format!("`id` {m}"),
                            cohort_panel::ModelMethod::Regression => format!("`cluster` {m}"),
                        },
                        other => other.to_string(),
                    }
                ),
            ))
        })
        .collect();
    if problems.is_empty() {
        return true;
    }
    eprintln!(
        "error: {}",
        cohort_panel::StudyError::Invalid {
            path: study.path.clone(),
            problems,
        }
    );
    false
}
