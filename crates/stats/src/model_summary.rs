//! Fitted models as the results contract: R's names, every coefficient
//! with its test and interval, variance components, fit criteria and the
//! optimiser's state (`cohort model`, `cohort gee`; docs/results.md).

use std::collections::BTreeMap;

use cohort_models::{Criterion, Design, GeeFit, LmFit, LmmFit};
use serde::Serialize;

use crate::dist::{
    chi2_1_upper, f_upper, normal_quantile, normal_two_sided, t_quantile, t_two_sided,
};

/// The schema of a model summary.
pub const MODEL_SCHEMA: &str = "cohort.model/1";
/// The schema of a GEE summary.
pub const GEE_SCHEMA: &str = "cohort.gee/1";

/// One coefficient of a linear or mixed model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// R's name of the term.
    pub term: String,
    /// The estimate.
    pub estimate: f64,
    /// Its standard error; NaN (null in JSON) for a GLMM estimate that
    /// runs off to infinity (a separation), with its statistic, p-value
    /// and interval.
    pub se: f64,
    /// `estimate / se` (t or z).
    pub statistic: f64,
    /// Degrees of freedom of the t distribution; `None` where normal.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: f64,
    /// 95% interval.
    pub ci95: [f64; 2],
}

/// A variance component, as lme4's `as.data.frame(VarCorr(fit))`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VarCompRow {
    /// Grouping, or "Residual".
    pub group: String,
    /// First effect.
    pub var1: Option<String>,
    /// Second effect (covariances).
    pub var2: Option<String>,
    /// Variance or covariance.
    pub vcov: f64,
    /// SD or correlation.
    pub sdcor: Option<f64>,
}

/// One row of an analysis of variance table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnovaRow {
    /// The term.
    pub term: String,
    /// Its degrees of freedom.
    pub df_num: usize,
    /// The residual (denominator) degrees of freedom.
    pub df_den: f64,
    /// Sum of squares: sequential for a linear model; for a mixed model
    /// `F sigma^2 df_num`, as lmerTest's "Sum Sq".
    pub sum_sq: f64,
    /// F statistic.
    pub f: f64,
    /// Its upper-tail p-value.
    pub p_value: f64,
}

/// The clustering of cluster-robust standard errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterCount {
    /// The column.
    pub column: String,
    /// Clusters among the observations used.
    pub n_clusters: usize,
}

/// The optimiser's state at the end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimizerState {
    /// Which optimiser.
    pub name: &'static str,
    /// Iterations.
    pub iterations: usize,
    /// Criterion evaluations.
    pub evaluations: usize,
    /// Gradient norm over the free parameters at the end.
    pub gradient_norm: f64,
}

/// A linear model or a linear mixed model, as `cohort model` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    /// [`MODEL_SCHEMA`].
    pub schema: &'static str,
    /// `lm` or `lmm`.
    pub kind: &'static str,
    /// The formula as given.
    pub formula: String,
    /// `gaussian`.
    pub family: &'static str,
    /// `identity`.
    pub link: &'static str,
    /// `qr`, `reml` or `ml`.
    pub fit: &'static str,
    /// Observations used.
    pub nobs: usize,
    /// Rows left out, by reason.
    pub excluded: BTreeMap<String, usize>,
    /// Levels of each grouping.
    pub ngroups: BTreeMap<String, usize>,
    /// Coefficients.
    pub coefficients: Vec<Coefficient>,
    /// Variance components (the residual last).
    pub varcomp: Vec<VarCompRow>,
    /// Log-likelihood (REML for a REML fit).
    pub loglik: f64,
    /// Parameters of the log-likelihood.
    pub df_loglik: usize,
    /// AIC.
    pub aic: f64,
    /// BIC.
    pub bic: f64,
    /// The REML criterion, or the deviance (-2 logLik).
    pub criterion: f64,
    /// The fit met its tolerance.
    pub converged: bool,
    /// A variance at zero or a correlation at +-1.
    pub singular: bool,
    /// The optimiser (mixed models).
    pub optimizer: Option<OptimizerState>,
    /// Residual degrees of freedom (linear models).
    pub df_residual: Option<usize>,
    /// Analysis of variance: R's sequential `anova()` for linear models,
    /// type III F tests on Satterthwaite's df for mixed models (lmerTest's
    /// `anova(fit, type = 3)`); empty for GLMs.
    pub anova: Vec<AnovaRow>,
    /// The negative binomial's theta (variance `mu + mu^2 / theta`), as
    /// `MASS::glm.nb`; `None` for other families.
    pub theta: Option<f64>,
    /// Its standard error (`SE.theta`).
    pub se_theta: Option<f64>,
    /// Where the coefficients' SEs come from: `model`, or cluster-robust
    /// `CR1` / `CR2`.
    pub vcov: &'static str,
    /// The clustering of cluster-robust SEs: the column and its clusters.
    pub cluster: Option<ClusterCount>,
    /// Poisson models: Pearson chi-square over the residual degrees of
    /// freedom (about 1 without overdispersion; at the conditional modes
    /// for a mixed model); `None` for other families.
    pub dispersion: Option<f64>,
    /// A GLMM's conditional modes (lme4's `ranef`), per random effect: the
    /// number of levels, mean and SD; never a level's own value (they are
    /// microdata). Empty for other models.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional_modes: Vec<ModesRow>,
    /// What to know in reading it.
    pub notes: Vec<String>,
}

