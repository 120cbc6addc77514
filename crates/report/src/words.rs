//! How the report speaks of the study: its units (families or
//! respondents) and the names of its measures, from the design the study
//! file declares.

use cohort_results::{Design, InstrumentType, MeasureSource, PublishedResults};

/// The words of one report.
pub(crate) struct Words<'a> {
    design: &'a Design,
}

impl<'a> Words<'a> {
    pub(crate) fn of(data: &'a PublishedResults) -> Words<'a> {
        Words {
            design: &data.design,
        }
    }

    /// Whether the study has families (clusters of respondents).
    pub(crate) fn families(&self) -> bool {
        self.design.families
    }

    /// The study's units, plural and lower case: `families` or
    /// `respondents`.
    pub(crate) fn units(&self) -> &'static str {
        if self.design.families {
            "families"
        } else {
            "respondents"
        }
    }

    /// [`Words::units`] with a capital.
    pub(crate) fn units_title(&self) -> &'static str {
        if self.design.families {
            "Families"
        } else {
            "Respondents"
        }
    }

    /// Whether an instrument of this kind is declared.
    pub(crate) fn has(&self, kind: InstrumentType) -> bool {
        self.design.has(kind)
    }

    /// The short name of an instrument: its label up to the first
    /// parenthesis or comma ("Partner violence" of "Partner violence
    /// (CTS2 style), reported by each parent"), else its name.
    pub(crate) fn instrument(&self, name: &str) -> String {
        let label = self
            .design
            .instrument(name)
            .and_then(|i| i.label.as_deref());
        match label.map(|l| l.split(['(', ',']).next().unwrap_or(l).trim()) {
            Some(short) if !short.is_empty() => short.to_string(),
            _ => name.to_string(),
        }
    }

    /// A measure's instrument (its short name) and its own label, for a
    /// panel per instrument; `None` for a measure of no instrument.
    pub(crate) fn instrument_and_label(&self, name: &str) -> Option<(String, String)> {
        let m = self.design.measure(name)?;
        match &m.source {
            MeasureSource::Instrument { instrument } => {
                Some((self.instrument(instrument), m.label.clone()))
            }
            _ => None,
        }
    }

    /// What a measure is called in tables and legends: an instrument's
    /// measure with its instrument ("Partner violence: any act in the
    /// recall period"), any other by its label; the name when the results
    /// carry no design.
    pub(crate) fn measure(&self, name: &str) -> String {
        match self.design.measure(name) {
            None => name.to_string(),
            Some(m) => match &m.source {
                MeasureSource::Instrument { instrument: i } => {
                    format!("{}: {}", self.instrument(i), m.label)
                }
                _ => m.label.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cohort_results::{InstrumentDesign, MeasureDesign, Statistic, Unit};

    #[test]
    fn measures_are_named_by_their_instrument_and_label() {
        let design = Design {
            families: false,
            instruments: vec![InstrumentDesign {
                name: "partner".into(),
                label: Some("Partner violence (CTS2 style), reported by each parent".into()),
                kind: InstrumentType::IncidentFrequency,
            }],
            measures: vec![
                MeasureDesign {
                    name: "partner.prevalence".into(),
                    label: "any act in the recall period".into(),
                    level: Unit::Respondent,
                    statistic: Statistic::Share,
                    source: MeasureSource::Instrument {
                        instrument: "partner".into(),
                    },
                },
                MeasureDesign {
                    name: "y".into(),
                    label: "Seizures in two weeks".into(),
                    level: Unit::Respondent,
                    statistic: Statistic::Mean,
                    source: MeasureSource::Variable,
                },
            ],
            ..Design::default()
        };
        let w = Words { design: &design };
        assert_eq!(
            w.measure("partner.prevalence"),
            "Partner violence: any act in the recall period"
        );
        assert_eq!(w.measure("y"), "Seizures in two weeks");
        assert_eq!(w.measure("unknown"), "unknown");
        assert_eq!(w.units(), "respondents");
    }
}
