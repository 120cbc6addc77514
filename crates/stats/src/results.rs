//! The results stage: everything a report or analysis publishes, computed
//! once from the scored panel as one [`StudyResults`] value.

use std::collections::BTreeMap;

use cohort_instruments::{alphas_at, Level, MeasureId, MeasureKind, Reliability, Scores};
use cohort_panel::{InstrumentKind, Study};
use cohort_panel::{Loaded, Panel, Provenance, Response, Wave};
use cohort_results::{
    BootstrapInfo, Change, CountTable, Design, Estimate, GroupingDesign, InstrumentDesign,
    InstrumentType, MeasureDesign, MeasureSource, Methods, Reliability as ReliabilityResult, Rules,
    Statistic, StoppedShare, StudyResults, Trajectories, TrajectoryClass, TrajectoryGroup, Unit,
    WaveDesign, ATTRITION_ROWS,
};

use crate::bootstrap::{BootstrapSpec, FEW_CLUSTERS, MIN_BOOTSTRAP_CLUSTERS};
use crate::change::{change_table, ChangeOptions, ChangeSummary};
use crate::describe::{describe, proportion};
use crate::error::StatsError;
use crate::estimates::{top2_share, wave_estimates, WaveEstimate};

/// The family measure the trajectories classify.
pub const TRAJECTORY_MEASURE: &str = "family_incidents";

/// What the results stage computes beyond the defaults.
pub struct ResultsOptions<'a> {
    /// Cluster bootstrap of means and changes (none: t intervals).
    pub bootstrap: Option<BootstrapSpec>,
    /// Estimates also by the groups of this categorical variable (or the
    /// role).
    pub by: Option<&'a str>,
    /// Told how far the work has come.
    pub progress: &'a (dyn Fn(Progress<'_>) + Sync),
}

/// How far the results stage has come.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// What it computes now: a bootstrap, the declared models.
    pub stage: &'a str,
    /// Steps done (replicates, models).
    pub done: usize,
    /// Steps in the stage.
    pub total: usize,
}

/// The unit of a level.
pub fn unit(level: Level) -> Unit {
    match level {
        Level::Respondent => Unit::Respondent,
        Level::Family => Unit::Family,
    }
}

/// Computes the results of a scored study: response, estimates per wave
/// (and by group), change from the first to the last wave, reliability,
/// transitions, trajectories and attrition.
pub fn study_results(
    loaded: &Loaded,
    scores: &Scores,
    reliability: &[Reliability],
    provenance: Provenance,
    options: &ResultsOptions,
) -> Result<StudyResults, StatsError> {
    let panel = &loaded.panel;
    let study = panel.study();
    let waves = study.wave_labels();
    let (response, patterns) = response_tables(panel, &waves);
    let mut rows = BTreeMap::new();
    rows.insert("read".to_string(), loaded.report.rows_read());
    rows.insert("kept".to_string(), loaded.report.rows_kept());
    for (k, n) in loaded.report.rows_excluded() {
        rows.insert(format!("excluded: {}", k.name()), n);
    }

    let replicates = options.bootstrap.map_or(0, |b| b.replicates);
    let stage = |stage: &'static str, total: usize| {
        move |done: usize| (options.progress)(Progress { stage, done, total })
    };
    let est = wave_estimates(
        panel,
        scores,
        None,
        options.bootstrap,
        &stage("bootstrap: estimates", replicates),
    )?;
    let estimates = estimate_results(&est, scores);
    let by_group = match options.by {
        None => Vec::new(),
        Some(var) => estimate_results(
            &wave_estimates(panel, scores, Some(var), None, &|_| {})?,
            scores,
        ),
    };

    let last = (waves.len() - 1) as u8;
    let rel_at_first = alphas_at(reliability, &waves[0]);
    let opts = ChangeOptions {
        bootstrap: options.bootstrap,
        progress: &stage("bootstrap: changes", replicates),
        reliability: rel_at_first,
    };
    let all: Vec<MeasureId> = scores.ids().collect();
    let change = if waves.len() > 1 {
        change_results(&change_table(
            panel,
            scores,
            &all,
            Wave(0),
            Wave(last),
            &opts,
        ))
    } else {
        Vec::new()
    };

    let models = crate::declared_models::declared_models(
        panel,
        scores,
        &stage("declared models", study.models.len()),
    );
    Ok(StudyResults {
        study: study.name.clone(),
        design: design(study, scores, options.by),
        provenance,
        rules: Rules::from(&study.disclosure),
        bootstrap: options.bootstrap.map(|b| BootstrapInfo {
            replicates: b.replicates,
            seed: b.seed,
        }),
        methods: methods(
            options.bootstrap.as_ref(),
            panel.n_clusters(),
            study.data.clustered(),
        ),
        rows,
        response,
        patterns,
        estimates,
        by: options.by.map(String::from),
        by_group,
        change,
        reliability: reliability
            .iter()
            .map(|r| ReliabilityResult {
                scale: r.measure(),
                wave: r.wave.clone(),
                n: r.n as u64,
                alpha: r.alpha,
                ci95: r.alpha_ci95,
            })
            .collect(),
        transitions: family_transitions(scores, panel.n_clusters(), last),
        trajectories: trajectories(scores, &waves),
        attrition: attrition(panel, &waves),
        models,
        waves,
    })
}

