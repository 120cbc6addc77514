//! Instrument and derived-measure declarations: read from the study file's
//! `[[instruments]]` and `[[derived]]` tables and checked against the
//! study's variables, so that scoring itself cannot meet a bad declaration.

use std::path::Path;

use crate::locate::{Positions, StudyProblem};
use crate::measures::MeasureKind;
use crate::study::{Study, VarKind};
use crate::suggest::did_you_mean;

/// Everything the study file declares for scoring.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Instruments {
    /// Questionnaires, in declared order.
    pub instruments: Vec<Instrument>,
    /// Declared variables analysed as they are (`[[measures]]`).
    pub plain: Vec<Plain>,
    /// Measures combining other measures, in declared order.
    pub derived: Vec<Derived>,
}

/// A declared variable used as a measure without an instrument: an
/// outcome column such as a seizure count or a yes/no answer. The measure
/// has the variable's name.
#[derive(Debug, Clone, PartialEq)]
pub struct Plain {
    /// The variable.
    pub variable: String,
    /// What it is: the `[[measures]]` label, else the variable's.
    pub label: String,
    /// Yes/no for a categorical variable coded 0 and 1, a count for an
    /// integer, a score for a float.
    pub kind: MeasureKind,
}

impl Plain {
    /// The declared variable `name` as a measure (labelled `label`, else
    /// by the variable's label), or why it cannot be one.
    pub fn of(study: &Study, name: &str, label: Option<String>) -> Result<Plain, String> {
        let Some(v) = study.variable(name) else {
            let names: Vec<&str> = study.variables.iter().map(|v| v.name.as_str()).collect();
            let hint = did_you_mean(name, &names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(format!("`{name}` is not a declared variable{hint}"));
        };
        if study.data.role.as_deref() == Some(name) {
            return Err(format!("`{name}` is the role column, not a measure"));
        }
        let kind = match &v.kind {
            VarKind::Integer { .. } => MeasureKind::Count,
            VarKind::Float { .. } => MeasureKind::Score,
            VarKind::Categorical { codes }
                if codes.len() == 2 && codes.iter().all(|c| c.code == "0" || c.code == "1") =>
            {
                MeasureKind::Binary
            }
            VarKind::Categorical { .. } => {
                return Err(format!(
                    "`{name}` is categorical with codes other than 0 and 1: a grouping \
                     variable (use it with --by), not a measure"
                ))
            }
            VarKind::Date { .. } | VarKind::Id => {
                return Err(format!(
                    "`{name}` is a date or an id; expected a numeric variable or one coded 0 and 1"
                ))
            }
        };
        Ok(Plain {
            variable: v.name.clone(),
            label: label
                .or_else(|| v.label.clone())
                .unwrap_or_else(|| v.name.clone()),
            kind,
        })
    }
}

/// One questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    /// Short name; measures are called `name.measure`.
    pub name: String,
    /// Human-readable label.
    pub label: Option<String>,
    /// Role codes whose rows carry the items; empty = every role.
    pub reporters: Vec<String>,
    /// Who the questions are about (documentation: partner, child, ...).
    pub about: Option<String>,
    /// How it is scored.
    pub kind: InstrumentKind,
}

/// The built-in kinds of instrument.
#[derive(Debug, Clone, PartialEq)]
pub enum InstrumentKind {
    /// Conflict-Tactics-style incident counts.
    IncidentFrequency(Frequency),
    /// A sum of item scores (trauma symptom checklists and similar).
    SumScale(SumScale),
}

/// An incident-frequency instrument (CTS2, CTSPC).
#[derive(Debug, Clone, PartialEq)]
pub struct Frequency {
    /// Incidents counted for response codes 0, 1, 2, ... (midpoints).
    pub counts: Vec<f64>,
    /// The code for "not in this period, but before": 0 incidents in the
    /// period, but counts for ever-prevalence. `None` if the form has none.
    pub before_code: Option<i64>,
    /// Items that may be missing and still give a frequency (the missing
    /// ones count nothing, so the score is a lower bound).
    pub max_missing: usize,
    /// Annual incidents at or above which violence is "frequent".
    pub frequent_at: f64,
    /// Item groups; each item is in exactly one.
    pub groups: Vec<ItemGroup>,
}

