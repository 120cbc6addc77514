//! Integration tests of cohort-models against the R reference values.

mod gee;
mod glmm_degenerate;
mod longley;
mod reference;
