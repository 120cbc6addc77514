//! Scoring: item responses to measures, per respondent and wave, then
//! derived measures per respondent or family.

use std::sync::Arc;

use cohort_panel::{Cell, Column, Panel, RespondentId, VarKind};
use serde::Serialize;

use cohort_panel::{derived_measure, instrument_measures, plain_measure, MeasureDef};
use cohort_panel::{
    Derived, Frequency, Instrument, InstrumentKind, Instruments, Level, Plain, Rule, SumScale,
};

/// Why a measure has no value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Note {
    /// More items missing than the instrument allows (or all of them).
    TooManyMissing {
        /// Items missing.
        missing: u16,
        /// Items allowed to be missing.
        allowed: u16,
    },
    /// No item of the measure is answered.
    NoItemAnswered {
        /// Items missing (all of them).
        missing: u16,
    },
    /// No act in the recall period: chronicity (the frequency of those
    /// with an act) does not apply.
    NoAct,
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
            Note::NoItemAnswered { missing: 1 } => write!(f, "the item is not answered"),
            Note::NoItemAnswered { missing } => {
                write!(f, "none of the {missing} items is answered")
            }
            Note::NoAct => write!(f, "no act in the period"),
            Note::NoScaleScore => write!(f, "the scale has no score"),
            Note::NoAgeOrSex => write!(f, "age or sex missing"),
            Note::NoCutoff => write!(f, "no cut-off for this age and sex"),
            Note::NoNorm => write!(f, "no norm score for this raw score, age and sex"),
            Note::TermMissing { measure } => write!(f, "{measure} has no value"),
        }
    }
}

/// Compact note codes, one byte a score; details come from the counts.
const OK: u8 = 0;
const TOO_MANY_MISSING: u8 = 1;
const NO_SCALE_SCORE: u8 = 2;
const NO_AGE_OR_SEX: u8 = 3;
const NO_CUTOFF: u8 = 4;
const NO_NORM: u8 = 5;
const NO_ACT: u8 = 6;
/// `TERM_MISSING + i`: term `i` of a derived measure has no value.
const TERM_MISSING: u8 = 16;

/// One score, as handed out: a value or why there is none.
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

/// The units and waves a set of measures is scored for, shared by the
/// measures of one instrument.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreRows {
    /// Respondent or cluster index per row.
    pub units: Vec<u32>,
    /// Wave index per row.
    pub waves: Vec<u8>,
}

/// Items answered and missing per row, shared by the measures computed
/// from the same items.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemCounts {
    /// Items answered.
    pub answered: Vec<u16>,
    /// Items missing.
    pub missing: Vec<u16>,
    /// Items allowed to be missing.
    pub allowed: u16,
}

/// The scores of one measure, stored by column: about 9 bytes a score
/// plus what it shares with the other measures of its instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureScores {
    rows: Arc<ScoreRows>,
    counts: Option<Arc<ItemCounts>>,
    /// `NaN` where there is no value; never handed out as such.
    values: Vec<f64>,
    notes: Vec<u8>,
    /// Names of a derived measure's terms, for its notes.
    terms: Vec<String>,
}

impl MeasureScores {
    fn new(rows: Arc<ScoreRows>, counts: Option<Arc<ItemCounts>>) -> MeasureScores {
        let n = rows.units.len();
        MeasureScores {
            rows,
            counts,
            values: Vec::with_capacity(n),
            notes: Vec::with_capacity(n),
            terms: Vec::new(),
        }
    }

    fn push(&mut self, value: Result<f64, u8>) {
        match value {
            Ok(v) => {
                self.values.push(v);
                self.notes.push(OK);
            }
            Err(note) => {
                self.values.push(f64::NAN);
                self.notes.push(note);
            }
        }
    }

    /// Number of scores (values and missing values).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no scores.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The unit (respondent or cluster index) of score `i`.
    pub fn unit(&self, i: usize) -> u32 {
        self.rows.units[i]
    }