/// The conditional modes of one random effect, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModesRow {
    /// The grouping.
    pub group: String,
    /// The effect.
    pub effect: String,
    /// Levels.
    pub n: usize,
    /// Mean of the modes.
    pub mean: f64,
    /// Their SD.
    pub sd: f64,
}

/// A coefficient row; without a standard error (NaN: a diverging
/// estimate) its statistic, p-value and interval are NaN too (null in
/// JSON).
fn coefficient(term: &str, estimate: f64, se: f64, df: Option<f64>) -> Coefficient {
    let statistic = estimate / se;
    let (p_value, q) = match df {
        _ if se.is_nan() => (f64::NAN, f64::NAN),
        Some(df) => (t_two_sided(statistic, df), t_quantile(0.975, df)),
        None => (normal_two_sided(statistic), normal_quantile(0.975)),
    };
    Coefficient {
        term: term.to_string(),
        estimate,
        se,
        statistic,
        df,
        p_value,
        ci95: [estimate - q * se, estimate + q * se],
    }
}

fn diagonal_se(vcov: &[f64], p: usize) -> Vec<f64> {
    (0..p).map(|i| vcov[i * p + i].max(0.0).sqrt()).collect()
}

/// A linear model as the contract.
pub fn lm_summary(d: &Design, fit: &LmFit) -> ModelSummary {
    let p = d.p();
    let se = diagonal_se(&fit.vcov, p);
    let df = fit.df_residual as f64;
    let df_loglik = p + 1;
    let n = d.n() as f64;
    ModelSummary {
        schema: MODEL_SCHEMA,
        kind: "lm",
        formula: d.formula.text.clone(),
        family: "gaussian",
        link: "identity",
        fit: "qr",
        nobs: d.n(),
        excluded: d.excluded.clone(),
        ngroups: BTreeMap::new(),
        coefficients: (0..p)
            .map(|j| coefficient(&d.names[j], fit.beta[j], se[j], Some(df)))
            .collect(),
        varcomp: vec![VarCompRow {
            group: "Residual".into(),
            var1: None,
            var2: None,
            vcov: fit.sigma * fit.sigma,
            sdcor: Some(fit.sigma),
        }],
        loglik: fit.loglik,
        df_loglik,
        aic: -2.0 * fit.loglik + 2.0 * df_loglik as f64,
        bic: -2.0 * fit.loglik + n.ln() * df_loglik as f64,
        criterion: -2.0 * fit.loglik,
        converged: true,
        singular: false,
        optimizer: None,
        df_residual: Some(fit.df_residual),
        anova: fit
            .anova
            .iter()
            .map(|(term, k, ss)| {
                let f = (ss / *k as f64) / (fit.rss / df);
                AnovaRow {
                    term: term.clone(),
                    df_num: *k,
                    df_den: df,
                    sum_sq: *ss,
                    f,
                    p_value: f_upper(f, *k as f64, df),
                }
            })
            .collect(),
        theta: None,
        se_theta: None,
        vcov: "model",
        cluster: None,
        dispersion: None,
        conditional_modes: Vec::new(),
        notes: Vec::new(),
    }
}

