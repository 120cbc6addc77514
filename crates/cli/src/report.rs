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
use cohort_results::{publish, PublishedResults, SMALLEST_MIN_CELL};
use cohort_stats::{study_results, BootstrapSpec, ResultsOptions};

use crate::input::read_scored;
use crate::verbosity::note;
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
    /// Write the report although the study's min_cell is below 5 (every
    /// page then says it is not for publication).
    #[arg(long)]
    unsafe_small_cells: bool,
    /// Also write the complete, unprotected results to this file, for use
    /// inside the secure environment only (its name should say so).
    #[arg(long)]
    internal: Option<PathBuf>,
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
    if !crate::input::declared_models_resolve(&study, &loaded.panel, &scores) {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    let rel = reliability(&loaded.panel, &study.instruments);
    let boot = (args.bootstrap > 0).then_some(BootstrapSpec {
        replicates: args.bootstrap,
        seed: args.seed,
    });
    let prov = provenance(&study, boot.map(|b| b.seed)).context("hashing the input files")?;
    let bar = crate::progress::Progress::new();
    let options = ResultsOptions {
        bootstrap: boot,
        by: args.by.as_deref(),
        progress: &|p| bar.tick(p.stage, p.done, p.total),
    };
    let results = study_results(&loaded, &scores, &rel, prov, &options);
    drop(bar);
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: --by: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    if results.rules.unsafe_small_cells() && !args.unsafe_small_cells {
        eprintln!(
            "error: {}: [disclosure] min_cell {} is below {SMALLEST_MIN_CELL}: such small counts are not safe to publish; --unsafe-small-cells writes the report anyway, marked on every page",
            args.study.display(),
            results.rules.smallest_count()
        );
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    if let Some(path) = &args.internal {
        let named = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains("internal"));
        if !named || path.starts_with(&args.out) {
            eprintln!(
                "error: --internal {}: the file's name must say \"internal\", and it must lie outside the report folder {}",
                path.display(),
                args.out.display()
            );
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
        // The whole results, unprotected: marked so in the file itself.
        let doc = serde_json::json!({
            "disclosure": "not checked: internal, unprotected results; never publish this file",
            "results": results,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        note!(
            "internal (unprotected) results written to {}",
            path.display()
        );
    }
    let data = publish(&results);
    let progress = crate::progress::Progress::new();
    let figures = |done: usize, total: usize| progress.tick("figures", done, total);
    write_report(&args.out, &data, args.lang.into(), args.log_y, &figures)
        .with_context(|| format!("writing the report to {}", args.out.display()))?;
    drop(progress);
    note!(
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
    note!(
        "{} figures written to {}",
        n,
        args.out.join("figures").display()
    );
    Ok(ExitCode::SUCCESS)
}