    /// The wave index of score `i`.
    pub fn wave(&self, i: usize) -> u8 {
        self.rows.waves[i]
    }

    /// The value of score `i`, if it has one.
    pub fn value(&self, i: usize) -> Option<f64> {
        (self.notes[i] == OK).then(|| self.values[i])
    }

    /// Why score `i` has no value (`None` when it has one).
    pub fn note(&self, i: usize) -> Option<Note> {
        if self.notes[i] == OK {
            None
        } else {
            self.get(i).note
        }
    }

    /// Score `i` in full, with its note.
    pub fn get(&self, i: usize) -> Score {
        let (answered, missing, allowed) = self
            .counts
            .as_ref()
            .map_or((0, 0, 0), |c| (c.answered[i], c.missing[i], c.allowed));
        let note = match self.notes[i] {
            OK => None,
            TOO_MANY_MISSING if answered == 0 => Some(Note::NoItemAnswered { missing }),
            TOO_MANY_MISSING => Some(Note::TooManyMissing {
                missing,
                allowed: allowed.min(missing.saturating_add(answered).saturating_sub(1)),
            }),
            NO_ACT => Some(Note::NoAct),
            NO_SCALE_SCORE => Some(Note::NoScaleScore),
            NO_AGE_OR_SEX => Some(Note::NoAgeOrSex),
            NO_CUTOFF => Some(Note::NoCutoff),
            NO_NORM => Some(Note::NoNorm),
            t => Some(Note::TermMissing {
                measure: self
                    .terms
                    .get(usize::from(t - TERM_MISSING))
                    .cloned()
                    .unwrap_or_default(),
            }),
        };
        Score {
            unit: self.unit(i),
            wave: self.wave(i),
            value: self.value(i),
            answered,
            missing,
            note,
        }
    }

    /// The values by (unit, wave); scores without a value are left out.
    pub fn by_unit_wave(&self) -> std::collections::BTreeMap<(u32, u8), f64> {
        (0..self.len())
            .filter_map(|i| self.value(i).map(|v| ((self.unit(i), self.wave(i)), v)))
            .collect()
    }

    /// Every score in order.
    pub fn iter(&self) -> impl Iterator<Item = Score> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// A measure of a [`Scores`]: its position among the measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MeasureId(pub usize);

/// All scores of a panel: one column of scores per measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// The measures, in order: each instrument's, then each derived.
    pub measures: Vec<MeasureDef>,
    /// Per measure, its scores in panel observation order (respondent
    /// measures) or by cluster then wave (family measures).
    pub scores: Vec<MeasureScores>,
}

impl Scores {
    /// The index of the measure called `name`.
    pub fn measure(&self, name: &str) -> Option<MeasureId> {
        self.measures
            .iter()
            .position(|m| m.name == name)
            .map(MeasureId)
    }

    /// Every measure, in order.
    pub fn ids(&self) -> impl Iterator<Item = MeasureId> {
        (0..self.measures.len()).map(MeasureId)
    }

    /// The declaration of measure `m`.
    pub fn def(&self, m: MeasureId) -> &MeasureDef {
        &self.measures[m.0]
    }

    /// The scores of measure `m`.
    pub fn scores_of(&self, m: MeasureId) -> &MeasureScores {
        &self.scores[m.0]
    }

    /// The scores of the measure called `name`.
    pub fn of(&self, name: &str) -> Option<&MeasureScores> {
        self.measure(name).map(|m| self.scores_of(m))
    }

