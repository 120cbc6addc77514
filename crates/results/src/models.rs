//! Models as results: what `cohort-stats` fits for the study's
//! `[[models]]` ([`ModelResult`], unprotected) and what the gate lets a
//! report publish of them ([`PublishedModel`]).

use serde::{Deserialize, Serialize};

use crate::gate::Gate;

/// A coefficient of a fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelTerm {
    /// R's name of the term.
    pub term: String,
    /// The estimate (an odds ratio's log for a logistic model).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Degrees of freedom of its t test; null where normal (z, Wald).
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: f64,
    /// 95% interval.
    pub ci95: [f64; 2],
}

/// A variance component of a mixed model (lme4's `VarCorr` rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelVariance {
    /// The grouping, or "Residual".
    pub group: String,
    /// The effect (`(Intercept)`, a slope), or two for a covariance.
    pub effects: Vec<String>,
    /// Variance or covariance.
    pub vcov: f64,
    /// SD or correlation.
    pub sdcor: Option<f64>,
}

/// An F test of a term (type I for a linear model, type III on
/// Satterthwaite's df for a mixed model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelTest {
    /// The term.
    pub term: String,
    /// Numerator degrees of freedom.
    pub df_num: usize,
    /// Denominator degrees of freedom.
    pub df_den: f64,
    /// F.
    pub f: f64,
    /// p.
    pub p_value: f64,
}

/// A declared model fitted, unprotected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelResult {
    /// Its name (`[[models]] name`).
    pub name: String,
    /// The formula.
    pub formula: String,
    /// What was fitted, in words: "linear mixed model (REML)", "GEE,
    /// exchangeable", "logistic regression, CR2 SEs by family_id".
    pub method: String,
    /// The units the estimates rest on: the top-level groups or clusters,
    /// else the observations.
    pub units: u64,
    /// What the units are (`family_id`, `observations`).
    pub units_label: String,
    /// Observations used.
    pub nobs: u64,
    /// Residual degrees of freedom: observations minus estimated
    /// parameters.
    pub df_residual: u64,
    /// Coefficients.
    pub terms: Vec<ModelTerm>,
    /// Variance components (mixed models).
    pub variances: Vec<ModelVariance>,
    /// F tests of the terms.
    pub tests: Vec<ModelTest>,
    /// A negative binomial model's theta (variance `mu + mu^2 / theta`).
    #[serde(default)]
    pub theta: Option<f64>,
    /// How to read it.
    pub notes: Vec<String>,
    /// Why it could not be fitted, if it could not.
    pub error: Option<String>,
}

/// A declared model as a report publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedModel {
    /// Its name.
    pub name: String,
    /// The formula.
    pub formula: String,
    /// What was fitted.
    pub method: String,
    /// The units, rounded; null when the model is not published.
    pub units: Option<u64>,
    /// What the units are.
    pub units_label: String,
    /// Observations, rounded; null when not published.
    pub nobs: Option<u64>,
    /// Coefficients (empty when not published).
    pub terms: Vec<ModelTerm>,
    /// Variance components (empty when not published).
    pub variances: Vec<ModelVariance>,
    /// F tests (empty when not published).
    pub tests: Vec<ModelTest>,
    /// A negative binomial model's theta (null when not published).
    #[serde(default)]
    pub theta: Option<f64>,
    /// Notes, or why it is not published.
    pub notes: Vec<String>,
}

impl Gate {
    /// The declared models as published: a model on fewer than `min_cell`
    /// units or with fewer than [`crate::MIN_MODEL_DF`] residual degrees
    /// of freedom shows no number (logged); counts are rounded.
    pub fn models(&mut self, models: &[ModelResult]) -> Vec<PublishedModel> {
        models
            .iter()
            .map(|m| {
                let withheld = |note: String| PublishedModel {
                    name: m.name.clone(),
                    formula: m.formula.clone(),
                    method: m.method.clone(),
                    units: None,
                    units_label: m.units_label.clone(),
                    nobs: None,
                    terms: Vec::new(),
                    variances: Vec::new(),
                    tests: Vec::new(),
                    theta: None,
                    notes: vec![note],
                };
                // The reason stays with the analyst: it may quote the data
                // ("every value is 3.5").
                if m.error.is_some() {
                    return withheld(
                        "not fitted: the model cannot be estimated on these data (cohort model \
                         gives the reason)"
                            .into(),
                    );
                }
                if !self.allows_model("models", &m.name, "estimates", m.units, m.df_residual) {
                    return withheld(
                        "not published: too few units or residual degrees of freedom".into(),
                    );
                }
                PublishedModel {
                    name: m.name.clone(),
                    formula: m.formula.clone(),
                    method: m.method.clone(),
                    units: self.n(m.units, true),
                    units_label: m.units_label.clone(),
                    nobs: self.n(m.nobs, true),
                    terms: m.terms.clone(),
                    variances: m.variances.clone(),
                    tests: m.tests.clone(),
                    theta: m.theta,
                    notes: m.notes.clone(),
                }
            })
            .collect()
    }
}
