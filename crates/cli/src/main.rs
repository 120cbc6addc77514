//! The `cohort` command: parses arguments, calls the library crates and
//! turns their results into text, JSON and exit codes. No statistics here.

mod audit;
mod check;
mod init;
mod input;
mod model;
mod progress;
mod report;
mod score;
mod shell;
mod stats;
mod synth;
mod verbosity;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Exit code for bad input: a study file or data with problems.
const EXIT_BAD_INPUT: u8 = 2;

/// Most bootstrap replicates a command accepts.
const MAX_REPLICATES: usize = 1_000_000;

/// A `--bootstrap` value: 0 (none) to [`MAX_REPLICATES`]; anything else
/// is an argument error (exit 2).
fn replicates() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(0..=MAX_REPLICATES as u64)
}

#[derive(Parser)]
#[command(
    name = "cohort",
    version,
    about = "Longitudinal cohort studies of domestic violence and child abuse"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Say nothing on stderr but errors (no notes, no progress bar).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also say how long each long stage took. Without -q or -v, the
    /// COHORT_LOG environment variable sets the level as RUST_LOG does
    /// (error or warn: as -q; debug or trace: as -v).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand)]
enum Command {
    /// Draft a study file from a long CSV data file (types, ranges, keys,
    /// waves and measures guessed, each guess marked CHECK).
    Init(init::InitArgs),
    /// Load and validate the data of a study, and summarise it.
    Check(check::CheckArgs),
    /// Score the questionnaires: item responses to measures.
    Score(score::ScoreArgs),
    /// Write a synthetic, anonymised cohort (study file and data).
    Synth(synth::SynthArgs),
    /// Estimates per wave of every measure: n, mean, SD, quartiles,
    /// prevalence, intervals.
    Describe(stats::DescribeArgs),
    /// Change between two waves: tests, effect sizes, transitions.
    Change(stats::ChangeArgs),
    /// Rerun the analyses on every fixture with expected values and compare.
    Verify(verify::VerifyArgs),
    /// Write the report of a study: HTML, Markdown, tables, figures, results.json.
    Report(report::ReportArgs),
    /// Redraw the figures of a saved results.json (no data needed).
    Plot(report::PlotArgs),
    /// Check a report folder for anything a reader could recover: small
    /// counts, small-n estimates, cells pinned down by the tables.
    Audit(audit::AuditArgs),
    /// Fit a linear model or, with random terms, a linear mixed model
    /// (REML or ML) to a formula on the study.
    Model(model::ModelArgs),
    /// Fit generalized estimating equations with a working correlation
    /// and robust standard errors.
    Gee(model::GeeArgs),
    /// Print a shell completion script (`cohort completions bash >
    /// ~/.local/share/bash-completion/completions/cohort`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, or write one page per command into a folder
    /// (`cohort man --out /usr/local/share/man/man1`).
    Man {
        /// The folder to write cohort.1 and cohort-COMMAND.1 into.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    verbosity::set(cli.quiet, cli.verbose);
    let result = match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Synth(args) => synth::run(&args),
        Command::Describe(args) => stats::describe(&args),
        Command::Change(args) => stats::change(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Report(args) => report::report(&args),
        Command::Plot(args) => report::plot(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Model(args) => model::model(&args),
        Command::Gee(args) => model::gee(&args),
        Command::Completions { shell } => shell::completions(Cli::command(), shell),
        Command::Man { out } => shell::man(Cli::command(), out.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
