//! `vji-trauma STUDY [--json] [--out DIR] [--bootstrap N] [--seed S]
//! [--expected FILE]`: trauma measures per wave, reliability and reliable
//! change, after the disclosure gate (`DIR/trauma.json`).

fn main() -> anyhow::Result<()> {
    Ok(vji_findings::cli::main(
        "vji-trauma",
        "trauma",
        "Trauma measures per wave, reliability and reliable change, after the disclosure gate",
    )?)
}
