//! Integration tests of cohort-stats, by topic.

mod change;
mod distributions;
mod glmm_summary;
mod reference;
mod stability;
