//! What a load found: every problem with where it is, and the accounting of
//! every row read (read = kept + excluded, by reason).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// How many problems are kept with their full text; the rest are counted.
pub const PROBLEMS_KEPT: usize = 50;

/// The kinds of problem a load can find. Each is either about a whole file
/// (the file cannot be read on), a row (the row is excluded in lenient
/// mode) or a value (the value is excluded in lenient mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The data file cannot be opened or read.
    Io,
    /// The data path is not a regular file (a directory, device or pipe).
    NotAFile,
    /// The file is of another format (SPSS, Stata, Parquet, Excel, a
    /// compressed file): cohort reads CSV.
    OtherFormat,
    /// Nothing was kept: every row was excluded (a lenient run that keeps
    /// no row is a failure).
    NothingKept,
    /// The file has no header.
    EmptyFile,
    /// The file has a header and no data row.
    HeaderOnly,
    /// A row (or the header) longer than `MAX_RECORD_BYTES`: reading stops.
    RecordTooLong,
    /// The header has one column, and another delimiter appears in it.
    WrongDelimiter,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// A column in the file that the study file does not declare.
    UnknownColumn,
    /// A column the study file needs that the file lacks.
    MissingColumn,
    /// Two columns with the same name.
    DuplicateColumn,
    /// A row with more or fewer fields than the header.
    RaggedRow,
    /// A quote that is not closed on its line: the lines up to the next
    /// closing quote were read as one row.
    UnclosedQuote,
    /// An empty respondent or cluster id.
    MissingId,
    /// An id with a control character or byte-order mark in it.
    InvalidId,
    /// A wave label that is not declared.
    UndeclaredWave,
    /// A second row for the same respondent and wave.
    DuplicateObservation,
    /// A respondent whose cluster differs between rows.
    RespondentInTwoClusters,
    /// A wide row with no value at any wave.
    NoObservation,
    /// A value that is not of the declared type.
    UnparsableValue,
    /// A number or date outside the declared range.
    OutOfRange,
    /// A code that is neither a declared category nor a missing code.
    UndeclaredCode,
    /// An empty cell in a required variable.
    RequiredValueMissing,
    /// A time-invariant variable (or the role) that changes across waves.
    TimeInvariantChanged,
}

/// Where a problem's consequences reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The file cannot be read on.
    File,
    /// The row is excluded.
    Row,
    /// The value is excluded.
    Value,
}

impl ProblemKind {
    /// Whether the problem stops the file, excludes the row or the value.
    pub fn scope(self) -> Scope {
        use ProblemKind::*;
        match self {
            Io | NotAFile | OtherFormat | NothingKept | EmptyFile | HeaderOnly | RecordTooLong
            | WrongDelimiter | MissingColumn | DuplicateColumn => Scope::File,
            InvalidUtf8
            | RaggedRow
            | UnclosedQuote
            | MissingId
            | InvalidId
            | UndeclaredWave
            | DuplicateObservation
            | RespondentInTwoClusters
            | NoObservation => Scope::Row,
            UnknownColumn | UnparsableValue | OutOfRange | UndeclaredCode
            | RequiredValueMissing | TimeInvariantChanged => Scope::Value,
        }
    }

    /// The snake_case name used in JSON and in the text report.
    pub fn name(self) -> String {
        serde_json_name(self)
    }
}

fn serde_json_name(kind: ProblemKind) -> String {
    // The Debug name in snake_case, the same spelling serde uses.
    let debug = format!("{kind:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// One problem, with where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The file, as named in the study file.
    pub file: String,
    /// 1-based line of the row, when the problem is in a row.
    pub line: Option<u64>,
    /// Column name, when the problem is in a column.
    pub column: Option<String>,
    /// 1-based column number.
    pub column_number: Option<usize>,
    /// The offending value (at most 40 characters; never more of the row).
    pub value: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        match (&self.column, self.column_number) {
            (Some(c), Some(n)) => write!(f, ", column {c} (#{n})")?,
            (Some(c), None) => write!(f, ", column {c}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)
    }
}

/// Rows read, kept and excluded for one data file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileAccount {
    /// The file, as named in the study file.
    pub file: String,
    /// Data rows read (the header not counted).
    pub rows_read: u64,
    /// Rows that gave observations.
    pub rows_kept: u64,
    /// Rows excluded, by the first reason found.
    pub rows_excluded: BTreeMap<ProblemKind, u64>,
}

/// Everything a load found: row accounting per file, values excluded and
/// the problems.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadReport {
    /// Whether problems exclude rows and values (lenient) or fail (strict).
    pub lenient: bool,
    /// One entry per data file.
    pub files: Vec<FileAccount>,
    /// Observations (respondent x wave) in the panel.
    pub observations: u64,
    /// Values excluded (set missing with reason `excluded`), by reason.
    pub values_excluded: BTreeMap<ProblemKind, u64>,
    /// Columns in the files that were not declared and were not read.
    pub ignored_columns: Vec<String>,
    /// Number of problems by kind (all of them).
    pub problems_by_kind: BTreeMap<ProblemKind, u64>,
    /// The first [`PROBLEMS_KEPT`] problems in full.
    pub problems: Vec<Problem>,
}

impl LoadReport {
    /// Total number of problems found.
    pub fn problem_count(&self) -> u64 {
        self.problems_by_kind.values().sum()
    }

    /// Rows read over all files.
    pub fn rows_read(&self) -> u64 {
        self.files.iter().map(|f| f.rows_read).sum()
    }

    /// Rows kept over all files.
    pub fn rows_kept(&self) -> u64 {
        self.files.iter().map(|f| f.rows_kept).sum()
    }

    /// Rows excluded over all files, by reason.
    pub fn rows_excluded(&self) -> BTreeMap<ProblemKind, u64> {
        let mut out = BTreeMap::new();
        for f in &self.files {
            for (k, n) in &f.rows_excluded {
                *out.entry(*k).or_insert(0) += n;
            }
        }
        out
    }

    /// Whether a problem made a file unreadable.
    pub fn has_file_problem(&self) -> bool {
        self.problems_by_kind
            .keys()
            .any(|k| k.scope() == Scope::File)
    }

    /// Counts a problem and keeps its text if fewer than [`PROBLEMS_KEPT`]
    /// are kept. The text is built only when kept: a broken file can have
    /// millions of problems.
    pub(crate) fn add(&mut self, kind: ProblemKind, make: impl FnOnce() -> Problem) {
        *self.problems_by_kind.entry(kind).or_insert(0) += 1;
        // A problem that stops a file is always kept: it says why nothing
        // else is.
        if self.problems.len() < PROBLEMS_KEPT || kind.scope() == Scope::File {
            self.problems.push(make());
        }
    }
}

/// Shortens a value for a message: at most 40 characters, lossy UTF-8.
/// Control characters (NUL, line breaks, tabs) are shown escaped (`\0`,
/// `\n`, `\u{1b}`), so that a value cannot break or hide a message line.
pub fn show_value(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for c in s.chars().take(40) {
        match c {
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{feff}' => out.push_str("\\u{feff}"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_match_serde() {
        for kind in [
            ProblemKind::Io,
            ProblemKind::TimeInvariantChanged,
            ProblemKind::InvalidUtf8,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
        }
    }
}