    /// The measure called `name`, adding the declared variable of that
    /// name as a measure ([`Plain`]) when no measure has it; why not when
    /// it is neither.
    pub fn measure_or_variable(&mut self, panel: &Panel, name: &str) -> Result<MeasureId, String> {
        if let Some(m) = self.measure(name) {
            return Ok(m);
        }
        let plain = Plain::of(panel.study(), name, None).map_err(|why| {
            if panel.study().variable(name).is_some() {
                why
            } else {
                let study = panel.study();
                let names: Vec<&str> = self
                    .measures
                    .iter()
                    .map(|m| m.name.as_str())
                    .chain(study.variables.iter().map(|v| v.name.as_str()))
                    .collect();
                let hint = cohort_panel::did_you_mean(name, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                format!("`{name}` is neither a measure nor a declared variable of this study{hint}")
            }
        })?;
        self.measures.push(plain_measure(&plain));
        self.scores.push(score_plain(panel, &plain));
        Ok(MeasureId(self.measures.len() - 1))
    }
}

/// An item column with the number of its missing codes.
struct Item<'p> {
    column: &'p Column,
    n_missing: usize,
}

impl Item<'_> {
    #[inline]
    fn value(&self, obs: usize) -> Option<i64> {
        self.column.int_value(obs, self.n_missing)
    }
}

fn items<'p>(panel: &'p Panel, names: &[String]) -> Vec<Item<'p>> {
    names
        .iter()
        .filter_map(|n| panel.column(n))
        .map(|column| Item {
            column,
            n_missing: panel.variable_of(column).missing.len(),
        })
        .collect()
}

/// Observations whose respondent's role is one of `reporters` (all when
/// empty), as score rows.
fn eligible(panel: &Panel, reporters: &[String]) -> (Vec<usize>, Arc<ScoreRows>) {
    let role = panel.role_variable();
    let codes = match &role.kind {
        VarKind::Categorical { codes } => codes.as_slice(),
        _ => &[],
    };
    let allowed: Vec<bool> = codes
        .iter()
        .map(|c| reporters.is_empty() || reporters.contains(&c.code))
        .collect();
    let obs: Vec<usize> = (0..panel.n_observations())
        .filter(|&i| {
            allowed
                .get(usize::from(panel.role_of(panel.respondent(i))))
                .copied()
                .unwrap_or(false)
        })
        .collect();
    let rows = ScoreRows {
        units: obs.iter().map(|&i| panel.respondent(i).0).collect(),
        waves: obs.iter().map(|&i| panel.wave(i).0).collect(),
    };
    (obs, Arc::new(rows))
}

/// Scores every instrument and derived measure of a loaded panel.
pub fn score(panel: &Panel, spec: &Instruments) -> Scores {
    score_with_progress(panel, spec, &|_, _| {})
}

/// [`score`], telling `progress(done, total)` after each instrument and
/// derived measure.
pub fn score_with_progress(
    panel: &Panel,
    spec: &Instruments,
    progress: &dyn Fn(usize, usize),
) -> Scores {
    let total = spec.instruments.len() + spec.plain.len() + spec.derived.len();
    let mut measures = Vec::new();
    let mut scores = Vec::new();
    for (done, inst) in spec.instruments.iter().enumerate() {
        progress(done, total);
        let defs = instrument_measures(inst);
        let cols = match &inst.kind {
            InstrumentKind::IncidentFrequency(f) => score_frequency(panel, inst, f),
            InstrumentKind::SumScale(s) => score_scale(panel, inst, s, &defs),
        };
        measures.extend(defs);
        scores.extend(cols);
    }
    for (done, p) in spec.plain.iter().enumerate() {
        progress(spec.instruments.len() + done, total);
        measures.push(plain_measure(p));
        scores.push(score_plain(panel, p));
    }
    for (done, d) in spec.derived.iter().enumerate() {
        progress(spec.instruments.len() + spec.plain.len() + done, total);
        let col = score_derived(panel, d, &measures, &scores);
        measures.push(derived_measure(d));
        scores.push(col);
    }
    Scores { measures, scores }
}

