//! Integration tests of cohort-results.

mod gate;
