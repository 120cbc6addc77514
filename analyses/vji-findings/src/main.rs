//! `vji-findings STUDY [--json] [--out DIR] [--replicates N] [--seed S]`:
//! the published VJI findings computed from a study, written to
//! `DIR/findings.json` (default `reports/vji-findings`). With
//! `--expected FILE` it also writes the values as an expected file for
//! `cohort verify` (to be checked by hand before it is committed).

use std::path::PathBuf;

use anyhow::{bail, Context};
use cohort_instruments::{score, Instruments};
use cohort_panel::{load, Mode, Study};
use cohort_stats::BootstrapSpec;
use vji_findings::{findings, FINDINGS_SCHEMA};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut study, mut json, mut out, mut replicates, mut seed) = (
        None,
        false,
        PathBuf::from("reports/vji-findings"),
        2000,
        20201112u64,
    );
    let mut expected: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--out" => out = args.next().context("--out needs a folder")?.into(),
            "--replicates" => replicates = args.next().context("--replicates needs a number")?.parse()?,
            "--seed" => seed = args.next().context("--seed needs a number")?.parse()?,
            "--expected" => expected = Some(args.next().context("--expected needs a file")?.into()),
            s if !s.starts_with("--") && study.is_none() => study = Some(PathBuf::from(s)),
            other => bail!("unknown argument {other}; usage: vji-findings STUDY [--json] [--out DIR] [--replicates N] [--seed S]"),
        }
    }
    let study_path = study.context("usage: vji-findings STUDY [--json] [--out DIR]")?;
    let study = Study::from_path(&study_path)?;
    let spec = Instruments::from_study(&study)?;
    let panel = load(&study, Mode::Strict)
        .map_err(|e| anyhow::anyhow!("{e}; run `cohort check` for the problems"))?
        .panel;
    let scores = score(&panel, &spec);
    let result = findings(&panel, &scores, &BootstrapSpec { replicates, seed });
    let text = serde_json::to_string_pretty(&result)?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let doc = serde_json::json!({
        "schema": FINDINGS_SCHEMA,
        "study": study_path.display().to_string(),
        "toolkit_version": env!("CARGO_PKG_VERSION"),
        "bootstrap": {"replicates": replicates, "seed": seed},
        "findings": result,
    });
    std::fs::write(
        out.join("findings.json"),
        serde_json::to_string_pretty(&doc)? + "\n",
    )?;
    if let Some(file) = expected {
        let spec = BootstrapSpec { replicates, seed };
        let doc =
            vji_findings::expected_file("vji-findings", &serde_json::to_value(&result)?, &spec);
        std::fs::write(&file, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("writing {}", file.display()))?;
    }
    if json {
        println!("{text}");
    } else {
        for (id, f) in &result {
            let v = f.value.map_or("-".to_string(), |v| format!("{v:.4}"));
            let ci = f
                .ci95
                .map_or(String::new(), |[a, b]| format!(" [{a:.4}, {b:.4}]"));
            println!("{id:<4} {v}{ci} (n = {}) {}", f.n, f.definition);
        }
    }
    Ok(())
}
