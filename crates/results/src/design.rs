//! What the study file declares, as a report needs it to speak of the
//! study: its units, waves, instruments and measures. Declarations only,
//! no data: the gate passes it on unchanged.

use serde::{Deserialize, Serialize};

use crate::raw::{Statistic, Unit};

/// The design of a study.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Design {
    /// The study file's description.
    pub description: Option<String>,
    /// The same in Dutch (`[labels.nl] description`).
    #[serde(default)]
    pub description_nl: Option<String>,
    /// Whether respondents are grouped in families (a cluster column is
    /// declared); without, each respondent is its own unit.
    pub families: bool,
    /// The waves in order.
    pub waves: Vec<WaveDesign>,
    /// The questionnaires, in declared order.
    pub instruments: Vec<InstrumentDesign>,
    /// Every measure the results report on, in order.
    pub measures: Vec<MeasureDesign>,
    /// The Dutch names of the declared models, by name.
    #[serde(default)]
    pub models_nl: Vec<(String, String)>,
    /// The variable of the estimates by group: its label and its codes'
    /// value labels.
    #[serde(default)]
    pub by: Option<GroupingDesign>,
}

/// A grouping variable as declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupingDesign {
    /// Its name.
    pub name: String,
    /// Its label, if declared.
    pub label: Option<String>,
    /// Its Dutch label, if declared.
    #[serde(default)]
    pub label_nl: Option<String>,
    /// Its codes with their value labels (and Dutch ones, if declared),
    /// in declared order.
    pub codes: Vec<(String, String, Option<String>)>,
}

/// A declared wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveDesign {
    /// Its label.
    pub label: String,
    /// Months since baseline.
    pub months: f64,
    /// The recall period of its questions, in months, if declared.
    pub recall_months: Option<f64>,
}

/// What kind of questionnaire an instrument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentType {
    /// Counts of acts (Conflict Tactics style).
    IncidentFrequency,
    /// A sum scale (symptom checklists).
    SumScale,
}

/// A declared instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstrumentDesign {
    /// Its name, the prefix of its measures.
    pub name: String,
    /// Its label, if declared.
    pub label: Option<String>,
    /// Its Dutch label, if declared.
    #[serde(default)]
    pub label_nl: Option<String>,
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: InstrumentType,
}

/// Where a measure comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum MeasureSource {
    /// Scored by this instrument.
    Instrument {
        /// The instrument's name.
        instrument: String,
    },
    /// A declared variable, as it is.
    Variable,
    /// Combined from other measures.
    Derived,
}

/// A measure of the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureDesign {
    /// Its name.
    pub name: String,
    /// What it is (for an instrument's measure: relative to the instrument).
    pub label: String,
    /// The same in Dutch, if known.
    #[serde(default)]
    pub label_nl: Option<String>,
    /// Respondent or family.
    pub level: Unit,
    /// Share (yes/no) or mean.
    pub statistic: Statistic,
    /// Where it comes from.
    #[serde(flatten)]
    pub source: MeasureSource,
}

impl Design {
    /// The measure called `name`.
    pub fn measure(&self, name: &str) -> Option<&MeasureDesign> {
        self.measures.iter().find(|m| m.name == name)
    }

    /// The instrument called `name`.
    pub fn instrument(&self, name: &str) -> Option<&InstrumentDesign> {
        self.instruments.iter().find(|i| i.name == name)
    }

    /// A group of the estimates by group, in words: "Sex: female" for the
    /// code `1` of `sex` (in Dutch with `dutch`, where the study gives
    /// Dutch labels); the code where no label is declared.
    pub fn group(&self, code: &str, dutch: bool) -> String {
        match &self.by {
            None => code.to_string(),
            Some(b) => {
                let value = b.codes.iter().find(|(c, _, _)| c == code).map_or(
                    code,
                    |(_, l, nl)| match nl {
                        Some(nl) if dutch => nl.as_str(),
                        _ => l.as_str(),
                    },
                );
                let name = match (&b.label_nl, &b.label) {
                    (Some(nl), _) if dutch => nl,
                    (_, Some(l)) => l,
                    _ => &b.name,
                };
                format!("{name}: {value}")
            }
        }
    }

    /// Whether an instrument of this kind is declared.
    pub fn has(&self, kind: InstrumentType) -> bool {
        self.instruments.iter().any(|i| i.kind == kind)
    }
}