/// What the study declares, for the report's words (`by`: the grouping
/// variable of the estimates by group).
pub fn design(study: &Study, scores: &Scores, by: Option<&str>) -> Design {
    let instruments = &study.instruments;
    let grouping = |name: &str| {
        let v = if study.data.role.as_deref() == Some(name) {
            study.role_variable()
        } else {
            study.variable(name)?
        };
        let codes = match &v.kind {
            cohort_panel::VarKind::Categorical { codes } => codes
                .iter()
                .map(|c| {
                    let nl = study.labels_nl.get(&format!("{name}.{}", c.code)).cloned();
                    (c.code.clone(), c.label.clone(), nl)
                })
                .collect(),
            _ => Vec::new(),
        };
        Some(GroupingDesign {
            name: name.to_string(),
            label: v.label.clone(),
            label_nl: study.labels_nl.get(name).cloned(),
            codes,
        })
    };
    Design {
        by: by.and_then(grouping),
        models_nl: study
            .models
            .iter()
            .filter_map(|m| Some((m.name.clone(), study.labels_nl.get(&m.name)?.clone())))
            .collect(),
        description: study.description.clone(),
        description_nl: study.labels_nl.get("description").cloned(),
        families: study.data.clustered(),
        waves: study
            .waves
            .iter()
            .map(|w| WaveDesign {
                label: w.label.clone(),
                months: w.months,
                recall_months: w.recall_months,
            })
            .collect(),
        instruments: instruments
            .instruments
            .iter()
            .map(|i| InstrumentDesign {
                name: i.name.clone(),
                label: i.label.clone(),
                label_nl: study.labels_nl.get(&i.name).cloned(),
                kind: match i.kind {
                    InstrumentKind::IncidentFrequency(_) => InstrumentType::IncidentFrequency,
                    InstrumentKind::SumScale(_) => InstrumentType::SumScale,
                },
            })
            .collect(),
        measures: scores
            .measures
            .iter()
            .map(|m| MeasureDesign {
                name: m.name.clone(),
                label: m.label.clone(),
                label_nl: study
                    .labels_nl
                    .get(&m.name)
                    .cloned()
                    .or_else(|| m.label_nl.clone()),
                level: unit(m.level),
                statistic: if m.kind == MeasureKind::Binary {
                    Statistic::Share
                } else {
                    Statistic::Mean
                },
                source: if instruments.instruments.iter().any(|i| i.name == m.source) {
                    MeasureSource::Instrument {
                        instrument: m.source.clone(),
                    }
                } else if instruments.derived.iter().any(|d| d.name == m.source) {
                    MeasureSource::Derived
                } else {
                    MeasureSource::Variable
                },
            })
            .collect(),
    }
}

/// The method record of the results, as computed here; `families`: the
/// bootstrap resamples families (clusters), else respondents.
fn methods(bootstrap: Option<&BootstrapSpec>, n_clusters: usize, families: bool) -> Methods {
    Methods {
        nl: Some(Box::new(methods_in(true, bootstrap, n_clusters, families))),
        ..methods_in(false, bootstrap, n_clusters, families)
    }
}

