//! The study file's `[[models]]`: models the report fits and publishes.
//! Here their declarations are read and checked as a study file's
//! vocabulary (keys, families, methods); whether a formula's names exist
//! is checked against the scored data, by `cohort check` as by
//! `cohort report` (cohort-stats builds the design of each).

use crate::locate::{Positions, StudyProblem};
use crate::suggest::did_you_mean;

/// A model declared in `[[models]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    /// Its name in the report (`name`, or "model N").
    pub name: String,
    /// The formula, in lme4's notation.
    pub formula: String,
    /// `method`: a regression (linear model, GLM or linear mixed model,
    /// by the formula and family) or GEE.
    pub method: ModelMethod,
    /// `family` (default gaussian).
    pub family: ModelFamily,
    /// `fit`: REML (the default) or ML, for mixed models.
    pub ml: bool,
    /// `cluster_se`: cluster-robust SEs for a regression without random
    /// terms, clustered by `cluster` (default the study's cluster column).
    pub cluster_se: Option<ClusterSeKind>,
    /// `cluster` (cluster-robust SEs) or `id` (GEE): the clusters' column.
    pub cluster: Option<String>,
    /// `corstr` (GEE; default exchangeable).
    pub corstr: ModelCorStr,
    /// `agq`: quadrature points of a binomial or Poisson mixed model (1,
    /// the default: the Laplace approximation; up to 25, as lme4).
    pub agq: usize,
    /// Where it stands in the study file (`models.0`), for messages.
    pub key: String,
}

/// How a declared model is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelMethod {
    /// `regression` (the default).
    Regression,
    /// `gee`.
    Gee,
}

/// A declared model's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFamily {
    /// `gaussian`.
    Gaussian,
    /// `binomial`.
    Binomial,
    /// `poisson`.
    Poisson,
    /// `negbin`.
    NegBin,
}

/// A declared model's cluster-robust SEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSeKind {
    /// `cr1`.
    Cr1,
    /// `cr2`.
    Cr2,
}

/// A declared GEE's working correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelCorStr {
    /// `independence`.
    Independence,
    /// `exchangeable` (the default).
    Exchangeable,
    /// `ar1`.
    Ar1,
    /// `unstructured`.
    Unstructured,
}

/// Keys of a `[[models]]` table.
pub(crate) const MODEL_KEYS: &[&str] = &[
    "name",
    "formula",
    "method",
    "family",
    "fit",
    "cluster_se",
    "cluster",
    "id",
    "corstr",
    "agq",
];

/// Longest formula a study file may declare (the formula parser's own
/// limit is the same: cohort-models' `MAX_FORMULA_CHARS`).
pub const MAX_DECLARED_FORMULA_CHARS: usize = 10_000;

