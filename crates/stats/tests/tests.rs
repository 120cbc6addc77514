//! Integration tests of cohort-stats, by topic.

mod change;
mod distributions;
mod reference;
mod stability;