/// A group of acts of one kind and severity.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemGroup {
    /// Group name (`physical_severe`).
    pub name: String,
    /// Whether an act in this group makes the violence severe.
    pub severe: bool,
    /// Item variables.
    pub items: Vec<String>,
}

/// A sum scale.
#[derive(Debug, Clone, PartialEq)]
pub struct SumScale {
    /// Item variables of the total scale.
    pub items: Vec<String>,
    /// Lowest and highest item score (for reversing).
    pub item_range: (i64, i64),
    /// Items scored in reverse: `min + max - x`.
    pub reversed: Vec<String>,
    /// Items that may be missing: the score is then prorated, each missing
    /// item taking the mean of the respondent's answered items.
    pub max_missing: usize,
    /// Subscales: name and items (a subset of `items`).
    pub subscales: Vec<(String, Vec<String>)>,
    /// Variable with the age in years, for cut-offs and norms by age.
    pub age: Option<String>,
    /// Variable with the sex code, for cut-offs and norms by sex.
    pub sex: Option<String>,
    /// Clinical cut-offs on raw scores.
    pub cutoffs: Vec<Cutoff>,
    /// Optional conversion of raw scores to norm (T) scores.
    pub norms: Option<Norms>,
}

/// A raw-score clinical cut-off, for one scale and optionally an age band
/// and sex. The first matching cut-off applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Cutoff {
    /// `total` or a subscale name.
    pub scale: String,
    /// Inclusive age band in years.
    pub age: Option<(i64, i64)>,
    /// Sex code.
    pub sex: Option<String>,
    /// A raw score at or above this is in the clinical range.
    pub clinical: f64,
}

/// Norm scores from a file the user supplies.
#[derive(Debug, Clone, PartialEq)]
pub struct Norms {
    /// Rows of the norms file.
    pub rows: Vec<NormRow>,
    /// A norm score at or above this is in the clinical range.
    pub clinical_t: f64,
}

/// One row of a norms file: a raw score's norm score for a scale, sex and
/// age band.
#[derive(Debug, Clone, PartialEq)]
pub struct NormRow {
    /// `total` or a subscale name.
    pub scale: String,
    /// Sex code, or empty for both.
    pub sex: String,
    /// Inclusive age band.
    pub age: (i64, i64),
    /// Raw score (whole number; prorated scores are rounded half up).
    pub raw: i64,
    /// Norm score.
    pub t: f64,
}

/// A measure combining others.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Measure name.
    pub name: String,
    /// Human-readable label.
    pub label: Option<String>,
    /// Per respondent and wave, or per family and wave.
    pub level: Level,
    /// How the terms are combined.
    pub rule: Rule,
    /// The measures combined.
    pub terms: Vec<Term>,
}

/// Unit of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One value per respondent and wave.
    Respondent,
    /// One value per family (cluster) and wave.
    Family,
}

/// How values are combined: across terms, and (for family measures)
/// within a family across its respondents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// 1 if any value is non-zero; 0 if all are known and zero.
    Any,
    /// 1 if all values are known and non-zero; 0 if any is zero.
    All,
    /// The sum.
    Sum,
    /// The largest value.
    Max,
    /// The smallest value.
    Min,
    /// The mean.
    Mean,
}

/// One term of a derived measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The measure (`partner.annual`).
    pub measure: String,
    /// Family measures from respondent measures: how the family's
    /// respondents' values are combined.
    pub within: Option<Rule>,
}

const INSTRUMENT_KEYS: &[&str] = &[
    "name",
    "kind",
    "label",
    "reporter",
    "about",
    "counts",
    "before_code",
    "max_missing",
    "frequent_at",
    "groups",
    "items",
    "item_range",
    "reversed",
    "subscales",
    "age",
    "sex",
    "cutoffs",
    "norms",
];
const GROUP_KEYS: &[&str] = &["name", "severity", "items"];
const CUTOFF_KEYS: &[&str] = &["scale", "age", "sex", "clinical"];
const NORMS_KEYS: &[&str] = &["file", "clinical_t"];
const DERIVED_KEYS: &[&str] = &["name", "label", "level", "rule", "terms"];
const PLAIN_KEYS: &[&str] = &["variable", "label"];
const TERM_KEYS: &[&str] = &["measure", "within"];

/// Default incident counts of response codes 0-6 (category midpoints).
pub const DEFAULT_COUNTS: [f64; 7] = [0.0, 1.0, 2.0, 4.0, 8.0, 15.0, 25.0];

