//! `vji-effectiveness STUDY [--out DIR] [--expected FILE]`: Change tables between consecutive waves and from the first to the last wave,
//! after disclosure control; written to `DIR/effectiveness.json` (default
//! `reports/vji-effectiveness`). `--expected` also writes the values as an
//! expected file for `cohort verify` (checked by hand before committing).

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use cohort_stats::BootstrapSpec;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let study = PathBuf::from(
        args.first()
            .context("usage: vji-effectiveness STUDY [--out DIR] [--expected FILE]")?,
    );
    let flag = |f: &str| {
        args.iter()
            .position(|a| a == f)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let out = flag("--out").unwrap_or_else(|| "reports/vji-effectiveness".into());
    let spec = BootstrapSpec {
        replicates: 2000,
        seed: 20201112,
    };
    let p = vji_findings::prepare(&study, Some(spec.seed)).map_err(|e| anyhow!(e))?;
    let doc = vji_findings::analysis("vji-effectiveness", &p, &spec).map_err(|e| anyhow!(e))?;
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(
        out.join("effectiveness.json"),
        serde_json::to_string_pretty(&doc)? + "\n",
    )?;
    if let Some(file) = flag("--expected") {
        let expected = vji_findings::expected_file("vji-effectiveness", &doc, &spec);
        std::fs::write(&file, serde_json::to_string_pretty(&expected)? + "\n")?;
    }
    eprintln!("written to {}", out.display());
    Ok(())
}
