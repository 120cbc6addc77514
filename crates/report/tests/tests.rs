//! Integration tests of cohort-report.
