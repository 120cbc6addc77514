//! `cohort score`: questionnaire items to measures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use cohort_instruments::{
    reliability, write_long, write_wide, Level, MeasureDef, Reliability, Scores,
};
use cohort_panel::Study;
use serde::Serialize;

use crate::input::read_measures;
use crate::EXIT_BAD_INPUT;

#[derive(Args)]
pub struct ScoreArgs {
    /// The study file (TOML).
    study: PathBuf,
    /// Write the scores here as CSV (one row per respondent or family,
    /// wave and measure).
    #[arg(long)]
    out: Option<PathBuf>,
    /// With --out: one row per respondent and wave, one column per measure;
    /// family measures go to a second file, `<out>.family.csv`.
    #[arg(long, requires = "out")]
    wide: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Exclude offending values and rows instead of failing.
    #[arg(long)]
    lenient: bool,
}

/// Version of the `cohort score --json` fields.
const SCORE_SCHEMA: &str = "cohort.score/1";

#[derive(Serialize)]
struct ScoreSummary<'a> {
    schema: &'static str,
    study: &'a str,
    measures: Vec<MeasureSummary<'a>>,
    reliability: &'a [Reliability],
}

#[derive(Serialize)]
struct MeasureSummary<'a> {
    #[serde(flatten)]
    measure: &'a MeasureDef,
    waves: Vec<WaveScored>,
}

/// How many scores a measure has at a wave, and why the others are null.
#[derive(Serialize)]
struct WaveScored {
    wave: String,
    scored: u64,
    null: u64,
    null_by_reason: BTreeMap<String, u64>,
}

fn summarise<'a>(study: &'a Study, scores: &'a Scores, rel: &'a [Reliability]) -> ScoreSummary<'a> {
    let measures = scores
        .measures
        .iter()
        .zip(&scores.scores)
        .map(|(m, list)| MeasureSummary {
            measure: m,
            waves: {
                let mut waves: Vec<WaveScored> = study
                    .waves
                    .iter()
                    .map(|w| WaveScored {
                        wave: w.label.clone(),
                        scored: 0,
                        null: 0,
                        null_by_reason: BTreeMap::new(),
                    })
                    .collect();
                for i in 0..list.len() {
                    let ws = &mut waves[list.wave(i) as usize];
                    match list.value(i) {
                        Some(_) => ws.scored += 1,
                        None => {
                            ws.null += 1;
                            let why = list
                                .note(i)
                                .map_or("unknown".to_string(), |n| n.to_string());
                            *ws.null_by_reason.entry(why).or_insert(0) += 1;
                        }
                    }
                }
                waves
            },
        })
        .collect();
    ScoreSummary {
        schema: SCORE_SCHEMA,
        study: &study.name,
        measures,
        reliability: rel,
    }
}

pub fn run(args: &ScoreArgs) -> anyhow::Result<ExitCode> {
    let Some((
        crate::input::Scored {
            study,
            loaded,
            scores,
        },
        _,
    )) = read_measures(&args.study, args.lenient, &[])
    else {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    };
    let panel = &loaded.panel;
    let rel = reliability(panel, &study.instruments);
    if let Some(out) = &args.out {
        let file =
            std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
        let buf = std::io::BufWriter::new(file);
        if args.wide {
            write_wide(&scores, panel, Level::Respondent, buf)
                .with_context(|| format!("writing {}", out.display()))?;
            let family = out.with_extension("family.csv");
            let file = std::fs::File::create(&family)
                .with_context(|| format!("creating {}", family.display()))?;
            write_wide(&scores, panel, Level::Family, std::io::BufWriter::new(file))
                .with_context(|| format!("writing {}", family.display()))?;
        } else {
            write_long(&scores, panel, buf)
                .with_context(|| format!("writing {}", out.display()))?;
        }
    }
    let summary = summarise(&study, &scores, &rel);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &summary)?;
        writeln!(stdout)?;
    } else {
        stdout.write_all(render(&summary).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn render(s: &ScoreSummary<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "study {}: {} measures", s.study, s.measures.len());
    let _ = writeln!(
        out,
        "\n{:<40} {:<10} scored / null per wave",
        "measure", "level"
    );
    for m in &s.measures {
        let level = match m.measure.level {
            Level::Respondent => "respondent",
            Level::Family => "family",
        };
        let waves: Vec<String> = m
            .waves
            .iter()
            .map(|w| format!("{} {}/{}", w.wave, w.scored, w.null))
            .collect();
        let _ = writeln!(
            out,
            "{:<40} {:<10} {}",
            m.measure.name,
            level,
            waves.join("  ")
        );
    }
    if !s.reliability.is_empty() {
        let _ = writeln!(
            out,
            "\nreliability (Cronbach's alpha, Feldt 95% CI, listwise):"
        );
        for r in s.reliability {
            let a = match (r.alpha, r.alpha_ci95) {
                (Some(a), Some([lo, hi])) => format!("{a:.3} [{lo:.3}, {hi:.3}]"),
                _ => format!("- ({})", r.note.as_deref().unwrap_or("")),
            };
            let _ = writeln!(
                out,
                "  {}.{} {}: n {}, k {}, alpha {a}",
                r.instrument, r.scale, r.wave, r.n, r.k
            );
        }
    }
    out
}
