//! What leaves the toolkit in a report: disclosure control and provenance.
//!
//! # Brief overview
//! - [`protect`] applies the study's [`Rules`] to a [`CountTable`]:
//!   counts below `min_cell` shown as "<10", secondary suppression so that
//!   no suppressed count follows from a total, optional rounding; every
//!   suppression listed with its reason in the [`ProtectedTable`].
//! - [`protect_value`]: shares and means of fewer than `min_cell` units are
//!   not shown.
//! - [`provenance`]: toolkit version and SHA-256 of the study and data
//!   files, and the seed.
#![deny(missing_docs)]

mod disclosure;
mod provenance;

pub use disclosure::{
    protect, protect_value, CountTable, ProtectedTable, Rules, Shown, Suppression,
};
pub use provenance::{provenance, sha256_file, FileHash, Provenance};
