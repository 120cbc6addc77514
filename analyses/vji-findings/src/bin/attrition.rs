//! `vji-attrition STUDY [--out DIR] [--expected FILE]`: who stays in the study: families taking part,
//! returning and dropping out per wave, response patterns, retention by
//! household risk factor,
//! after disclosure control; written to `DIR/attrition.json` (default
//! `reports/vji-attrition`). `--expected` also writes the values as an
//! expected file for `cohort verify` (checked by hand before committing).

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use cohort_stats::BootstrapSpec;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let study = PathBuf::from(
        args.first()
            .context("usage: vji-attrition STUDY [--out DIR] [--expected FILE]")?,
    );
    let flag = |f: &str| {
        args.iter()
            .position(|a| a == f)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let out = flag("--out").unwrap_or_else(|| "reports/vji-attrition".into());
    let spec = BootstrapSpec {
        replicates: 2000,
        seed: 20201112,
    };
    let p = vji_findings::prepare(&study, Some(spec.seed)).map_err(|e| anyhow!(e))?;
    let doc = vji_findings::analysis("vji-attrition", &p, &spec).map_err(|e| anyhow!(e))?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(
        out.join("attrition.json"),
        serde_json::to_string_pretty(&doc)? + "\n",
    )?;
    if let Some(file) = flag("--expected") {
        let expected = vji_findings::expected_file("vji-attrition", &doc, &spec);
        std::fs::write(&file, serde_json::to_string_pretty(&expected)? + "\n")?;
    }
    eprintln!("written to {}", out.display());
    Ok(())
}
