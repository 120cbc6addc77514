//! A model request (the study's `[[models]]`, or `cohort model` / `cohort
//! gee` arguments) resolved to a design on the scored panel and fitted:
//! the one path from a [`ModelSpec`] to a summary. `cohort check` stops
//! after the design (so that it accepts exactly what the report fits);
//! the report turns each fit into a [`ModelResult`] for the gate.

use cohort_instruments::{Level, Scores};
use cohort_models::{
    cluster_robust, design, fit_gee, fit_glm, fit_glmm, fit_lm, fit_lmm, fit_negbin, mixed_tests,
    parse, CorStr, Criterion, Design, Family, FormulaError, Frame, GeeOptions, GlmmFamily,
    ModelError, Response,
};
use cohort_panel::{ClusterSeKind, ModelCorStr, ModelFamily, ModelMethod, ModelSpec, Panel};
use cohort_results::{ModelResult, ModelTerm, ModelTest, ModelVariance};

use crate::model_frame::{model_frame, ModelRows};
use crate::model_summary::{
    gee_summary, glm_summary, glmm_summary, lm_summary, lmm_summary, negbin_summary,
    with_cluster_se, ClusterSe, GeeSummary, ModelSummary,
};

/// Why a model request cannot be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestError {
    /// The formula: a syntax error or an unknown name, at its column.
    Formula(FormulaError),
    /// A request that contradicts itself (a GEE with random terms,
    /// clustered SEs of a mixed model, a GLMM).
    Declaration(String),
    /// The cluster column of cluster-robust SEs or of a GEE.
    Cluster(String),
    /// The data: the design or the fit fails on them (a rank-deficient
    /// design, a response that is not a count...).
    Model(String),
}

impl RequestError {
    /// Whether the request itself is wrong (a study file that declares it
    /// is invalid), not the data it meets.
    pub fn is_declaration(&self) -> bool {
        !matches!(self, RequestError::Model(_))
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::Formula(e) => write!(f, "formula at column {}: {}", e.column, e.message),
            RequestError::Declaration(m) | RequestError::Cluster(m) | RequestError::Model(m) => {
                f.write_str(m)
            }
        }
    }
}

fn model_error(e: ModelError) -> RequestError {
    match e {
        ModelError::Formula { error, .. } => RequestError::Formula(error),
        other => RequestError::Model(other.to_string()),
    }
}

/// A request with its design, ready to fit.
pub struct ModelRequest<'a> {
    /// What was asked.
    pub spec: &'a ModelSpec,
    /// The model frame.
    pub frame: Frame,
    /// Its rows' units and waves.
    pub rows: ModelRows,
    /// The design.
    pub design: Design,
    /// The cluster of each used row, and the column, for cluster-robust
    /// SEs or a GEE.
    pub clusters: Option<(String, Vec<u32>)>,
}

/// The cluster of each row of `d` by `column`: the study's cluster
/// column, or the respondent column for a respondent measure.
pub fn cluster_codes(
    panel: &Panel,
    d: &Design,
    rows: &ModelRows,
    column: &str,
) -> Result<Vec<u32>, String> {
    let data = &panel.study().data;
    if column == data.cluster_column() {
        Ok(d.rows.iter().map(|&i| rows.cluster[i]).collect())
    } else if column == data.respondent && rows.level == Level::Respondent {
        Ok(d.rows.iter().map(|&i| rows.unit[i]).collect())
    } else {
        Err(format!(
            "{column}: expected the cluster column ({}) or, for a respondent measure, the \
             respondent column ({})",
            data.cluster_column(),
            data.respondent
        ))
    }
}

/// Resolves `spec` on the scored panel: the formula parsed, its names
/// found, the design built, the clusters found.
pub fn model_request<'a>(
    panel: &Panel,
    scores: &Scores,
    spec: &'a ModelSpec,
) -> Result<ModelRequest<'a>, RequestError> {
    let formula = parse(&spec.formula).map_err(RequestError::Formula)?;
    let (frame, rows) = model_frame(panel, scores, &formula).map_err(RequestError::Formula)?;
    let d = design(&formula, &frame).map_err(model_error)?;
    let gee = spec.method == ModelMethod::Gee;
    if !d.random.is_empty() {
        if gee {
            return Err(RequestError::Declaration(
                "a GEE has no random terms: its working correlation models the clustering".into(),
            ));
        }
        if spec.cluster_se.is_some() {
            return Err(RequestError::Declaration(
                "cluster-robust SEs are for models without random terms; a mixed model's random \
                 terms model the clustering already"
                    .into(),
            ));
        }
    }
    let clusters = if gee || spec.cluster_se.is_some() {
        let column = spec
            .cluster
            .clone()
            .unwrap_or_else(|| panel.study().data.cluster_column().to_string());
        let codes = cluster_codes(panel, &d, &rows, &column).map_err(RequestError::Cluster)?;
        Some((column, codes))
    } else {
        None
    };
    Ok(ModelRequest {
        spec,
        frame,
        rows,
        design: d,
        clusters,
    })
}

