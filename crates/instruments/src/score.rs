//! Scoring: item responses to measures, per respondent and wave, then
//! derived measures per respondent or family.

use std::collections::HashMap;

use cohort_panel::{Cell, Column, Panel, VarKind, Variable};
use serde::Serialize;

use crate::measures::{derived_measure, instrument_measures, MeasureDef};
use crate::spec::{
    Derived, Frequency, Instrument, InstrumentKind, Instruments, Level, Rule, SumScale,
};

/// Why a measure has no value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Note {
    /// More items missing than the instrument allows.
    TooManyMissing {
        /// Items missing.
        missing: u16,
        /// Items allowed to be missing.
        allowed: u16,
    },
    /// The scale has no score, so neither has its cut-off or norm score.
    NoScaleScore,
    /// Age or sex needed for the cut-off or norms is missing.
    NoAgeOrSex,
    /// No cut-off is declared for this age and sex.
    NoCutoff,
    /// The norms file has no row for this scale, sex, age and raw score.
    NoNorm,
    /// A term of a derived measure has no value.
    TermMissing {
        /// The term's measure.
        measure: String,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::TooManyMissing { missing, allowed } => {
                write!(f, "{missing} items missing, at most {allowed} allowed")
            }
            Note::NoScaleScore => write!(f, "the scale has no score"),
            Note::NoAgeOrSex => write!(f, "age or sex missing"),
            Note::NoCutoff => write!(f, "no cut-off for this age and sex"),
            Note::NoNorm => write!(f, "no norm score for this raw score, age and sex"),
            Note::TermMissing { measure } => write!(f, "{measure} has no value"),
        }
    }
}

/// One score: a value or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Respondent index (respondent measures) or cluster index (family
    /// measures) in the panel.
    pub unit: u32,
    /// Wave index in wave order.
    pub wave: u8,
    /// The value; `None` with a note when it cannot be scored.
    pub value: Option<f64>,
    /// Items answered (0 for derived measures).
    pub answered: u16,
    /// Items missing (0 for derived measures).
    pub missing: u16,
    /// Why there is no value.
    pub note: Option<Note>,
}

/// All scores of a panel: one list of scores per measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// The measures, in order: each instrument's, then each derived.
    pub measures: Vec<MeasureDef>,
    /// Per measure, its scores in panel observation order (respondent
    /// measures) or by cluster then wave (family measures).
    pub scores: Vec<Vec<Score>>,
}

impl Scores {
    /// The index of the measure called `name`.
    pub fn measure(&self, name: &str) -> Option<usize> {
        self.measures.iter().position(|m| m.name == name)
    }

    /// The scores of the measure called `name`.
    pub fn of(&self, name: &str) -> Option<&[Score]> {
        self.measure(name).map(|i| self.scores[i].as_slice())
    }
}

/// An item column with its variable.
struct Item<'p> {
    column: &'p Column,
    variable: &'p Variable,
}

impl Item<'_> {
    fn value(&self, obs: usize) -> Option<i64> {
        match self.column.get(obs, self.variable) {
            Cell::Int(v) => Some(v),
            _ => None,
        }
    }
}

fn items<'p>(panel: &'p Panel, names: &[String]) -> Vec<Item<'p>> {
    names
        .iter()
        .filter_map(|n| panel.column(n))
        .map(|column| Item {
            column,
            variable: panel.variable_of(column),
        })
        .collect()
}

/// Observations whose respondent's role is one of `reporters` (all when empty).
fn eligible(panel: &Panel, reporters: &[String]) -> Vec<usize> {
    let role = panel.role_variable();
    let codes = match &role.kind {
        VarKind::Categorical { codes } => codes.as_slice(),
        _ => &[],
    };
    let allowed: Vec<u16> = codes
        .iter()
        .enumerate()
        .filter(|(_, c)| reporters.is_empty() || reporters.contains(&c.code))
        .map(|(i, _)| i as u16)
        .collect();
    (0..panel.n_observations())
        .filter(|&i| allowed.contains(&panel.role_of(panel.respondent(i))))
        .collect()
}