/// Reads a table's fields, collecting one message per problem.
struct Reader<'a> {
    table: &'a toml::Table,
    /// The section, in words, for messages (`[[instruments]] partner`).
    at: String,
    /// The table's dotted key path in the study file (`instruments.0`).
    path: String,
    positions: &'a Positions,
    problems: &'a mut Vec<StudyProblem>,
}

impl<'a> Reader<'a> {
    /// A reader of a table nested in this one (at key path `path`),
    /// reporting into the same list.
    fn nested<'b>(&'b mut self, table: &'b toml::Table, path: String, at: String) -> Reader<'b> {
        Reader {
            table,
            at,
            path,
            positions: self.positions,
            problems: &mut *self.problems,
        }
    }

    /// A problem at `key` of this table.
    fn bad_key(&mut self, key: &str, msg: String) {
        let path = format!("{}.{key}", self.path);
        self.problems.push(StudyProblem::at(
            self.positions,
            &path,
            format!("{}: {msg}", self.at),
        ));
    }

    fn known(&mut self, keys: &[&str]) {
        for key in self.table.keys() {
            if !keys.contains(&key.as_str()) {
                let hint = did_you_mean(key, keys)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("known keys: {}", keys.join(", ")));
                let path = format!("{}.{key}", self.path);
                self.problems.push(StudyProblem::at(
                    self.positions,
                    &path,
                    format!("{}: unknown key `{key}`; {hint}", self.at),
                ));
            }
        }
    }

    /// A problem of this table as a whole.
    fn bad(&mut self, msg: String) {
        self.problems.push(StudyProblem::at(
            self.positions,
            &self.path,
            format!("{}: {msg}", self.at),
        ));
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.table.get(key) {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(v) => {
                self.bad_key(key, format!("`{key}` must be a string, found {v}"));
                None
            }
        }
    }

    fn required_string(&mut self, key: &str) -> String {
        let s = self.string(key);
        if s.is_none() && !self.table.contains_key(key) {
            self.bad(format!("`{key}` is required"));
        }
        s.unwrap_or_default()
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        match self.table.get(key) {
            None => Vec::new(),
            Some(toml::Value::String(s)) => vec![s.clone()],
            Some(toml::Value::Array(a)) => {
                let out: Vec<String> = a
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                if out.len() != a.len() {
                    self.bad_key(key, format!("`{key}` must be a list of strings"));
                }
                out
            }
            Some(v) => {
                self.bad_key(key, format!("`{key}` must be a list of strings, found {v}"));
                Vec::new()
            }
        }
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        match self.table.get(key) {
            None => None,
            Some(toml::Value::Integer(i)) => Some(*i as f64),
            Some(toml::Value::Float(f)) if f.is_finite() => Some(*f),
            Some(v) => {
                self.bad_key(key, format!("`{key}` must be a number, found {v}"));
                None
            }
        }
    }

    fn count(&mut self, key: &str) -> Option<usize> {
        match self.table.get(key) {
            None => None,
            Some(toml::Value::Integer(i)) if *i >= 0 => Some(*i as usize),
            Some(v) => {
                self.bad_key(
                    key,
                    format!("`{key}` must be a whole number of at least 0, found {v}"),
                );
                None
            }
        }
    }

    fn pair(&mut self, key: &str) -> Option<(i64, i64)> {
        match self.table.get(key) {
            None => None,
            Some(toml::Value::Array(a)) if a.len() == 2 => {
                match (a[0].as_integer(), a[1].as_integer()) {
                    (Some(x), Some(y)) if x <= y => Some((x, y)),
                    _ => {
                        self.bad_key(
                            key,
                            format!("`{key}` must be [min, max] with whole numbers, min <= max"),
                        );
                        None
                    }
                }
            }
            Some(v) => {
                self.bad_key(key, format!("`{key}` must be [min, max], found {v}"));
                None
            }
        }
    }

    /// The tables under `key` with their key paths.
    fn tables(&mut self, key: &str) -> Vec<(String, &'a toml::Table)> {
        let table: &'a toml::Table = self.table;
        let path = format!("{}.{key}", self.path);
        match table.get(key) {
            None => Vec::new(),
            Some(toml::Value::Array(a)) => {
                let out: Vec<(String, &toml::Table)> = a
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.as_table().map(|t| (format!("{path}.{i}"), t)))
                    .collect();
                if out.len() != a.len() {
                    self.bad_key(key, format!("`{key}` must be a list of tables"));
                }
                out
            }
            Some(toml::Value::Table(t)) => vec![(path, t)],
            Some(v) => {
                self.bad_key(
                    key,
                    format!("`{key}` must be a table or a list of tables, found {v}"),
                );
                Vec::new()
            }
        }
    }
}

