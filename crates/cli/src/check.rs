//! `cohort check`: the data summary a researcher reads first.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use cohort_panel::{load, DataSummary, LoadReport, Mode, ProblemKind, CHECK_SCHEMA};
use serde::Serialize;

use crate::input::{read_study, render_problems};
use crate::EXIT_BAD_INPUT;

#[derive(Args)]
pub struct CheckArgs {
    /// The study file (TOML).
    study: PathBuf,
    /// Print the summary as JSON (stable field names).
    #[arg(long)]
    json: bool,
    /// Exclude offending values and rows (counted and reported) instead of
    /// failing.
    #[arg(long)]
    lenient: bool,
}

/// What `--json` prints when the data cannot be loaded.
#[derive(Serialize)]
struct CheckFailure<'a> {
    schema: &'static str,
    ok: bool,
    load: &'a LoadReport,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let Some(study) = read_study(&args.study) else {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    };
    let mode = if args.lenient {
        Mode::Lenient
    } else {
        Mode::Strict
    };
    let mut out = std::io::stdout().lock();
    match load(&study, mode) {
        Ok(loaded) => {
            // Declared models are checked as the report fits them: on the
            // scored data.
            if !study.models.is_empty() {
                let scores = cohort_instruments::score(&loaded.panel, &study.instruments);
                if !crate::input::declared_models_resolve(&study, &loaded.panel, &scores) {
                    return Ok(ExitCode::from(EXIT_BAD_INPUT));
                }
            }
            let summary = DataSummary::new(&loaded.panel, &loaded.report);
            if args.json {
                serde_json::to_writer_pretty(&mut out, &summary).context("writing JSON")?;
                writeln!(out)?;
            } else {
                out.write_all(render(&summary).as_bytes())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            if args.json {
                let f = CheckFailure {
                    schema: CHECK_SCHEMA,
                    ok: false,
                    load: &failure.report,
                };
                serde_json::to_writer_pretty(&mut out, &f).context("writing JSON")?;
                writeln!(out)?;
            }
            eprint!("{}", render_problems(&failure.report, mode));
            Ok(ExitCode::from(EXIT_BAD_INPUT))
        }
    }
}

fn render(sm: &DataSummary) -> String {
    let mut s = String::new();
    let waves: Vec<String> = sm
        .waves
        .iter()
        .map(|w| match w.recall_months {
            Some(r) => format!("{} ({} months, recall {r} months)", w.label, w.months),
            None => format!("{} ({} months)", w.label, w.months),
        })
        .collect();
    let _ = writeln!(s, "study {} ({} layout)", sm.study, sm.layout);
    let _ = writeln!(s, "waves: {}", waves.join(", "));
    render_load(&mut s, &sm.load);

    let _ = writeln!(s, "\nrespondents: {}", sm.respondents);
    for r in &sm.respondents_by_role {
        let _ = writeln!(s, "  {:<12} {:<20} {:>8}", r.role, r.label, r.n);
    }
    let c = &sm.clusters;
    let num = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    if sm.clustered {
        let _ = writeln!(
            s,
            "clusters: {} (size min {}, median {}, mean {}, max {})",
            c.n,
            c.size_min.map_or("-".into(), |v| v.to_string()),
            num(c.size_median),
            num(c.size_mean),
            c.size_max.map_or("-".into(), |v| v.to_string()),
        );
        for sc in &c.size_counts {
            let _ = writeln!(s, "  size {:>3}: {:>8} clusters", sc.size, sc.clusters);
        }
    } else {
        let _ = writeln!(s, "clusters: none declared (each respondent is its own)");
    }

    let _ = writeln!(s, "\nobservations: {}", sm.observations);
    let mut head = format!("  {:<8} {:>8}", "wave", "n");
    for r in &sm.respondents_by_role {
        let _ = write!(head, " {:>10}", r.role);
    }
    let _ = writeln!(s, "{head}");
    for w in &sm.observations_per_wave {
        let mut line = format!("  {:<8} {:>8}", w.wave, w.n);
        for r in &w.by_role {
            let _ = write!(line, " {:>10}", r.n);
        }
        let _ = writeln!(s, "{line}");
    }

    let units = [
        ("respondents", &sm.response.respondents),
        ("clusters", &sm.response.clusters),
    ];
    for (unit, p) in units.into_iter().take(if sm.clustered { 2 } else { 1 }) {
        let present: Vec<String> = p
            .present
            .iter()
            .map(|w| format!("{} {}", w.wave, w.n))
            .collect();
        let _ = writeln!(
            s,
            "\nresponse ({unit}, {}): present at {}",
            p.n,
            present.join(", ")
        );
        let _ = writeln!(
            s,
            "  complete {}, dropped out {}, late entry {}, returned {}",
            p.complete, p.dropped_out, p.late_entry, p.returned
        );
        let pats: Vec<String> = p
            .patterns
            .iter()
            .map(|x| format!("{} {}", x.pattern, x.n))
            .collect();
        let _ = writeln!(s, "  patterns (X present, . absent): {}", pats.join(", "));
    }

    let _ = writeln!(s, "\nmissing values (per variable and wave: n, present, empty, excluded, then each missing code):");
    for v in &sm.missingness {
        for w in &v.waves {
            let mut line = format!(
                "  {:<16} {:<6} n {:>7}  present {:>7}  empty {:>6}  excluded {:>6}",
                v.variable, w.wave, w.n, w.present, w.empty, w.excluded
            );
            for c in &w.codes {
                let _ = write!(line, "  {} {} {}", c.code, c.reason, c.n);
            }
            let _ = writeln!(s, "{line}");
        }
    }
    if sm.load.problem_count() > 0 {
        let _ = writeln!(s);
        s.push_str(&render_problems(&sm.load, Mode::Lenient).replacen(
            "error: ",
            "excluded (lenient): ",
            1,
        ));
    }
    s
}

fn render_load(s: &mut String, load: &LoadReport) {
    for f in &load.files {
        let excluded: u64 = f.rows_excluded.values().sum();
        let _ = write!(
            s,
            "rows in {}: {} read = {} kept + {} excluded",
            f.file, f.rows_read, f.rows_kept, excluded
        );
        if excluded > 0 {
            let reasons: Vec<String> = f
                .rows_excluded
                .iter()
                .map(|(k, n)| format!("{} {n}", k.name()))
                .collect();
            let _ = write!(s, " ({})", reasons.join(", "));
        }
        let _ = writeln!(s);
    }
    if !load.values_excluded.is_empty() {
        let reasons: Vec<String> = load
            .values_excluded
            .iter()
            .map(|(k, n): (&ProblemKind, &u64)| format!("{} {n}", k.name()))
            .collect();
        let _ = writeln!(s, "values excluded: {}", reasons.join(", "));
    }
    if !load.ignored_columns.is_empty() {
        let _ = writeln!(s, "columns ignored: {}", load.ignored_columns.join(", "));
    }
}
