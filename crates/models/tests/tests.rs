//! Integration tests of cohort-models against the R reference values.

mod gee;
mod longley;
mod reference;
