//! Why a statistic cannot be computed, or why a request is wrong.

use thiserror::Error;

/// A statistic that the data do not allow (published as `null` with this
/// as the note).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Degenerate {
    /// Fewer pairs than the statistic needs.
    #[error("{n} pair(s); at least {needed} needed")]
    TooFewPairs {
        /// Pairs there are.
        n: usize,
        /// Pairs needed.
        needed: usize,
    },
    /// The paired differences are all equal.
    #[error("the differences have no variance")]
    NoVariance,
    /// Every paired difference is zero (Wilcoxon and sign test drop
    /// zeros, so nothing is left).
    #[error("every difference is zero")]
    AllZero,
    /// The ranks of the absolute differences are all tied.
    #[error("the ranks have no variance")]
    NoRankVariance,
}

/// A request the statistics cannot serve.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StatsError {
    /// The grouping variable is not declared in the study file.
    #[error("{variable} is not a declared variable")]
    UnknownVariable {
        /// The name given.
        variable: String,
    },
    /// The grouping variable is declared, but not categorical.
    #[error("{variable} is not categorical: only categorical variables group")]
    NotCategorical {
        /// The name given.
        variable: String,
    },
}
