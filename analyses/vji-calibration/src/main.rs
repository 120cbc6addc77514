//! The calibration table of the VJI preset: each target of
//! `shared/findings.md` that synthetic data can carry, its published value
//! and source, and the value of a large generated cohort, computed through
//! the same pipeline as any study (load, validate, score).
//!
//! `cargo run --release -p vji-calibration -- [FAMILIES] [SEED]`
//! (default 100000 families, seed 1) prints a Markdown table.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use cohort_instruments::{score, Scores};
use cohort_panel::{load_reader, Cell, Mode, Panel, RespondentId, Study, VarKind};
use cohort_synth::{study_toml, write_data, SynthLayout, VjiParams};

/// Value per (unit, wave) of a measure.
fn values(scores: &Scores, name: &str) -> anyhow::Result<BTreeMap<(u32, u8), f64>> {
    let m = scores
        .of(name)
        .with_context(|| format!("no measure {name}"))?;
    Ok(m.by_unit_wave())
}

fn mean(xs: impl Iterator<Item = f64>) -> (f64, usize) {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (if n > 0 { s / n as f64 } else { f64::NAN }, n)
}

/// Mean at wave `w` over the measure's units.
fn at_wave(v: &BTreeMap<(u32, u8), f64>, w: u8) -> (f64, usize) {
    let mut xs: Vec<(u32, f64)> = v
        .iter()
        .filter(|((_, ww), _)| *ww == w)
        .map(|((u, _), x)| (*u, *x))
        .collect();
    xs.sort_by_key(|(u, _)| *u);
    mean(xs.into_iter().map(|(_, x)| x))
}

