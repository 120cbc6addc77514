//! The study file: what the data files are, how they are laid out, and what
//! every column means.
//!
//! The text is parsed once into a document that keeps the position of
//! every key ([`Positions`]); from it, every key is checked against the
//! keys this version knows (an unknown key is an error with a "did you
//! mean" suggestion, because a misspelt optional key would otherwise be
//! silently ignored), and the values are read into typed, validated
//! values. Every problem is collected in that one pass, each with its
//! line, column and key ([`StudyProblem`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::StudyError;
use crate::instruments::Instruments;
use crate::locate::{position_of, Positions, StudyProblem};
use crate::suggest::did_you_mean;

/// A validated study file.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// The study's short name.
    pub name: String,
    /// Free text describing the study.
    pub description: Option<String>,
    /// The study file itself (as given), used in messages.
    pub path: PathBuf,
    /// Where and how the data are stored.
    pub data: DataSpec,
    /// The waves, ordered by `months` (never by label).
    pub waves: Vec<WaveSpec>,
    /// Every declared variable, in the order of the study file. The id
    /// columns (respondent, cluster) and the wave column are not variables.
    pub variables: Vec<Variable>,
    /// Disclosure-control settings for everything published.
    pub disclosure: Disclosure,
    /// The questionnaires and derived measures, typed and checked against
    /// the variables (scoring is `cohort-instruments`' job).
    pub instruments: Instruments,
    /// The models the report fits (`[[models]]`), in the file's order.
    pub models: Vec<crate::models::ModelSpec>,
    /// Dutch labels (`[labels.nl]`), by the name of a variable, a code
    /// (`variable.code`), an instrument or a measure.
    pub labels_nl: std::collections::BTreeMap<String, String>,
    /// Where every key of the study file stands.
    pub positions: Positions,
}

/// The `[data]` section.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    /// Data files, resolved relative to the study file's folder.
    pub files: Vec<PathBuf>,
    /// Long or wide.
    pub layout: Layout,
    /// Field delimiter: `b','` or `b';'` (or a tab).
    pub delimiter: u8,
    /// Decimal separator for float columns.
    pub decimal: Decimal,
    /// Column with the respondent id.
    pub respondent: String,
    /// Column with the cluster (family) id; `None` when the study has no
    /// clusters (each respondent is its own).
    pub cluster: Option<String>,
    /// Column with the respondent's role, a declared categorical variable;
    /// `None` when the study has one kind of respondent.
    pub role: Option<String>,
}

impl DataSpec {
    /// The column that says which cluster a respondent belongs to: the
    /// cluster column, or the respondent column when there is none.
    pub fn cluster_column(&self) -> &str {
        self.cluster.as_deref().unwrap_or(&self.respondent)
    }

    /// Whether respondents are grouped in clusters (families).
    pub fn clustered(&self) -> bool {
        self.cluster.is_some()
    }
}

/// How observations are laid out in the data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One row per respondent x wave; `wave` names the column holding the
    /// wave label.
    Long {
        /// The wave column.
        wave: String,
    },
    /// One row per respondent; time-varying variables have one column per
    /// wave, named by `pattern` (with `{var}` and `{wave}`).
    Wide {
        /// Column name pattern, e.g. `{var}_{wave}`.
        pattern: String,
    },
}

impl Layout {
    /// The column name of `var` at wave `wave` in a wide file.
    pub fn wide_column(pattern: &str, var: &str, wave: &str) -> String {
        pattern.replace("{var}", var).replace("{wave}", wave)
    }
}

/// Decimal separator of float values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    /// `1.5`
    Point,
    /// `1,5` (Dutch exports)
    Comma,
}

/// One wave of measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveSpec {
    /// The label used in the data (`T0`).
    pub label: String,
    /// Months since baseline; waves are ordered by this.
    pub months: f64,
    /// Length of the recall period the questions ask about, in months;
    /// needed by incident-frequency instruments, which scale counts to 12
    /// months.
    pub recall_months: Option<f64>,
}

/// A missing-value code and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCode {
    /// The code as it stands in the data (`-9`).
    pub code: String,
    /// Why the value is missing (`refused`).
    pub reason: String,
}

/// One declared column.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Column name (in a wide file: the `{var}` part).
    pub name: String,
    /// Human-readable label.
    pub label: Option<String>,
    /// Type and valid values.
    pub kind: VarKind,
    /// Must not change across a respondent's waves.
    pub time_invariant: bool,
    /// An empty cell is a problem rather than a missing value.
    pub required: bool,
    /// Missing codes that apply: the variable's own, then the global ones
    /// it does not override.
    pub missing: Vec<MissingCode>,
}

