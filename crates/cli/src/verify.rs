//! `cohort verify [DIR]`: reruns every analysis on every fixture that has
//! `expected/`, and compares every number with its expected value within
//! the tolerance declared next to it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use cohort_stats::BootstrapSpec;
use serde_json::Value;

#[derive(Args)]
pub struct VerifyArgs {
    /// Folder of fixtures (each a folder with study.toml and expected/).
    #[arg(default_value = "fixtures")]
    dir: PathBuf,
}

/// One number that does not match.
struct Mismatch {
    fixture: String,
    field: String,
    expected: Option<f64>,
    got: Option<f64>,
    tolerance: f64,
}

fn run_expected(
    fixture: &Path,
    file: &Path,
    mismatches: &mut Vec<Mismatch>,
) -> anyhow::Result<usize> {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
    )
    .with_context(|| format!("{} is not JSON", file.display()))?;
    let analysis = doc["analysis"].as_str().unwrap_or_default();
    let study_file = fixture.join(doc["study"].as_str().unwrap_or("study.toml"));
    let boot = BootstrapSpec {
        replicates: doc["bootstrap"]["replicates"]
            .as_u64()
            .context("bootstrap.replicates")? as usize,
        seed: doc["bootstrap"]["seed"]
            .as_u64()
            .context("bootstrap.seed")?,
    };
    let prepared = vji_findings::prepare(&study_file, Some(boot.seed))
        .map_err(|e| anyhow::anyhow!("{}: {e}", study_file.display()))?;
    let result = vji_findings::analysis(analysis, &prepared, &boot)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let got = vji_findings::flatten_json(&result);
    let values = doc["values"]
        .as_object()
        .with_context(|| format!("{}: no `values`", file.display()))?;
    let name = fixture
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    for (field, e) in values {
        let expected = e["expected"].as_f64();
        let tolerance = e["tolerance"].as_f64().unwrap_or(0.0);
        let g = got.get(field).copied().flatten();
        let ok = match (expected, g) {
            (Some(x), Some(y)) => (x - y).abs() <= tolerance,
            (None, None) => true,
            _ => false,
        };
        if !ok {
            mismatches.push(Mismatch {
                fixture: name.clone(),
                field: field.clone(),
                expected,
                got: g,
                tolerance,
            });
        }
    }
    Ok(values.len())
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .with_context(|| format!("reading {}", args.dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected").is_dir())
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
            checked += run_expected(fixture, &file, &mut mismatches)?;
        }
    }
    let show = |v: Option<f64>| v.map_or("null".to_string(), |v| format!("{v}"));
    let mut out = String::new();
    for m in &mismatches {
        let _ = writeln!(
            out,
            "MISMATCH {} {}: expected {}, got {}, tolerance {}",
            m.fixture,
            m.field,
            show(m.expected),
            show(m.got),
            m.tolerance
        );
    }
    let _ = writeln!(
        out,
        "{} of {checked} values match in {} fixture(s)",
        checked - mismatches.len(),
        fixtures.len()
    );
    print!("{out}");
    Ok(if mismatches.is_empty() && !fixtures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