/// The family with its canonical link; the negative binomial shares the
/// Poisson's log link.
fn family(f: ModelFamily) -> Family {
    match f {
        ModelFamily::Gaussian => Family::Gaussian,
        ModelFamily::Binomial => Family::Binomial,
        ModelFamily::Poisson | ModelFamily::NegBin => Family::Poisson,
    }
}

/// A fitted request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fitted {
    /// A linear model, GLM or linear mixed model.
    Model(Box<ModelSummary>),
    /// A GEE.
    Gee(Box<GeeSummary>),
}

/// Fits a resolved request as `cohort model` or `cohort gee` does.
pub fn fit_request(req: &ModelRequest) -> Result<Fitted, RequestError> {
    let (spec, d) = (req.spec, &req.design);
    let fam = family(spec.family);
    if spec.method == ModelMethod::Gee {
        let (_, cluster) = req.clusters.as_ref().expect("a GEE request has clusters");
        let corstr = match spec.corstr {
            ModelCorStr::Independence => CorStr::Independence,
            ModelCorStr::Exchangeable => CorStr::Exchangeable,
            ModelCorStr::Ar1 => CorStr::Ar1,
            ModelCorStr::Unstructured => CorStr::Unstructured,
        };
        let options = GeeOptions {
            family: fam,
            corstr,
            cluster: cluster.clone(),
            wave: d
                .rows
                .iter()
                .map(|&i| u32::from(req.rows.wave[i]))
                .collect(),
            tolerance: 1e-10,
            max_iterations: 100,
        };
        let fit = fit_gee(d, &options).map_err(model_error)?;
        return Ok(Fitted::Gee(Box::new(gee_summary(d, &fit, fam, corstr))));
    }
    if !d.random.is_empty() && spec.family != ModelFamily::Gaussian {
        let glmm_family = match spec.family {
            ModelFamily::Binomial => GlmmFamily::Binomial,
            ModelFamily::Poisson => GlmmFamily::Poisson,
            _ => GlmmFamily::NegBin,
        };
        let fit = fit_glmm(d, glmm_family, spec.agq).map_err(model_error)?;
        return Ok(Fitted::Model(Box::new(glmm_summary(d, &fit))));
    }
    if !d.random.is_empty() {
        let criterion = if spec.ml {
            Criterion::Ml
        } else {
            Criterion::Reml
        };
        let fit = fit_lmm(d, criterion).map_err(model_error)?;
        let summary = match mixed_tests(d, &req.frame, &fit) {
            Ok(tests) => lmm_summary(d, &fit, Some(&tests)),
            Err(e) => {
                let mut s = lmm_summary(d, &fit, None);
                s.notes
                    .push(format!("no Satterthwaite degrees of freedom: {e}"));
                s
            }
        };
        return Ok(Fitted::Model(Box::new(summary)));
    }
    let (summary, response, beta) = match spec.family {
        ModelFamily::Gaussian => {
            let fit = fit_lm(d).map_err(model_error)?;
            (lm_summary(d, &fit), Response::Family(fam), fit.beta)
        }
        ModelFamily::NegBin => {
            let nb = fit_negbin(d).map_err(model_error)?;
            let response = Response::NegBin(nb.theta);
            (negbin_summary(d, &nb), response, nb.model.fit.beta)
        }
        _ => {
            let fit = fit_glm(d, fam).map_err(model_error)?;
            (
                glm_summary(d, &fit, fam),
                Response::Family(fam),
                fit.fit.beta,
            )
        }
    };
    Ok(Fitted::Model(Box::new(
        match (spec.cluster_se, &req.clusters) {
            (Some(kind), Some((column, groups))) => {
                let robust = cluster_robust(d, response, &beta, groups).map_err(model_error)?;
                let kind = match kind {
                    ClusterSeKind::Cr1 => ClusterSe::Cr1,
                    ClusterSeKind::Cr2 => ClusterSe::Cr2,
                };
                with_cluster_se(summary, &robust, kind, column)
            }
            _ => summary,
        },
    )))
}

/// The notes that quote no number: a count in free text ("on 2,395
/// degrees of freedom", "12 clusters") would pass the gate unrounded, so
/// those stay in the analyst's output (`cohort model`).
fn without_numbers(notes: &[String]) -> Vec<String> {
    notes
        .iter()
        .filter(|n| !n.chars().any(|c| c.is_ascii_digit()))
        .cloned()
        .collect()
}