/// A binomial or Poisson GLM as the contract (z tests, as R's
/// `summary.glm` for these families).
pub fn glm_summary(
    d: &Design,
    model: &cohort_models::GlmModel,
    family: cohort_models::Family,
) -> ModelSummary {
    let p = d.p();
    let se = diagonal_se(&model.vcov, p);
    let n = d.n() as f64;
    let mut notes = vec![format!(
        "residual deviance {:.6} on {} degrees of freedom",
        model.fit.deviance,
        d.n().saturating_sub(p)
    )];
    if !model.fit.converged {
        notes.push("IRLS did not converge within 100 iterations".into());
    }
    let dispersion = (family == cohort_models::Family::Poisson).then(|| {
        let chi2: f64 = (0..d.n())
            .map(|i| {
                let eta: f64 = (0..p).map(|j| d.x[[i, j]] * model.fit.beta[j]).sum();
                let mu = family.mean(eta);
                (d.y[i] - mu).powi(2) / family.variance(mu)
            })
            .sum();
        chi2 / d.n().saturating_sub(p).max(1) as f64
    });
    if let Some(r) = dispersion {
        notes.extend(overdispersion_note(r));
    }
    ModelSummary {
        schema: MODEL_SCHEMA,
        kind: "glm",
        formula: d.formula.text.clone(),
        family: family.name(),
        link: family.link(),
        fit: "irls",
        nobs: d.n(),
        excluded: d.excluded.clone(),
        ngroups: BTreeMap::new(),
        coefficients: (0..p)
            .map(|j| coefficient(&d.names[j], model.fit.beta[j], se[j], None))
            .collect(),
        varcomp: Vec::new(),
        loglik: model.loglik,
        df_loglik: p,
        aic: -2.0 * model.loglik + 2.0 * p as f64,
        bic: -2.0 * model.loglik + n.ln() * p as f64,
        criterion: -2.0 * model.loglik,
        converged: model.fit.converged,
        singular: false,
        optimizer: None,
        df_residual: Some(d.n().saturating_sub(p)),
        anova: Vec::new(),
        theta: None,
        se_theta: None,
        vcov: "model",
        cluster: None,
        dispersion,
        conditional_modes: Vec::new(),
        notes,
    }
}

/// A negative binomial GLM as the contract: the GLM's fields, theta and
/// its SE; theta counts among the log-likelihood's parameters (as
/// `logLik(glm.nb(...))`).
pub fn negbin_summary(d: &Design, nb: &cohort_models::NegBinModel) -> ModelSummary {
    let mut s = glm_summary(d, &nb.model, cohort_models::Family::Poisson);
    s.family = "negbin";
    s.df_loglik = d.p() + 1;
    let k = s.df_loglik as f64;
    s.aic = -2.0 * s.loglik + 2.0 * k;
    s.bic = -2.0 * s.loglik + (d.n() as f64).ln() * k;
    s.theta = Some(nb.theta);
    s.se_theta = Some(nb.se_theta);
    // The Poisson GLM's dispersion check does not apply: theta models it.
    if s.dispersion
        .take()
        .is_some_and(|r| overdispersion_note(r).is_some())
    {
        s.notes.pop();
    }
    s.notes[0] = format!(
        "residual deviance {:.6} on {} degrees of freedom, at theta {:.6}",
        nb.model.fit.deviance,
        d.n().saturating_sub(d.p()),
        nb.theta
    );
    s
}

/// Which cluster-robust covariance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterSe {
    /// `sandwich::vcovCL(type = "HC1")`.
    Cr1,
    /// `clubSandwich::vcovCR(type = "CR2")`.
    Cr2,
}

/// Replaces the model-based SEs of a linear model or GLM with
/// cluster-robust ones; tests and intervals keep the model's reference
/// distribution (t with the residual df for a linear model, normal for a
/// GLM), as `lmtest::coeftest(fit, vcov = ...)`.
pub fn with_cluster_se(
    mut s: ModelSummary,
    robust: &cohort_models::ClusterRobust,
    kind: ClusterSe,
    column: &str,
) -> ModelSummary {
    let vcov = match kind {
        ClusterSe::Cr1 => &robust.cr1,
        ClusterSe::Cr2 => &robust.cr2,
    };
    let p = s.coefficients.len();
    let se = diagonal_se(vcov, p);
    s.coefficients = s
        .coefficients
        .iter()
        .zip(se)
        .map(|(c, se)| coefficient(&c.term, c.estimate, se, c.df))
        .collect();
    s.vcov = match kind {
        ClusterSe::Cr1 => "CR1",
        ClusterSe::Cr2 => "CR2",
    };
    s.cluster = Some(ClusterCount {
        column: column.to_string(),
        n_clusters: robust.n_clusters,
    });
    if robust.n_clusters < 50 {
        s.notes.push(format!(
            "{} clusters: cluster-robust SEs are unreliable with fewer than about 50 (CR2 \
             corrects part of the bias)",
            robust.n_clusters
        ));
    }
    s
}

