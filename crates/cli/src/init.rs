//! `cohort init`: a study file drafted from a data file, every guess
//! marked to check.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cohort_panel::{draft_study, DraftOptions};

use crate::verbosity::note;
use crate::EXIT_BAD_INPUT;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The data file: a long CSV (one row per respondent and wave).
    data: PathBuf,
    /// The respondent id column (default: guessed from the header).
    #[arg(long)]
    respondent: Option<String>,
    /// The cluster (family) id column (default: guessed; none if no column
    /// is named so).
    #[arg(long)]
    cluster: Option<String>,
    /// The wave column (default: guessed from the header).
    #[arg(long)]
    wave: Option<String>,
    /// Write the study file here instead of to standard output (the data
    /// path in it is relative to this file's folder).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let options = DraftOptions {
        respondent: args.respondent.clone(),
        cluster: args.cluster.clone(),
        wave: args.wave.clone(),
    };
    // The study file names the data relative to its own folder.
    let file_name = match &args.out {
        Some(out) => relative(&args.data, out.parent().unwrap_or(std::path::Path::new(""))),
        None => args.data.to_string_lossy().into_owned(),
    };
    let text = match draft_study(&args.data, &file_name, &options) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    match &args.out {
        Some(out) => {
            std::fs::write(out, &text).with_context(|| format!("writing {}", out.display()))?;
            note!(
                "study file drafted to {}: check every line marked CHECK, then run cohort check {}",
                out.display(),
                out.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `data` as seen from the folder `dir` (both as given, made absolute
/// against the working folder).
fn relative(data: &std::path::Path, dir: &std::path::Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = |p: &std::path::Path| cwd.join(p);
    let (data, dir) = (abs(data), abs(dir));
    let common = data
        .components()
        .zip(dir.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = dir.components().count() - common;
    let mut out = PathBuf::new();
    for _ in 0..ups {
        out.push("..");
    }
    for c in data.components().skip(common) {
        out.push(c);
    }
    out.to_string_lossy().into_owned()
}
