//! What leaves the toolkit in a report: the report's content as data
//! (after disclosure control, with provenance), its figures and tables,
//! and the files that carry them.
//!
//! # Brief overview
//! - [`build`] computes a [`ReportData`] (saved as `results.json`): response,
//!   estimates per wave, change between the first and the last wave,
//!   reliability; every count, share, mean and test passes
//!   [`protect`]/[`protect_value`] on the way in.
//! - [`protect`] applies the study's [`Rules`] to a [`CountTable`]: counts
//!   below `min_cell` shown as "<10", secondary suppression so that no
//!   suppressed count follows from a total, optional rounding; every
//!   suppression is listed with its reason.
//! - [`write_report`] writes `report.html` (self-contained), `report.md`,
//!   `tables/*.csv`, `results.json` and the figures; [`write_figures`]
//!   redraws the figures from a saved `results.json`.
//! - [`provenance`]: toolkit version and SHA-256 of the study and data
//!   files, and the seed.
#![deny(missing_docs)]

mod data;
mod disclosure;
mod figures;
mod provenance;
mod write;

pub use data::{
    build, change_rows, estimate_rows, BootstrapInfo, ChangeRow, EstimateRow, ReliabilityRow,
    ReportData, Trajectory, REPORT_SCHEMA,
};
pub use disclosure::{
    protect, protect_value, CountTable, ProtectedTable, Rules, Shown, Suppression,
};
pub use figures::{figures, Figure};
pub use provenance::{provenance, sha256_file, FileHash, Provenance};
pub use write::{escape, write_figures, write_report, ReportError};
