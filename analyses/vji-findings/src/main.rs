//! `vji-findings STUDY [--json] [--out DIR] [--bootstrap N] [--seed S]
//! [--expected FILE]`: the published VJI findings F1-F13 computed from a
//! study, after the disclosure gate (`DIR/findings.json`).

fn main() -> anyhow::Result<()> {
    Ok(vji_findings::cli::main(
        "vji-findings",
        "findings",
        "The published VJI findings F1-F13, by ID, with intervals, after the disclosure gate",
    )?)
}
