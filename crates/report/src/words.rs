//! How the report speaks of the study: its units (families or
//! respondents) and the names of its measures, from the design the study
//! file declares.

use cohort_plot::Lang;
use cohort_results::{Design, InstrumentType, MeasureSource, PublishedResults};

/// The words of one report, in its language.
pub(crate) struct Words<'a> {
    design: &'a Design,
    lang: Lang,
}

impl<'a> Words<'a> {
    pub(crate) fn of(data: &'a PublishedResults, lang: Lang) -> Words<'a> {
        Words {
            design: &data.design,
            lang,
        }
    }

    /// The text in the report's language.
    pub(crate) fn t<'s>(&self, en: &'s str, nl: &'s str) -> &'s str {
        match self.lang {
            Lang::En => en,
            Lang::Nl => nl,
        }
    }

    pub(crate) fn dutch(&self) -> bool {
        self.lang == Lang::Nl
    }

    /// A declared model's name in the report's language.
    pub(crate) fn model(&self, name: &str) -> String {
        match self.design.models_nl.iter().find(|(n, _)| n == name) {
            Some((_, nl)) if self.dutch() => nl.clone(),
            _ => name.to_string(),
        }
    }

    /// A group of the estimates by group by its labels.
    pub(crate) fn group(&self, code: &str) -> String {
        self.design.group(code, self.dutch())
    }

    /// A display table in the report's language: its header and the fixed
    /// labels of its cells (levels, statistics, states, classes, rules)
    /// translated; numbers, names and the data behind each cell as they
    /// are (the CSV files keep their English column names).
    pub(crate) fn table(&self, t: &crate::table::Table) -> crate::table::Table {
        let mut out = t.clone();
        for h in &mut out.header {
            *h = self.label(h);
        }
        for row in &mut out.rows {
            for cell in row {
                cell.shown = self.label(&cell.shown);
            }
        }
        out
    }

    /// A fixed label of the report in its language; any other text as it
    /// is.
    pub(crate) fn label(&self, text: &str) -> String {
        if !self.dutch() {
            return text.to_string();
        }
        if let Some(k) = text
            .strip_prefix("count below min_cell (")
            .and_then(|r| r.strip_suffix(')'))
        {
            return format!("telling onder min_cell ({k})");
        }
        // A model's method with clustered SEs: "..., CR2 SEs clustered by
        // family_id".
        if let Some((method, rest)) = text.split_once(", ") {
            if let Some((vcov, column)) = rest.split_once(" SEs clustered by ") {
                return format!(
                    "{}, {vcov}-SE's geclusterd naar {column}",
                    self.label(method)
                );
            }
        }
        match DUTCH.iter().find(|(en, _)| *en == text) {
            Some((_, nl)) => nl.to_string(),
            None => text.to_string(),
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
            self.t("families", "gezinnen")
        } else {
            self.t("respondents", "respondenten")
        }
    }

    /// Respondents, in the report's language.
    pub(crate) fn respondents(&self) -> &'static str {
        self.t("respondents", "respondenten")
    }

    /// [`Words::units`] with a capital.
    pub(crate) fn units_title(&self) -> &'static str {
        if self.design.families {
            self.t("Families", "Gezinnen")
        } else {
            self.t("Respondents", "Respondenten")
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
            .and_then(|i| match &i.label_nl {
                Some(nl) if self.dutch() => Some(nl.as_str()),
                _ => i.label.as_deref(),
            });
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
                Some((self.instrument(instrument), self.own_label(m)))
            }
            _ => None,
        }
    }

    /// A measure's own label in the report's language.
    fn own_label(&self, m: &cohort_results::MeasureDesign) -> String {
        match &m.label_nl {
            Some(nl) if self.dutch() => nl.clone(),
            _ => m.label.clone(),
        }
    }

    /// [`Words::measure`] inside a sentence: its first letter in lower
    /// case, unless the word is an acronym ("CTS2").
    pub(crate) fn measure_in_text(&self, name: &str) -> String {
        let label = self.measure(name);
        let mut chars = label.chars();
        match (chars.next(), chars.next()) {
            (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
                a.to_lowercase().chain(label.chars().skip(1)).collect()
            }
            _ => label,
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
                    format!("{}: {}", self.instrument(i), self.own_label(m))
                }
                _ => self.own_label(m),
            },
        }
    }
}

