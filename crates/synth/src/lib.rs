//! Synthetic, anonymised cohorts from a documented generative model.
//!
//! # Brief overview
//! - [`VjiParams`]: the parameters of the VJI preset, each documented with
//!   the published figure it serves (see `fixtures/vji/README.md`).
//! - [`family`] generates one family from its own ChaCha8 stream
//!   (seed, family index), so families can be generated in any order and
//!   on any number of threads with the same result.
//! - [`study_toml`] and [`write_data`] write the study file (variables,
//!   instruments, derived family measures) and the data, long or wide.
//!
//! The data are anonymous by construction: random ids, no names, ages in
//! whole years, synthetic municipality codes.
#![deny(missing_docs)]

mod model;
mod write;

pub use model::{
    category, family, item_names, logistic, probit, Family, Member, Stream, VjiParams, CHILD_ITEMS,
    CHILD_TO_PARENT_ITEMS, PARTNER_ITEMS, TRAUMA_ITEMS, WAVES,
};
pub use write::{study_toml, write_data, SynthCounts, SynthLayout, TRAUMA_CUTOFFS};
