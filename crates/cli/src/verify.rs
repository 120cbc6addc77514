//! `cohort verify [DIR]`: reruns every analysis on every fixture that has
//! `study.toml` and `expected/`, and compares every number with its
//! expected value within the tolerance declared next to it. The analyses
//! are the binaries of the registry (`cohort_testkit::golden::ANALYSES`),
//! built beside `cohort`; the CLI depends on none of them.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};
use clap::Args;
use cohort_testkit::golden::{compare, Mismatch, ANALYSES};
use serde_json::Value;

#[derive(Args)]
pub struct VerifyArgs {
    /// Folder of fixtures (each a folder with study.toml and expected/).
    #[arg(default_value = "fixtures")]
    dir: PathBuf,
}

/// The binary of an analysis of the registry, beside this one.
fn analysis_binary(name: &str) -> anyhow::Result<PathBuf> {
    if !ANALYSES.contains(&name) {
        bail!(
            "unknown analysis \"{name}\" (known: {})",
            ANALYSES.join(", ")
        );
    }
    let exe = std::env::current_exe().context("locating the cohort binary")?;
    let dir = exe.parent().context("the folder of the cohort binary")?;
    // Test binaries live one level down (target/debug/deps).
    for d in [dir, dir.parent().unwrap_or(dir)] {
        let bin = d.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        if bin.is_file() {
            return Ok(bin);
        }
    }
    bail!(
        "the analysis binary {name} is not beside {}: build it with `cargo build --release --workspace`",
        exe.display()
    )
}

fn run_expected(fixture: &Path, file: &Path) -> anyhow::Result<(usize, Vec<Mismatch>)> {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
    )
    .with_context(|| format!("{} is not JSON", file.display()))?;
    let analysis = doc["analysis"]
        .as_str()
        .with_context(|| format!("{}: no `analysis`", file.display()))?;
    let study_file = fixture.join(doc["study"].as_str().unwrap_or("study.toml"));
    let number = |key: &str| {
        doc["bootstrap"][key]
            .as_u64()
            .with_context(|| format!("{}: no bootstrap.{key}", file.display()))
    };
    let (replicates, seed) = (number("replicates")?, number("seed")?);
    let out = Command::new(analysis_binary(analysis)?)
        .arg(&study_file)
        .args(["--json", "--bootstrap", &replicates.to_string()])
        .args(["--seed", &seed.to_string()])
        .output()
        .with_context(|| format!("running {analysis}"))?;
    if !out.status.success() {
        bail!(
            "{analysis} on {} failed: {}",
            study_file.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let got: Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("{analysis} printed no JSON document"))?;
    let name = fixture
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    compare(&name, &doc, &got).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .with_context(|| format!("reading {}", args.dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected").is_dir() && p.join("study.toml").is_file())
        .collect();
    fixtures.sort();
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for fixture in &fixtures {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixture.join("expected"))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let (n, m) = run_expected(fixture, &file)?;
            checked += n;
            mismatches.extend(m);
        }
    }
    for m in &mismatches {
        println!("{m}");
    }
    println!(
        "{} of {checked} values match in {} fixture(s)",
        checked - mismatches.len(),
        fixtures.len()
    );
    Ok(if mismatches.is_empty() && !fixtures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
