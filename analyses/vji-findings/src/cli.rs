//! The analysis binaries' one front end: `NAME STUDY [--json] [--out DIR]
//! [--bootstrap N] [--seed S] [--expected FILE]`. `--json` prints the
//! published document on standard output and writes nothing; files are
//! written only where `--out` (or `--expected`) says.

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser};
use cohort_stats::{BootstrapSpec, DEFAULT_BOOTSTRAP};

use crate::{analysis, prepare, AnalysisError};

/// Arguments every analysis binary takes.
#[derive(Debug, Parser)]
pub struct AnalysisArgs {
    /// The study file (TOML).
    pub study: PathBuf,
    /// Print the published document (JSON) on standard output.
    #[arg(long)]
    pub json: bool,
    /// Folder to write the document to, as `<name>.json`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Cluster-bootstrap replicates.
    #[arg(long, default_value_t = DEFAULT_BOOTSTRAP.replicates)]
    pub bootstrap: usize,
    /// Seed of the bootstrap streams.
    #[arg(long, default_value_t = DEFAULT_BOOTSTRAP.seed)]
    pub seed: u64,
    /// Also write the values as an expected file for `cohort verify`
    /// (to be checked by hand before it is committed).
    #[arg(long)]
    pub expected: Option<PathBuf>,
}

/// Runs the analysis `name` (what it does: `about`) as its binary does:
/// parses the arguments, computes the document and prints or writes it.
pub fn main(name: &'static str, file_stem: &str, about: &'static str) -> Result<(), AnalysisError> {
    let matches = AnalysisArgs::command()
        .name(name)
        .bin_name(name)
        .about(about)
        .get_matches();
    let args = match AnalysisArgs::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    let spec = BootstrapSpec {
        replicates: args.bootstrap,
        seed: args.seed,
    };
    let p = prepare(&args.study, Some(spec.seed))?;
    let doc = analysis(name, &p, &spec)?;
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|source| AnalysisError::Write { path, source })
    };
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).map_err(|source| AnalysisError::Write {
            path: out.clone(),
            source,
        })?;
        write(out.join(format!("{file_stem}.json")), &text)?;
    }
    if let Some(file) = args.expected {
        let e = cohort_testkit::golden::expected_file(name, &doc, spec.replicates, spec.seed);
        write(
            file,
            &(serde_json::to_string_pretty(&e).unwrap_or_default() + "\n"),
        )?;
    }
    if args.json {
        print!("{text}");
    } else if let Some(out) = &args.out {
        eprintln!(
            "{name}: written to {}",
            out.join(format!("{file_stem}.json")).display()
        );
    } else {
        eprintln!("{name}: nothing written (give --json or --out DIR)");
    }
    Ok(())
}