/// The report's fixed labels in Dutch: table headers, levels and
/// statistics, presence states, response patterns, classes and the gate's
/// rules.
const DUTCH: &[(&str, &str)] = &[
    ("measure", "maat"),
    ("level", "niveau"),
    ("statistic", "statistiek"),
    ("wave", "meting"),
    ("value", "waarde"),
    ("95% CI", "95%-BI"),
    ("pairs", "paren"),
    ("mean first", "gemiddelde eerste"),
    ("mean last", "gemiddelde laatste"),
    ("difference", "verschil"),
    ("d_z 95% CI", "d_z 95%-BI"),
    ("scale", "schaal"),
    ("n (complete)", "n (volledig)"),
    ("Cronbach's alpha", "Cronbachs alfa"),
    ("95% CI (Feldt)", "95%-BI (Feldt)"),
    ("table", "tabel"),
    ("row", "rij"),
    ("column", "kolom"),
    ("reason", "reden"),
    ("rows", "rijen"),
    ("count", "aantal"),
    ("trajectory", "verloop"),
    ("share", "aandeel"),
    ("mean", "gemiddelde"),
    ("group", "groep"),
    ("total", "totaal"),
    ("families with violence at the first wave", "gezinnen met geweld bij de eerste meting"),
    ("stopped", "gestopt"),
    ("formula", "formule"),
    ("method", "methode"),
    ("units", "eenheden"),
    ("n units", "n eenheden"),
    ("observations", "waarnemingen"),
    ("notes", "opmerkingen"),
    ("estimate", "schatting"),
    ("df (numerator: contrasts tested)", "df (teller: geteste contrasten)"),
    ("df (denominator)", "df (noemer)"),
    ("respondent", "respondent"),
    ("family", "gezin"),
    ("respondents", "respondenten"),
    ("families", "gezinnen"),
    ("complete", "compleet"),
    ("dropped out", "uitgevallen"),
    ("late entry", "later ingestroomd"),
    ("returned", "teruggekeerd"),
    ("present", "aanwezig"),
    ("of which returned", "waarvan teruggekeerd"),
    ("missed, back later", "gemist, later terug"),
    ("not yet entered", "nog niet ingestroomd"),
    ("kept", "behouden"),
    ("read", "gelezen"),
    ("none", "geen"),
    ("minor", "licht"),
    ("severe or frequent", "ernstig of frequent"),
    ("started", "begonnen"),
    ("decreased", "afgenomen"),
    ("persistent", "aanhoudend"),
    ("increased", "toegenomen"),
    ("normal", "normaal"),
    ("families by class, first by last wave", "gezinnen naar klasse, eerste naar laatste meting"),
    ("families by response pattern", "gezinnen naar responspatroon"),
    ("taking part per wave", "deelname per meting"),
    (
        "families present, returned, missing and dropped out per wave",
        "gezinnen aanwezig, teruggekeerd, gemist en uitgevallen per meting",
    ),
    (
        "secondary: would let a suppressed count be recovered from a total",
        "secundair: zou een onderdrukte telling uit een totaal laten afleiden",
    ),
    (
        "secondary suppression (another hidden cell could be recovered)",
        "secundaire onderdrukking (een andere verborgen cel zou af te leiden zijn)",
    ),
    ("fewer units than min_cell", "minder eenheden dan min_cell"),
    ("linear mixed model (REML)", "lineair gemengd model (REML)"),
    ("Poisson mixed model (Laplace)", "gemengd Poissonmodel (Laplace)"),
    ("negative binomial mixed model (Laplace)", "gemengd negatief-binomiaal model (Laplace)"),
    ("logistic mixed model (Laplace)", "gemengd logistisch model (Laplace)"),
    (
        "GEE, exchangeable working correlation, robust SEs",
        "GEE, uitwisselbare werkcorrelatie, robuuste SE's",
    ),
    ("linear model (least squares)", "lineair model (kleinste kwadraten)"),
    ("logistic regression", "logistische regressie"),
    ("Poisson regression", "Poissonregressie"),
    ("negative binomial regression", "negatief-binomiale regressie"),
    ("observations", "waarnemingen"),
    (
        "t tests, intervals and type III F tests on Satterthwaite's degrees of freedom (as lmerTest and SPSS MIXED)",
        "t-toetsen, intervallen en type-III-F-toetsen op de vrijheidsgraden van Satterthwaite (zoals lmerTest en SPSS MIXED)",
    ),
    (
        "p-values and intervals of the fixed effects use the normal distribution (as lme4's z values; no small-sample degrees of freedom)",
        "p-waarden en intervallen van de vaste effecten gebruiken de normale verdeling (zoals de z-waarden van lme4; geen vrijheidsgraden voor kleine steekproeven)",
    ),
    (
        "overdispersion: the Pearson chi-square is well above its residual degrees of freedom (the ratio is over one and a half); the Poisson variance understates the spread, so its SEs are too small (a negative binomial model, or cluster-robust SEs, allow for it)",
        "overdispersie: de Pearson-chikwadraat ligt ruim boven de vrijheidsgraden van de residuen (de verhouding is meer dan anderhalf); de Poissonvariantie onderschat de spreiding, dus de SE's zijn te klein (een negatief-binomiaal model of clusterrobuuste SE's houden er rekening mee)",
    ),
    (
        "the optimiser stopped before meeting its tolerance",
        "de optimalisatie stopte voordat de tolerantie bereikt was",
    ),
];

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
                label_nl: None,
                kind: InstrumentType::IncidentFrequency,
            }],
            measures: vec![
                MeasureDesign {
                    name: "partner.prevalence".into(),
                    label: "any act in the recall period".into(),
                    label_nl: None,
                    level: Unit::Respondent,
                    statistic: Statistic::Share,
                    source: MeasureSource::Instrument {
                        instrument: "partner".into(),
                    },
                },
                MeasureDesign {
                    name: "y".into(),
                    label: "Seizures in two weeks".into(),
                    label_nl: None,
                    level: Unit::Respondent,
                    statistic: Statistic::Mean,
                    source: MeasureSource::Variable,
                },
            ],
            ..Design::default()
        };
        let w = Words {
            design: &design,
            lang: Lang::En,
        };
        assert_eq!(
            w.measure("partner.prevalence"),
            "Partner violence: any act in the recall period"
        );
        assert_eq!(w.measure("y"), "Seizures in two weeks");
        assert_eq!(w.measure("unknown"), "unknown");
        assert_eq!(w.units(), "respondents");
    }
}
