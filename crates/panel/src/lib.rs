//! Study files, loading and validating panel data, and the typed [`Panel`].
//!
//! # Brief overview
//! - [`Study`]: a validated study file: data files, layout, waves,
//!   variables with types, valid values and missing codes.
//! - [`load`] streams the data files into a [`Panel`] and returns a
//!   [`LoadReport`] that accounts for every row (read = kept + excluded).
//! - [`Panel`]: one observation per respondent x wave, compact columns,
//!   missing values with their reason.
//! - [`DataSummary`]: what `cohort check` shows.
//!
//! ```
//! use cohort_panel::{load_reader, Mode, Study};
//! use std::path::Path;
//!
//! let study = Study::from_str_in(r#"
//! [study]
//! name = "demo"
//! [data]
//! path = "demo.csv"
//! respondent = "rid"
//! cluster = "fid"
//! role = "role"
//! wave = "wave"
//! [[waves]]
//! label = "T0"
//! months = 0
//! recall_months = 12
//! [[variables]]
//! name = "role"
//! type = "categorical"
//! codes = { p = "parent", c = "child" }
//! [[variables]]
//! name = "hits"
//! type = "integer"
//! range = [0, 7]
//! "#, Path::new("demo.toml"), Path::new(".")).unwrap();
//! let csv = "rid,fid,role,wave,hits\nA,F1,p,T0,3\nB,F1,c,T0,0\n";
//! let loaded = load_reader(&study, Mode::Strict, "demo.csv", csv.as_bytes()).unwrap();
//! assert_eq!(loaded.panel.n_respondents(), 2);
//! assert_eq!(loaded.panel.n_clusters(), 1);
//! ```
#![deny(missing_docs)]

#[cfg(test)]
mod chunks;
mod draft;
mod dta_text;
mod error;
mod instruments;
mod line_ends;
mod load;
mod locate;
mod measures;
mod models;
mod norms;
mod panel;
mod presence;
mod provenance;
mod report;
mod split;
mod study;
mod suggest;
mod summary;
mod value;
mod write;

pub use draft::{draft_study, DraftError, DraftOptions};
pub use error::{LoadFailure, NormsError, StudyError};
pub use instruments::{
    Cutoff, Derived, Frequency, Instrument, InstrumentKind, Instruments, ItemGroup, Level, NormRow,
    Norms, Plain, Rule, SumScale, Term, DEFAULT_COUNTS,
};
pub use line_ends::{RecordTooLong, MAX_RECORD_BYTES};
pub use load::{load, load_reader, load_with_progress, Loaded, Mode};
pub use locate::{problem_lines, Position, Positions, StudyProblem};
pub use measures::{
    derived_measure, instrument_measures, plain_measure, MeasureDef, MeasureKind, SEVERITY_CLASSES,
};
pub use models::{
    ClusterSeKind, ModelCorStr, ModelFamily, ModelMethod, ModelSpec, MAX_DECLARED_FORMULA_CHARS,
};
pub use norms::read_norms;
pub use panel::{Cell, ClusterId, Column, Missing, Panel, RespondentId, Wave};
pub use presence::{
    dropped_out_by, missed_at, not_yet_entered, present_at, returned_at, PatternClass,
};
pub use provenance::{provenance, FileHash, Provenance};
pub use report::{show_value, FileAccount, LoadReport, Problem, ProblemKind, Scope, PROBLEMS_KEPT};
pub use study::{
    CategoryCode, DataSpec, DateFormat, Decimal, Disclosure, Layout, MissingCode, Study, VarKind,
    Variable, WaveSpec, MAX_STUDY_BYTES, MAX_WAVES,
};
pub use suggest::did_you_mean;
pub use summary::{
    ClusterSizes, CodeCount, DataSummary, PatternCount, Response, ResponsePatterns, RoleCount,
    SizeCount, VariableMissingness, WaveCount, WaveInfo, WaveMissingness, WaveN, CHECK_SCHEMA,
};
pub use value::{format_date, parse_date};
pub use write::write_long;
