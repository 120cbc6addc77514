//! Integration tests of cohort-results.

mod audit;
mod gate;
