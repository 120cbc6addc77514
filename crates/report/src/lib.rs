//! Rendering of published results: the report's figures and tables, and
//! the files that carry them. It takes [`PublishedResults`] (made only by
//! the disclosure gate in `cohort-results`) and never the panel or the
//! scores.
//!
//! # Brief overview
//! - [`write_report`] writes `report.html` (self-contained), `report.md`,
//!   `tables/*.csv`, `results.json` and the figures; [`write_figures`]
//!   redraws the figures from a saved `results.json`.
//! - [`figures`]: the report's figures as data, ready to render.
//! - [`escape`], [`escape_markdown`]: escaping of every label in HTML and
//!   Markdown.
#![deny(missing_docs)]

mod cells;
mod document;
mod figures;
mod html;
mod markdown;
mod table;
mod tables;
mod words;
mod write;

pub use cohort_results::PublishedResults;
pub use figures::{figures, Figure};
pub use html::escape;
pub use markdown::escape_markdown;
pub use write::{write_figures, write_report, ReportError};
