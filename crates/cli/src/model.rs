//! `cohort model` and `cohort gee`: a formula on the scored study, fitted
//! as a linear model, a linear mixed model or a GEE.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use cohort_panel::{ClusterSeKind, ModelCorStr, ModelFamily, ModelMethod, ModelSpec};
use cohort_stats::{fit_request, model_request, Coefficient, Fitted, RequestError};

use crate::input::read_scored;
use crate::stats::print_json;
use crate::EXIT_BAD_INPUT;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FamilyArg {
    Gaussian,
    Binomial,
    Poisson,
    /// Negative binomial (log link), theta by ML, as `MASS::glm.nb`.
    Negbin,
}

#[derive(Clone, Copy, ValueEnum)]
enum ClusterSeArg {
    /// `sandwich::vcovCL(type = "HC1")`, Stata's `vce(cluster)`.
    Cr1,
    /// Bell-McCaffrey, as `clubSandwich::vcovCR(type = "CR2")`.
    Cr2,
}

#[derive(Clone, Copy, ValueEnum)]
enum CorStrArg {
    Independence,
    Exchangeable,
    Ar1,
    Unstructured,
}

#[derive(Args)]
pub struct ModelArgs {
    /// The study file (TOML).
    study: PathBuf,
    /// The model, as in lme4: `family_incidents ~ factor(wave) + (1 | family_id)`.
    #[arg(long)]
    formula: String,
    /// Fit a mixed model by maximum likelihood instead of REML.
    #[arg(long, conflicts_with = "reml")]
    ml: bool,
    /// Fit a mixed model by REML (the default).
    #[arg(long)]
    reml: bool,
    /// The family: gaussian (a linear model), binomial (logistic),
    /// poisson or negbin (NB2); with random terms a linear or generalised
    /// linear mixed model.
    #[arg(long, value_enum, default_value = "gaussian")]
    family: FamilyArg,
    /// Adaptive Gauss-Hermite quadrature points for a binomial, Poisson or
    /// negative binomial mixed model with one scalar random effect (1: the Laplace
    /// approximation), as glmer's nAGQ.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=25))]
    agq: u8,
    /// Cluster-robust standard errors for a model without random terms.
    #[arg(long, value_enum)]
    cluster_se: Option<ClusterSeArg>,
    /// The clusters of --cluster-se: the study's cluster column (the
    /// default) or, for a respondent measure, its respondent column.
    #[arg(long, requires = "cluster_se")]
    cluster: Option<String>,
    /// Print the results as JSON (the results contract).
    #[arg(long)]
    json: bool,
    /// Exclude offending values and rows instead of failing.
    #[arg(long)]
    lenient: bool,
}

#[derive(Args)]
pub struct GeeArgs {
    /// The study file (TOML).
    study: PathBuf,
    /// The mean model: `partner.prevalence ~ factor(wave)`.
    #[arg(long)]
    formula: String,
    /// The family (and its canonical link).
    #[arg(long, value_enum, default_value = "gaussian")]
    family: FamilyArg,
    /// The cluster column: the study's cluster or respondent column.
    #[arg(long)]
    id: String,
    /// The working correlation.
    #[arg(long, value_enum, default_value = "exchangeable")]
    corstr: CorStrArg,
    /// Print the results as JSON (the results contract).
    #[arg(long)]
    json: bool,
    /// Exclude offending values and rows instead of failing.
    #[arg(long)]
    lenient: bool,
}

/// Fits `spec` on the study (as the report fits its `[[models]]`), or
/// gives the exit code after saying why not; `cluster_option` names the
/// option of the cluster column in messages.
fn fit(
    study: &std::path::Path,
    spec: &ModelSpec,
    lenient: bool,
    cluster_option: &str,
) -> Result<Fitted, ExitCode> {
    let Some(scored) = read_scored(study, lenient) else {
        return Err(ExitCode::from(EXIT_BAD_INPUT));
    };
    model_request(&scored.loaded.panel, &scored.scores, spec)
        .and_then(|req| fit_request(&req))
        .map_err(|e| {
            match e {
                RequestError::Formula(e) => {
                    let pointer = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
                    eprintln!(
                        "error: formula at column {}: {}\n  {}\n  {pointer}",
                        e.column, e.message, spec.formula
                    );
                }
                RequestError::Cluster(m) => eprintln!("error: {cluster_option} {m}"),
                RequestError::Declaration(m) | RequestError::Model(m) => eprintln!("error: {m}"),
            }
            ExitCode::from(EXIT_BAD_INPUT)
        })
}

/// A request of `cohort model` or `cohort gee` (unnamed).
fn spec(formula: &str, method: ModelMethod, family: FamilyArg) -> ModelSpec {
    ModelSpec {
        name: "model".into(),
        formula: formula.to_string(),
        method,
        family: match family {
            FamilyArg::Gaussian => ModelFamily::Gaussian,
            FamilyArg::Binomial => ModelFamily::Binomial,
            FamilyArg::Poisson => ModelFamily::Poisson,
            FamilyArg::Negbin => ModelFamily::NegBin,
        },
        ml: false,
        cluster_se: None,
        cluster: None,
        corstr: ModelCorStr::Exchangeable,
        agq: 1,
        key: String::new(),
    }
}

