//! The data a model reads: named columns of numbers or of levels, one row
//! per observation, missing values as `None`.

use crate::error::FormulaError;

/// One column of a [`Frame`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers (integers, measures, months).
    Numeric(Vec<Option<f64>>),
    /// Levels of a categorical variable; the first level is the reference
    /// of treatment contrasts.
    Factor {
        /// The levels, in order.
        levels: Vec<String>,
        /// Per row, the index of its level.
        codes: Vec<Option<u32>>,
    },
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Factor { codes, .. } => codes.len(),
        }
    }

    /// Whether row `i` has a value.
    pub fn present(&self, i: usize) -> bool {
        match self {
            Column::Numeric(v) => v[i].is_some(),
            Column::Factor { codes, .. } => codes[i].is_some(),
        }
    }

    /// The column as levels: a factor as it is; numbers as their sorted
    /// distinct values, written as R writes them (`2`, `2.5`), as
    /// `factor(x)` does.
    pub fn as_factor(&self) -> (Vec<String>, Vec<Option<u32>>) {
        match self {
            Column::Factor { levels, codes } => (levels.clone(), codes.clone()),
            Column::Numeric(v) => {
                let mut distinct: Vec<f64> = v.iter().flatten().copied().collect();
                distinct.sort_by(f64::total_cmp);
                distinct.dedup();
                let codes = v
                    .iter()
                    .map(|x| {
                        x.and_then(|x| {
                            distinct
                                .binary_search_by(|d| d.total_cmp(&x))
                                .ok()
                                .map(|i| i as u32)
                        })
                    })
                    .collect();
                (distinct.iter().map(|d| r_number(*d)).collect(), codes)
            }
        }
    }
}

/// A number as R's `as.character` writes a level: `2`, `-1`, `2.5`.
fn r_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    rows: usize,
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Frame {
    /// An empty frame of `rows` rows.
    pub fn new(rows: usize) -> Frame {
        Frame {
            rows,
            names: Vec::new(),
            columns: Vec::new(),
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds (or replaces) a column; panics on a length mismatch, a bug of
    /// the caller.
    pub fn insert(&mut self, name: &str, column: Column) {
        assert_eq!(
            column.len(),
            self.rows,
            "column {name} has the wrong length"
        );
        match self.names.iter().position(|n| n == name) {
            Some(i) => self.columns[i] = column,
            None => {
                self.names.push(name.to_string());
                self.columns.push(column);
            }
        }
    }

    /// The column named `name`.
    pub fn get(&self, name: &str) -> Option<&Column> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
    }

    /// The rows `keep` (in that order) of every column.
    pub fn subset(&self, keep: &[usize]) -> Frame {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) => Column::Numeric(keep.iter().map(|&i| v[i]).collect()),
                Column::Factor { levels, codes } => Column::Factor {
                    levels: levels.clone(),
                    codes: keep.iter().map(|&i| codes[i]).collect(),
                },
            })
            .collect();
        Frame {
            rows: keep.len(),
            names: self.names.clone(),
            columns,
        }
    }

    /// The column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The column of a name in a formula, or an error at its column with
    /// the nearest known name.
    pub(crate) fn column(&self, name: &str, at: usize) -> Result<&Column, FormulaError> {
        self.get(name)
            .ok_or_else(|| unknown_name(name, at, &self.names))
    }
}

/// The error for a name a formula uses at `column` that is not among
/// `known`, with the nearest known name.
pub fn unknown_name(name: &str, column: usize, known: &[String]) -> FormulaError {
    let hint = nearest(name, known)
        .map(|n| format!("; did you mean '{n}'?"))
        .unwrap_or_default();
    FormulaError::at(column, format!("unknown name '{name}'{hint}"))
}

/// The known name nearest to `name` (edit distance at most a third of its
/// length, and 3).
fn nearest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    let d = |a: &str, b: &str| -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            }
            prev = cur;
        }
        prev[b.len()]
    };
    let limit = (name.chars().count() / 3).clamp(1, 3);
    known
        .iter()
        .map(|k| (d(name, k), k))
        .filter(|(dist, _)| *dist <= limit)
        .min()
        .map(|(_, k)| k.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_levels_sort_by_value_and_print_as_r() {
        let c = Column::Numeric(vec![Some(10.0), Some(2.0), None, Some(2.5), Some(2.0)]);
        let (levels, codes) = c.as_factor();
        assert_eq!(levels, ["2", "2.5", "10"]);
        assert_eq!(codes, [Some(2), Some(0), None, Some(1), Some(0)]);
    }

    #[test]
    fn unknown_names_suggest_the_nearest() {
        let mut f = Frame::new(1);
        f.insert("family_id", Column::Numeric(vec![Some(1.0)]));
        let e = f.column("famly_id", 17).unwrap_err();
        assert_eq!(e.column, 17);
        assert!(e.message.contains("did you mean 'family_id'?"), "{e}");
        assert!(!f
            .column("zzz", 1)
            .unwrap_err()
            .message
            .contains("did you mean"));
    }
}
