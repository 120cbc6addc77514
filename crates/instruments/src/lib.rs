//! Questionnaire scoring: item responses to the measures every analysis
//! uses.
//!
//! # Brief overview
//! - [`Instruments::from_study`] reads and checks the study file's
//!   `[[instruments]]` and `[[derived]]` declarations.
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
mod measures;
mod norms;
mod open;
mod reliability;
mod score;
mod spec;
mod write;

pub use error::{AlphaError, NormsError, SpecError};
pub use measures::{
    derived_measure, instrument_measures, MeasureDef, MeasureKind, SEVERITY_CLASSES,
};
pub use norms::read_norms;
pub use open::{open, OpenError, ScoredStudy};
pub use reliability::{alphas_at, cronbach_alpha, pearson, reliability, ItemRest, Reliability};
pub use score::{score, ItemCounts, MeasureScores, Note, Score, ScoreRows, Scores};
pub use spec::{
    Cutoff, Derived, Frequency, Instrument, InstrumentKind, Instruments, ItemGroup, Level, NormRow,
    Norms, Rule, SumScale, Term, DEFAULT_COUNTS,
};
pub use write::{write_long, write_wide};
