//! The results of a study as one value, and the disclosure gate: the only
//! maker of numbers that leave the toolkit.
//!
//! # Brief overview
//! - [`StudyResults`]: everything a report or analysis publishes, computed
//!   once from the scored panel (by `cohort-stats`), unprotected: estimates
//!   per wave and by group, change tables, transitions, trajectories,
//!   response and attrition, reliability, and how each was computed. It
//!   stays in memory (or in a file marked internal).
//! - [`publish`] passes a [`StudyResults`] through the [`Gate`] and gives
//!   [`PublishedResults`], the only input rendering accepts; only this
//!   crate can construct one. `results.json` is its serialisation.
//! - [`Gate`]: the study's disclosure [`Rules`] applied to tables
//!   ([`protect`]), shares and means, and counts, with the log of every
//!   [`Suppression`].
//! - [`TrajectoryClass`]: the one definition of stopped, started,
//!   decreased, persistent and increased.
//!
//! ```
//! use cohort_results::TrajectoryClass;
//!
//! assert_eq!(TrajectoryClass::of(12.0, 0.0), TrajectoryClass::Stopped);
//! assert_eq!(TrajectoryClass::of(0.0, 0.0), TrajectoryClass::None);
//! assert!(TrajectoryClass::of(12.0, 3.0).violent_at_first());
//! ```
#![deny(missing_docs)]

mod audit;
mod design;
mod gate;
mod lp;
mod models;
mod published;
mod raw;

pub use audit::{audit, protection_width, AuditFinding};
pub use design::{
    Design, GroupingDesign, InstrumentDesign, InstrumentType, MeasureDesign, MeasureSource,
    WaveDesign,
};
pub use gate::{
    protect, publish, Gate, ProtectedTable, Rules, Shown, Suppression, DOMINANCE_K, MIN_MODEL_DF,
    SMALLEST_MIN_CELL, WHISKER_UNITS,
};
pub use models::{ModelResult, ModelTerm, ModelTest, ModelVariance, PublishedModel};
pub use published::{
    ChangeRow, EstimateRow, PublishedResults, PublishedShare, ReliabilityRow, Trajectory,
    REPORT_SCHEMA,
};
pub use raw::{
    BootstrapInfo, Change, CountTable, Estimate, Methods, Reliability, Statistic, StoppedShare,
    StudyResults, Trajectories, TrajectoryClass, TrajectoryGroup, Unit, ATTRITION_ROWS,
};
