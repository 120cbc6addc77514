//! Integration tests of cohort-report.

mod disclosure;
mod provenance;
