//! A table (header and cells), its tidy CSV form, and the display of a
//! protected count table.
//!
//! A cell is what the Markdown and HTML show (`shown`, in the report's
//! language) and what it holds (`data`): the tidy CSV under `tables/`
//! writes the data, numbers in full and in `.` notation, intervals in two
//! columns (`..._low`, `..._high`), a withheld value as an empty field and
//! the rule in the row's `suppressed` column.

use cohort_results::{ProtectedTable, Shown};

use crate::write::ReportError;

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    Text(String),
    /// A number (a share as a proportion), if there is one.
    Number(Option<f64>),
    /// A count; `None` withheld with its estimate.
    Count(Option<u64>),
    /// An interval, if there is one.
    Interval(Option<[f64; 2]>),
    /// Not published, for this reason.
    Withheld(&'static str),
}

/// One cell: shown, and held.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub(crate) shown: String,
    pub(crate) data: Data,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell {
            shown: text.clone(),
            data: Data::Text(text),
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

/// Why the n of an estimate is not shown (its value is not either).
const TOO_FEW: &str = "fewer units than min_cell";

/// A simple table: header and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<Cell>>,
}

/// A header as a column name: `95% CI` -> `ci95`, `p (Holm)` -> `p_holm`.
fn column_name(header: &str) -> String {
    let lower = header.to_lowercase().replace("95% ci", "ci95");
    let mut name = String::new();
    for c in lower.chars() {
        if c.is_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_').to_string();
    if name.is_empty() {
        "row".to_string()
    } else {
        name
    }
}

/// A number in full: the shortest text that reads back to it, with a
/// decimal point even when whole (`1.0`, so that a p-value of 1 does not
/// read as a count) and an exponent where plain digits would run long
/// (`1.08e-46`).
fn number(v: f64) -> String {
    format!("{v:?}")
}

impl Table {
    /// The tidy CSV: one named column per value (two per interval), the
    /// values in full, a withheld value empty, and a last column
    /// `suppressed` with the rules of the row's withheld values.
    pub(crate) fn csv(&self, name: &str) -> Result<Vec<u8>, ReportError> {
        let err = |e: csv::Error| ReportError::Csv {
            name: name.to_string(),
            message: e.to_string(),
        };
        // Per column, once: whether it holds intervals (two CSV columns).
        let intervals: Vec<bool> = (0..self.header.len())
            .map(|k| {
                self.rows
                    .iter()
                    .any(|r| matches!(r.get(k).map(|c| &c.data), Some(Data::Interval(_))))
            })
            .collect();
        let interval = |k: usize| intervals.get(k).copied().unwrap_or(false);
        let mut header = Vec::new();
        for (k, h) in self.header.iter().enumerate() {
            let col = column_name(h);
            if interval(k) {
                header.push(format!("{col}_low"));
                header.push(format!("{col}_high"));
            } else {
                header.push(col);
            }
        }
        header.push("suppressed".to_string());
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).map_err(err)?;
        for r in &self.rows {
            let mut fields = Vec::with_capacity(header.len());
            let mut rules: Vec<&str> = Vec::new();
            for (k, c) in r.iter().enumerate() {
                let mut rule = |why: &'static str| {
                    if !rules.contains(&why) {
                        rules.push(why);
                    }
                };
                match &c.data {
                    Data::Text(t) => fields.push(t.clone()),
                    Data::Number(v) => fields.push(v.map_or(String::new(), number)),
                    Data::Count(v) => {
                        if v.is_none() {
                            rule(TOO_FEW);
                        }
                        fields.push(v.map_or(String::new(), |v| v.to_string()));
                    }
                    Data::Interval(v) => {
                        let [a, b] = v.map_or([String::new(), String::new()], |[a, b]| {
                            [number(a), number(b)]
                        });
                        fields.push(a);
                        fields.push(b);
                    }
                    Data::Withheld(why) => {
                        rule(why);
                        fields.push(String::new());
                    }
                }
                // A column of intervals whose cell here is none.
                if interval(k) && !matches!(c.data, Data::Interval(_)) {
                    fields.push(String::new());
                }
            }
            fields.push(rules.join("; "));
            w.write_record(&fields).map_err(err)?;
        }
        w.into_inner().map_err(|e| ReportError::Csv {
            name: name.to_string(),
            message: e.to_string(),
        })
    }
}

/// A published count-table cell.
pub(crate) fn shown(c: &Shown) -> Cell {
    let data = match c {
        Shown::Count { value } => Data::Count(Some(*value)),
        Shown::Below { .. } => Data::Withheld("count below min_cell"),
        Shown::Secondary => {
            Data::Withheld("secondary suppression (another hidden cell could be recovered)")
        }
        Shown::Value { value } => Data::Number(Some(*value)),
        Shown::TooFew => Data::Withheld(TOO_FEW),
    };
    Cell {
        shown: c.to_string(),
        data,
    }
}

/// A protected count table as displayed: its cells, row totals and a
/// total row.
pub(crate) fn protected(t: &ProtectedTable) -> Table {
    let totals = t.total.is_some();
    let mut header = vec![String::new()];
    header.extend(t.columns.iter().cloned());
    if totals {
        header.push("total".into());
    }
    let mut rows: Vec<Vec<Cell>> = t
        .rows
        .iter()
        .zip(&t.cells)
        .enumerate()
        .map(|(i, (label, cells))| {
            let mut r = vec![Cell::from(label.clone())];
            r.extend(cells.iter().map(shown));
            if let Some(total) = t.row_totals.get(i) {
                r.push(shown(total));
            }
            r
        })
        .collect();
    if let (true, Some(total)) = (t.rows.len() > 1, &t.total) {
        let mut r = vec![Cell::from("total")];
        r.extend(t.column_totals.iter().map(shown));
        r.push(shown(total));
        rows.push(r);
    }
    Table { header, rows }
}
