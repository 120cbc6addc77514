//! Why an analysis could not run.

use std::path::PathBuf;

use thiserror::Error;

/// An analysis that could not run, with what failed.
#[derive(Debug, Error)]
pub enum AnalysisError {
    /// The study could not be opened (study file, instruments or data).
    #[error("{0}; `cohort check` shows every problem")]
    Open(#[from] cohort_instruments::OpenError),
    /// An input file could not be hashed for the provenance.
    #[error("hashing the inputs of {}: {source}", path.display())]
    Hashing {
        /// The study file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A statistic could not be computed as asked.
    #[error(transparent)]
    Stats(#[from] cohort_stats::StatsError),
    /// Not an analysis of the registry.
    #[error("unknown analysis \"{name}\" (known: vji-findings, vji-effectiveness, vji-trauma, vji-attrition)")]
    UnknownAnalysis {
        /// The name given.
        name: String,
    },
    /// Writing the document failed.
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}