fn rule(name: &str) -> Option<Rule> {
    Some(match name {
        "any" => Rule::Any,
        "all" => Rule::All,
        "sum" => Rule::Sum,
        "max" => Rule::Max,
        "min" => Rule::Min,
        "mean" => Rule::Mean,
        _ => return None,
    })
}

const RULES: &[&str] = &["any", "all", "sum", "max", "min", "mean"];

impl Instruments {
    /// Reads and checks the `[[instruments]]`, `[[measures]]` and
    /// `[[derived]]` tables of a study file against its (valid) variables,
    /// with every problem located. Norms files are read relative to the
    /// study file.
    pub(crate) fn declared(
        raw_instruments: &[toml::Table],
        raw_plain: &[toml::Table],
        raw_derived: &[toml::Table],
        study: &Study,
    ) -> (Instruments, Vec<StudyProblem>) {
        let mut problems = Vec::new();
        let dir = study.path.parent().unwrap_or(Path::new("."));
        let mut instruments = Vec::new();
        for (i, t) in raw_instruments.iter().enumerate() {
            if let Some(inst) = instrument(t, i, study, dir, &mut problems) {
                instruments.push(inst);
            }
        }
        let mut plain = Vec::new();
        for (i, t) in raw_plain.iter().enumerate() {
            let name = t.get("variable").and_then(|v| v.as_str()).unwrap_or("?");
            let mut r = Reader {
                table: t,
                at: format!("[[measures]] {name}"),
                path: format!("measures.{i}"),
                positions: &study.positions,
                problems: &mut problems,
            };
            r.known(PLAIN_KEYS);
            let variable = r.required_string("variable");
            let label = r.string("label");
            match Plain::of(study, &variable, label) {
                Ok(p) => plain.push(p),
                Err(why) => r.bad(why),
            }
        }
        let mut derived = Vec::new();
        for (i, t) in raw_derived.iter().enumerate() {
            let name = t.get("name").and_then(|v| v.as_str()).unwrap_or("?");
            let mut r = Reader {
                table: t,
                at: format!("[[derived]] {name}"),
                path: format!("derived.{i}"),
                positions: &study.positions,
                problems: &mut problems,
            };
            r.known(DERIVED_KEYS);
            let name = r.required_string("name");
            let label = r.string("label");
            let level = match r.string("level").as_deref() {
                None | Some("respondent") => Level::Respondent,
                Some("family") => Level::Family,
                Some(other) => {
                    r.bad(format!(
                        "level \"{other}\" is not a level (expected \"respondent\" or \"family\")"
                    ));
                    Level::Respondent
                }
            };
            let rule_name = r.required_string("rule");
            let combine = rule(&rule_name);
            if combine.is_none() {
                let hint = did_you_mean(&rule_name, RULES)
                    .map(|s| format!("; did you mean \"{s}\"?"))
                    .unwrap_or_default();
                r.bad(format!(
                    "rule \"{rule_name}\" is not one of {}{hint}",
                    RULES.join(", ")
                ));
            }
            let mut terms = Vec::new();
            for (tpath, tt) in r.tables("terms") {
                let mut tr = r.nested(tt, tpath, format!("[[derived]] {name} term"));
                tr.known(TERM_KEYS);
                let measure = tr.required_string("measure");
                let within = match tr.string("within") {
                    None => None,
                    Some(w) => {
                        let parsed = rule(&w);
                        if parsed.is_none() {
                            tr.bad(format!("within \"{w}\" is not one of {}", RULES.join(", ")));
                        }
                        parsed
                    }
                };
                terms.push(Term { measure, within });
            }
            if terms.is_empty() {
                r.bad("`terms` must list at least one measure".into());
            }
            derived.push(Derived {
                name,
                label,
                level,
                rule: combine.unwrap_or(Rule::Any),
                terms,
            });
        }
        let set = Instruments {
            instruments,
            plain,
            derived,
        };
        set.check_measure_names(&study.positions, &mut problems);
        (set, problems)
    }

