//! Errors of the study file. Problems in the data are not errors but
//! collected [`Problem`](crate::Problem)s, so that one run reports them all.

use std::path::PathBuf;

use crate::locate::{problem_lines, StudyProblem};
use crate::report::LoadReport;

/// The study file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The file cannot be read.
    #[error("cannot read study file {}: {source}", path.display())]
    Io {
        /// The study file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The study path is not a regular file.
    #[error("{}: not a regular file (a directory, device or pipe); expected a study file (TOML)", path.display())]
    NotAFile {
        /// The path given.
        path: PathBuf,
    },
    /// The study file is larger than any study file needs to be.
    #[error("{}: the study file is larger than {limit} bytes; expected a TOML study file", path.display())]
    TooLarge {
        /// The study file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The text is not valid TOML or a value has the wrong type.
    #[error("{}: {message}", path.display())]
    Toml {
        /// The study file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The file is TOML but its content is not a valid study.
    #[error("{}: {} problem(s):\n  {}", path.display(), problems.len(), problem_lines(problems))]
    Invalid {
        /// The study file.
        path: PathBuf,
        /// Every problem, each with its line, column and key.
        problems: Vec<StudyProblem>,
    },
}

/// The data could not be loaded: strict mode found problems, or a problem
/// (a missing file, a missing column) made a file unreadable. The report
/// has every problem and the row accounting.
#[derive(Debug, thiserror::Error)]
#[error("{} problem(s) in the data", report.problem_count())]
pub struct LoadFailure {
    /// What was read, and every problem.
    pub report: Box<LoadReport>,
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