/// Share with code "1" of a categorical variable, at the first
/// observation of each respondent of a role, or of each family.
fn share_yes(
    panel: &Panel,
    var: &str,
    role: Option<u16>,
    per_family: bool,
) -> anyhow::Result<(f64, usize)> {
    let col = panel
        .column(var)
        .with_context(|| format!("no variable {var}"))?;
    let v = panel.variable_of(col);
    let VarKind::Categorical { codes } = &v.kind else {
        bail!("{var} is not categorical")
    };
    let yes = codes
        .iter()
        .position(|c| c.code == "1")
        .context("no code 1")? as u16;
    let mut seen = vec![false; panel.n_respondents().max(panel.n_clusters())];
    let mut xs = Vec::new();
    for i in 0..panel.n_observations() {
        let r = panel.respondent(i);
        let unit = if per_family {
            panel.cluster_of(r).0
        } else {
            r.0
        } as usize;
        if seen[unit] || role.is_some_and(|k| panel.role_of(r) != k) {
            continue;
        }
        seen[unit] = true;
        if let Cell::Category(k) = col.get(i, v) {
            xs.push(if k == yes { 1.0 } else { 0.0 });
        }
    }
    Ok(mean(xs.into_iter()))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let families: u64 = args
        .get(1)
        .map_or(Ok(100_000), |a| a.parse())
        .context("FAMILIES")?;
    let seed: u64 = args.get(2).map_or(Ok(1), |a| a.parse()).context("SEED")?;
    let text = study_toml(SynthLayout::Long, seed, families);
    let study = Study::from_str_in(&text, Path::new("vji.toml"), Path::new("."))?;
    let spec = study.instruments.clone();
    let mut csv = Vec::new();
    write_data(
        &VjiParams::default(),
        seed,
        families,
        SynthLayout::Long,
        &mut csv,
    )?;
    let loaded = load_reader(&study, Mode::Strict, "panel.csv", csv.as_slice())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let panel = &loaded.panel;
    let scores = score(panel, &spec);

    let any = values(&scores, "family_any_violence")?;
    let both = values(&scores, "family_both_violence")?;
    let incidents = values(&scores, "family_incidents")?;
    let sof = values(&scores, "family_severe_or_frequent")?;
    let child_prev = values(&scores, "child_abuse.prevalence")?;
    let child_annual = values(&scores, "child_abuse.annual")?;
    let clinical = values(&scores, "trauma.total.clinical")?;
    let c2p = values(&scores, "child_to_parent.prevalence")?;
    let parent = 0u16;

    // Family presence per wave.
    let present = panel.cluster_waves();
    let mut parents_t0 = 0;
    let mut children_t0 = 0;
    for i in 0..panel.n_observations() {
        let r = panel.respondent(i);
        if panel.wave(i).0 == 0 {
            if panel.role_of(r) == parent {
                parents_t0 += 1;
            } else {
                children_t0 += 1;
            }
        }
    }
    let complete = present.iter().filter(|&&m| m == 0b111).count();
    let mut in_complete = [0usize; 2];
    for i in 0..panel.n_observations() {
        let r: RespondentId = panel.respondent(i);
        if panel.wave(i).0 == 2 && present[panel.cluster_of(r).0 as usize] == 0b111 {
            in_complete[usize::from(panel.role_of(r) != parent)] += 1;
        }
    }

    let f7 = mean(
        any.iter()
            .filter(|((_, w), v)| *w == 0 && **v == 1.0)
            .filter_map(|((u, _), _)| any.get(&(*u, 2)))
            .map(|v| if *v == 0.0 { 1.0 } else { 0.0 }),
    );
    let paired: Vec<(f64, f64)> = incidents
        .iter()
        .filter(|((_, w), _)| *w == 0)
        .filter_map(|((u, _), a)| incidents.get(&(*u, 2)).map(|b| (*a, *b)))
        .collect();
    let (t0_mean, _) = mean(paired.iter().map(|p| p.0));
    let (t2_mean, n_pairs) = mean(paired.iter().map(|p| p.1));
    let f4b = mean(
        child_annual
            .iter()
            .filter(|(k, _)| k.1 == 0 && child_prev.get(k) == Some(&1.0))
            .map(|(_, v)| *v),
    );
    let mut table = [[0.0f64; 2]; 2];
    for (k, &abused) in child_prev.iter().filter(|(k, _)| k.1 == 0) {
        if let Some(&v) = c2p.get(k) {
            table[usize::from(abused == 1.0)][usize::from(v == 1.0)] += 1.0;
        }
    }
    let odds_ratio = table[1][1] * table[0][0] / (table[1][0] * table[0][1]);

    let pct = |x: (f64, usize)| format!("{:.1}% (n = {})", 100.0 * x.0, x.1);
    let num = |x: (f64, usize)| format!("{:.1} (n = {})", x.0, x.1);
    let nf = families as f64;
    println!("Calibration of the VJI preset: {families} families, seed {seed} (`cargo run --release -p vji-calibration -- {families} {seed}`).\n");
    println!("| ID | target | published | source | model |");
    println!("| --- | --- | --- | --- | --- |");
    let rows = [
        (
            "F1",
            "families with partner violence and/or violence against a child, T0",
            "92%",
            "seed 002",
            pct(at_wave(&any, 0)),
        ),
        (
            "F2",
            "incidents per family per year, T0",
            "71 (74)",
            "seed 002; press 2018",
            num(at_wave(&incidents, 0)),
        ),
        (
            "F3",
            "families with both, T0",
            "57%",
            "seed 002; Augeo",
            pct(at_wave(&both, 0)),
        ),
        (
            "F4a",
            "children who experienced direct violence, T0",
            "69%",
            "seed 002",
            pct(at_wave(&child_prev, 0)),
        ),
        (
            "F4b",
            "incidents against a child per year, children with violence, T0",
            "12",
            "seed 002",
            num(f4b),
        ),
        (
            "F5",
            "families with severe or frequent violence, T0",
            "81%",
            "Augeo",
            pct(at_wave(&sof, 0)),
        ),
        (
            "F6",
            "families in poverty",
            "47%",
            "seed 002",
            pct(share_yes(panel, "poverty", None, true)?),
        ),
        (
            "F7",
            "violence stopped at T2 (families with violence at T0, present at T2)",
            "about 30%",
            "press and VJI 2020",
            pct(f7),
        ),
        (
            "F8",
            "families still with severe or frequent violence, T2",
            "more than half",
            "seed 003; press 2020",
            pct(at_wave(&sof, 2)),
        ),
        (
            "F9",
            "change in incidents per family, T0 to T2 (families at both)",
            "clear decrease",
            "seed 003",
            format!(
                "{t0_mean:.1} to {t2_mean:.1} ({:+.0}%, n = {n_pairs})",
                100.0 * (t2_mean / t0_mean - 1.0)
            ),
        ),
        (
            "F10",
            "children with trauma symptoms in the clinical range, T0",
            "about 40%",
            "press 2018",
            pct(at_wave(&clinical, 0)),
        ),
        (
            "F11",
            "parents abused as a child",
            "44%",
            "press 2018",
            pct(share_yes(panel, "childhood_abuse", Some(parent), false)?),
        ),
        (
            "F12",
            "odds ratio: child's violence toward a parent by experienced violence, T0",
            "> 1",
            "seed 000",
            format!("{odds_ratio:.2}"),
        ),
        (
            "F13",
            "families complete at T0, T1 and T2",
            "576 of 1,100 (52%)",
            "CBS Impactmonitor 2023",
            format!(
                "{:.1}% ({:.0} per 1,100)",
                100.0 * complete as f64 / nf,
                1100.0 * complete as f64 / nf
            ),
        ),
        (
            "-",
            "parents and children at T0 per 1,100 families",
            "1,200 and 1,550",
            "press 2018",
            format!(
                "{:.0} and {:.0}",
                1100.0 * parents_t0 as f64 / nf,
                1100.0 * children_t0 as f64 / nf
            ),
        ),
        (
            "-",
            "parents and children at T2 in complete families, per 1,100",
            "633 and 978",
            "CBS Impactmonitor 2023",
            format!(
                "{:.0} and {:.0}",
                1100.0 * in_complete[0] as f64 / nf,
                1100.0 * in_complete[1] as f64 / nf
            ),
        ),
    ];
    for (id, what, published, source, model) in rows {
        println!("| {id} | {what} | {published} | {source} | {model} |");
    }
    Ok(())
}
