//! `cohort model` and `cohort gee`: a formula on the scored study, fitted
//! as a linear model, a linear mixed model or a GEE.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use cohort_models::{
    cluster_robust, design, fit_gee, fit_glm, fit_lm, fit_lmm, fit_negbin, mixed_tests, parse,
    CorStr, Criterion, Design, Family, Frame, GeeOptions, ModelError, Response,
};
use cohort_stats::{
    gee_summary, glm_summary, lm_summary, lmm_summary, model_frame, negbin_summary,
    with_cluster_se, ClusterSe, Coefficient,
};

use crate::input::{read_scored, Scored};
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

impl FamilyArg {
    /// The family with its canonical link; the negative binomial is the
    /// Poisson's log link with a variance of its own.
    fn family(self) -> Family {
        match self {
            FamilyArg::Gaussian => Family::Gaussian,
            FamilyArg::Binomial => Family::Binomial,
            FamilyArg::Poisson | FamilyArg::Negbin => Family::Poisson,
        }
    }
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
    /// poisson or negbin; binomial, Poisson and negative binomial mixed
    /// models are not fitted yet.
    #[arg(long, value_enum, default_value = "gaussian")]
    family: FamilyArg,
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

/// The design of a formula on the study, or the exit code after saying
/// why not.
fn prepare(
    study: &std::path::Path,
    formula: &str,
    lenient: bool,
) -> Result<(Scored, Frame, Design, cohort_stats::ModelRows), ExitCode> {
    let Some(scored) = read_scored(study, lenient) else {
        return Err(ExitCode::from(EXIT_BAD_INPUT));
    };
    let bad = |e: cohort_models::FormulaError| {
        let pointer = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
        eprintln!(
            "error: formula at column {}: {}\n  {formula}\n  {pointer}",
            e.column, e.message
        );
        ExitCode::from(EXIT_BAD_INPUT)
    };
    let f = parse(formula).map_err(bad)?;
    let (frame, rows) = model_frame(&scored.loaded.panel, &scored.scores, &f).map_err(bad)?;
    let d = design(&f, &frame).map_err(|e| model_error(e, formula))?;
    Ok((scored, frame, d, rows))
}

/// The cluster of each used row by the column `column` (the study's
/// cluster column, or the respondent column for a respondent measure), or
/// `None` after saying why not.
fn clusters(
    scored: &Scored,
    d: &Design,
    rows: &cohort_stats::ModelRows,
    option: &str,
    column: &str,
) -> Option<Vec<u32>> {
    let data = &scored.loaded.panel.study().data;
    if column == data.cluster {
        Some(d.rows.iter().map(|&i| rows.cluster[i]).collect())
    } else if column == data.respondent && rows.level == cohort_instruments::Level::Respondent {
        Some(d.rows.iter().map(|&i| rows.unit[i]).collect())
    } else {
        eprintln!(
            "error: {option} {column}: expected the cluster column ({}) or, for a respondent \
             measure, the respondent column ({})",
            data.cluster, data.respondent
        );
        None
    }
}

fn model_error(e: ModelError, formula: &str) -> ExitCode {
    match e {
        ModelError::Formula { error, .. } => {
            let pointer = format!("{}^", " ".repeat(error.column.saturating_sub(1)));
            eprintln!(
                "error: formula at column {}: {}\n  {formula}\n  {pointer}",
                error.column, error.message
            );
        }
        other => eprintln!("error: {other}"),
    }
    ExitCode::from(EXIT_BAD_INPUT)
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
            "{:<32} {:>12.5} {:>12.5} {:>9.3} {:>9} {:>10.4}",
            c.term, c.estimate, c.se, c.statistic, df, c.p_value
        );
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
    let (scored, frame, d, rows) = match prepare(&args.study, &args.formula, args.lenient) {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let family = args.family.family();
    if !d.random.is_empty() && args.cluster_se.is_some() {
        eprintln!(
            "error: --cluster-se is for models without random terms; a mixed model's random \
             terms model the clustering already"
        );
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    let summary = if d.random.is_empty() {
        let fitted = match args.family {
            FamilyArg::Gaussian => {
                fit_lm(&d).map(|fit| (lm_summary(&d, &fit), Response::Family(family), fit.beta))
            }
            FamilyArg::Negbin => fit_negbin(&d).map(|nb| {
                let response = Response::NegBin(nb.theta);
                (negbin_summary(&d, &nb), response, nb.model.fit.beta)
            }),
            _ => fit_glm(&d, family).map(|fit| {
                (
                    glm_summary(&d, &fit, family),
                    Response::Family(family),
                    fit.fit.beta,
                )
            }),
        };
        let (summary, response, beta) = match fitted {
            Ok(x) => x,
            Err(e) => return Ok(model_error(e, &args.formula)),
        };
        match args.cluster_se {
            None => summary,
            Some(kind) => {
                let data = &scored.loaded.panel.study().data;
                let column = args.cluster.as_deref().unwrap_or(&data.cluster);
                let Some(groups) = clusters(&scored, &d, &rows, "--cluster", column) else {
                    return Ok(ExitCode::from(EXIT_BAD_INPUT));
                };
                let robust = match cluster_robust(&d, response, &beta, &groups) {
                    Ok(r) => r,
                    Err(e) => return Ok(model_error(e, &args.formula)),
                };
                let kind = match kind {
                    ClusterSeArg::Cr1 => ClusterSe::Cr1,
                    ClusterSeArg::Cr2 => ClusterSe::Cr2,
                };
                with_cluster_se(summary, &robust, kind, column)
            }
        }
    } else if args.family != FamilyArg::Gaussian {
        eprintln!(
            "error: a {} model with random terms (a GLMM) is not fitted yet; use cohort gee, or a model without random terms",
            match args.family {
                FamilyArg::Negbin => "negative binomial",
                _ => family.name(),
            }
        );
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    } else {
        let criterion = if args.ml {
            Criterion::Ml
        } else {
            Criterion::Reml
        };
        let fit = match fit_lmm(&d, criterion) {
            Ok(fit) => fit,
            Err(e) => return Ok(model_error(e, &args.formula)),
        };
        match mixed_tests(&d, &frame, &fit) {
            Ok(tests) => lmm_summary(&d, &fit, Some(&tests)),
            Err(e) => {
                let mut s = lmm_summary(&d, &fit, None);
                s.notes
                    .push(format!("no Satterthwaite degrees of freedom: {e}"));
                s
            }
        }
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
        print_anova(&summary.anova);
        if let Some(theta) = summary.theta {
            println!(
                "  theta {theta:.5} (se {:.5})",
                summary.se_theta.unwrap_or(f64::NAN)
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
    let (scored, _, d, rows) = match prepare(&args.study, &args.formula, args.lenient) {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if args.family == FamilyArg::Negbin {
        eprintln!("error: --family negbin: GEE fits gaussian, binomial or poisson; a negative binomial model is `cohort model --family negbin`, with --cluster-se for clustered data");
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    let Some(cluster) = clusters(&scored, &d, &rows, "--id", &args.id) else {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    };
    let family = args.family.family();
    let corstr = match args.corstr {
        CorStrArg::Independence => CorStr::Independence,
        CorStrArg::Exchangeable => CorStr::Exchangeable,
        CorStrArg::Ar1 => CorStr::Ar1,
        CorStrArg::Unstructured => CorStr::Unstructured,
    };
    let options = GeeOptions {
        family,
        corstr,
        cluster,
        wave: d.rows.iter().map(|&i| u32::from(rows.wave[i])).collect(),
        tolerance: 1e-10,
        max_iterations: 100,
    };
    let fit = match fit_gee(&d, &options) {
        Ok(f) => f,
        Err(e) => return Ok(model_error(e, &args.formula)),
    };
    let summary = gee_summary(&d, &fit, family, corstr);
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