/// The type of a variable with its valid values.
#[derive(Debug, Clone, PartialEq)]
pub enum VarKind {
    /// Whole numbers within `[min, max]`.
    Integer {
        /// Smallest valid value.
        min: i64,
        /// Largest valid value.
        max: i64,
    },
    /// Real numbers within `[min, max]`.
    Float {
        /// Smallest valid value.
        min: f64,
        /// Largest valid value.
        max: f64,
    },
    /// One of the declared codes, each with a value label.
    Categorical {
        /// Codes in declared order.
        codes: Vec<CategoryCode>,
    },
    /// A calendar date, stored as days since 1970-01-01.
    Date {
        /// The layout of the date text.
        format: DateFormat,
        /// Earliest valid date (days since 1970-01-01).
        min: Option<i32>,
        /// Latest valid date (days since 1970-01-01).
        max: Option<i32>,
    },
    /// A free identifier other than the respondent and cluster ids.
    Id,
}

/// A categorical code and its value label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCode {
    /// The code as it stands in the data.
    pub code: String,
    /// The value label.
    pub label: String,
}

/// Supported date layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFormat {
    /// `2019-03-31`
    YearMonthDay,
    /// `31-03-2019`
    DayMonthYear,
    /// `31/03/2019`
    DayMonthYearSlash,
}

impl DateFormat {
    /// The spelling used in the study file.
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::YearMonthDay => "YYYY-MM-DD",
            DateFormat::DayMonthYear => "DD-MM-YYYY",
            DateFormat::DayMonthYearSlash => "DD/MM/YYYY",
        }
    }
}

/// The `[disclosure]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// Smallest count that may be published.
    pub min_cell: u32,
    /// Round published counts to a multiple of this (1 = no rounding).
    pub round_to: u32,
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure {
            min_cell: 10,
            round_to: 1,
        }
    }
}

/// The largest study file read, in bytes (16 MiB: a study file with
/// thousands of variables is well under 1 MiB).
pub const MAX_STUDY_BYTES: u64 = 16 << 20;

/// The longest study name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Most waves a study may have (a respondent's waves are kept in a bit set).
pub const MAX_WAVES: usize = 64;

// ---------------------------------------------------------------------------
// Raw form, exactly as in the file.

