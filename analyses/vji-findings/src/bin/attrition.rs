//! `vji-attrition STUDY [--json] [--out DIR] [--expected FILE]`: families
//! taking part, returning and dropping out per wave, response patterns and
//! retention by household risk factor, after the disclosure gate
//! (`DIR/attrition.json`).

fn main() -> anyhow::Result<()> {
    Ok(vji_findings::cli::main("vji-attrition", "attrition",
        "Families taking part, returning and dropping out per wave, and retention by household risk factor, after the disclosure gate",
    )?)
}
