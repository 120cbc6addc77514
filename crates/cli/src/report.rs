//! `cohort report` and `cohort plot`: the report of a study, and its
//! figures redrawn from a saved results file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use cohort_instruments::reliability;
use cohort_panel::provenance;
use cohort_plot::Lang;
use cohort_report::{write_figures, write_report};
use cohort_results::{publish, PublishedResults};
use cohort_stats::{study_results, BootstrapSpec, ResultsOptions};

use crate::input::read_scored;
use crate::EXIT_BAD_INPUT;

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Nl,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Nl => Lang::Nl,
        }
    }
}

#[derive(Args)]
pub struct ReportArgs {
    /// The study file (TOML).
    study: PathBuf,
    /// Folder to write the report to (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Cluster-bootstrap replicates (0: none; at most 1,000,000).
    #[arg(long, default_value_t = cohort_stats::DEFAULT_BOOTSTRAP.replicates, value_parser = crate::replicates())]
    bootstrap: usize,
    /// Seed of the bootstrap streams.
    #[arg(long, default_value_t = cohort_stats::DEFAULT_BOOTSTRAP.seed)]
    seed: u64,
    /// Language of figure labels (Dutch: decimal comma).
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// Incident counts on a logarithmic axis.
    #[arg(long)]
    log_y: bool,
    /// Estimates and a prevalence figure by the groups of this categorical
    /// variable (or the role).
    #[arg(long)]
    by: Option<String>,
    /// Exclude offending values and rows instead of failing.
    #[arg(long)]
    lenient: bool,
}

#[derive(Args)]
pub struct PlotArgs {
    /// A results.json written by `cohort report`.
    #[arg(long)]
    results: PathBuf,
    /// Folder to write figures/ to.
    #[arg(long)]
    out: PathBuf,
    /// Language of figure labels.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// Incident counts on a logarithmic axis.
    #[arg(long)]
    log_y: bool,
}

pub fn report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let Some(crate::input::Scored {
        study,
        loaded,
        scores,
    }) = read_scored(&args.study, args.lenient)
    else {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    };
    let rel = reliability(&loaded.panel, &study.instruments);
    let boot = (args.bootstrap > 0).then_some(BootstrapSpec {
        replicates: args.bootstrap,
        seed: args.seed,
    });
    let prov = provenance(&study, boot.map(|b| b.seed)).context("hashing the input files")?;
    let options = ResultsOptions {
        bootstrap: boot,
        by: args.by.as_deref(),
        progress: &|_| {},
    };
    let results = match study_results(&loaded, &scores, &rel, prov, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: --by: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let data = publish(&results);
    write_report(&args.out, &data, args.lang.into(), args.log_y)
        .with_context(|| format!("writing the report to {}", args.out.display()))?;
    eprintln!(
        "report written to {} ({} estimates, {} changes, {} cells suppressed)",
        args.out.display(),
        data.estimates.len(),
        data.change.len(),
        data.suppressions.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn plot(args: &PlotArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("reading {}", args.results.display()))?;
    let data: PublishedResults = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "error: {}: not a results file of `cohort report` ({e})",
                args.results.display()
            );
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    let n = write_figures(&args.out, &data, args.lang.into(), args.log_y)
        .context("drawing the figures")?;
    eprintln!(
        "{} figures written to {}",
        n,
        args.out.join("figures").display()
    );
    Ok(ExitCode::SUCCESS)
}
