//! Why a statistic of the scores cannot be computed.

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