#[derive(Deserialize)]
struct RawStudy {
    study: RawMeta,
    data: RawData,
    waves: Vec<RawWave>,
    #[serde(default)]
    variables: Vec<RawVariable>,
    disclosure: Option<RawDisclosure>,
    #[serde(default)]
    instruments: Vec<toml::Table>,
    #[serde(default)]
    derived: Vec<toml::Table>,
    #[serde(default)]
    measures: Vec<toml::Table>,
    #[serde(default)]
    models: Vec<toml::Table>,
    #[serde(default)]
    labels: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct RawMeta {
    name: String,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawData {
    path: OneOrMany,
    layout: Option<String>,
    delimiter: Option<String>,
    decimal: Option<String>,
    respondent: String,
    cluster: Option<String>,
    role: Option<String>,
    wave: Option<String>,
    pattern: Option<String>,
    #[serde(default)]
    missing: toml::Table,
}

#[derive(Deserialize)]
struct RawWave {
    label: String,
    months: f64,
    recall_months: Option<f64>,
}

#[derive(Deserialize)]
struct RawVariable {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    label: Option<String>,
    range: Option<Vec<toml::Value>>,
    codes: Option<toml::Table>,
    #[serde(default)]
    missing: toml::Table,
    #[serde(default)]
    time_invariant: bool,
    #[serde(default)]
    required: bool,
    format: Option<String>,
}

#[derive(Deserialize)]
struct RawDisclosure {
    min_cell: Option<u32>,
    round_to: Option<u32>,
}

/// Keys this version knows, per section. Kept next to the raw structs so
/// that adding a field means adding its key here.
const TOP_KEYS: &[&str] = &[
    "study",
    "data",
    "waves",
    "variables",
    "disclosure",
    "instruments",
    "derived",
    "measures",
    "models",
    "labels",
];
const STUDY_KEYS: &[&str] = &["name", "description"];
const DATA_KEYS: &[&str] = &[
    "path",
    "layout",
    "delimiter",
    "decimal",
    "respondent",
    "cluster",
    "role",
    "wave",
    "pattern",
    "missing",
];
const WAVE_KEYS: &[&str] = &["label", "months", "recall_months"];
const VARIABLE_KEYS: &[&str] = &[
    "name",
    "type",
    "label",
    "range",
    "codes",
    "missing",
    "time_invariant",
    "required",
    "format",
];
const DISCLOSURE_KEYS: &[&str] = &["min_cell", "round_to"];

impl Study {
    /// The wave labels, in wave order.
    pub fn wave_labels(&self) -> Vec<String> {
        self.waves.iter().map(|w| w.label.clone()).collect()
    }

    /// Reads and validates the study file at `path`.
    pub fn from_path(path: &Path) -> Result<Study, StudyError> {
        let io = |source| StudyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() {
            return Err(StudyError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        // Read at most one byte past the limit: a longer file is refused
        // without reading it all (or a growing file forever).
        let mut text = String::new();
        let read = {
            use std::io::Read;
            std::fs::File::open(path)
                .map_err(io)?
                .take(MAX_STUDY_BYTES + 1)
                .read_to_string(&mut text)
                .map_err(io)?
        };
        if read as u64 > MAX_STUDY_BYTES {
            return Err(StudyError::TooLarge {
                path: path.to_path_buf(),
                limit: MAX_STUDY_BYTES,
            });
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        Study::from_str_in(&text, path, dir)
    }

    /// Parses study-file text; data paths are resolved against `dir`, and
    /// `path` is only used in messages. Lets tests work without files.
    pub fn from_str_in(text: &str, path: &Path, dir: &Path) -> Result<Study, StudyError> {
        // A parser's message quotes the offending line: at most 300
        // characters of each line of it.
        let toml_error = |message: String| StudyError::Toml {
            path: path.to_path_buf(),
            message: message
                .lines()
                .map(|l| {
                    if l.chars().count() > 300 {
                        l.chars().take(300).collect::<String>() + "…"
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        let doc = toml_edit::ImDocument::parse(text.to_string())
            .map_err(|e| toml_error(toml_edit::de::Error::from(e).to_string()))?;
        let positions = Positions::of(&doc, text);
        let table: toml::Table =
            toml_edit::de::from_document(doc.clone()).map_err(|e| toml_error(e.to_string()))?;
        let mut unknown = unknown_keys(&table, &positions);
        let mut raw: RawStudy = match toml_edit::de::from_document(doc) {
            Ok(raw) => raw,
            Err(e) => {
                // A missing or mistyped value, reported with the unknown
                // keys (often the same mistake: `recal_months`).
                let position = e.span().map(|s| position_of(text, s.start));
                unknown.push(StudyProblem {
                    position,
                    key: position
                        .and_then(|p| positions.key_at(p))
                        .unwrap_or_default(),
                    message: e.message().to_string(),
                });
                return Err(StudyError::Invalid {
                    path: path.to_path_buf(),
                    problems: unknown,
                });
            }
        };
        let raw_instruments = std::mem::take(&mut raw.instruments);
        let raw_derived = std::mem::take(&mut raw.derived);
        let raw_plain = std::mem::take(&mut raw.measures);
        let raw_labels = std::mem::take(&mut raw.labels);
        let raw_models = std::mem::take(&mut raw.models);
        let mut study = validate(raw, positions, unknown, path, dir)?;
        // The declarations need valid variables: they are checked once the
        // rest of the file is valid, and located the same way.
        let (instruments, problems) =
            Instruments::declared(&raw_instruments, &raw_plain, &raw_derived, &study);
        if !problems.is_empty() {
            return Err(StudyError::Invalid {
                path: path.to_path_buf(),
                problems,
            });
        }
        study.instruments = instruments;
        let (models, problems) = crate::models::declared(&raw_models, &study.positions);
        if !problems.is_empty() {
            return Err(StudyError::Invalid {
                path: path.to_path_buf(),
                problems,
            });
        }
        study.models = models;
        let (labels_nl, problems) = labels_nl(raw_labels, &study);
        if !problems.is_empty() {
            return Err(StudyError::Invalid {
                path: path.to_path_buf(),
                problems,
            });
        }
        study.labels_nl = labels_nl;
        Ok(study)
    }

    /// The role variable: the declared one, or, in a study without a role
    /// column, one role (`respondent`) that every respondent has.
    pub fn role_variable(&self) -> &Variable {
        static ONE_ROLE: std::sync::OnceLock<Variable> = std::sync::OnceLock::new();
        self.data
            .role
            .as_deref()
            .and_then(|r| self.variable(r))
            .unwrap_or_else(|| {
                ONE_ROLE.get_or_init(|| Variable {
                    name: "role".into(),
                    label: Some("Role".into()),
                    kind: VarKind::Categorical {
                        codes: vec![CategoryCode {
                            code: "respondent".into(),
                            label: "respondent".into(),
                        }],
                    },
                    time_invariant: true,
                    required: false,
                    missing: Vec::new(),
                })
            })
    }

    /// The declared variable called `name`.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// Position of the wave labelled `label` in wave order.
    pub fn wave_index(&self, label: &str) -> Option<usize> {
        self.waves.iter().position(|w| w.label == label)
    }
}

/// Every key this version does not know, as problems.
fn unknown_keys(table: &toml::Table, positions: &Positions) -> Vec<StudyProblem> {
    let mut problems = Vec::new();
    let mut check = |t: &toml::Table, at: &str, section: &str, known: &[&str]| {
        for key in t.keys() {
            if !known.contains(&key.as_str()) {
                let mut msg = format!("unknown key `{key}` in {section}");
                match did_you_mean(key, known) {
                    Some(s) => msg.push_str(&format!("; did you mean `{s}`?")),
                    None => msg.push_str(&format!("; known keys: {}", known.join(", "))),
                }
                let key_path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                problems.push(StudyProblem::at(positions, &key_path, msg));
            }
        }
    };
    check(table, "", "the top level", TOP_KEYS);
    let sub = |key: &str| table.get(key).and_then(|v| v.as_table());
    if let Some(t) = sub("study") {
        check(t, "study", "[study]", STUDY_KEYS);
    }
    if let Some(t) = sub("data") {
        check(t, "data", "[data]", DATA_KEYS);
    }
    if let Some(t) = sub("disclosure") {
        check(t, "disclosure", "[disclosure]", DISCLOSURE_KEYS);
    }
    for (key, known) in [
        ("waves", WAVE_KEYS),
        ("variables", VARIABLE_KEYS),
        ("models", crate::models::MODEL_KEYS),
    ] {
        if let Some(items) = table.get(key).and_then(|v| v.as_array()) {
            for (i, item) in items.iter().enumerate() {
                if let Some(item) = item.as_table() {
                    check(item, &format!("{key}.{i}"), &format!("[[{key}]]"), known);
                }
            }
        }
    }
    problems
}

/// Study-file problems, each located at its key.
struct Problems<'a> {
    positions: &'a Positions,
    list: Vec<StudyProblem>,
}

impl Problems<'_> {
    fn at(&mut self, key: &str, message: impl Into<String>) {
        self.list
            .push(StudyProblem::at(self.positions, key, message.into()));
    }
}

fn validate(
    raw: RawStudy,
    positions: Positions,
    unknown_keys: Vec<StudyProblem>,
    path: &Path,
    dir: &Path,
) -> Result<Study, StudyError> {
    let mut problems = Problems {
        positions: &positions,
        list: unknown_keys,
    };
    let d = raw.data;
    if raw.study.name.chars().count() > MAX_NAME_CHARS {
        problems.at(
            "study.name",
            format!(
                "[study] name has {} characters; expected at most {MAX_NAME_CHARS} (it titles every page and figure)",
                raw.study.name.chars().count()
            ),
        );
    }

    let names: Vec<String> = match d.path {
        OneOrMany::One(p) => vec![p],
        OneOrMany::Many(ps) => ps,
    };
    for name in &names {
        if name.trim().is_empty() {
            problems.at("data.path", "[data] path: a file name is empty");
        } else if name.chars().any(char::is_control) {
            problems.at(
                "data.path",
                format!(
                    "[data] path \"{}\" contains a control character; expected a file name",
                    crate::report::show_value(name.as_bytes())
                ),
            );
        }
    }
    let files: Vec<PathBuf> = names.iter().map(|p| dir.join(p)).collect();
    if files.is_empty() {
        problems.at("data.path", "[data] path: no data file named");
    }
    let layout = match d.layout.as_deref().unwrap_or("long") {
        "long" => match d.wave {
            Some(wave) => Layout::Long { wave },
            None => {
                problems.at(
                    "data",
                    "[data] layout \"long\" needs `wave`, the column with the wave label",
                );
                Layout::Long {
                    wave: String::new(),
                }
            }
        },
        "wide" => {
            let pattern = d.pattern.unwrap_or_else(|| "{var}_{wave}".to_string());
            if !pattern.contains("{var}") || !pattern.contains("{wave}") {
                problems.at(
                    "data.pattern",
                    format!("[data] pattern \"{pattern}\" must contain both {{var}} and {{wave}}"),
                );
            }
            Layout::Wide { pattern }
        }
        other => {
            problems.at(
                "data.layout",
                format!(
                    "[data] layout: \"{other}\" is not a layout (expected \"long\" or \"wide\")"
                ),
            );
            Layout::Long {
                wave: String::new(),
            }
        }
    };
    let delimiter = match d.delimiter.as_deref().unwrap_or(",") {
        "," => b',',
        ";" => b';',
        "\t" | "tab" => b'\t',
        other => {
            problems.at(
                "data.delimiter",
                format!(
                "[data] delimiter: \"{other}\" is not supported (expected \",\", \";\" or \"tab\")"
            ),
            );
            b','
        }
    };
    let decimal = match d.decimal.as_deref().unwrap_or(".") {
        "." => Decimal::Point,
        "," => Decimal::Comma,
        other => {
            problems.at(
                "data.decimal",
                format!("[data] decimal: \"{other}\" is not supported (expected \".\" or \",\")"),
            );
            Decimal::Point
        }
    };
    if decimal == Decimal::Comma && delimiter == b',' {
        problems.at(
            "data.decimal",
            "[data] decimal \",\" needs another delimiter: set delimiter = \";\"",
        );
    }
    let mut global_missing: Vec<MissingCode> = Vec::new();
    for (code, reason) in d.missing {
        match reason.as_str() {
            Some(r) => global_missing.push(MissingCode {
                code,
                reason: r.to_string(),
            }),
            None => problems.at(
                &format!("data.missing.{code}"),
                format!("[data] missing: the reason for code {code} must be a string"),
            ),
        }
    }

    // Waves, ordered by months.
    let mut waves: Vec<WaveSpec> = raw
        .waves
        .into_iter()
        .map(|w| WaveSpec {
            label: w.label,
            months: w.months,
            recall_months: w.recall_months,
        })
        .collect();
    if waves.is_empty() {
        problems.at("waves", "[[waves]]: no wave declared");
    }
    if waves.len() > MAX_WAVES {
        problems.at(
            "waves",
            format!(
                "[[waves]]: {} waves declared, at most {MAX_WAVES} are supported",
                waves.len()
            ),
        );
    }
    for (i, w) in waves.iter().enumerate() {
        if w.label.trim().is_empty() {
            problems.at(
                &format!("waves.{i}.label"),
                "[[waves]]: a wave label is empty; expected a label such as \"T0\"",
            );
        }
        if !w.months.is_finite() || w.recall_months.is_some_and(|r| !r.is_finite() || r <= 0.0) {
            problems.at(
                &format!("waves.{i}.months"),
                format!(
                    "[[waves]] {}: months must be a number and recall_months a positive number",
                    w.label
                ),
            );
        }
        if waves[..i].iter().any(|o| o.label == w.label) {
            problems.at(
                &format!("waves.{i}.label"),
                format!("[[waves]]: label \"{}\" is declared twice", w.label),
            );
        }
    }
    waves.sort_by(|a, b| a.months.total_cmp(&b.months));
    for pair in waves.windows(2) {
        if pair[0].months == pair[1].months {
            problems.at(
                "waves",
                format!(
                    "[[waves]]: {} and {} have the same months ({}); waves are ordered by months",
                    pair[0].label, pair[1].label, pair[0].months
                ),
            );
        }
    }

    // Variables.
    let mut variables = Vec::new();
    // The study-file index of each variable, for positions.
    let mut index_of = std::collections::BTreeMap::new();
    for (i, rv) in raw.variables.into_iter().enumerate() {
        if variables.iter().any(|v: &Variable| v.name == rv.name) {
            problems.at(
                &format!("variables.{i}.name"),
                format!("[[variables]]: \"{}\" is declared twice", rv.name),
            );
            continue;
        }
        index_of.insert(rv.name.clone(), i);
        let is_key = rv.name == d.respondent || Some(&rv.name) == d.cluster.as_ref();
        if let Some(v) = variable(rv, i, is_key, &global_missing, &mut problems) {
            variables.push(v);
        }
    }
    let var_key = |name: &str, field: &str| match index_of.get(name) {
        Some(i) => format!("variables.{i}.{field}"),
        None => "variables".to_string(),
    };
    for key in std::iter::once(&d.respondent).chain(d.cluster.as_ref()) {
        if let Some(v) = variables.iter().find(|v| &v.name == key) {
            if v.kind != VarKind::Id {
                problems.at(
                    &var_key(key, "type"),
                    format!("[[variables]] {key}: the id column must have type \"id\""),
                );
            }
        }
    }
    if let Some(role) = &d.role {
        match variables.iter().find(|v| &v.name == role) {
            Some(v) if matches!(v.kind, VarKind::Categorical { .. }) => {}
            Some(_) => problems.at(
                &var_key(role, "type"),
                format!("[[variables]] {role}: the role column must be categorical, with its codes"),
            ),
            // Declared but invalid: its own problems say why.
            None if index_of.contains_key(role) => {}
            None => problems.at(
                "data.role",
                format!(
                    "[data] role = \"{role}\": declare it as a categorical [[variables]] entry with its codes"
                ),
            ),
        }
    }
    if let Layout::Long { wave } = &layout {
        if variables.iter().any(|v| &v.name == wave) {
            problems.at(&var_key(wave, "name"), format!(
                "[[variables]] {wave}: the wave column is not a variable; its values are the [[waves]] labels"
            ));
        }
    }
    // Id columns are keys, not variables.
    variables.retain(|v| v.name != d.respondent && Some(&v.name) != d.cluster.as_ref());
    if let Layout::Wide { pattern } = &layout {
        // Each column of a wide file belongs to one variable and wave.
        let mut owner = std::collections::BTreeMap::new();
        owner.insert(d.respondent.clone(), "the respondent id".to_string());
        if let Some(cluster) = &d.cluster {
            owner.insert(cluster.clone(), "the cluster id".to_string());
        }
        for v in &variables {
            let columns: Vec<(String, String)> =
                if v.time_invariant || Some(&v.name) == d.role.as_ref() {
                    vec![(v.name.clone(), format!("the time-invariant \"{}\"", v.name))]
                } else {
                    waves
                        .iter()
                        .map(|w| {
                            let column = Layout::wide_column(pattern, &v.name, &w.label);
                            (column, format!("the {} column of \"{}\"", w.label, v.name))
                        })
                        .collect()
                };
            for (column, what) in columns {
                if let Some(first) = owner.get(&column) {
                    problems.at(
                        &var_key(&v.name, "name"),
                        format!(
                            "[[variables]] {}: column \"{column}\" would be both {first} and \
                             {what} (pattern \"{pattern}\"); rename one of them",
                            v.name
                        ),
                    );
                } else {
                    owner.insert(column, what);
                }
            }
        }
    }

    let disclosure = match raw.disclosure {
        None => Disclosure::default(),
        Some(rd) => {
            let dflt = Disclosure::default();
            let dc = Disclosure {
                min_cell: rd.min_cell.unwrap_or(dflt.min_cell),
                round_to: rd.round_to.unwrap_or(dflt.round_to),
            };
            if dc.round_to == 0 {
                problems.at(
                    "disclosure.round_to",
                    "[disclosure] round_to must be at least 1 (1 = no rounding)",
                );
            }
            dc
        }
    };

    if !problems.list.is_empty() {
        return Err(StudyError::Invalid {
            path: path.to_path_buf(),
            problems: problems.list,
        });
    }
    Ok(Study {
        name: raw.study.name,
        description: raw.study.description,
        path: path.to_path_buf(),
        data: DataSpec {
            files,
            layout,
            delimiter,
            decimal,
            respondent: d.respondent,
            cluster: d.cluster,
            role: d.role,
        },
        waves,
        variables,
        disclosure,
        instruments: Instruments::default(),
        models: Vec::new(),
        labels_nl: Default::default(),
        positions,
    })
}

/// The `[labels.nl]` table, every key checked to name a variable, a code
/// of a categorical variable (`variable.code`), an instrument or a measure;
/// `nl` is the only language.
fn labels_nl(
    raw: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    study: &Study,
) -> (
    std::collections::BTreeMap<String, String>,
    Vec<StudyProblem>,
) {
    let mut problems = Vec::new();
    // The study's description, then every name.
    let mut known: Vec<String> = vec!["description".to_string()];
    for v in std::iter::once(study.role_variable()).chain(&study.variables) {
        known.push(v.name.clone());
        if let VarKind::Categorical { codes } = &v.kind {
            known.extend(codes.iter().map(|c| format!("{}.{}", v.name, c.code)));
        }
    }
    let i = &study.instruments;
    known.extend(i.instruments.iter().map(|x| x.name.clone()));
    known.extend(
        i.instruments
            .iter()
            .flat_map(crate::measures::instrument_measures)
            .map(|m| m.name),
    );
    known.extend(i.derived.iter().map(|d| d.name.clone()));
    known.extend(study.models.iter().map(|m| m.name.clone()));
    let mut out = std::collections::BTreeMap::new();
    for (lang, labels) in raw {
        if lang != "nl" {
            problems.push(StudyProblem::at(
                &study.positions,
                &format!("labels.{lang}"),
                format!("[labels.{lang}]: only Dutch labels ([labels.nl]) are supported"),
            ));
            continue;
        }
        for (key, label) in labels {
            if known.contains(&key) {
                out.insert(key, label);
            } else {
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                let hint = did_you_mean(&key, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                problems.push(StudyProblem::at(
                    &study.positions,
                    &format!("labels.nl.{key}"),
                    format!(
                        "[labels.nl] \"{key}\" is no variable, code (variable.code), \
                         instrument or measure of the study{hint}"
                    ),
                ));
            }
        }
    }
    (out, problems)
}

/// A validated variable, or `None` with its problems added to `problems`
/// (`i`: its index among the study file's `[[variables]]`).
fn variable(
    rv: RawVariable,
    i: usize,
    is_key: bool,
    global_missing: &[MissingCode],
    problems: &mut Problems<'_>,
) -> Option<Variable> {
    let name = rv.name;
    let before = problems.list.len();
    // Set by `here`: the declaration has a problem.
    let flawed = std::cell::Cell::new(false);
    let mut here = |field: &str, msg: String| {
        flawed.set(true);
        problems.at(
            &format!("variables.{i}.{field}"),
            format!("[[variables]] {name}: {msg}"),
        )
    };
    let range = rv.range.unwrap_or_default();
    if !range.is_empty() && range.len() != 2 {
        here(
            "range",
            format!(
                "range must have two values [min, max], found {}",
                range.len()
            ),
        );
    }
    let kind = match rv.kind.as_str() {
        "integer" => {
            let (mut min, mut max) = (i64::MIN / 4, i64::MAX / 4);
            if range.len() == 2 {
                match (range[0].as_integer(), range[1].as_integer()) {
                    (Some(a), Some(b)) => (min, max) = (a, b),
                    _ => here(
                        "range",
                        "range of an integer must be two whole numbers".into(),
                    ),
                }
            }
            if min > max {
                here("range", format!("range [{min}, {max}] is empty"));
            }
            VarKind::Integer { min, max }
        }
        "float" => {
            let (mut min, mut max) = (f64::NEG_INFINITY, f64::INFINITY);
            if range.len() == 2 {
                let num = |v: &toml::Value| v.as_float().or(v.as_integer().map(|i| i as f64));
                match (num(&range[0]), num(&range[1])) {
                    (Some(a), Some(b)) => (min, max) = (a, b),
                    _ => here("range", "range of a float must be two numbers".into()),
                }
            }
            if min.is_nan() || max.is_nan() {
                here("range", "a range bound is nan; expected a number".into());
            } else if min > max {
                here("range", format!("range [{min}, {max}] is empty"));
            }
            VarKind::Float { min, max }
        }
        "categorical" => {
            let mut codes = Vec::new();
            match &rv.codes {
                None => here("type", "a categorical variable needs `codes`".into()),
                Some(t) => {
                    for (code, label) in t {
                        match label.as_str() {
                            Some(l) => codes.push(CategoryCode {
                                code: code.clone(),
                                label: l.to_string(),
                            }),
                            None => here(
                                &format!("codes.{code}"),
                                format!("the label of code {code} must be a string"),
                            ),
                        }
                    }
                    if codes.is_empty() {
                        here("codes", "`codes` is empty".into());
                    }
                    if codes.len() > 60_000 {
                        here("codes", "more than 60,000 codes".into());
                    }
                }
            }
            VarKind::Categorical { codes }
        }
        "date" => {
            let format = match rv.format.as_deref().unwrap_or("YYYY-MM-DD") {
                "YYYY-MM-DD" => DateFormat::YearMonthDay,
                "DD-MM-YYYY" => DateFormat::DayMonthYear,
                "DD/MM/YYYY" => DateFormat::DayMonthYearSlash,
                other => {
                    here("format", format!(
                        "date format \"{other}\" is not supported (expected YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY)"
                    ));
                    DateFormat::YearMonthDay
                }
            };
            let mut bounds = [None, None];
            if range.len() == 2 {
                for (slot, v) in bounds.iter_mut().zip(&range) {
                    match v
                        .as_str()
                        .and_then(|s| crate::value::parse_date(s.as_bytes(), format))
                    {
                        Some(d) => *slot = Some(d),
                        None => here(
                            "range",
                            format!(
                                "range bound {v} is not a date in the format {}",
                                format.as_str()
                            ),
                        ),
                    }
                }
            }
            if let [Some(a), Some(b)] = bounds {
                if a > b {
                    here(
                        "range",
                        format!("range [{}, {}] is empty", range[0], range[1]),
                    );
                }
            }
            VarKind::Date {
                format,
                min: bounds[0],
                max: bounds[1],
            }
        }
        "id" => VarKind::Id,
        other => {
            let known = ["integer", "float", "categorical", "date", "id"];
            let hint = did_you_mean(other, &known)
                .map(|s| format!("did you mean \"{s}\"?"))
                .unwrap_or_else(|| format!("expected one of {}", known.join(", ")));
            here("type", format!("type \"{other}\" is not a type; {hint}"));
            VarKind::Id
        }
    };
    if rv.codes.is_some() && !matches!(kind, VarKind::Categorical { .. }) {
        here(
            "codes",
            "`codes` only applies to type \"categorical\"".into(),
        );
    }
    if rv.format.is_some() && !matches!(kind, VarKind::Date { .. }) {
        here("format", "`format` only applies to type \"date\"".into());
    }

    let mut missing: Vec<MissingCode> = Vec::new();
    for (code, reason) in &rv.missing {
        match reason.as_str() {
            Some(r) => missing.push(MissingCode {
                code: code.clone(),
                reason: r.to_string(),
            }),
            None => here(
                &format!("missing.{code}"),
                format!("the reason for missing code {code} must be a string"),
            ),
        }
    }
    for g in global_missing {
        if !missing.iter().any(|m| m.code == g.code) {
            missing.push(g.clone());
        }
    }
    if kind == VarKind::Id || is_key {
        // A key's type problem is said where keys are checked; missing
        // codes do not apply to it.
        missing.clear();
    }
    // A variable whose declaration already has a problem is not checked
    // further: its range may be a stand-in.
    if !flawed.get() && matches!(kind, VarKind::Integer { .. }) && range.is_empty() {
        let whole: Vec<&str> = missing
            .iter()
            .map(|m| m.code.as_str())
            .filter(|c| c.trim().parse::<i64>().is_ok())
            .collect();
        if !whole.is_empty() {
            here(
                "type",
                format!(
                    "an integer without a declared range takes every whole number, so its \
                     missing codes {} cannot be told from values; declare range = [min, max]",
                    whole.join(", ")
                ),
            );
        }
    } else if !flawed.get() {
        for m in &missing {
            if let Some(clash) = missing_clash(&kind, &m.code) {
                here(
                    "missing",
                    format!("missing code {} ({}) {clash}", m.code, m.reason),
                );
            }
        }
    }
    if problems.list.len() > before {
        return None;
    }
    Some(Variable {
        name,
        label: rv.label,
        kind,
        time_invariant: rv.time_invariant,
        required: rv.required,
        missing,
    })
}

/// Whether `code` is one of Stata's extended missing values, `.a` to
/// `.z`: no number, but what a numeric column of a .dta file holds.
fn is_stata_missing(code: &str) -> bool {
    matches!(code.as_bytes(), [b'.', c] if c.is_ascii_lowercase())
}

/// Why a missing code cannot be told apart from a valid value, if so.
fn missing_clash(kind: &VarKind, code: &str) -> Option<String> {
    if is_stata_missing(code.trim())
        && matches!(kind, VarKind::Integer { .. } | VarKind::Float { .. })
    {
        return None;
    }
    match kind {
        VarKind::Integer { min, max } => match code.trim().parse::<i64>() {
            Ok(v) if (*min..=*max).contains(&v) => {
                Some(format!("lies inside the valid range [{min}, {max}]"))
            }
            Ok(_) => None,
            Err(_) => Some("is not a whole number, so it cannot occur in an integer column".into()),
        },
        VarKind::Float { min, max } => match code.trim().parse::<f64>() {
            Ok(v) if v >= *min && v <= *max => {
                Some(format!("lies inside the valid range [{min}, {max}]"))
            }
            Ok(_) => None,
            Err(_) => Some("is not a number, so it cannot occur in a float column".into()),
        },
        VarKind::Categorical { codes } => codes
            .iter()
            .any(|c| c.code == code)
            .then(|| "is also a category code".to_string()),
        VarKind::Date { .. } | VarKind::Id => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[study]
name = "t"
[data]
path = "p.csv"
respondent = "rid"
cluster = "fid"
role = "role"
wave = "wave"
missing = { -9 = "refused" }
[[waves]]
label = "T1"
months = 12
recall_months = 12
[[waves]]
label = "T0"
months = 0
recall_months = 12
[[variables]]
name = "role"
type = "categorical"
codes = { parent = "Parent", child = "Child" }
[[variables]]
name = "x"
type = "integer"
range = [0, 7]
missing = { -8 = "don't know" }
"#;

    fn parse(text: &str) -> Result<Study, StudyError> {
        Study::from_str_in(text, Path::new("study.toml"), Path::new("/data"))
    }

    #[test]
    fn waves_are_ordered_by_months_not_label() {
        let s = parse(MINIMAL).unwrap();
        let labels: Vec<_> = s.waves.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(labels, ["T0", "T1"]);
        assert_eq!(s.data.files, vec![PathBuf::from("/data/p.csv")]);
    }

    #[test]
    fn own_missing_codes_come_first_then_global() {
        let s = parse(MINIMAL).unwrap();
        let codes: Vec<_> = s
            .variable("x")
            .unwrap()
            .missing
            .iter()
            .map(|m| m.code.as_str())
            .collect();
        assert_eq!(codes, ["-8", "-9"]);
    }

    #[test]
    fn unknown_key_suggests_the_nearest_known_key() {
        let text = MINIMAL.replace(
            "recall_months = 12\n[[waves]]",
            "recal_months = 12\n[[waves]]",
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("unknown key `recal_months` in [[waves]]"),
            "{err}"
        );
        assert!(err.contains("did you mean `recall_months`?"), "{err}");
        assert!(err.contains("line 14"), "{err}");
    }

    #[test]
    fn cluster_and_role_are_optional() {
        let text = MINIMAL
            .replace("cluster = \"fid\"\nrole = \"role\"\n", "")
            .replace(
                "[[variables]]\nname = \"role\"\ntype = \"categorical\"\ncodes = { parent = \"Parent\", child = \"Child\" }\n",
                "",
            );
        assert!(!text.contains("role") && !text.contains("fid"), "{text}");
        let s = parse(&text).unwrap();
        assert!(!s.data.clustered());
        assert_eq!(s.data.cluster_column(), "rid");
        assert_eq!(s.role_variable().name, "role");
        assert_eq!(s.variables.len(), 1, "only x");
    }

    #[test]
    fn incident_counts_need_every_recall_period() {
        let text = MINIMAL.replacen("recall_months = 12\n", "", 1)
            + r#"
[[instruments]]
name = "cts"
kind = "incident_frequency"
[[instruments.groups]]
name = "g"
severity = "minor"
items = ["x"]
"#;
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("every wave needs `recall_months`; T1 has none"),
            "{err}"
        );
        // Without the instrument the recall period may be left out.
        assert!(parse(&MINIMAL.replacen("recall_months = 12\n", "", 1)).is_ok());
    }

    #[test]
    fn a_plain_measure_is_a_numeric_or_yes_no_variable() {
        let ok = format!("{MINIMAL}[[measures]]\nvariable = \"x\"\nlabel = \"X score\"\n");
        let s = parse(&ok).unwrap();
        assert_eq!(s.instruments.plain.len(), 1);
        assert_eq!(s.instruments.plain[0].label, "X score");
        assert_eq!(s.instruments.plain[0].kind, crate::MeasureKind::Count);
        let bad = format!("{MINIMAL}[[measures]]\nvariable = \"role\"\n");
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.contains("the role column, not a measure"), "{err}");
        let bad = format!("{MINIMAL}[[measures]]\nvariable = \"z\"\n");
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.contains("`z` is not a declared variable"), "{err}");
    }

    #[test]
    fn dutch_labels_name_what_the_study_declares() {
        let ok = format!("{MINIMAL}[labels.nl]\n\"x\" = \"X-score\"\n\"role.child\" = \"Kind\"\n");
        let s = parse(&ok).unwrap();
        assert_eq!(
            s.labels_nl.get("role.child").map(String::as_str),
            Some("Kind")
        );
        let bad = format!("{MINIMAL}[labels.nl]\n\"role.chlid\" = \"Kind\"\n");
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.contains("\"role.chlid\" is no variable"), "{err}");
        assert!(err.contains("did you mean `role.child`?"), "{err}");
        let bad = format!("{MINIMAL}[labels.de]\n\"x\" = \"X\"\n");
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.contains("only Dutch labels"), "{err}");
    }

    #[test]
    fn missing_code_inside_range_is_refused() {
        let text = MINIMAL.replace("-8 = \"don't know\"", "7 = \"don't know\"");
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("missing code 7 (don't know) lies inside the valid range [0, 7]"),
            "{err}"
        );
    }
}
