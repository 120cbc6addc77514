//! One way to open a study for every command and analysis: read the study
//! file, check its instruments, load the data and score them.

use std::path::Path;

use cohort_panel::{load_with_progress, LoadFailure, Loaded, Mode, Study, StudyError};

use crate::score::{score_with_progress, Scores};

/// A study read, loaded and scored.
#[derive(Debug)]
pub struct ScoredStudy {
    /// The study file.
    pub study: Study,
    /// The panel and its load report.
    pub loaded: Loaded,
    /// The scores.
    pub scores: Scores,
}

/// Why a study could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The study file cannot be read or is not a valid study (its
    /// instruments and derived measures included).
    #[error(transparent)]
    Study(#[from] StudyError),
    /// The data have problems (the report lists them all).
    #[error(transparent)]
    Data(#[from] LoadFailure),
}

/// Reads the study file at `path` (with its instruments), loads the data
/// (`mode`: strict or lenient) and scores them.
pub fn open(path: &Path, mode: Mode) -> Result<ScoredStudy, OpenError> {
    open_with_progress(path, mode, &|_, _| {}, &|_, _| {})
}

/// [`open`], telling `loading(bytes read, bytes in all)` and
/// `scoring(instruments done, instruments)` as it goes.
pub fn open_with_progress(
    path: &Path,
    mode: Mode,
    loading: &dyn Fn(u64, u64),
    scoring: &dyn Fn(usize, usize),
) -> Result<ScoredStudy, OpenError> {
    let study = Study::from_path(path)?;
    let loaded = load_with_progress(&study, mode, loading)?;
    let scores = score_with_progress(&loaded.panel, &study.instruments, scoring);
    Ok(ScoredStudy {
        study,
        loaded,
        scores,
    })
}
