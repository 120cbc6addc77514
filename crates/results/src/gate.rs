//! Disclosure control of published tables: no count below `min_cell` is
//! shown, no suppressed count can be recovered from the totals, counts may
//! be rounded, and shares and means of fewer than `min_cell` units are not
//! shown. Every suppression is listed with its reason.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The rules, from the study file's `[disclosure]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Smallest count that may be shown.
    pub min_cell: u64,
    /// Published counts are rounded to a multiple of this (1 = none).
    pub round_to: u64,
}

impl From<&cohort_panel::Disclosure> for Rules {
    fn from(d: &cohort_panel::Disclosure) -> Rules {
        Rules {
            min_cell: u64::from(d.min_cell),
            round_to: u64::from(d.round_to.max(1)),
        }
    }
}

/// What a published cell shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shown", rename_all = "snake_case")]
pub enum Shown {
    /// A count (rounded if the rules say so).
    Count {
        /// The published count.
        value: u64,
    },
    /// A count below `min_cell`: shown as "<min_cell".
    Below {
        /// The limit.
        min_cell: u64,
    },
    /// Suppressed so that another suppressed cell cannot be recovered
    /// from a total: shown as "x".
    Secondary,
    /// A share or mean.
    Value {
        /// The value.
        value: f64,
    },
    /// A share or mean of fewer than `min_cell` units: shown as ".".
    TooFew {
        /// The units it would be based on.
        n: u64,
    },
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Count { value } => write!(f, "{value}"),
            Shown::Below { min_cell } => write!(f, "<{min_cell}"),
            Shown::Secondary => write!(f, "x"),
            Shown::Value { value } => write!(f, "{value}"),
            Shown::TooFew { .. } => write!(f, "."),
        }
    }
}

/// Why a cell is not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// Table title.
    pub table: String,
    /// Row label (or "total").
    pub row: String,
    /// Column label (or "total").
    pub column: String,
    /// The reason, in words.
    pub reason: String,
}

/// A table of counts, before disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct CountTable {
    /// Title (used in the suppression list).
    pub title: String,
    /// Row labels.
    pub rows: Vec<String>,
    /// Column labels.
    pub columns: Vec<String>,
    /// `counts[row][column]`.
    pub counts: Vec<Vec<u64>>,
    /// Whether row and column totals are published (and so must not let
    /// a suppressed cell be recovered).
    pub totals: bool,
}

/// A table after disclosure control, with its row and column totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtectedTable {
    /// Title.
    pub title: String,
    /// Row labels.
    pub rows: Vec<String>,
    /// Column labels.
    pub columns: Vec<String>,
    /// The cells as published.
    pub cells: Vec<Vec<Shown>>,
    /// Row totals as published (empty when the table has none).
    pub row_totals: Vec<Shown>,
    /// Column totals as published (empty when the table has none).
    pub column_totals: Vec<Shown>,
    /// The grand total as published (none when the table has no totals).
    pub total: Option<Shown>,
    /// Every cell not shown, and why.
    pub suppressions: Vec<Suppression>,
}

/// Marks of a line (a row or a column, with its total): which cells are
/// suppressed; returns the index to suppress as well, if exactly one is
/// and the total is shown (it could be recovered by subtraction).
fn second_cell(
    values: &[u64],
    suppressed: &[bool],
    total_suppressed: bool,
) -> Option<Option<usize>> {
    let n_sup = suppressed.iter().filter(|s| **s).count();
    if n_sup != 1 || total_suppressed {
        return None;
    }
    // The smallest shown cell (first on ties) keeps the information loss low.
    Some(
        (0..values.len())
            .filter(|&i| !suppressed[i])
            .min_by_key(|&i| (values[i], i)),
    )
}