/// The method record in English, or in Dutch with `dutch`.
fn methods_in(
    dutch: bool,
    bootstrap: Option<&BootstrapSpec>,
    n_clusters: usize,
    families: bool,
) -> Methods {
    let t = |en: &'static str, nl: &'static str| if dutch { nl } else { en };
    let (kind, units) = if families {
        (
            t("cluster bootstrap", "clusterbootstrap"),
            t("families", "gezinnen"),
        )
    } else {
        ("bootstrap", t("respondents", "respondenten"))
    };
    let mean_ci = match bootstrap {
        Some(b) => format!(
            "{kind} {} ({} {})",
            t("percentile 95% interval", "percentiel-95%-interval"),
            b.replicates,
            t("replicates", "herhalingen")
        ),
        None => t("t 95% interval", "t-95%-interval").to_string(),
    };
    let change_ci = match bootstrap {
        Some(_) => format!(
            "{kind} {}",
            t("percentile 95% interval", "percentiel-95%-interval")
        ),
        None => t("t 95% interval", "t-95%-interval").to_string(),
    };
    let estimates = if dutch {
        format!(
            "iedere eenheid met een waarde bij de meting; aandelen van ja/nee-maten (waarde > 0) met Wilson-95%-intervallen; gemiddelden met een {mean_ci}; kwartielen volgens R type 7"
        )
    } else {
        format!(
            "every unit with a value at the wave; shares of yes/no measures (value > 0) with Wilson 95% intervals; means with a {mean_ci}; quartiles R type 7"
        )
    };
    let change = if dutch {
        format!(
            "eerste tot laatste meting op complete paren: gepaarde t-toets (tweezijdig, df = n - 1), Holm-gecorrigeerd over de tabel; Wilcoxon-rangtekentoets (standaard van R: exact onder 50 paren zonder gelijke waarden of nullen, anders normaal met continuïteitscorrectie); McNemar met continuïteitscorrectie op waarde > 0; Cohens d_z met een 95%-interval uit de normale benadering; gemiddelde verandering met een {change_ci}"
        )
    } else {
        format!(
            "first to last wave on complete pairs: paired t-test (two-sided, df = n - 1), Holm-adjusted across the table; Wilcoxon signed-rank (R's default: exact below 50 pairs without ties or zeros, else normal with continuity correction); McNemar with continuity correction on value > 0; Cohen's d_z with a normal-approximation 95% interval; mean change with a {change_ci}"
        )
    };
    let trajectories = if dutch {
        format!(
            "{TRAJECTORY_MEASURE} bij de eerste en de laatste meting: gestopt (boven 0, dan 0), begonnen (0, dan boven 0), afgenomen, aanhoudend, toegenomen (beide boven 0), geen (beide 0); het aandeel gestopt is gestopt gedeeld door de gezinnen boven 0 bij de eerste meting, met een Wilson-95%-interval; gemiddelden per klasse en meting met t-95%-intervallen"
        )
    } else {
        format!(
            "{TRAJECTORY_MEASURE} at the first and the last wave: stopped (above 0, then 0), started (0, then above 0), decreased, persistent, increased (both above 0), none (both 0); the stopped share is stopped over the families above 0 at the first wave, with a Wilson 95% interval; class means per wave with t 95% intervals"
        )
    };
    Methods {
        estimates,
        by_group: t(
            "as the estimates per wave, within each group (a unit's group: its value at its first observation); means with t 95% intervals (no bootstrap by group)",
            "als de schattingen per meting, binnen iedere groep (de groep van een eenheid: haar waarde bij haar eerste waarneming); gemiddelden met t-95%-intervallen (geen bootstrap per groep)",
        )
        .into(),
        change,
        trajectories,
        reliability: t(
            "Cronbach's alpha on listwise complete cases with the Feldt 95% interval",
            "Cronbachs alfa op de volledige waarnemingen, met het 95%-interval van Feldt",
        )
        .into(),
        bootstrap: bootstrap.map(|b| {
            let r = b.record(n_clusters);
            // The few-clusters rule without the count (a published text).
            let few = if n_clusters < MIN_BOOTSTRAP_CLUSTERS {
                if dutch {
                    format!(
                        "; minder dan {MIN_BOOTSTRAP_CLUSTERS} {units}: te weinig voor een \
                         {kind}, er is geen bootstrapinterval"
                    )
                } else {
                    format!(
                        "; fewer than {MIN_BOOTSTRAP_CLUSTERS} {units}: too few for a {kind}, \
                         no bootstrap interval is given"
                    )
                }
            } else if n_clusters < FEW_CLUSTERS {
                if dutch {
                    format!(
                        "; minder dan {FEW_CLUSTERS} {units}: de bootstrapintervallen zijn te \
                         smal (lees ze naast de t-intervallen)"
                    )
                } else {
                    format!(
                        "; fewer than {FEW_CLUSTERS} {units}: the bootstrap intervals are too \
                         narrow (read them with the t intervals)"
                    )
                }
            } else {
                String::new()
            };
            if dutch {
                format!(
                    "{units} met teruglegging getrokken; ChaCha8 (rand_chacha), geïnitialiseerd \
                     met het zaad, stroom = nummer van de herhaling; zaad {}{few}",
                    r.seed
                )
            } else {
                format!(
                    "{} resampled with replacement; {}; seed {}{few}",
                    if families { r.unit } else { "respondents" },
                    r.generator,
                    r.seed
                )
            }
        }),
        nl: None,
    }
}

