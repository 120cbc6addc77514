//! Typed errors of the models crate.

use std::fmt;

/// A formula that cannot be read, or names what the data lacks: where
/// (1-based column in the formula) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaError {
    /// 1-based column of the offending token.
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl FormulaError {
    pub(crate) fn at(column: usize, message: impl Into<String>) -> FormulaError {
        FormulaError {
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FormulaError {}

/// Why a model cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The formula is malformed or names something the data lacks.
    #[error("formula {formula:?} {error}")]
    Formula {
        /// The formula as given.
        formula: String,
        /// Where and what.
        error: FormulaError,
    },
    /// The data cannot support the model (a response with no variance, a
    /// grouping that cannot carry a variance, too few rows).
    #[error("{0}")]
    Data(String),
    /// A term of the design is a copy or a combination of others.
    #[error("the design is rank-deficient: {term} is a linear combination of the terms before it")]
    RankDeficient {
        /// The aliased coefficient.
        term: String,
    },
    /// The model is not supported (crossed random effects, a family the
    /// fit does not have).
    #[error("{0}")]
    Unsupported(String),
}