/// Scores every instrument and derived measure of a loaded panel.
pub fn score(panel: &Panel, spec: &Instruments) -> Scores {
    let mut measures = Vec::new();
    let mut scores = Vec::new();
    for inst in &spec.instruments {
        let defs = instrument_measures(inst);
        let cols = match &inst.kind {
            InstrumentKind::IncidentFrequency(f) => score_frequency(panel, inst, f),
            InstrumentKind::SumScale(s) => score_scale(panel, inst, s, &defs),
        };
        measures.extend(defs);
        scores.extend(cols);
    }
    for d in &spec.derived {
        let col = score_derived(panel, d, &measures, &scores);
        measures.push(derived_measure(d));
        scores.push(col);
    }
    Scores { measures, scores }
}

/// Tally of one group (or all groups) of an incident-frequency instrument.
#[derive(Default, Clone, Copy)]
struct Tally {
    incidents: f64,
    acts: u16,
    ever: bool,
    severe_act: bool,
    answered: u16,
    missing: u16,
}

fn score_frequency(panel: &Panel, inst: &Instrument, f: &Frequency) -> Vec<Vec<Score>> {
    let groups: Vec<(bool, Vec<Item<'_>>)> = f
        .groups
        .iter()
        .map(|g| (g.severe, items(panel, &g.items)))
        .collect();
    let n_measures = 6 + 2 * groups.len();
    let mut out: Vec<Vec<Score>> = vec![Vec::new(); n_measures];
    let allowed = f.max_missing as u16;
    for obs in eligible(panel, &inst.reporters) {
        let wave = panel.wave(obs).0;
        let per_year = 12.0 / panel.study().waves[wave as usize].recall_months;
        let mut total = Tally::default();
        let mut by_group = Vec::with_capacity(groups.len());
        for (severe, group_items) in &groups {
            let mut t = Tally::default();
            for item in group_items {
                match item.value(obs) {
                    None => t.missing += 1,
                    Some(code) => {
                        t.answered += 1;
                        if Some(code) == f.before_code {
                            t.ever = true;
                        } else {
                            let n = f.counts.get(code as usize).copied().unwrap_or(0.0);
                            if n > 0.0 {
                                t.incidents += n;
                                t.acts += 1;
                                t.ever = true;
                                t.severe_act |= *severe;
                            }
                        }
                    }
                }
            }
            total.incidents += t.incidents;
            total.acts += t.acts;
            total.ever |= t.ever;
            total.severe_act |= t.severe_act;
            total.answered += t.answered;
            total.missing += t.missing;
            by_group.push(t);
        }
        let unit = panel.respondent(obs).0;
        // More missing than allowed, or nothing answered at all.
        let too_many = |t: &Tally| t.missing > allowed || t.answered == 0;
        let note = |t: &Tally| Note::TooManyMissing {
            missing: t.missing,
            allowed,
        };
        let mk = |value: Option<f64>, t: &Tally| Score {
            unit,
            wave,
            value,
            answered: t.answered,
            missing: t.missing,
            note: if value.is_none() { Some(note(t)) } else { None },
        };
        // An act seen settles prevalence whatever is missing; "none" needs
        // the items answered.
        let known = |t: &Tally, seen: bool| -> Option<f64> {
            if seen {
                Some(1.0)
            } else if too_many(t) {
                None
            } else {
                Some(0.0)
            }
        };
        let counted = |t: &Tally, v: f64| (!too_many(t)).then_some(v);
        let annual = counted(&total, total.incidents * per_year);
        out[0].push(mk(known(&total, total.acts > 0), &total));
        out[1].push(mk(known(&total, total.ever), &total));
        out[2].push(mk(annual, &total));
        out[3].push(mk(counted(&total, f64::from(total.acts)), &total));
        let severity = if total.severe_act {
            Some(2.0)
        } else if too_many(&total) {
            None
        } else {
            Some(if total.acts > 0 { 1.0 } else { 0.0 })
        };
        out[4].push(mk(severity, &total));
        let frequent = annual.map(|a| a >= f.frequent_at);
        let severe_or_frequent = match (total.severe_act, frequent) {
            (true, _) | (_, Some(true)) => Some(1.0),
            (false, Some(false)) => Some(0.0),
            (false, None) => None,
        };
        out[5].push(mk(severe_or_frequent, &total));
        for (g, t) in by_group.iter().enumerate() {
            out[6 + 2 * g].push(mk(known(t, t.acts > 0), t));
            out[7 + 2 * g].push(mk(counted(t, t.incidents * per_year), t));
        }
    }
    out
}

/// Score of one scale for one observation: prorated sum or why not.
struct ScaleScore {
    value: Option<f64>,
    answered: u16,
    missing: u16,
}

fn scale_score(values: &[Option<f64>], max_missing: usize) -> ScaleScore {
    let answered: Vec<f64> = values.iter().flatten().copied().collect();
    let missing = values.len() - answered.len();
    // At most `max_missing`, and never all: one answered item at least.
    let allowed = max_missing.min(values.len().saturating_sub(1));
    let value = (missing <= allowed && !answered.is_empty()).then(|| {
        let sum: f64 = answered.iter().sum();
        sum + missing as f64 * sum / answered.len() as f64
    });
    ScaleScore {
        value,
        answered: answered.len() as u16,
        missing: missing as u16,
    }
}

fn score_scale(
    panel: &Panel,
    inst: &Instrument,
    s: &SumScale,
    defs: &[MeasureDef],
) -> Vec<Vec<Score>> {
    let all_items = items(panel, &s.items);
    let reversed: Vec<bool> = s.items.iter().map(|i| s.reversed.contains(i)).collect();
    let (lo, hi) = s.item_range;
    let scales: Vec<(String, Vec<usize>)> =
        std::iter::once(("total".to_string(), (0..s.items.len()).collect()))
            .chain(s.subscales.iter().map(|(name, list)| {
                (
                    name.clone(),
                    list.iter()
                        .filter_map(|i| s.items.iter().position(|x| x == i))
                        .collect(),
                )
            }))
            .collect();
    let age_col = s.age.as_deref().and_then(|a| panel.column(a));
    let sex_col = s.sex.as_deref().and_then(|a| panel.column(a));
    let mut out: Vec<Vec<Score>> = vec![Vec::new(); defs.len()];
    let allowed = s.max_missing as u16;
    for obs in eligible(panel, &inst.reporters) {
        let unit = panel.respondent(obs).0;
        let wave = panel.wave(obs).0;
        let item_values: Vec<Option<f64>> = all_items
            .iter()
            .zip(&reversed)
            .map(|(it, &rev)| {
                it.value(obs)
                    .map(|v| if rev { lo + hi - v } else { v } as f64)
            })
            .collect();
        let age = age_col.and_then(|c| match c.get(obs, panel.variable_of(c)) {
            Cell::Int(v) => Some(v),
            _ => None,
        });
        let sex = sex_col.and_then(|c| code_text(panel, c, obs));
        let mut m = 0;
        for (name, idx) in &scales {
            let vals: Vec<Option<f64>> = idx.iter().map(|&i| item_values[i]).collect();
            let sc = scale_score(&vals, s.max_missing);
            let base = Score {
                unit,
                wave,
                value: sc.value,
                answered: sc.answered,
                missing: sc.missing,
                note: sc.value.is_none().then_some(Note::TooManyMissing {
                    missing: sc.missing,
                    allowed: allowed.min(vals.len().saturating_sub(1) as u16),
                }),
            };
            out[m].push(base.clone());
            m += 1;
            let with = |value: Option<f64>, note: Option<Note>| Score {
                value,
                note: if value.is_none() { note } else { None },
                ..base.clone()
            };
            let norm_rows: Vec<_> = s
                .norms
                .iter()
                .flat_map(|n| &n.rows)
                .filter(|r| &r.scale == name)
                .collect();
            let t = if norm_rows.is_empty() {
                None
            } else {
                let t = match (sc.value, age) {
                    (None, _) => Err(Note::NoScaleScore),
                    (Some(_), None) => Err(Note::NoAgeOrSex),
                    (Some(raw), Some(age)) => {
                        // Raw scores are whole numbers; a prorated score is
                        // rounded half up before the look-up.
                        let raw = (raw + 0.5).floor() as i64;
                        norm_rows
                            .iter()
                            .find(|r| {
                                r.raw == raw
                                    && (r.age.0..=r.age.1).contains(&age)
                                    && (r.sex.is_empty() || Some(r.sex.as_str()) == sex.as_deref())
                            })
                            .map(|r| r.t)
                            .ok_or(Note::NoNorm)
                    }
                };
                out[m].push(with(t.clone().ok(), t.clone().err()));
                m += 1;
                Some(t)
            };
            let cutoffs: Vec<_> = s.cutoffs.iter().filter(|c| &c.scale == name).collect();
            if !cutoffs.is_empty() {
                let clinical = match sc.value {
                    None => Err(Note::NoScaleScore),
                    Some(raw) => {
                        let needs_age = cutoffs.iter().any(|c| c.age.is_some());
                        let needs_sex = cutoffs.iter().any(|c| c.sex.is_some());
                        if (needs_age && age.is_none()) || (needs_sex && sex.is_none()) {
                            Err(Note::NoAgeOrSex)
                        } else {
                            cutoffs
                                .iter()
                                .find(|c| {
                                    c.age.is_none_or(|(a, b)| {
                                        age.is_some_and(|x| (a..=b).contains(&x))
                                    }) && c.sex.as_ref().is_none_or(|cs| Some(cs) == sex.as_ref())
                                })
                                .map(|c| if raw >= c.clinical { 1.0 } else { 0.0 })
                                .ok_or(Note::NoCutoff)
                        }
                    }
                };
                out[m].push(with(clinical.clone().ok(), clinical.err()));
                m += 1;
            } else if let Some(t) = t {
                let clinical_t = s.norms.as_ref().map_or(70.0, |n| n.clinical_t);
                let clinical = t.map(|t| if t >= clinical_t { 1.0 } else { 0.0 });
                out[m].push(with(clinical.clone().ok(), clinical.err()));
                m += 1;
            }
        }
    }
    out
}

/// The code text of a categorical (or the number of an integer) cell.
fn code_text(panel: &Panel, c: &Column, obs: usize) -> Option<String> {
    let var = panel.variable_of(c);
    match (c.get(obs, var), &var.kind) {
        (Cell::Category(k), VarKind::Categorical { codes }) => Some(codes[k as usize].code.clone()),
        (Cell::Int(v), _) => Some(v.to_string()),
        _ => None,
    }
}

/// Combines values with `rule`. `values` holds `None` for unknown values.
/// Any/all are decided by one known value when they can be; otherwise an
/// unknown value makes the result unknown (index of the first unknown).
fn combine(rule: Rule, values: &[Option<f64>]) -> Result<f64, usize> {
    let first_unknown = values.iter().position(Option::is_none);
    match rule {
        Rule::Any if values.iter().flatten().any(|v| *v != 0.0) => Ok(1.0),
        Rule::All if values.iter().flatten().any(|v| *v == 0.0) => Ok(0.0),
        _ => {
            if let Some(i) = first_unknown {
                return Err(i);
            }
            let known = values.iter().flatten().copied();
            Ok(match rule {
                Rule::Any => 0.0,
                Rule::All => 1.0,
                Rule::Sum => known.sum(),
                Rule::Max => known.fold(f64::NEG_INFINITY, f64::max),
                Rule::Min => known.fold(f64::INFINITY, f64::min),
                Rule::Mean => {
                    let n = values.len() as f64;
                    known.sum::<f64>() / n
                }
            })
        }
    }
}

fn score_derived(
    panel: &Panel,
    d: &Derived,
    measures: &[MeasureDef],
    scores: &[Vec<Score>],
) -> Vec<Score> {
    let term_index: Vec<usize> = d
        .terms
        .iter()
        .map(|t| {
            measures
                .iter()
                .position(|m| m.name == t.measure)
                .unwrap_or(0)
        })
        .collect();
    let n_waves = panel.study().waves.len();
    // Units and waves, in a fixed order: observations for respondent
    // measures; clusters x waves present for family measures.
    let units: Vec<(u32, u8)> = match d.level {
        Level::Respondent => {
            let mut u: Vec<(u32, u8)> = term_index
                .iter()
                .flat_map(|&m| scores[m].iter().map(|s| (s.unit, s.wave)))
                .collect();
            u.sort_unstable();
            u.dedup();
            u
        }
        Level::Family => {
            let mut present = vec![0u64; panel.n_clusters()];
            for i in 0..panel.n_observations() {
                present[panel.cluster_of(panel.respondent(i)).0 as usize] |= 1 << panel.wave(i).0;
            }
            present
                .iter()
                .enumerate()
                .flat_map(|(c, &m)| {
                    (0..n_waves)
                        .filter(move |w| m & (1 << w) != 0)
                        .map(move |w| (c as u32, w as u8))
                })
                .collect()
        }
    };
    // Each term's value per unit and wave.
    let term_values: Vec<HashMap<(u32, u8), Option<f64>>> = d
        .terms
        .iter()
        .zip(&term_index)
        .map(|(t, &m)| {
            let level = measures[m].level;
            match (d.level, level, t.within) {
                (Level::Family, Level::Respondent, Some(within)) => {
                    let mut members: HashMap<(u32, u8), Vec<Option<f64>>> = HashMap::new();
                    for s in &scores[m] {
                        let c = panel.cluster_of(cohort_panel::RespondentId(s.unit)).0;
                        members.entry((c, s.wave)).or_default().push(s.value);
                    }
                    members
                        .into_iter()
                        .map(|(k, vals)| {
                            // Within a family, members without a value are left out.
                            let known: Vec<Option<f64>> =
                                vals.into_iter().filter(Option::is_some).collect();
                            let v = if known.is_empty() {
                                None
                            } else {
                                combine(within, &known).ok()
                            };
                            (k, v)
                        })
                        .collect()
                }
                _ => scores[m]
                    .iter()
                    .map(|s| ((s.unit, s.wave), s.value))
                    .collect(),
            }
        })
        .collect();
    units
        .into_iter()
        .map(|(unit, wave)| {
            let values: Vec<Option<f64>> = term_values
                .iter()
                .map(|tv| tv.get(&(unit, wave)).copied().flatten())
                .collect();
            let (value, note) = match combine(d.rule, &values) {
                Ok(v) => (Some(v), None),
                Err(i) => (
                    None,
                    Some(Note::TermMissing {
                        measure: d.terms[i].measure.clone(),
                    }),
                ),
            };
            Score {
                unit,
                wave,
                value,
                answered: 0,
                missing: 0,
                note,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prorating_at_its_limit() {
        // Items 2, 3, missing, 4 with at most 1 missing: answered sum 9 over
        // 3 items, mean 3, so 9 + 1 * 3 = 12.
        let s = scale_score(&[Some(2.0), Some(3.0), None, Some(4.0)], 1);
        assert_eq!((s.value, s.answered, s.missing), (Some(12.0), 3, 1));
        // Two missing with one allowed: no score.
        let s = scale_score(&[Some(2.0), None, None, Some(4.0)], 1);
        assert_eq!(s.value, None);
        // All missing: no score, even when many may be missing.
        assert_eq!(scale_score(&[None, None], 5).value, None);
    }

    #[test]
    fn combining_rules() {
        assert_eq!(combine(Rule::Any, &[Some(0.0), None, Some(1.0)]), Ok(1.0));
        assert_eq!(combine(Rule::Any, &[Some(0.0), None]), Err(1));
        assert_eq!(combine(Rule::All, &[None, Some(0.0)]), Ok(0.0));
        assert_eq!(combine(Rule::Sum, &[Some(2.0), Some(5.5)]), Ok(7.5));
        assert_eq!(combine(Rule::Max, &[Some(2.0), Some(5.5)]), Ok(5.5));
        assert_eq!(combine(Rule::Mean, &[Some(2.0), Some(5.0)]), Ok(3.5));
        assert_eq!(combine(Rule::Sum, &[Some(2.0), None]), Err(1));
    }
}