/// Respondents and families taking part per wave, and families by
/// response pattern.
fn response_tables(panel: &Panel, waves: &[String]) -> (CountTable, CountTable) {
    // Only the response: the full DataSummary would also read every cell.
    let r = Response::new(panel);
    let response = CountTable {
        title: "taking part per wave".into(),
        rows: vec!["respondents".into(), "families".into()],
        columns: waves.to_vec(),
        counts: vec![
            r.respondents.present.iter().map(|w| w.n).collect(),
            r.clusters.present.iter().map(|w| w.n).collect(),
        ],
        // Respondents and families, and waves, do not add up.
        totals: false,
        structural: Vec::new(),
    };
    let c = &r.clusters;
    let patterns = CountTable {
        title: "families by response pattern".into(),
        rows: vec!["families".into()],
        columns: vec![
            "complete".into(),
            "dropped out".into(),
            "late entry".into(),
            "returned".into(),
        ],
        counts: vec![vec![c.complete, c.dropped_out, c.late_entry, c.returned]],
        totals: true,
        structural: Vec::new(),
    };
    (response, patterns)
}

/// Per-wave estimates as results: shares (Wilson) of binary measures,
/// means (bootstrap or t interval, quartiles) of the others.
pub fn estimate_results(est: &[WaveEstimate], scores: &Scores) -> Vec<Estimate> {
    let kinds: BTreeMap<&str, (&MeasureKind, &str)> = scores
        .measures
        .iter()
        .map(|m| (m.name.as_str(), (&m.kind, m.label.as_str())))
        .collect();
    est.iter()
        .filter_map(|e| {
            let (kind, label) = kinds.get(e.measure.as_str())?;
            let share = matches!(kind, MeasureKind::Binary);
            let d = &e.descriptives;
            let (value, ci95) = if share {
                let p = e.prevalence.as_ref();
                (p.map(|p| p.estimate), p.map(|p| p.wilson))
            } else {
                let boot = e.mean_ci95_bootstrap.as_ref().and_then(|b| b.percentile);
                (d.mean, boot.or(d.mean_ci95_t))
            };
            Some(Estimate {
                measure: e.measure.clone(),
                label: label.to_string(),
                level: unit(e.level),
                statistic: if share {
                    Statistic::Share
                } else {
                    Statistic::Mean
                },
                wave: e.wave.clone(),
                group: e.group.clone(),
                n: d.n as u64,
                value,
                ci95,
                quartiles: if share {
                    None
                } else {
                    d.q25.zip(d.median).zip(d.q75).map(|((a, b), c)| [a, b, c])
                },
                whiskers: if share {
                    None
                } else {
                    d.p10.zip(d.p90).map(|(a, b)| [a, b])
                },
                top2_share: if share { None } else { e.top2_share },
            })
        })
        .collect()
}

/// A change table as results: the mean change with its bootstrap (or t)
/// interval, the tests and d_z.
pub fn change_results(table: &[ChangeSummary]) -> Vec<Change> {
    table
        .iter()
        .map(|c| {
            let boot = c
                .bootstrap
                .as_ref()
                .and_then(|b| b.get("mean_diff"))
                .and_then(|ci| ci.percentile);
            Change {
                measure: c.measure.clone(),
                level: unit(c.level),
                n_pairs: c.n_pairs as u64,
                mean_from: c.mean_from,
                mean_to: c.mean_to,
                mean_diff: c.mean_diff,
                mean_diff_ci95: boot.or(c.paired_t.ci95),
                p_t: c.paired_t.p_value,
                p_t_holm: c.p_adjusted.get("paired_t").and_then(|a| a.holm),
                p_wilcoxon: c.wilcoxon.p_value,
                p_mcnemar: c.mcnemar.p_value,
                dz: c.effect_size.dz,
                dz_ci95: c.effect_size.dz_ci95,
            }
        })
        .collect()
}

/// Values of a family measure by (cluster, wave).
fn family_values(scores: &Scores, name: &str) -> Option<BTreeMap<(u32, u8), f64>> {
    scores.of(name).map(|m| m.by_unit_wave())
}

/// The class of a family at a wave: 0 none, 1 minor, 2 severe or frequent.
fn family_class(
    any: &BTreeMap<(u32, u8), f64>,
    sof: &BTreeMap<(u32, u8), f64>,
    key: (u32, u8),
) -> Option<usize> {
    match (any.get(&key), sof.get(&key)) {
        (Some(a), _) if *a == 0.0 => Some(0),
        (_, Some(s)) if *s == 1.0 => Some(2),
        (Some(_), Some(_)) => Some(1),
        _ => None,
    }
}

