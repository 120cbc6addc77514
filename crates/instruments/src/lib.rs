//! Questionnaire scoring: item responses to the measures every analysis
//! uses.
//!
//! # Brief overview
//! - The study file's `[[instruments]]` and `[[derived]]` declarations
//!   arrive typed and checked in `Study::instruments` ([`Instruments`]).
//! - [`score`] turns a [`Panel`](cohort_panel::Panel) into [`Scores`]: per
//!   measure, one [`Score`] per respondent (or family) and wave, with the
//!   items answered and, where there is no value, a [`Note`] saying why.
//! - Built-in kinds: incident frequency (Conflict-Tactics style:
//!   prevalence, ever, annual frequency scaled by the recall period,
//!   variety, chronicity, severity class, severe-or-frequent, per item group) and
//!   sum scales (reversed items, prorating, subscales, clinical cut-offs by
//!   age and sex, norm scores).
//! - [`open`]: the one way to read, load and score a study.
//! - [`reliability`]: Cronbach's alpha with its Feldt interval and
//!   item-rest correlations, per scale and wave.
#![deny(missing_docs)]

mod error;
mod open;
mod reliability;
mod score;
mod write;

/// The declarations scored here are read and checked with the study file
/// (`cohort-panel`), in the same pass and with the same positions.
pub use cohort_panel::{
    derived_measure, instrument_measures, read_norms, Cutoff, Derived, Frequency, Instrument,
    InstrumentKind, Instruments, ItemGroup, Level, MeasureDef, MeasureKind, NormRow, Norms,
    NormsError, Rule, SumScale, Term, DEFAULT_COUNTS, SEVERITY_CLASSES,
};
pub use error::AlphaError;
pub use open::{open, open_with_progress, OpenError, ScoredStudy};
pub use reliability::{alphas_at, cronbach_alpha, pearson, reliability, ItemRest, Reliability};
pub use score::{
    score, score_with_progress, ItemCounts, MeasureId, MeasureScores, Note, Score, ScoreRows,
    Scores,
};
pub use write::{write_long, write_wide};