/// A variable's values as a measure, every observation: a missing value
/// is an item not answered.
fn score_plain(panel: &Panel, p: &Plain) -> MeasureScores {
    let (obs, rows) = eligible(panel, &[]);
    let column = panel.column(&p.variable);
    let var = column.map(|c| panel.variable_of(c));
    let value = |i: usize| -> Option<f64> {
        let (c, var) = (column?, var?);
        match c.get(i, var) {
            Cell::Int(v) => Some(v as f64),
            Cell::Float(v) => Some(v),
            Cell::Category(k) => match &var.kind {
                VarKind::Categorical { codes } => codes.get(usize::from(k))?.code.parse().ok(),
                _ => None,
            },
            _ => None,
        }
    };
    let values: Vec<Option<f64>> = obs.iter().map(|&i| value(i)).collect();
    let counts = ItemCounts {
        answered: values.iter().map(|v| u16::from(v.is_some())).collect(),
        missing: values.iter().map(|v| u16::from(v.is_none())).collect(),
        allowed: 0,
    };
    let mut out = MeasureScores::new(rows, Some(Arc::new(counts)));
    for v in values {
        out.push(v.ok_or(TOO_MANY_MISSING));
    }
    out
}

/// Tally of one group of an incident-frequency instrument for one row.
#[derive(Default, Clone, Copy)]
struct Tally {
    incidents: f64,
    acts: u16,
    ever: bool,
    severe_act: bool,
    answered: u16,
    missing: u16,
    /// Items of severe groups missing.
    severe_missing: u16,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.incidents += other.incidents;
        self.acts += other.acts;
        self.ever |= other.ever;
        self.severe_act |= other.severe_act;
        self.answered += other.answered;
        self.missing += other.missing;
        self.severe_missing += other.severe_missing;
    }
}

