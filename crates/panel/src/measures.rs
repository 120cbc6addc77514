//! The measures an instrument or derived declaration produces, with their
//! names, levels and kinds: one list used both to check declarations and
//! to lay out scores.

use serde::Serialize;

use crate::instruments::{Derived, Instrument, InstrumentKind, Level, Plain, Rule};

/// What kind of values a measure has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 0 or 1.
    Binary,
    /// A count per 12 months or a number of acts.
    Count,
    /// A scale score.
    Score,
    /// Ordered classes 0, 1, 2, ... with these labels.
    Class(Vec<String>),
}

/// A measure: a column of scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureDef {
    /// `instrument.measure` or the derived measure's name.
    pub name: String,
    /// What it is, in words.
    pub label: String,
    /// The same in Dutch, for the measures an instrument makes (a study
    /// file's `[labels.nl]` names the others).
    #[serde(skip)]
    pub label_nl: Option<String>,
    /// Respondent or family.
    pub level: Level,
    /// Its kind of values.
    pub kind: MeasureKind,
    /// The instrument or derived declaration it comes from.
    pub source: String,
}

fn def(name: String, (label, nl): (String, String), kind: MeasureKind, source: &str) -> MeasureDef {
    MeasureDef {
        name,
        label,
        label_nl: Some(nl),
        level: Level::Respondent,
        kind,
        source: source.to_string(),
    }
}

/// Severity classes of an incident-frequency instrument.
pub const SEVERITY_CLASSES: [&str; 3] = ["none", "minor only", "severe"];

/// The measures of an instrument, in a fixed order.
pub fn instrument_measures(i: &Instrument) -> Vec<MeasureDef> {
    let n = &i.name;
    let mut out = Vec::new();
    match &i.kind {
        InstrumentKind::IncidentFrequency(f) => {
            out.push(def(
                format!("{n}.prevalence"),
                (
                    "any act in the recall period".into(),
                    "ten minste één handeling in de periode".into(),
                ),
                MeasureKind::Binary,
                n,
            ));
            out.push(def(
                format!("{n}.ever"),
                (
                    "any act, in the period or before".into(),
                    "ten minste één handeling, in de periode of daarvoor".into(),
                ),
                MeasureKind::Binary,
                n,
            ));
            out.push(def(
                format!("{n}.annual"),
                (
                    "incidents per 12 months".into(),
                    "incidenten per 12 maanden".into(),
                ),
                MeasureKind::Count,
                n,
            ));
            out.push(def(
                format!("{n}.variety"),
                (
                    "number of distinct acts in the period".into(),
                    "aantal verschillende handelingen in de periode".into(),
                ),
                MeasureKind::Count,
                n,
            ));
            out.push(def(
                format!("{n}.chronicity"),
                (
                    "incidents per 12 months of a respondent with an act in the period".into(),
                    "incidenten per 12 maanden van wie in de periode een handeling meldt".into(),
                ),
                MeasureKind::Count,
                n,
            ));
            out.push(def(
                format!("{n}.severity"),
                (
                    "none / minor only / severe".into(),
                    "geen / alleen licht / ernstig".into(),
                ),
                MeasureKind::Class(SEVERITY_CLASSES.iter().map(|s| s.to_string()).collect()),
                n,
            ));
            out.push(def(
                format!("{n}.severe_or_frequent"),
                (
                    format!(
                        "any severe act, or at least {} incidents per 12 months",
                        f.frequent_at
                    ),
                    format!(
                        "een ernstige handeling, of ten minste {} incidenten per 12 maanden",
                        f.frequent_at
                    ),
                ),
                MeasureKind::Binary,
                n,
            ));
            for g in &f.groups {
                out.push(def(
                    format!("{n}.{}.prevalence", g.name),
                    (
                        format!("any act of group {}", g.name.replace('_', " ")),
                        format!(
                            "ten minste één handeling uit groep {}",
                            g.name.replace('_', " ")
                        ),
                    ),
                    MeasureKind::Binary,
                    n,
                ));
                out.push(def(
                    format!("{n}.{}.annual", g.name),
                    (
                        format!(
                            "incidents of group {} per 12 months",
                            g.name.replace('_', " ")
                        ),
                        format!(
                            "incidenten uit groep {} per 12 maanden",
                            g.name.replace('_', " ")
                        ),
                    ),
                    MeasureKind::Count,
                    n,
                ));
            }
        }
        InstrumentKind::SumScale(s) => {
            let scales =
                std::iter::once("total".to_string()).chain(s.subscales.iter().map(|x| x.0.clone()));
            for scale in scales {
                out.push(def(
                    format!("{n}.{scale}"),
                    (format!("{scale} score"), dutch_score(&scale, "score")),
                    MeasureKind::Score,
                    n,
                ));
                let has_norms = s
                    .norms
                    .as_ref()
                    .is_some_and(|nm| nm.rows.iter().any(|r| r.scale == scale));
                if has_norms {
                    out.push(def(
                        format!("{n}.{scale}.t"),
                        (
                            format!("{scale} norm score"),
                            dutch_score(&scale, "normscore"),
                        ),
                        MeasureKind::Score,
                        n,
                    ));
                }
                if has_norms || s.cutoffs.iter().any(|c| c.scale == scale) {
                    out.push(def(
                        format!("{n}.{scale}.clinical"),
                        (
                            format!("{scale} score in the clinical range"),
                            format!("{} in het klinische gebied", dutch_score(&scale, "score")),
                        ),
                        MeasureKind::Binary,
                        n,
                    ));
                }
            }
        }
    }
    out
}

/// A scale's score in Dutch: "totaalscore" for the total, else the
/// subscale's name with the word.
fn dutch_score(scale: &str, word: &str) -> String {
    if scale == "total" {
        format!("totaal{word}")
    } else {
        format!("{word} {scale}")
    }
}

/// The measure of a variable analysed as it is.
pub fn plain_measure(p: &Plain) -> MeasureDef {
    MeasureDef {
        label_nl: None,
        ..def(
            p.variable.clone(),
            (p.label.clone(), String::new()),
            p.kind.clone(),
            &p.variable,
        )
    }
}

/// The measure a derived declaration produces.
pub fn derived_measure(d: &Derived) -> MeasureDef {
    let terms: Vec<&str> = d.terms.iter().map(|t| t.measure.as_str()).collect();
    MeasureDef {
        label_nl: None,
        name: d.name.clone(),
        label: d
            .label
            .clone()
            .unwrap_or_else(|| format!("{:?} of {}", d.rule, terms.join(", ")).to_lowercase()),
        level: d.level,
        kind: match d.rule {
            Rule::Any | Rule::All => MeasureKind::Binary,
            _ => MeasureKind::Count,
        },
        source: d.name.clone(),
    }
}
