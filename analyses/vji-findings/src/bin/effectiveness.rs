//! `vji-effectiveness STUDY [--json] [--out DIR] [--bootstrap N] [--seed S]
//! [--expected FILE]`: change tables between consecutive waves and from
//! the first to the last wave, after the disclosure gate
//! (`DIR/effectiveness.json`).

fn main() -> anyhow::Result<()> {
    Ok(vji_findings::cli::main(
        "vji-effectiveness",
        "effectiveness",
        "Change tables between consecutive waves and from the first to the last wave, after the disclosure gate",
    )?)
}