fn score_frequency(panel: &Panel, inst: &Instrument, f: &Frequency) -> Vec<MeasureScores> {
    let groups: Vec<(bool, Vec<Item<'_>>)> = f
        .groups
        .iter()
        .map(|g| (g.severe, items(panel, &g.items)))
        .collect();
    let (obs, rows) = eligible(panel, &inst.reporters);
    let allowed = f.max_missing as u16;
    let per_year: Vec<f64> = panel
        .study()
        .waves
        .iter()
        // Every wave has a recall period when the study has an
        // incident-frequency instrument (the study file is checked so).
        .map(|w| w.recall_months.map_or(1.0, |r| 12.0 / r))
        .collect();
    // More missing than allowed, or nothing answered at all.
    let too_many = |t: &Tally| t.missing > allowed || t.answered == 0;
    // An act seen settles prevalence whatever is missing; "none" needs
    // the items answered.
    let known = |t: &Tally, seen: bool| -> Result<f64, u8> {
        if seen {
            Ok(1.0)
        } else if too_many(t) {
            Err(TOO_MANY_MISSING)
        } else {
            Ok(0.0)
        }
    };
    let counted = |t: &Tally, v: f64| {
        if too_many(t) {
            Err(TOO_MANY_MISSING)
        } else {
            Ok(v)
        }
    };

    // prevalence, ever, annual, variety, chronicity, severity,
    // severe_or_frequent, then per group prevalence and annual.
    const TOTALS: usize = 7;
    let n_measures = TOTALS + 2 * groups.len();
    let mut out: Vec<MeasureScores> = (0..n_measures)
        .map(|_| MeasureScores::new(rows.clone(), None))
        .collect();
    // Item counts: the total's, then each group's.
    let mut counts: Vec<ItemCounts> = (0..=groups.len())
        .map(|_| ItemCounts {
            answered: Vec::with_capacity(obs.len()),
            missing: Vec::with_capacity(obs.len()),
            allowed,
        })
        .collect();
    // What each response code (255 = missing) counts, as tables, so that
    // the loop over items has no branches on the random codes.
    let mut count_of = [0.0f64; 256];
    let mut act_of = [0u16; 256];
    let mut ever_of = [false; 256];
    let mut missing_of = [0u16; 256];
    missing_of[255] = 1;
    for c in 0..255usize {
        if Some(c as i64) == f.before_code {
            ever_of[c] = true;
        } else {
            let n = f.counts.get(c).copied().unwrap_or(0.0);
            count_of[c] = n;
            act_of[c] = u16::from(n > 0.0);
            ever_of[c] = n > 0.0;
        }
    }
    // Item codes are read in blocks of observations, column by column;
    // `codes` holds the items group after group.
    const BLOCK: usize = 1 << 16;
    let all_items: Vec<&Item<'_>> = groups.iter().flat_map(|(_, its)| its.iter()).collect();
    let mut group_ranges = Vec::with_capacity(groups.len());
    let mut start = 0;
    for (_, its) in &groups {
        group_ranges.push(start..start + its.len());
        start += its.len();
    }
    let mut codes: Vec<Vec<u8>> = vec![Vec::with_capacity(BLOCK); all_items.len()];
    let mut block_start = usize::MAX;
    let mut tallies = vec![Tally::default(); groups.len()];
    for (r, &i) in obs.iter().enumerate() {
        if block_start == usize::MAX || i >= block_start + BLOCK {
            block_start = i;
            let end = (i + BLOCK).min(panel.n_observations());
            for (buf, item) in codes.iter_mut().zip(&all_items) {
                buf.clear();
                item.column.codes_into(i..end, item.n_missing, buf);
            }
        }
        let at = i - block_start;
        let scale = per_year[rows.waves[r] as usize];
        for ((t, range), (severe, _)) in tallies.iter_mut().zip(&group_ranges).zip(&groups) {
            let mut incidents = 0.0;
            let (mut acts, mut missing, mut ever) = (0u16, 0u16, false);
            for buf in &codes[range.clone()] {
                let c = usize::from(buf[at]);
                incidents += count_of[c];
                acts += act_of[c];
                ever |= ever_of[c];
                missing += missing_of[c];
            }
            *t = Tally {
                incidents,
                acts,
                ever,
                severe_act: *severe && acts > 0,
                answered: range.len() as u16 - missing,
                missing,
                severe_missing: if *severe { missing } else { 0 },
            };
        }
        let mut total = Tally::default();
        tallies.iter().for_each(|t| total.add(t));
        let t = &total;
        let annual = counted(t, t.incidents * scale);
        out[0].push(known(t, t.acts > 0));
        out[1].push(known(t, t.ever));
        out[2].push(annual);
        out[3].push(counted(t, f64::from(t.acts)));
        // Chronicity: the annual frequency of a respondent with an act
        // (its mean over respondents is the CTS2 chronicity).
        out[4].push(match annual {
            Ok(_) if t.acts == 0 => Err(NO_ACT),
            other => other,
        });
        // Severity: a severe act settles 2; a minor act with every severe
        // item answered settles 1, whatever else is missing.
        out[5].push(if t.severe_act {
            Ok(2.0)
        } else if t.acts > 0 && t.severe_missing == 0 {
            Ok(1.0)
        } else {
            counted(t, if t.acts > 0 { 1.0 } else { 0.0 })
        });
        // Severe or frequent: a severe act, or answered items that already
        // reach `frequent_at` (missing items count nothing), settle 1.
        out[6].push(match (t.severe_act, annual) {
            (true, _) => Ok(1.0),
            (false, Ok(a)) => Ok(if a >= f.frequent_at { 1.0 } else { 0.0 }),
            (false, Err(_)) if t.incidents * scale >= f.frequent_at => Ok(1.0),
            (false, Err(e)) => Err(e),
        });
        counts[0].answered.push(t.answered);
        counts[0].missing.push(t.missing);
        for (g, t) in tallies.iter().enumerate() {
            out[TOTALS + 2 * g].push(known(t, t.acts > 0));
            out[TOTALS + 1 + 2 * g].push(counted(t, t.incidents * scale));
            counts[g + 1].answered.push(t.answered);
            counts[g + 1].missing.push(t.missing);
        }
    }
    let counts: Vec<Arc<ItemCounts>> = counts.into_iter().map(Arc::new).collect();
    for (m, scores) in out.iter_mut().enumerate() {
        let c = if m < TOTALS { 0 } else { 1 + (m - TOTALS) / 2 };
        scores.counts = Some(counts[c].clone());
    }
    out
}

/// Score of one scale for one row: prorated sum, or why not.
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
) -> Vec<MeasureScores> {
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
    let (obs, rows) = eligible(panel, &inst.reporters);
    // Raw scale scores and item counts per scale, for every row.
    let raw: Vec<(Vec<Option<f64>>, Arc<ItemCounts>)> = scales
        .iter()
        .map(|(_, idx)| {
            let mut values = Vec::with_capacity(obs.len());
            let mut counts = ItemCounts {
                allowed: s.max_missing as u16,
                ..ItemCounts::default()
            };
            let mut item_values = Vec::with_capacity(idx.len());
            for &i in &obs {
                item_values.clear();
                item_values.extend(idx.iter().map(|&k| {
                    all_items[k]
                        .value(i)
                        .map(|v| if reversed[k] { lo + hi - v } else { v } as f64)
                }));
                let sc = scale_score(&item_values, s.max_missing);
                values.push(sc.value);
                counts.answered.push(sc.answered);
                counts.missing.push(sc.missing);
            }
            (values, Arc::new(counts))
        })
        .collect();
    let mut out: Vec<MeasureScores> = Vec::with_capacity(defs.len());
    for ((name, _), (values, counts)) in scales.iter().zip(&raw) {
        let mut total = MeasureScores::new(rows.clone(), Some(counts.clone()));
        values
            .iter()
            .for_each(|v| total.push(v.ok_or(TOO_MANY_MISSING)));
        out.push(total);
        let norm_rows: Vec<_> = s
            .norms
            .iter()
            .flat_map(|n| &n.rows)
            .filter(|r| &r.scale == name)
            .collect();
        let cutoffs: Vec<_> = s.cutoffs.iter().filter(|c| &c.scale == name).collect();
        if norm_rows.is_empty() && cutoffs.is_empty() {
            continue;
        }
        let mut t_scores = MeasureScores::new(rows.clone(), Some(counts.clone()));
        let mut clinical = MeasureScores::new(rows.clone(), Some(counts.clone()));
        let clinical_t = s.norms.as_ref().map_or(70.0, |n| n.clinical_t);
        for (r, &i) in obs.iter().enumerate() {
            let age = age_col.and_then(|c| match c.get(i, panel.variable_of(c)) {
                Cell::Int(v) => Some(v),
                _ => None,
            });
            let sex = sex_col.and_then(|c| code_text(panel, c, i));
            let t = match (values[r], age) {
                (None, _) => Err(NO_SCALE_SCORE),
                (Some(_), None) => Err(NO_AGE_OR_SEX),
                (Some(raw), Some(age)) => {
                    // Raw scores are whole numbers; a prorated score is
                    // rounded half up before the look-up.
                    let raw = (raw + 0.5).floor() as i64;
                    norm_rows
                        .iter()
                        .find(|n| {
                            n.raw == raw
                                && (n.age.0..=n.age.1).contains(&age)
                                && (n.sex.is_empty() || Some(n.sex.as_str()) == sex.as_deref())
                        })
                        .map(|n| n.t)
                        .ok_or(NO_NORM)
                }
            };
            if !norm_rows.is_empty() {
                t_scores.push(t);
            }
            let c = if !cutoffs.is_empty() {
                // Raw cut-offs, when declared, decide the clinical range.
                match values[r] {
                    None => Err(NO_SCALE_SCORE),
                    Some(raw) => {
                        let needs_age = cutoffs.iter().any(|c| c.age.is_some());
                        let needs_sex = cutoffs.iter().any(|c| c.sex.is_some());
                        if (needs_age && age.is_none()) || (needs_sex && sex.is_none()) {
                            Err(NO_AGE_OR_SEX)
                        } else {
                            cutoffs
                                .iter()
                                .find(|c| {
                                    c.age.is_none_or(|(a, b)| {
                                        age.is_some_and(|x| (a..=b).contains(&x))
                                    }) && c.sex.as_ref().is_none_or(|cs| Some(cs) == sex.as_ref())
                                })
                                .map(|c| if raw >= c.clinical { 1.0 } else { 0.0 })
                                .ok_or(NO_CUTOFF)
                        }
                    }
                }
            } else {
                t.map(|t| if t >= clinical_t { 1.0 } else { 0.0 })
            };
            clinical.push(c);
        }
        if !norm_rows.is_empty() {
            out.push(t_scores);
        }
        out.push(clinical);
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
    scores: &[MeasureScores],
) -> MeasureScores {
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
    // Units and waves in a fixed order, each with a dense key
    // (unit * waves + wave) to look term values up by.
    let n_units = match d.level {
        Level::Respondent => panel.n_respondents(),
        Level::Family => panel.n_clusters(),
    };
    let key = |unit: u32, wave: u8| unit as usize * n_waves + wave as usize;
    let mut present = vec![false; n_units * n_waves];
    match d.level {
        Level::Respondent => {
            for &m in &term_index {
                let sc = &scores[m];
                for i in 0..sc.len() {
                    present[key(sc.unit(i), sc.wave(i))] = true;
                }
            }
        }
        Level::Family => {
            for i in 0..panel.n_observations() {
                present[key(panel.cluster_of(panel.respondent(i)).0, panel.wave(i).0)] = true;
            }
        }
    }
    // Each term's value per key; NaN = no value.
    let term_values: Vec<Vec<f64>> = d
        .terms
        .iter()
        .zip(&term_index)
        .map(|(t, &m)| {
            let sc = &scores[m];
            let mut values = vec![f64::NAN; n_units * n_waves];
            match (d.level, measures[m].level, t.within) {
                (Level::Family, Level::Respondent, Some(within)) => {
                    // Within a family, members without a value are left out.
                    let mut members: Vec<Vec<f64>> = vec![Vec::new(); n_units * n_waves];
                    for i in 0..sc.len() {
                        if let Some(v) = sc.value(i) {
                            let c = panel.cluster_of(RespondentId(sc.unit(i))).0;
                            members[key(c, sc.wave(i))].push(v);
                        }
                    }
                    for (slot, vals) in values.iter_mut().zip(&members) {
                        if !vals.is_empty() {
                            let known: Vec<Option<f64>> = vals.iter().map(|v| Some(*v)).collect();
                            if let Ok(v) = combine(within, &known) {
                                *slot = v;
                            }
                        }
                    }
                }
                _ => {
                    for i in 0..sc.len() {
                        if let Some(v) = sc.value(i) {
                            values[key(sc.unit(i), sc.wave(i))] = v;
                        }
                    }
                }
            }
            values
        })
        .collect();
    let mut rows = ScoreRows::default();
    for (k, _) in present.iter().enumerate().filter(|(_, p)| **p) {
        rows.units.push((k / n_waves) as u32);
        rows.waves.push((k % n_waves) as u8);
    }
    let mut out = MeasureScores::new(Arc::new(rows), None);
    out.terms = d.terms.iter().map(|t| t.measure.clone()).collect();
    let mut values = Vec::with_capacity(term_values.len());
    for (k, _) in present.iter().enumerate().filter(|(_, p)| **p) {
        values.clear();
        values.extend(
            term_values
                .iter()
                .map(|tv| Some(tv[k]).filter(|v| !v.is_nan())),
        );
        out.push(combine(d.rule, &values).map_err(|i| TERM_MISSING + i as u8));
    }
    out
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
