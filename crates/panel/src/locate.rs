//! Where each key of a study file stands: the line and column of every key,
//! table header and array entry, found once from the parsed document, so
//! that every study-file problem can say where it is.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use toml_edit::{ImDocument, Item, Table, Value};

/// A position in a file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Line.
    pub line: usize,
    /// Column (in characters).
    pub column: usize,
}

/// The positions of the keys of a TOML document by dotted path: `data.path`,
/// `waves.2.months`, `variables.3.range`, `instruments.0.groups.1.items`.
/// An array entry's path (`variables.3`) is where the entry starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    at: BTreeMap<String, Position>,
}

impl Positions {
    /// The positions of every key of `doc`, whose text is `text`.
    pub fn of(doc: &ImDocument<String>, text: &str) -> Positions {
        let starts = line_starts(text);
        let position = |offset: usize| position_at(text, &starts, offset);
        let mut p = Positions::default();
        p.table(doc.as_table(), "", &position);
        p
    }

    /// The position of `path`, or of its nearest enclosing key that has
    /// one (`variables.3.range` of an omitted range: the entry).
    pub fn find(&self, path: &str) -> Option<Position> {
        let mut p = path;
        loop {
            if let Some(pos) = self.at.get(p) {
                return Some(*pos);
            }
            p = &p[..p.rfind('.')?];
        }
    }

    /// The longest key path that stands at `at` (the table or key a
    /// parser's error points to).
    pub fn key_at(&self, at: Position) -> Option<String> {
        self.at
            .iter()
            .filter(|(_, p)| **p == at)
            .map(|(k, _)| k)
            .max_by_key(|k| k.len())
            .cloned()
    }

    fn join(prefix: &str, key: &str) -> String {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    }

    fn put(
        &mut self,
        path: String,
        span: Option<std::ops::Range<usize>>,
        position: &dyn Fn(usize) -> Position,
    ) {
        if let Some(s) = span {
            self.at.entry(path).or_insert_with(|| position(s.start));
        }
    }

    fn table(&mut self, t: &Table, prefix: &str, position: &dyn Fn(usize) -> Position) {
        if !prefix.is_empty() {
            self.put(prefix.to_string(), t.span(), position);
        }
        for (k, item) in t.iter() {
            let path = Self::join(prefix, k);
            if let Some((key, _)) = t.get_key_value(k) {
                self.put(path.clone(), key.span(), position);
            }
            self.item(item, &path, position);
        }
    }

    fn item(&mut self, item: &Item, path: &str, position: &dyn Fn(usize) -> Position) {
        match item {
            Item::Table(t) => self.table(t, path, position),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    self.table(t, &format!("{path}.{i}"), position);
                }
            }
            Item::Value(v) => self.value(v, path, position),
            Item::None => {}
        }
    }

    fn value(&mut self, v: &Value, path: &str, position: &dyn Fn(usize) -> Position) {
        self.put(path.to_string(), v.span(), position);
        match v {
            Value::InlineTable(t) => {
                for (k, x) in t.iter() {
                    let p = Self::join(path, k);
                    if let Some((key, _)) = t.get_key_value(k) {
                        self.put(p.clone(), key.span(), position);
                    }
                    self.value(x, &p, position);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    self.value(x, &format!("{path}.{i}"), position);
                }
            }
            _ => {}
        }
    }
}

/// Byte offsets at which the lines of `text` start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The line and column of byte `offset` of `text`.
fn position_at(text: &str, starts: &[usize], offset: usize) -> Position {
    let offset = offset.min(text.len());
    let line = starts.partition_point(|&s| s <= offset);
    let start = starts[line - 1];
    let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
    Position { line, column }
}

/// The line and column of byte `offset` of `text`.
pub fn position_of(text: &str, offset: usize) -> Position {
    position_at(text, &line_starts(text), offset)
}

/// A problem of the study file: where, the key, and what is wrong (what
/// was expected and what was found).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudyProblem {
    /// Where it stands in the study file (none for a key that is missing
    /// from a file without the section).
    pub position: Option<Position>,
    /// The dotted key path (`variables.3.range`).
    pub key: String,
    /// What is wrong, with what was expected and what was found.
    pub message: String,
}

impl StudyProblem {
    /// A problem at `key`, located in `positions`.
    pub fn at(positions: &Positions, key: &str, message: String) -> StudyProblem {
        StudyProblem {
            position: positions.find(key),
            key: key.to_string(),
            message,
        }
    }
}

/// Problems one a line (indented after the first), for messages.
pub fn problem_lines(problems: &[StudyProblem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n  ")
}

impl fmt::Display for StudyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.position {
            write!(f, "line {}, column {}: ", p.line, p.column)?;
        }
        f.write_str(&self.message)
    }
}
