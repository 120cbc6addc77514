//! Integration tests of cohort-stats, by topic.

mod distributions;
mod reference;
mod stability;
