//! `cohort describe` and `cohort change`: estimates per wave and change
//! between waves.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use cohort_instruments::{alphas_at, reliability, MeasureId};
use cohort_panel::{Study, Wave};
use cohort_stats::{
    change_table, group_change, wave_estimates, BootstrapSpec, ChangeOptions, ChangeSummary,
};

use crate::input::{read_measures, Scored};
use crate::progress::Progress;
use crate::EXIT_BAD_INPUT;

/// Options every statistics command has.
#[derive(Args)]
pub struct StatsArgs {
    /// The study file (TOML).
    study: PathBuf,
    /// Print the results as JSON (the results contract).
    #[arg(long)]
    json: bool,
    /// Cluster-bootstrap replicates (0: none; at most 1,000,000).
    #[arg(long, default_value_t = cohort_stats::DEFAULT_BOOTSTRAP.replicates, value_parser = crate::replicates())]
    bootstrap: usize,
    /// Seed of the bootstrap streams.
    #[arg(long, default_value_t = cohort_stats::DEFAULT_BOOTSTRAP.seed)]
    seed: u64,
    /// Exclude offending values and rows instead of failing.
    #[arg(long)]
    lenient: bool,
}

#[derive(Args)]
pub struct DescribeArgs {
    #[command(flatten)]
    common: StatsArgs,
    /// Only this measure (repeat for several; default: every measure).
    #[arg(long)]
    measure: Vec<String>,
    /// Estimates by the groups of this categorical variable (or the role).
    #[arg(long)]
    by: Option<String>,
}

#[derive(Args)]
pub struct ChangeArgs {
    #[command(flatten)]
    common: StatsArgs,
    /// The measure (default: every measure, with adjusted p-values).
    #[arg(long)]
    measure: Option<String>,
    /// The first wave (label).
    #[arg(long)]
    from: String,
    /// The second wave (label).
    #[arg(long)]
    to: String,
    /// With --measure: the difference in change between the groups of
    /// this categorical variable.
    #[arg(long, requires = "measure")]
    by: Option<String>,
}

/// The study scored, with the measures `named` by `--measure`.
fn prepare(args: &StatsArgs, named: &[String]) -> Option<(Scored, Vec<MeasureId>)> {
    read_measures(&args.study, args.lenient, named)
}

fn spec(args: &StatsArgs) -> Option<BootstrapSpec> {
    (args.bootstrap > 0).then_some(BootstrapSpec {
        replicates: args.bootstrap,
        seed: args.seed,
    })
}

fn wave_index(study: &Study, label: &str) -> Option<Wave> {
    let i = study.wave_index(label);
    if i.is_none() {
        let labels: Vec<&str> = study.waves.iter().map(|w| w.label.as_str()).collect();
        eprintln!(
            "error: wave \"{label}\" is not declared; expected one of {}",
            labels.join(", ")
        );
    }
    i.map(|i| Wave(i as u8))
}

/// Analyst output for the researcher inside the secure environment:
/// complete and unprotected, so every object says so.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut v = serde_json::to_value(value).context("writing JSON")?;
    let mark = |o: &mut serde_json::Map<String, serde_json::Value>| {
        o.insert("disclosure".into(), "not checked".into());
    };
    match &mut v {
        serde_json::Value::Object(o) => mark(o),
        serde_json::Value::Array(a) => a
            .iter_mut()
            .filter_map(|x| x.as_object_mut())
            .for_each(mark),
        _ => {}
    }
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &v).context("writing JSON")?;
    writeln!(out)?;
    Ok(())
}

fn num(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.3}"))
}

fn interval(v: Option<[f64; 2]>) -> String {
    v.map_or("-".into(), |[a, b]| format!("[{a:.3}, {b:.3}]"))
}

fn p(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| {
        if v < 0.001 {
            format!("{v:.1e}")
        } else {
            format!("{v:.3}")
        }
    })
}

pub fn describe(args: &DescribeArgs) -> anyhow::Result<ExitCode> {
    let Some((pr, _)) = prepare(&args.common, &args.measure) else {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    };
    let wanted: Vec<&str> = args.measure.iter().map(String::as_str).collect();
    let progress = Progress::new();
    let tick = |d: usize| progress.tick("bootstrap", d, args.common.bootstrap);
    let mut est = match wave_estimates(
        &pr.loaded.panel,
        &pr.scores,
        args.by.as_deref(),
        spec(&args.common),
        &tick,
    ) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: --by: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    drop(progress);
    // Every measure is estimated (the same draws and intervals as without
    // the option); the others are left out here.
    if !wanted.is_empty() {
        est.retain(|e| wanted.contains(&e.measure.as_str()));
    }
    if args.common.json {
        print_json(&est)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<42} {:<5} {:<8} {:>6} {:>9} {:>9} {:>9}  {:<20} {:<20} share > 0 [Wilson]",
        "measure",
        "wave",
        "group",
        "n",
        "mean",
        "sd",
        "median",
        "mean 95% CI (t)",
        "mean 95% CI (boot)"
    );
    for e in &est {
        let d = &e.descriptives;
        let prev = e.prevalence.as_ref().map_or("-".into(), |p| {
            format!("{:.3} [{:.3}, {:.3}]", p.estimate, p.wilson[0], p.wilson[1])
        });
        let boot = interval(e.mean_ci95_bootstrap.as_ref().and_then(|b| b.percentile));
        let _ = writeln!(
            s,
            "{:<42} {:<5} {:<8} {:>6} {:>9} {:>9} {:>9}  {:<20} {:<20} {prev}",
            e.measure,
            e.wave,
            e.group.as_deref().unwrap_or("all"),
            d.n,
            num(d.mean),
            num(d.sd),
            num(d.median),
            interval(d.mean_ci95_t),
            boot
        );
    }
    std::io::stdout().lock().write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