/// A note when a Poisson model's Pearson dispersion is well above 1.
fn overdispersion_note(ratio: f64) -> Option<String> {
    (ratio > 1.5).then(|| {
        // No number in the text: a note that quotes none is published with
        // the model (the ratio itself is `dispersion`).
        "overdispersion: the Pearson chi-square is well above its residual degrees of freedom \
         (the ratio is over one and a half); the Poisson variance understates the spread, so \
         its SEs are too small (a negative binomial model, or cluster-robust SEs, allow for it)"
            .to_string()
    })
}

/// Variance components as the contract's rows.
fn varcomp_rows(varcomp: &[cohort_models::VarComp]) -> Vec<VarCompRow> {
    varcomp
        .iter()
        .map(|v| VarCompRow {
            group: v.group.clone(),
            var1: v.var1.clone(),
            var2: v.var2.clone(),
            vcov: v.vcov,
            sdcor: v.sdcor,
        })
        .collect()
}

/// A mixed model's notes in plain words: each variance estimated as 0
/// (below 1e-10 of `scale`, the residual variance or 1), and a fit that
/// stopped short.
fn fit_notes(varcomp: &[cohort_models::VarComp], scale: f64, converged: bool) -> Vec<String> {
    let mut notes: Vec<String> = varcomp
        .iter()
        .filter(|v| v.var2.is_none() && v.group != "Residual" && v.vcov <= 1e-10 * scale)
        .map(|v| {
            format!(
                "the {} variance of {} is estimated as 0: the data show no variation between \
                 the levels of {} (a boundary, 'singular' fit)",
                v.var1.as_deref().unwrap_or(""),
                v.group,
                v.group
            )
        })
        .collect();
    if !converged {
        notes.push("the optimiser stopped before meeting its tolerance".into());
    }
    notes
}

/// A linear mixed model as the contract; with `tests`, t tests and
/// intervals on Satterthwaite's degrees of freedom and type III F tests
/// (as lmerTest), without them normal ones (as lme4's z values).
pub fn lmm_summary(
    d: &Design,
    fit: &LmmFit,
    tests: Option<&cohort_models::MixedTests>,
) -> ModelSummary {
    let p = d.p();
    let se = fit.se();
    let mut notes = vec![match tests {
        Some(_) => "t tests, intervals and type III F tests on Satterthwaite's degrees of \
                    freedom (as lmerTest and SPSS MIXED)"
            .to_string(),
        None => "p-values and intervals of the fixed effects use the normal distribution (as \
                 lme4's z values; no small-sample degrees of freedom)"
            .to_string(),
    }];
    let df = |j: usize| tests.and_then(|t| t.coefficient_df[j]);
    let sigma2 = fit.sigma * fit.sigma;
    let anova = tests.map_or_else(Vec::new, |t| {
        t.anova
            .iter()
            .filter_map(|(term, test)| {
                let test = test.as_ref()?;
                Some(AnovaRow {
                    term: term.clone(),
                    df_num: test.df_num,
                    df_den: test.df_den,
                    sum_sq: test.f * sigma2 * test.df_num as f64,
                    f: test.f,
                    p_value: f_upper(test.f, test.df_num as f64, test.df_den),
                })
            })
            .collect()
    });
    notes.extend(fit_notes(
        &fit.varcomp,
        fit.sigma * fit.sigma,
        fit.converged,
    ));
    ModelSummary {
        schema: MODEL_SCHEMA,
        kind: "lmm",
        formula: d.formula.text.clone(),
        family: "gaussian",
        link: "identity",
        fit: match fit.criterion_kind {
            Criterion::Reml => "reml",
            Criterion::Ml => "ml",
        },
        nobs: fit.nobs,
        excluded: d.excluded.clone(),
        ngroups: fit.ngroups.iter().cloned().collect(),
        coefficients: (0..p)
            .map(|j| coefficient(&d.names[j], fit.beta[j], se[j], df(j)))
            .collect(),
        varcomp: varcomp_rows(&fit.varcomp),
        loglik: fit.loglik,
        df_loglik: fit.df_loglik,
        aic: fit.aic(),
        bic: fit.bic(),
        criterion: fit.criterion,
        converged: fit.converged,
        singular: fit.singular,
        optimizer: Some(OptimizerState {
            name: fit.optimizer,
            iterations: fit.iterations,
            evaluations: fit.evaluations,
            gradient_norm: fit.gradient_norm,
        }),
        df_residual: None,
        anova,
        theta: None,
        se_theta: None,
        vcov: "model",
        cluster: None,
        dispersion: None,
        conditional_modes: Vec::new(),
        notes,
    }
}