    /// Every term names a measure declared before it, at a level it can
    /// be used at; names are unique.
    fn check_measure_names(&self, positions: &Positions, problems: &mut Vec<StudyProblem>) {
        let mut known: Vec<(String, Level)> = self
            .instruments
            .iter()
            .flat_map(|i| {
                crate::measures::instrument_measures(i)
                    .into_iter()
                    .map(|m| (m.name, m.level))
            })
            .chain(
                self.plain
                    .iter()
                    .map(|p| (p.variable.clone(), Level::Respondent)),
            )
            .collect();
        for (i, d) in self.derived.iter().enumerate() {
            let mut push = |key: &str, msg: String| {
                problems.push(StudyProblem::at(
                    positions,
                    &format!("derived.{i}.{key}"),
                    msg,
                ))
            };
            if known.iter().any(|(n, _)| *n == d.name) {
                push(
                    "name",
                    format!(
                        "[[derived]] {}: a measure of that name exists already",
                        d.name
                    ),
                );
            }
            for t in &d.terms {
                match known.iter().find(|(n, _)| *n == t.measure) {
                    None => {
                        let names: Vec<&str> = known.iter().map(|(n, _)| n.as_str()).collect();
                        let hint = did_you_mean(&t.measure, &names)
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        push("terms", format!(
                            "[[derived]] {}: term `{}` is not a measure declared before it{hint}",
                            d.name, t.measure
                        ));
                    }
                    Some((_, Level::Family)) if d.level == Level::Respondent => push("terms", format!(
                        "[[derived]] {}: a respondent measure cannot use the family measure `{}`",
                        d.name, t.measure
                    )),
                    Some((_, Level::Respondent)) if d.level == Level::Family && t.within.is_none() => {
                        push("terms", format!(
                            "[[derived]] {}: term `{}` is a respondent measure; say how a family's respondents are combined with `within`",
                            d.name, t.measure
                        ))
                    }
                    _ => {}
                }
            }
            known.push((d.name.clone(), d.level));
        }
    }
}

