//! Models for longitudinal data: the formula language, design matrices,
//! linear mixed models (profiled REML/ML, as lme4) and GEE (as geepack).
//!
//! # Brief overview
//! - [`parse`] reads a formula (`y ~ factor(wave) + (1 | family_id)`) into
//!   a [`Formula`]; errors point at the token.
//! - [`Frame`]: named numeric or categorical columns; [`design`] makes
//!   the fixed-effects matrix (R's treatment contrasts and names), the
//!   response and the random terms from a formula and a frame.
//! - [`fit_lmm`]: a linear mixed model; [`fit_gee`]: GEE with a working
//!   correlation and sandwich standard errors.
//!
//! ```
//! use cohort_models::{design, fit_lmm, parse, Column, Criterion, Frame};
//!
//! // Two groups of three with a group effect and noise.
//! let y = [1.0, 2.0, 1.5, 4.0, 5.0, 4.4];
//! let mut frame = Frame::new(6);
//! frame.insert("y", Column::Numeric(y.iter().map(|v| Some(*v)).collect()));
//! frame.insert("g", Column::Factor {
//!     levels: vec!["a".into(), "b".into()],
//!     codes: vec![Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)],
//! });
//! let d = design(&parse("y ~ 1 + (1 | g)").unwrap(), &frame).unwrap();
//! let fit = fit_lmm(&d, Criterion::Reml).unwrap();
//! // Balanced: the intercept is the grand mean.
//! assert!((fit.beta[0] - y.iter().sum::<f64>() / 6.0).abs() < 1e-9);
//! ```
#![deny(missing_docs)]
// Linear algebra reads best with the indices of its formulas.
#![allow(clippy::needless_range_loop)]

mod cluster_se;
mod design;
mod error;
mod formula;
mod frame;
mod gee;
mod glm;
mod glmm;
pub mod linalg;
mod lm;
mod lmm;
mod optimize;
mod satterthwaite;
mod special;
mod type3;

pub use cluster_se::{cluster_robust, ClusterRobust};
pub use design::{
    design, Design, RandomDesign, MISSING_COVARIATE, MISSING_GROUPING, MISSING_OUTCOME,
};
pub use error::{FormulaError, ModelError};
pub use formula::{
    parse, Formula, RandomTerm, Term, Var, MAX_FORMULA_CHARS, MAX_PRODUCT_FACTORS,
    MAX_RANDOM_TERMS, MAX_TERMS,
};
pub use frame::{unknown_name, Column, Frame};
pub use gee::{fit_gee, standard_errors, CorStr, Family, GeeFit, GeeOptions};
pub use glm::{fit_glm, fit_negbin, irls, GlmFit, GlmModel, NegBinModel, Response};
pub use glmm::{fit_glmm, gauss_hermite, GlmmFamily, GlmmFit, ModesSummary, MAX_AGQ};
pub use lm::{fit_lm, LmFit};
pub use lmm::{fit_lmm, Criterion, LmmFit, VarComp};
pub use optimize::{minimize, Minimum};
pub use satterthwaite::{mixed_tests, satterthwaite, FTest, MixedTests, Satterthwaite};
pub use type3::{type3_contrasts, Hypothesis};