/// Applies the rules to a table of counts: primary suppression of counts
/// (cells and totals) below `min_cell`; secondary suppression until no
/// row or column with a shown total has exactly one suppressed cell (the
/// smallest other cell is suppressed, or the total when there is none);
/// then rounding of what is shown. A table without totals gets primary
/// suppression only. Rounded cells and totals are rounded
/// independently, so they need not add up.
pub fn protect(table: &CountTable, rules: &Rules) -> ProtectedTable {
    let (nr, nc) = (table.rows.len(), table.columns.len());
    let counts = &table.counts;
    let row_tot: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let col_tot: Vec<u64> = (0..nc).map(|c| counts.iter().map(|r| r[c]).sum()).collect();
    let grand: u64 = row_tot.iter().sum();
    let small = |v: u64| v < rules.min_cell;
    let mut primary = vec![vec![false; nc]; nr];
    let mut sup = vec![vec![false; nc]; nr];
    for r in 0..nr {
        for c in 0..nc {
            primary[r][c] = small(counts[r][c]);
            sup[r][c] = primary[r][c];
        }
    }
    let mut row_sup: Vec<bool> = row_tot.iter().map(|&v| small(v)).collect();
    let mut col_sup: Vec<bool> = col_tot.iter().map(|&v| small(v)).collect();
    let grand_sup = small(grand);
    let (row_primary, col_primary) = (row_sup.clone(), col_sup.clone());
    // Without published totals nothing can be recovered by subtraction.
    if table.totals {
        loop {
            let mut changed = false;
            for r in 0..nr {
                if let Some(pick) = second_cell(&counts[r], &sup[r], row_sup[r]) {
                    match pick {
                        Some(c) => sup[r][c] = true,
                        None => row_sup[r] = true,
                    }
                    changed = true;
                }
            }
            for c in 0..nc {
                let col: Vec<u64> = counts.iter().map(|row| row[c]).collect();
                let s: Vec<bool> = sup.iter().map(|row| row[c]).collect();
                if let Some(pick) = second_cell(&col, &s, col_sup[c]) {
                    match pick {
                        Some(r) => sup[r][c] = true,
                        None => col_sup[c] = true,
                    }
                    changed = true;
                }
            }
            // The totals themselves, against the grand total.
            for (tot, marks) in [(&row_tot, &mut row_sup), (&col_tot, &mut col_sup)] {
                if let Some(Some(i)) = second_cell(tot, marks, grand_sup) {
                    marks[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
    let round = |v: u64| {
        let k = rules.round_to.max(1);
        (v + k / 2) / k * k
    };
    let show = |v: u64, suppressed: bool, was_primary: bool| match (suppressed, was_primary) {
        (false, _) => Shown::Count { value: round(v) },
        (true, true) => Shown::Below {
            min_cell: rules.min_cell,
        },
        (true, false) => Shown::Secondary,
    };
    let mut suppressions = Vec::new();
    let mut note = |row: &str, column: &str, primary: bool| {
        suppressions.push(Suppression {
            table: table.title.clone(),
            row: row.to_string(),
            column: column.to_string(),
            reason: if primary {
                format!("count below min_cell ({})", rules.min_cell)
            } else {
                "secondary: would let a suppressed count be recovered from a total".to_string()
            },
        });
    };
    let mut cells = vec![Vec::with_capacity(nc); nr];
    for r in 0..nr {
        for c in 0..nc {
            if sup[r][c] {
                note(&table.rows[r], &table.columns[c], primary[r][c]);
            }
            cells[r].push(show(counts[r][c], sup[r][c], primary[r][c]));
        }
    }
    if !table.totals {
        return ProtectedTable {
            title: table.title.clone(),
            rows: table.rows.clone(),
            columns: table.columns.clone(),
            cells,
            row_totals: Vec::new(),
            column_totals: Vec::new(),
            total: None,
            suppressions,
        };
    }
    let row_totals = (0..nr)
        .map(|r| {
            if row_sup[r] {
                note(&table.rows[r], "total", row_primary[r]);
            }
            show(row_tot[r], row_sup[r], row_primary[r])
        })
        .collect();
    let column_totals = (0..nc)
        .map(|c| {
            if col_sup[c] {
                note("total", &table.columns[c], col_primary[c]);
            }
            show(col_tot[c], col_sup[c], col_primary[c])
        })
        .collect();
    if grand_sup {
        note("total", "total", true);
    }
    ProtectedTable {
        title: table.title.clone(),
        rows: table.rows.clone(),
        columns: table.columns.clone(),
        cells,
        row_totals,
        column_totals,
        total: Some(show(grand, grand_sup, true)),
        suppressions,
    }
}

/// A share or mean based on `n` units: shown only when `n >= min_cell`.
pub fn protect_value(value: f64, n: u64, rules: &Rules) -> Shown {
    if n < rules.min_cell {
        Shown::TooFew { n }
    } else {
        Shown::Value { value }
    }
}