/// The declared models, or the problems with their declarations.
pub(crate) fn declared(
    tables: &[toml::Table],
    positions: &Positions,
) -> (Vec<ModelSpec>, Vec<StudyProblem>) {
    let mut problems = Vec::new();
    let mut specs = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let key = format!("models.{i}");
        let mut missing_formula = false;
        let mut problem = |field: &str, message: String| {
            problems.push(StudyProblem::at(
                positions,
                &format!("{key}.{field}"),
                format!("[[models]] {}: {message}", i + 1),
            ));
        };
        let text = |field: &str, problem: &mut dyn FnMut(&str, String)| -> Option<String> {
            match t.get(field) {
                None => None,
                Some(toml::Value::String(s)) => Some(s.clone()),
                Some(other) => {
                    problem(
                        field,
                        format!("`{field}` is a {}; expected a string", other.type_str()),
                    );
                    None
                }
            }
        };
        let choice =
            |field: &str, known: &[&str], problem: &mut dyn FnMut(&str, String)| -> Option<usize> {
                let value = text(field, problem)?;
                match known.iter().position(|k| *k == value) {
                    Some(at) => Some(at),
                    None => {
                        let hint = did_you_mean(&value, known)
                            .map_or(String::new(), |s| format!(" (did you mean \"{s}\"?)"));
                        problem(
                            field,
                            format!(
                                "`{field}` = \"{value}\"{hint}; expected one of {}",
                                known.join(", ")
                            ),
                        );
                        None
                    }
                }
            };
        let name = text("name", &mut problem).unwrap_or_else(|| format!("model {}", i + 1));
        let formula = match text("formula", &mut problem) {
            Some(f) if f.trim().is_empty() => {
                problem("formula", "`formula` is empty".into());
                None
            }
            Some(f) if f.chars().count() > MAX_DECLARED_FORMULA_CHARS => {
                problem(
                    "formula",
                    format!("`formula` has more than {MAX_DECLARED_FORMULA_CHARS} characters"),
                );
                None
            }
            Some(f) => Some(f),
            None if t.contains_key("formula") => None,
            None => {
                missing_formula = true;
                None
            }
        };
        let method = match choice("method", &["regression", "gee"], &mut problem) {
            Some(1) => ModelMethod::Gee,
            _ => ModelMethod::Regression,
        };
        let family = match choice(
            "family",
            &["gaussian", "binomial", "poisson", "negbin"],
            &mut problem,
        ) {
            Some(1) => ModelFamily::Binomial,
            Some(2) => ModelFamily::Poisson,
            Some(3) => ModelFamily::NegBin,
            _ => ModelFamily::Gaussian,
        };
        let ml = choice("fit", &["reml", "ml"], &mut problem) == Some(1);
        let cluster_se = match choice("cluster_se", &["cr1", "cr2"], &mut problem) {
            Some(0) => Some(ClusterSeKind::Cr1),
            Some(1) => Some(ClusterSeKind::Cr2),
            _ => None,
        };
        let corstr = match choice(
            "corstr",
            &["independence", "exchangeable", "ar1", "unstructured"],
            &mut problem,
        ) {
            Some(0) => ModelCorStr::Independence,
            Some(2) => ModelCorStr::Ar1,
            Some(3) => ModelCorStr::Unstructured,
            _ => ModelCorStr::Exchangeable,
        };
        let agq = match t.get("agq") {
            None => 1,
            Some(toml::Value::Integer(k)) if (1..=25).contains(k) => *k as usize,
            Some(other) => {
                problem(
                    "agq",
                    format!("`agq` = {other}; expected a whole number from 1 (Laplace) to 25"),
                );
                1
            }
        };
        let cluster = text("cluster", &mut problem);
        let id = text("id", &mut problem);
        match method {
            ModelMethod::Gee => {
                for field in ["cluster_se", "cluster", "fit"] {
                    if t.contains_key(field) {
                        problem(
                            field,
                            format!("`{field}` is for a regression; a GEE has `id`"),
                        );
                    }
                }
                if family == ModelFamily::NegBin {
                    problem(
                        "family",
                        "a GEE fits gaussian, binomial or poisson; a negative binomial model is a \
                         regression (with `cluster_se` for clustered data)"
                            .into(),
                    );
                }
            }
            ModelMethod::Regression => {
                for field in ["id", "corstr"] {
                    if t.contains_key(field) {
                        problem(field, format!("`{field}` is for `method = \"gee\"`"));
                    }
                }
                if t.contains_key("cluster") && cluster_se.is_none() {
                    problem("cluster", "`cluster` needs `cluster_se`".into());
                }
            }
        }
        if missing_formula {
            problems.push(StudyProblem::at(
                positions,
                &key,
                format!("[[models]] {}: no `formula`", i + 1),
            ));
        }
        if let Some(formula) = formula {
            specs.push(ModelSpec {
                name,
                formula,
                method,
                family,
                ml,
                cluster_se,
                cluster: cluster.or(id),
                corstr,
                agq,
                key: key.clone(),
            });
        }
    }
    if !problems.is_empty() {
        specs.clear();
    }
    (specs, problems)
}