const CLASSES: [&str; 3] = ["none", "minor", "severe or frequent"];

fn family_transitions(scores: &Scores, n_clusters: usize, last: u8) -> Option<CountTable> {
    let any = family_values(scores, "family_any_violence")?;
    let sof = family_values(scores, "family_severe_or_frequent")?;
    let mut counts = vec![vec![0u64; 3]; 3];
    for c in 0..n_clusters as u32 {
        if let (Some(a), Some(b)) = (
            family_class(&any, &sof, (c, 0)),
            family_class(&any, &sof, (c, last)),
        ) {
            counts[a][b] += 1;
        }
    }
    Some(CountTable {
        title: "families by class, first by last wave".into(),
        rows: CLASSES.iter().map(|c| c.to_string()).collect(),
        columns: CLASSES.iter().map(|c| c.to_string()).collect(),
        counts,
        totals: true,
        structural: Vec::new(),
    })
}

/// The trajectories of [`TRAJECTORY_MEASURE`] from the first to the last
/// wave: families by [`TrajectoryClass`], their mean at each wave, and
/// the stopped share (finding F7).
pub fn trajectories(scores: &Scores, waves: &[String]) -> Option<Trajectories> {
    let v = family_values(scores, TRAJECTORY_MEASURE)?;
    let last = (waves.len() - 1) as u8;
    let mut members: BTreeMap<TrajectoryClass, Vec<u32>> = TrajectoryClass::ALL
        .iter()
        .map(|&c| (c, Vec::new()))
        .collect();
    for (&(c, w), &a) in &v {
        if w != 0 {
            continue;
        }
        if let Some(&b) = v.get(&(c, last)) {
            if let Some(m) = members.get_mut(&TrajectoryClass::of(a, b)) {
                m.push(c);
            }
        }
    }
    let classes = TrajectoryClass::ALL
        .iter()
        .map(|&class| {
            let fams = &members[&class];
            let waves = waves
                .iter()
                .enumerate()
                .map(|(w, label)| {
                    let x: Vec<f64> = fams
                        .iter()
                        .filter_map(|c| v.get(&(*c, w as u8)).copied())
                        .collect();
                    let d = describe(&x);
                    Estimate {
                        measure: TRAJECTORY_MEASURE.into(),
                        label: format!("trajectory {}", class.name()),
                        level: Unit::Family,
                        statistic: Statistic::Mean,
                        wave: label.clone(),
                        group: None,
                        n: x.len() as u64,
                        value: d.mean,
                        ci95: d.mean_ci95_t,
                        quartiles: None,
                        whiskers: None,
                        top2_share: top2_share(&x),
                    }
                })
                .collect();
            TrajectoryGroup {
                class,
                n: fams.len() as u64,
                waves,
            }
        })
        .collect();
    let stopped = members[&TrajectoryClass::Stopped].len() as u64;
    let of: u64 = members
        .iter()
        .filter(|(c, _)| c.violent_at_first())
        .map(|(_, m)| m.len() as u64)
        .sum();
    let p = proportion(stopped, of);
    Some(Trajectories {
        measure: TRAJECTORY_MEASURE.into(),
        classes,
        stopped: StoppedShare {
            stopped,
            of,
            share: p.as_ref().map(|p| p.estimate),
            ci95: p.as_ref().map(|p| p.wilson),
        },
    })
}

/// Families present, returned (present after missing the wave before)
/// and dropped out (absent now and at every later wave after taking part)
/// per wave.
fn attrition(panel: &Panel, waves: &[String]) -> CountTable {
    let present = panel.cluster_waves();
    let k = waves.len();
    let mut counts = vec![vec![0u64; k]; ATTRITION_ROWS.len()];
    for &m in &present {
        for w in 0..k {
            for (row, (_, state)) in counts.iter_mut().zip(ATTRITION_ROWS) {
                row[w] += u64::from(state(m, w));
            }
        }
    }
    CountTable {
        title: "families present, returned, missing and dropped out per wave".into(),
        rows: ATTRITION_ROWS.iter().map(|r| r.0.to_string()).collect(),
        columns: waves.to_vec(),
        counts,
        totals: false,
        // Nobody returns, misses a wave or drops out at the first wave,
        // nor misses the last and comes back.
        structural: vec![[1, 0], [2, 0], [3, 0], [2, k - 1]],
    }
}
