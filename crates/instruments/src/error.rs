//! Errors of instrument declarations.

use std::path::PathBuf;

/// The study file's `[[instruments]]` or `[[derived]]` tables are not valid.
#[derive(Debug, thiserror::Error)]
#[error("{}: {} problem(s) in the instrument declarations:\n  {}", path.display(), problems.len(), problems.join("\n  "))]
pub struct SpecError {
    /// The study file.
    pub path: PathBuf,
    /// One line per problem.
    pub problems: Vec<String>,
}
