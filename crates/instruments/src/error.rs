//! Errors of instrument declarations.

use std::path::PathBuf;

use cohort_panel::{problem_lines, StudyProblem};

/// The study file's `[[instruments]]` or `[[derived]]` tables are not valid.
#[derive(Debug, thiserror::Error)]
#[error("{}: {} problem(s) in the instrument declarations:\n  {}", path.display(), problems.len(), problem_lines(problems))]
pub struct SpecError {
    /// The study file.
    pub path: PathBuf,
    /// Every problem, each with its line, column and key.
    pub problems: Vec<StudyProblem>,
}

/// Why Cronbach's alpha cannot be computed (published as null with this
/// as the note).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlphaError {
    /// Fewer than two complete cases.
    #[error("{n} complete case(s); at least 2 needed")]
    TooFewCases {
        /// Complete cases.
        n: usize,
    },
    /// Fewer than two items.
    #[error("fewer than 2 items")]
    TooFewItems,
    /// The total score is the same for every case.
    #[error("the total score has no variance")]
    NoVariance,
}

/// A norms file that cannot be used, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormsError {
    /// The file cannot be read as CSV.
    #[error("cannot read norms file {}: {message}", path.display())]
    Read {
        /// The norms file.
        path: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// The header is not the expected one.
    #[error("{} line 1: header is \"{found}\"; expected \"{expected}\"", path.display())]
    Header {
        /// The norms file.
        path: PathBuf,
        /// The header found.
        found: String,
        /// The header expected.
        expected: String,
    },
    /// A value is not what its column holds.
    #[error("{} line {line}, column {column}: value \"{value}\" is not {expected}", path.display())]
    Value {
        /// The norms file.
        path: PathBuf,
        /// Line in the file.
        line: u64,
        /// Column name.
        column: String,
        /// The value found.
        value: String,
        /// What the column holds.
        expected: &'static str,
    },
}