/// One coefficient of a GEE with its four standard errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeeCoefficient {
    /// R's name of the term.
    pub term: String,
    /// Estimate.
    pub estimate: f64,
    /// Robust (sandwich) SE, geepack's `std.err = "san.se"`.
    pub se_robust: f64,
    /// Model-based SE.
    pub se_naive: f64,
    /// Mancl-DeRouen bias-corrected SE.
    pub se_mancl_derouen: f64,
    /// Kauermann-Carroll bias-corrected SE.
    pub se_kauermann_carroll: f64,
    /// `(estimate / se_robust)^2`, as geepack's `Wald`.
    pub wald: f64,
    /// Its chi-square (1 df) p-value.
    pub p_value: f64,
    /// 95% Wald interval on the robust SE.
    pub ci95: [f64; 2],
}

/// Cluster sizes of a GEE.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSizes {
    /// Smallest.
    pub min: usize,
    /// Largest.
    pub max: usize,
    /// Mean.
    pub mean: f64,
}

/// A GEE as the contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeeSummary {
    /// [`GEE_SCHEMA`].
    pub schema: &'static str,
    /// `gee`.
    pub kind: &'static str,
    /// The formula as given.
    pub formula: String,
    /// Family.
    pub family: &'static str,
    /// Link.
    pub link: &'static str,
    /// Working correlation.
    pub corstr: &'static str,
    /// Observations used.
    pub nobs: usize,
    /// Rows left out, by reason.
    pub excluded: BTreeMap<String, usize>,
    /// Clusters.
    pub n_clusters: usize,
    /// Their sizes.
    pub cluster_sizes: ClusterSizes,
    /// Coefficients.
    pub coefficients: Vec<GeeCoefficient>,
    /// Working correlation parameters.
    pub alpha: Vec<f64>,
    /// Scale.
    pub scale: f64,
    /// Converged.
    pub converged: bool,
    /// Iterations.
    pub iterations: usize,
    /// What to know in reading it.
    pub notes: Vec<String>,
}

/// A GEE fit as the contract.
pub fn gee_summary(
    d: &Design,
    fit: &GeeFit,
    family: cohort_models::Family,
    corstr: cohort_models::CorStr,
) -> GeeSummary {
    let p = d.p();
    let se = diagonal_se(&fit.vcov_robust, p);
    let naive = diagonal_se(&fit.vcov_naive, p);
    let md = diagonal_se(&fit.vcov_mancl_derouen, p);
    let kc = diagonal_se(&fit.vcov_kauermann_carroll, p);
    let z = normal_quantile(0.975);
    let k = fit.cluster_sizes.len();
    let mut notes = Vec::new();
    if k < 50 {
        notes.push(format!(
            "{k} clusters: the robust SE is biased downwards with fewer than 50; the \
             Mancl-DeRouen and Kauermann-Carroll SEs correct for it"
        ));
    }
    if !fit.converged {
        notes.push("the estimating equations did not converge within the iterations".into());
    }
    GeeSummary {
        schema: GEE_SCHEMA,
        kind: "gee",
        formula: d.formula.text.clone(),
        family: family.name(),
        link: family.link(),
        corstr: corstr.name(),
        nobs: fit.nobs,
        excluded: d.excluded.clone(),
        n_clusters: k,
        cluster_sizes: ClusterSizes {
            min: fit.cluster_sizes.iter().copied().min().unwrap_or(0),
            max: fit.cluster_sizes.iter().copied().max().unwrap_or(0),
            mean: fit.nobs as f64 / k.max(1) as f64,
        },
        coefficients: (0..p)
            .map(|j| {
                let wald = (fit.beta[j] / se[j]).powi(2);
                GeeCoefficient {
                    term: d.names[j].clone(),
                    estimate: fit.beta[j],
                    se_robust: se[j],
                    se_naive: naive[j],
                    se_mancl_derouen: md[j],
                    se_kauermann_carroll: kc[j],
                    wald,
                    p_value: chi2_1_upper(wald),
                    ci95: [fit.beta[j] - z * se[j], fit.beta[j] + z * se[j]],
                }
            })
            .collect(),
        alpha: fit.alpha.clone(),
        scale: fit.scale,
        converged: fit.converged,
        iterations: fit.iterations,
        notes,
    }
}