fn print_coefficients(rows: &[Coefficient]) {
    println!(
        "{:<32} {:>12} {:>12} {:>9} {:>9} {:>10}",
        "term", "estimate", "se", "z/t", "df", "p"
    );
    for c in rows {
        let df =
            c.df.map_or_else(|| "normal".to_string(), |df| format!("{df:.2}"));
        println!(
            "{:<32} {:>12.5} {:>12} {:>9} {:>9} {:>10}",
            c.term,
            c.estimate,
            finite(c.se, 5),
            finite(c.statistic, 3),
            df,
            finite(c.p_value, 4)
        );
    }
}

/// `v` with `digits` decimals, or "-" where it is not a number (a
/// coefficient without a standard error).
fn finite(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "-".to_string()
    }
}

fn print_anova(rows: &[cohort_stats::AnovaRow]) {
    if rows.is_empty() {
        return;
    }
    println!(
        "{:<32} {:>7} {:>10} {:>12} {:>10}",
        "term", "df", "df den", "F", "p"
    );
    for a in rows {
        println!(
            "{:<32} {:>7} {:>10.2} {:>12.4} {:>10.4}",
            a.term, a.df_num, a.df_den, a.f, a.p_value
        );
    }
}

/// `cohort model`.
pub fn model(args: &ModelArgs) -> anyhow::Result<ExitCode> {
    let mut spec = spec(&args.formula, ModelMethod::Regression, args.family);
    spec.ml = args.ml;
    spec.agq = usize::from(args.agq);
    spec.cluster_se = args.cluster_se.map(|k| match k {
        ClusterSeArg::Cr1 => ClusterSeKind::Cr1,
        ClusterSeArg::Cr2 => ClusterSeKind::Cr2,
    });
    spec.cluster = args.cluster.clone();
    let summary = match fit(&args.study, &spec, args.lenient, "--cluster") {
        Ok(Fitted::Model(s)) => s,
        Ok(Fitted::Gee(_)) => unreachable!("a regression request"),
        Err(code) => return Ok(code),
    };
    if args.json {
        print_json(&summary)?;
    } else {
        println!(
            "{} ({} {}, {}): {} observations{}",
            summary.formula,
            summary.kind,
            summary.family,
            summary.fit,
            summary.nobs,
            summary
                .ngroups
                .iter()
                .map(|(g, n)| format!(", {n} {g}"))
                .collect::<String>()
        );
        print_coefficients(&summary.coefficients);
        for v in &summary.varcomp {
            println!(
                "  {} {} {}: variance {:.5}",
                v.group,
                v.var1.as_deref().unwrap_or(""),
                v.var2.as_deref().unwrap_or(""),
                v.vcov
            );
        }
        for m in &summary.conditional_modes {
            println!(
                "  conditional modes {} {}: {} levels, mean {:.5}, SD {}",
                m.group,
                m.effect,
                m.n,
                m.mean,
                finite(m.sd, 5)
            );
        }
        print_anova(&summary.anova);
        if let Some(theta) = summary.theta {
            println!(
                "  theta {theta:.5} (se {})",
                finite(summary.se_theta.unwrap_or(f64::NAN), 5)
            );
        }
        if let Some(c) = &summary.cluster {
            println!(
                "  standard errors: {} clustered by {} ({} clusters)",
                summary.vcov, c.column, c.n_clusters
            );
        }
        println!(
            "  logLik {:.4}, AIC {:.4}, BIC {:.4}",
            summary.loglik, summary.aic, summary.bic
        );
        for n in &summary.notes {
            println!("  note: {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cohort gee`.
pub fn gee(args: &GeeArgs) -> anyhow::Result<ExitCode> {
    if args.family == FamilyArg::Negbin {
        eprintln!("error: --family negbin: GEE fits gaussian, binomial or poisson; a negative binomial model is `cohort model --family negbin`, with --cluster-se for clustered data");
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    let mut spec = spec(&args.formula, ModelMethod::Gee, args.family);
    spec.cluster = Some(args.id.clone());
    spec.corstr = match args.corstr {
        CorStrArg::Independence => ModelCorStr::Independence,
        CorStrArg::Exchangeable => ModelCorStr::Exchangeable,
        CorStrArg::Ar1 => ModelCorStr::Ar1,
        CorStrArg::Unstructured => ModelCorStr::Unstructured,
    };
    let summary = match fit(&args.study, &spec, args.lenient, "--id") {
        Ok(Fitted::Gee(s)) => s,
        Ok(Fitted::Model(_)) => unreachable!("a GEE request"),
        Err(code) => return Ok(code),
    };
    if args.json {
        print_json(&summary)?;
    } else {
        println!(
            "{} (gee, {}, {}): {} observations in {} clusters",
            summary.formula, summary.family, summary.corstr, summary.nobs, summary.n_clusters
        );
        println!(
            "{:<32} {:>12} {:>10} {:>10} {:>10} {:>10}",
            "term", "estimate", "se robust", "se MD", "se KC", "p"
        );
        for c in &summary.coefficients {
            println!(
                "{:<32} {:>12.5} {:>10.5} {:>10.5} {:>10.5} {:>10.4}",
                c.term,
                c.estimate,
                c.se_robust,
                c.se_mancl_derouen,
                c.se_kauermann_carroll,
                c.p_value
            );
        }
        println!("  alpha {:?}, scale {:.5}", summary.alpha, summary.scale);
        for n in &summary.notes {
            println!("  note: {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