/// A fit (or why there is none) as a result for the gate.
pub fn model_result(
    spec: &ModelSpec,
    fitted: Result<Fitted, RequestError>,
    cluster_column: &str,
) -> ModelResult {
    let failed = |e: String| ModelResult {
        name: spec.name.clone(),
        formula: spec.formula.clone(),
        method: String::new(),
        units: 0,
        units_label: String::new(),
        nobs: 0,
        df_residual: 0,
        terms: Vec::new(),
        variances: Vec::new(),
        tests: Vec::new(),
        theta: None,
        notes: Vec::new(),
        error: Some(e),
    };
    match fitted {
        Err(e) => failed(e.to_string()),
        Ok(Fitted::Model(s)) if !s.converged => failed(format!(
            "the fit did not converge: {}",
            s.notes.last().map_or("", String::as_str)
        )),
        Ok(Fitted::Model(s)) => {
            let method = match (s.kind, s.family) {
                ("lmm", _) => format!("linear mixed model ({})", s.fit.to_uppercase()),
                ("glmm", family) => format!(
                    "{} mixed model ({})",
                    match family {
                        "binomial" => "logistic",
                        "negbin" => "negative binomial",
                        _ => "Poisson",
                    },
                    if s.fit == "agq" {
                        "adaptive Gauss-Hermite quadrature"
                    } else {
                        "Laplace"
                    }
                ),
                ("lm", _) => "linear model (least squares)".to_string(),
                (_, "binomial") => "logistic regression".to_string(),
                (_, "poisson") => "Poisson regression".to_string(),
                (_, "negbin") => "negative binomial regression".to_string(),
                (kind, family) => format!("{kind} {family}"),
            };
            let method = match &s.cluster {
                Some(c) => format!("{method}, {} SEs clustered by {}", s.vcov, c.column),
                None => method,
            };
            // The units: the top-level grouping's levels for a mixed
            // model, the clusters of clustered SEs, else the observations.
            let (units, units_label) = if let Some(c) = &s.cluster {
                (c.n_clusters, c.column.clone())
            } else if let Some((g, n)) = s.ngroups.iter().min_by_key(|(_, n)| **n) {
                (*n, g.clone())
            } else {
                (s.nobs, "observations".to_string())
            };
            ModelResult {
                name: spec.name.clone(),
                formula: s.formula.clone(),
                method,
                units: units as u64,
                units_label,
                nobs: s.nobs as u64,
                df_residual: s.nobs.saturating_sub(s.df_loglik) as u64,
                terms: s
                    .coefficients
                    .iter()
                    .map(|c| ModelTerm {
                        term: c.term.clone(),
                        estimate: c.estimate,
                        se: c.se,
                        df: c.df,
                        p_value: c.p_value,
                        ci95: c.ci95,
                    })
                    .collect(),
                variances: s
                    .varcomp
                    .iter()
                    .map(|v| ModelVariance {
                        group: v.group.clone(),
                        effects: v.var1.iter().chain(&v.var2).cloned().collect(),
                        vcov: v.vcov,
                        sdcor: v.sdcor,
                    })
                    .collect(),
                tests: s
                    .anova
                    .iter()
                    .map(|a| ModelTest {
                        term: a.term.clone(),
                        df_num: a.df_num,
                        df_den: a.df_den,
                        f: a.f,
                        p_value: a.p_value,
                    })
                    .collect(),
                theta: s.theta,
                notes: without_numbers(&s.notes),
                error: None,
            }
        }
        Ok(Fitted::Gee(g)) => ModelResult {
            name: spec.name.clone(),
            formula: g.formula.clone(),
            method: format!("GEE, {} working correlation, robust SEs", g.corstr),
            units: g.n_clusters as u64,
            units_label: cluster_column.to_string(),
            nobs: g.nobs as u64,
            df_residual: g.nobs.saturating_sub(g.coefficients.len()) as u64,
            terms: g
                .coefficients
                .iter()
                .map(|c| ModelTerm {
                    term: c.term.clone(),
                    estimate: c.estimate,
                    se: c.se_robust,
                    df: None,
                    p_value: c.p_value,
                    ci95: c.ci95,
                })
                .collect(),
            variances: Vec::new(),
            tests: Vec::new(),
            theta: None,
            notes: without_numbers(&g.notes),
            error: None,
        },
    }
}

/// Every `[[models]]` of the study, fitted, in the file's order. The
/// models are fitted side by side on rayon's threads (most fits use one
/// core most of the time); each fit is the same on any number of threads.
/// `progress` gets the number of models fitted so far.
pub fn declared_models(
    panel: &Panel,
    scores: &Scores,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<ModelResult> {
    use rayon::prelude::*;
    let study = panel.study();
    let done = std::sync::atomic::AtomicUsize::new(0);
    progress(0);
    study
        .models
        .par_iter()
        .map(|spec| {
            let fitted = model_request(panel, scores, spec).and_then(|req| fit_request(&req));
            let column = spec
                .cluster
                .as_deref()
                .unwrap_or(study.data.cluster_column());
            let result = model_result(spec, fitted, column);
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            result
        })
        .collect()
}