/// A binomial or Poisson mixed model (Laplace) as the contract: z tests
/// (as glmer), variance components without a residual row, the Laplace
/// log-likelihood.
pub fn glmm_summary(d: &Design, fit: &cohort_models::GlmmFit) -> ModelSummary {
    let p = d.p();
    let se = fit.se();
    let peer = if fit.family == cohort_models::GlmmFamily::NegBin {
        "glmmTMB (nbinom2)"
    } else {
        "lme4's glmer (nAGQ = 1)"
    };
    let mut notes = vec![if fit.agq > 1 {
        format!(
            "adaptive Gauss-Hermite quadrature with {} points, as glmer's nAGQ = {}; z tests \
             and Wald intervals",
            fit.agq, fit.agq
        )
    } else {
        format!("Laplace approximation, as {peer}; z tests and Wald intervals")
    }];
    if fit.separated > 0 {
        notes.push(format!(
            "complete separation: {} of {} fitted {} numerically {}; {} run off to infinity or \
             cannot be estimated, and have no standard error (the model cannot be fitted to \
             these data as it stands: drop or merge the categories without events)",
            fit.separated,
            fit.nobs,
            if fit.family == cohort_models::GlmmFamily::Binomial {
                "probabilities are"
            } else {
                "rates are"
            },
            if fit.family == cohort_models::GlmmFamily::Binomial {
                "0 or 1"
            } else {
                "0"
            },
            fit.diverging.join(", ")
        ));
    }
    if fit.theta_at_bound {
        notes.push(
            "theta is at its upper end (1e8): the counts show no overdispersion beyond the \
             random effects, and the negative binomial is the Poisson mixed model here (theta \
             has no standard error)"
                .into(),
        );
    }
    notes.extend(fit_notes(
        &fit.varcomp,
        1.0,
        fit.converged || fit.separated > 0,
    ));
    let dispersion = (fit.family == cohort_models::GlmmFamily::Poisson)
        .then(|| fit.pearson_chi2 / fit.nobs.saturating_sub(fit.df_loglik).max(1) as f64);
    if let Some(r) = dispersion {
        notes.extend(overdispersion_note(r));
    }
    ModelSummary {
        schema: MODEL_SCHEMA,
        kind: "glmm",
        formula: d.formula.text.clone(),
        family: fit.family.name(),
        link: fit.family.link(),
        fit: if fit.agq > 1 { "agq" } else { "laplace" },
        nobs: fit.nobs,
        excluded: d.excluded.clone(),
        ngroups: fit.ngroups.iter().cloned().collect(),
        coefficients: (0..p)
            .map(|j| coefficient(&d.names[j], fit.beta[j], se[j], None))
            .collect(),
        varcomp: varcomp_rows(&fit.varcomp),
        loglik: fit.loglik,
        df_loglik: fit.df_loglik,
        aic: fit.aic(),
        bic: fit.bic(),
        criterion: fit.deviance,
        converged: fit.converged,
        singular: fit.singular,
        optimizer: Some(OptimizerState {
            name: fit.optimizer,
            iterations: 0,
            evaluations: fit.evaluations,
            gradient_norm: fit.gradient_norm,
        }),
        df_residual: None,
        anova: Vec::new(),
        theta: fit.nb_theta.map(|t| t.0),
        se_theta: fit.nb_theta.map(|t| t.1).filter(|v| v.is_finite()),
        vcov: "model",
        cluster: None,
        dispersion,
        conditional_modes: fit
            .modes
            .iter()
            .map(|m| ModesRow {
                group: m.group.clone(),
                effect: m.effect.clone(),
                n: m.n,
                mean: m.mean,
                sd: m.sd,
            })
            .collect(),
        notes,
    }
}