pub fn change(args: &ChangeArgs) -> anyhow::Result<ExitCode> {
    let named: Vec<String> = args.measure.iter().cloned().collect();
    let Some((pr, named)) = prepare(&args.common, &named) else {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    };
    let (Some(from), Some(to)) = (
        wave_index(&pr.study, &args.from),
        wave_index(&pr.study, &args.to),
    ) else {
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    };
    if from == to {
        eprintln!(
            "error: --from and --to are the same wave ({}); change needs two waves",
            args.from
        );
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    let measures: Vec<MeasureId> = if named.is_empty() {
        pr.scores.ids().collect()
    } else {
        named
    };
    // Reliability at `from` of each scale, for the reliable change index.
    let rel = alphas_at(
        &reliability(&pr.loaded.panel, &pr.study.instruments),
        &args.from,
    );
    let progress = Progress::new();
    let tick = |d: usize| progress.tick("bootstrap", d, args.common.bootstrap);
    let opts = ChangeOptions {
        bootstrap: spec(&args.common),
        progress: &tick,
        reliability: rel,
    };
    let table = change_table(&pr.loaded.panel, &pr.scores, &measures, from, to, &opts);
    let groups = match (&args.by, measures.first()) {
        (Some(by), Some(&m)) => match group_change(
            &pr.loaded.panel,
            &pr.scores,
            m,
            (from, to),
            by,
            spec(&args.common),
            &tick,
        ) {
            Ok(g) => Some(g),
            Err(e) => {
                eprintln!("error: --by: {e}");
                return Ok(ExitCode::from(EXIT_BAD_INPUT));
            }
        },
        _ => None,
    };
    drop(progress);
    if args.common.json {
        match (&args.measure, groups) {
            (Some(_), None) => print_json(&table[0])?,
            (Some(_), Some(g)) => {
                #[derive(serde::Serialize)]
                struct WithGroups<'a> {
                    #[serde(flatten)]
                    change: &'a ChangeSummary,
                    by_group: cohort_stats::GroupChange,
                }
                print_json(&WithGroups {
                    change: &table[0],
                    by_group: g,
                })?
            }
            (None, _) => print_json(&table)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "change {} -> {} (difference = {} - {}; p two-sided; Holm-adjusted p across the table)",
        args.from, args.to, args.to, args.from
    );
    let _ = writeln!(
        s,
        "{:<42} {:>6} {:>9} {:>9} {:>9} {:<22} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "measure",
        "pairs",
        "from",
        "to",
        "diff",
        "diff 95% CI (boot)",
        "t p",
        "Holm",
        "wilcox p",
        "mcnemar",
        "dz"
    );
    for c in &table {
        let boot = c
            .bootstrap
            .as_ref()
            .and_then(|b| b.get("mean_diff"))
            .and_then(|ci| ci.percentile)
            .or(c.paired_t.ci95);
        let holm = c.p_adjusted.get("paired_t").and_then(|a| a.holm);
        let _ = writeln!(
            s,
            "{:<42} {:>6} {:>9} {:>9} {:>9} {:<22} {:>8} {:>8} {:>8} {:>8} {:>7}",
            c.measure,
            c.n_pairs,
            num(c.mean_from),
            num(c.mean_to),
            num(c.mean_diff),
            interval(boot),
            p(c.paired_t.p_value),
            p(holm),
            p(c.wilcoxon.p_value),
            p(c.mcnemar.p_value),
            num(c.effect_size.dz)
        );
    }
    if let Some(g) = groups {
        let _ = writeln!(s, "\nchange by {} (reference {}):", g.variable, g.reference);
        for x in &g.groups {
            let ci = interval(x.difference_ci95.as_ref().and_then(|b| b.percentile));
            let _ = writeln!(
                s,
                "  {:<10} pairs {:>6}  mean change {:>9}  minus reference {:>9} {ci}",
                x.group,
                x.n_pairs,
                num(x.mean_diff),
                num(x.difference_from_reference)
            );
        }
    }
    std::io::stdout().lock().write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