fn instrument(
    t: &toml::Table,
    index: usize,
    study: &Study,
    dir: &Path,
    problems: &mut Vec<StudyProblem>,
) -> Option<Instrument> {
    let name = t
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_string();
    let mut r = Reader {
        table: t,
        at: format!("[[instruments]] {name}"),
        path: format!("instruments.{index}"),
        positions: &study.positions,
        problems,
    };
    r.known(INSTRUMENT_KEYS);
    let name = r.required_string("name");
    let label = r.string("label");
    let about = r.string("about");
    let reporters = r.strings("reporter");
    if let VarKind::Categorical { codes } = &study.role_variable().kind {
        for rep in &reporters {
            if !codes.iter().any(|c| &c.code == rep) {
                let names: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
                r.bad(format!(
                    "reporter \"{rep}\" is not a role code (codes: {})",
                    names.join(", ")
                ));
            }
        }
    }
    let kind_name = r.required_string("kind");
    let max_missing = r.count("max_missing").unwrap_or(0);
    let kind = match kind_name.as_str() {
        "incident_frequency" => {
            let without: Vec<&str> = study
                .waves
                .iter()
                .filter(|w| w.recall_months.is_none())
                .map(|w| w.label.as_str())
                .collect();
            if !without.is_empty() {
                r.bad(format!(
                    "an incident-frequency instrument scales counts to 12 months, so every \
                     wave needs `recall_months`; {} has none",
                    without.join(", ")
                ));
            }
            let counts = match r.table.get("counts") {
                None => DEFAULT_COUNTS.to_vec(),
                Some(toml::Value::Array(a)) => {
                    let c: Vec<f64> = a
                        .iter()
                        .filter_map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .collect();
                    if c.len() != a.len() || c.is_empty() {
                        r.bad("`counts` must be a list of numbers of at least 0".into());
                    }
                    c
                }
                Some(v) => {
                    r.bad(format!("`counts` must be a list of numbers, found {v}"));
                    DEFAULT_COUNTS.to_vec()
                }
            };
            let before_code = match r.table.get("before_code") {
                None => Some(7),
                Some(toml::Value::Integer(i)) => Some(*i),
                Some(toml::Value::Boolean(false)) => None,
                Some(v) => {
                    r.bad(format!(
                        "`before_code` must be a whole number or false, found {v}"
                    ));
                    None
                }
            };
            let frequent_at = r.number("frequent_at").unwrap_or(22.0);
            let mut groups = Vec::new();
            for (gpath, g) in r.tables("groups") {
                let gname = g
                    .get("name")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
                    .to_string();
                let mut gr = r.nested(g, gpath, format!("[[instruments]] {name} group {gname}"));
                gr.known(GROUP_KEYS);
                let gname = gr.required_string("name");
                let severe = match gr.required_string("severity").as_str() {
                    "minor" => false,
                    "severe" => true,
                    other => {
                        gr.bad(format!(
                            "severity \"{other}\" must be \"minor\" or \"severe\""
                        ));
                        false
                    }
                };
                let items = gr.strings("items");
                if items.is_empty() {
                    gr.bad("`items` must list at least one item".into());
                }
                for item in &items {
                    check_item(&mut gr, study, item, |min, max| {
                        // Every code but `before_code` needs a count.
                        let top = counts.len() as i64 - 1;
                        let counted_max = if before_code == Some(max) && min < max {
                            max - 1
                        } else {
                            max
                        };
                        let ok = min >= 0
                            && (counted_max <= top || before_code == Some(max) && min == max);
                        (!ok).then(|| {
                            let before = before_code
                                .map_or(String::new(), |b| format!(" (and before_code {b})"));
                            format!(
                                "its range [{min}, {max}] has codes without a count: `counts` covers the codes 0-{top}{before}"
                            )
                        })
                    });
                }
                groups.push(ItemGroup {
                    name: gname,
                    severe,
                    items,
                });
            }
            if groups.is_empty() {
                r.bad("an incident_frequency instrument needs [[instruments.groups]]".into());
            }
            if let Some(b) = before_code {
                if (b as usize) < counts.len() {
                    r.bad(format!(
                        "before_code {b} is also a counted response code (counts has {} entries)",
                        counts.len()
                    ));
                }
            }
            let all: Vec<&String> = groups.iter().flat_map(|g| &g.items).collect();
            for (i, item) in all.iter().enumerate() {
                if all[..i].contains(item) {
                    r.bad(format!("item {item} is in two groups"));
                }
            }
            InstrumentKind::IncidentFrequency(Frequency {
                counts,
                before_code,
                max_missing,
                frequent_at,
                groups,
            })
        }
        "sum_scale" => {
            let items = r.strings("items");
            if items.is_empty() {
                r.bad("`items` must list at least one item".into());
            }
            let item_range = r.pair("item_range");
            for item in &items {
                check_item(&mut r, study, item, |min, max| match item_range {
                    Some((lo, hi)) if min < lo || max > hi => Some(format!(
                        "its range [{min}, {max}] is outside item_range [{lo}, {hi}]"
                    )),
                    _ => None,
                });
            }
            let item_range = item_range.unwrap_or_else(|| {
                let ranges: Vec<(i64, i64)> = items
                    .iter()
                    .filter_map(|i| match study.variable(i).map(|v| &v.kind) {
                        Some(VarKind::Integer { min, max }) => Some((*min, *max)),
                        _ => None,
                    })
                    .collect();
                let lo = ranges.iter().map(|r| r.0).min().unwrap_or(0);
                let hi = ranges.iter().map(|r| r.1).max().unwrap_or(0);
                (lo, hi)
            });
            let reversed = r.strings("reversed");
            for item in &reversed {
                if !items.contains(item) {
                    r.bad(format!(
                        "reversed item {item} is not one of the scale's items"
                    ));
                }
            }
            if max_missing >= items.len() && !items.is_empty() {
                r.bad(format!(
                    "max_missing {max_missing} must be below the number of items ({})",
                    items.len()
                ));
            }
            let mut subscales = Vec::new();
            if let Some(v) = r.table.get("subscales") {
                match v.as_table() {
                    Some(t) => {
                        for (sname, list) in t {
                            let sitems: Vec<String> = list
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|x| x.as_str().map(String::from))
                                        .collect()
                                })
                                .unwrap_or_default();
                            if sitems.is_empty() {
                                r.bad(format!("subscale {sname} must list its items"));
                            }
                            for i in &sitems {
                                if !items.contains(i) {
                                    r.bad(format!("subscale {sname}: item {i} is not one of the scale's items"));
                                }
                            }
                            if sname == "total" {
                                r.bad("a subscale cannot be called \"total\"".into());
                            }
                            subscales.push((sname.clone(), sitems));
                        }
                    }
                    None => r.bad("`subscales` must be a table { name = [items] }".into()),
                }
            }
            let age = r.string("age");
            let sex = r.string("sex");
            for v in [&age, &sex].into_iter().flatten() {
                if study.variable(v).is_none() {
                    r.bad(format!("variable {v} is not declared"));
                }
            }
            // Age bands compare whole years: the age must be an integer.
            if let Some(a) = &age {
                if let Some(v) = study.variable(a) {
                    if !matches!(v.kind, VarKind::Integer { .. }) {
                        r.bad(format!(
                            "age variable {a} must be an integer variable (age bands compare years)"
                        ));
                    }
                }
            }
            let scale_names: Vec<String> = std::iter::once("total".to_string())
                .chain(subscales.iter().map(|s| s.0.clone()))
                .collect();
            let mut cutoffs = Vec::new();
            for (cpath, c) in r.tables("cutoffs") {
                let mut cr = r.nested(c, cpath, format!("[[instruments]] {name} cutoff"));
                cr.known(CUTOFF_KEYS);
                let scale = cr.string("scale").unwrap_or_else(|| "total".into());
                if !scale_names.contains(&scale) {
                    cr.bad(format!("scale \"{scale}\" is not total or a subscale"));
                }
                let band = cr.pair("age");
                let csex = cr.string("sex");
                let clinical = cr.number("clinical");
                if clinical.is_none() {
                    cr.bad("`clinical` (the raw cut-off) is required".into());
                }
                if band.is_some() && age.is_none() {
                    cr.bad("a cut-off by age needs the instrument's `age` variable".into());
                }
                if csex.is_some() && sex.is_none() {
                    cr.bad("a cut-off by sex needs the instrument's `sex` variable".into());
                }
                cutoffs.push(Cutoff {
                    scale,
                    age: band,
                    sex: csex,
                    clinical: clinical.unwrap_or(f64::INFINITY),
                });
            }
            let norms = match r.table.get("norms").and_then(|v| v.as_table()) {
                None => None,
                Some(nt) => {
                    let npath = format!("{}.norms", r.path);
                    let mut nr = r.nested(nt, npath, format!("[[instruments]] {name} norms"));
                    nr.known(NORMS_KEYS);
                    let file = nr.required_string("file");
                    let clinical_t = nr.number("clinical_t").unwrap_or(70.0);
                    match crate::norms::read_norms(&dir.join(&file)) {
                        Ok(rows) => Some(Norms { rows, clinical_t }),
                        Err(e) => {
                            nr.bad(e.to_string());
                            None
                        }
                    }
                }
            };
            InstrumentKind::SumScale(SumScale {
                items,
                item_range,
                reversed,
                max_missing,
                subscales,
                age,
                sex,
                cutoffs,
                norms,
            })
        }
        other => {
            let kinds = ["incident_frequency", "sum_scale"];
            let hint = did_you_mean(other, &kinds)
                .map(|s| format!("; did you mean \"{s}\"?"))
                .unwrap_or_default();
            r.bad(format!(
                "kind \"{other}\" is not one of {}{hint}",
                kinds.join(", ")
            ));
            return None;
        }
    };
    Some(Instrument {
        name,
        label,
        reporters,
        about,
        kind,
    })
}

/// An item must be a declared integer variable whose range fits:
/// `misfit` says why a range does not.
fn check_item(
    r: &mut Reader<'_>,
    study: &Study,
    item: &str,
    misfit: impl Fn(i64, i64) -> Option<String>,
) {
    match study.variable(item).map(|v| &v.kind) {
        Some(VarKind::Integer { min, max }) => {
            if let Some(why) = misfit(*min, *max) {
                r.bad_key("items", format!("item {item}: {why}"));
            }
        }
        Some(_) => r.bad_key("items", format!("item {item} must be an integer variable")),
        None => {
            let names: Vec<&str> = study.variables.iter().map(|v| v.name.as_str()).collect();
            let hint = did_you_mean(item, &names)
                .map(|s| format!("; did you mean {s}?"))
                .unwrap_or_default();
            r.bad_key(
                "items",
                format!("item {item} is not a declared variable{hint}"),
            );
        }
    }
}
