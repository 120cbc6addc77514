//! `cohort synth`: a synthetic, anonymised cohort from a preset model.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use cohort_synth::{study_toml, write_data, SynthLayout, VjiParams};

#[derive(Clone, Copy, ValueEnum)]
enum Preset {
    /// Families reported to Veilig Thuis, modelled on the VJI 2nd cohort.
    Vji,
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    Long,
    Wide,
}

#[derive(Args)]
pub struct SynthArgs {
    /// The model.
    #[arg(long, value_enum)]
    preset: Preset,
    /// Seed of the random streams (one stream per family).
    #[arg(long)]
    seed: u64,
    /// Number of families (1 to 10,000,000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    families: u64,
    /// Folder to write study.toml and the data to (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Long (one row per respondent and wave) or wide.
    #[arg(long, value_enum, default_value = "long")]
    layout: LayoutArg,
}

pub fn run(args: &SynthArgs) -> anyhow::Result<ExitCode> {
    let Preset::Vji = args.preset;
    let layout = match args.layout {
        LayoutArg::Long => SynthLayout::Long,
        LayoutArg::Wide => SynthLayout::Wide,
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let (study_name, data_name) = match layout {
        SynthLayout::Long => ("study.toml", "panel.csv"),
        SynthLayout::Wide => ("study_wide.toml", "panel_wide.csv"),
    };
    let study = args.out.join(study_name);
    std::fs::write(&study, study_toml(layout, args.seed, args.families))
        .with_context(|| format!("writing {}", study.display()))?;
    let data = args.out.join(data_name);
    let file =
        std::fs::File::create(&data).with_context(|| format!("creating {}", data.display()))?;
    let counts = write_data(
        &VjiParams::default(),
        args.seed,
        args.families,
        layout,
        std::io::BufWriter::with_capacity(1 << 20, file),
    )
    .with_context(|| format!("writing {}", data.display()))?;
    crate::verbosity::note!(
        "{} families, {} respondents, {} rows: {} and {}",
        counts.families,
        counts.respondents,
        counts.rows,
        study.display(),
        data.display()
    );
    Ok(ExitCode::SUCCESS)
}
