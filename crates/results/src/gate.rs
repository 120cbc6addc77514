//! The disclosure gate: the only maker of published numbers. No count
//! below `min_cell` is shown, no suppressed count can be recovered from
//! the totals, counts may be rounded, and shares and means of fewer than
//! `min_cell` units are not shown, nor their n. Every suppression is
//! listed with its reason.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::published::{
    ChangeRow, EstimateRow, PublishedResults, PublishedShare, ReliabilityRow, Sealed, Trajectory,
    REPORT_SCHEMA,
};
use crate::raw::{
    Change, CountTable, Estimate, Reliability, Statistic, StudyResults, Trajectories,
    TrajectoryClass,
};

/// The dominance threshold: a mean is withheld when its two largest units
/// hold this share of the sum or more (ACRO's n = 2, k = 90% rule).
pub const DOMINANCE_K: f64 = 0.9;

/// The 10th and 90th percentiles of a distribution are published only
/// with at least this many times `min_cell` units: then at least
/// `min_cell` units lie at or beyond each (R type 7 puts the 10th
/// percentile at order statistic 1 + 0.1 (n - 1)).
pub const WHISKER_UNITS: u64 = 10;

/// The fewest residual degrees of freedom of a published model (ACRO:
/// regression results with fewer than 10 are not released).
pub const MIN_MODEL_DF: u64 = 10;

/// The rules, from the study file's `[disclosure]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    TooFew,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Count { value } => write!(f, "{value}"),
            Shown::Below { min_cell } => write!(f, "<{min_cell}"),
            Shown::Secondary => write!(f, "x"),
            Shown::Value { value } => write!(f, "{value}"),
            Shown::TooFew => write!(f, "."),
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
    #[serde(skip, default = "Sealed::new")]
    sealed: Sealed,
}

impl ProtectedTable {
    /// The published value of a cell, if it is shown.
    pub fn count(&self, row: usize, column: usize) -> Option<u64> {
        match self.cells.get(row)?.get(column)? {
            Shown::Count { value } => Some(*value),
            _ => None,
        }
    }
}

/// Marks of a line (a row or a column, with its total): which cells are
/// suppressed; returns the index to suppress as well, if exactly one is
/// and the total is shown (it could be recovered by subtraction).
fn second_cell(
    values: &[u64],
    suppressed: &[bool],
    known: &[bool],
    total_suppressed: bool,
) -> Option<Option<usize>> {
    let n_sup = suppressed.iter().filter(|s| **s).count();
    if n_sup != 1 || total_suppressed {
        return None;
    }
    // The smallest shown cell (first on ties) keeps the information loss
    // low; a structural zero is known whether shown or not, so hiding it
    // protects nothing.
    Some(
        (0..values.len())
            .filter(|&i| !suppressed[i] && !known[i])
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
    protect_with(table, rules, &[])
}

/// [`protect`] with cells (`[row, column]`; the row `rows.len()` and the
/// column `columns.len()` are the totals) suppressed from the start, as
/// the linked-table audit asks.
pub(crate) fn protect_with(
    table: &CountTable,
    rules: &Rules,
    forced: &[[usize; 2]],
) -> ProtectedTable {
    let (nr, nc) = (table.rows.len(), table.columns.len());
    let counts = &table.counts;
    let row_tot: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let col_tot: Vec<u64> = (0..nc).map(|c| counts.iter().map(|r| r[c]).sum()).collect();
    let grand: u64 = row_tot.iter().sum();
    // Zeros identify nobody and are shown (ACRO's default:
    // zeros_are_disclosive = false); counts 1 to min_cell - 1 are hidden.
    let small = |v: u64| v > 0 && v < rules.min_cell;
    let mut known = vec![vec![false; nc]; nr];
    for &[r, c] in &table.structural {
        if r < nr && c < nc && counts[r][c] == 0 {
            known[r][c] = true;
        }
    }
    let mut primary = vec![vec![false; nc]; nr];
    let mut sup = vec![vec![false; nc]; nr];
    for r in 0..nr {
        for c in 0..nc {
            primary[r][c] = small(counts[r][c]) && !known[r][c];
            sup[r][c] = primary[r][c];
        }
    }
    let mut row_sup: Vec<bool> = row_tot.iter().map(|&v| small(v)).collect();
    let mut col_sup: Vec<bool> = col_tot.iter().map(|&v| small(v)).collect();
    let mut grand_sup = small(grand);
    let (row_primary, col_primary) = (row_sup.clone(), col_sup.clone());
    let grand_primary = grand_sup;
    for &[r, c] in forced {
        match (r < nr, c < nc) {
            (true, true) => sup[r][c] = true,
            (true, false) => row_sup[r] = true,
            (false, true) => col_sup[c] = true,
            (false, false) => grand_sup = true,
        }
    }
    // Without published totals nothing can be recovered by subtraction.
    if table.totals {
        loop {
            let mut changed = false;
            for r in 0..nr {
                if let Some(pick) = second_cell(&counts[r], &sup[r], &known[r], row_sup[r]) {
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
                let k: Vec<bool> = known.iter().map(|row| row[c]).collect();
                if let Some(pick) = second_cell(&col, &s, &k, col_sup[c]) {
                    match pick {
                        Some(r) => sup[r][c] = true,
                        None => col_sup[c] = true,
                    }
                    changed = true;
                }
            }
            // The totals themselves, against the grand total.
            for (tot, marks) in [(&row_tot, &mut row_sup), (&col_tot, &mut col_sup)] {
                let none_known = vec![false; tot.len()];
                if let Some(Some(i)) = second_cell(tot, marks, &none_known, grand_sup) {
                    marks[i] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
    let round = |v: u64| rules.round(v);
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
            sealed: Sealed::new(),
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
        note("total", "total", grand_primary);
    }
    ProtectedTable {
        title: table.title.clone(),
        rows: table.rows.clone(),
        columns: table.columns.clone(),
        cells,
        row_totals,
        column_totals,
        total: Some(show(grand, grand_sup, grand_primary)),
        suppressions,
        sealed: Sealed::new(),
    }
}

/// The smallest `min_cell` a report may use without
/// `--unsafe-small-cells` (ACRO and ABS recommend 10, cohort's default).
pub const SMALLEST_MIN_CELL: u64 = 5;

impl Rules {
    /// Whether the rules allow counts so small (min_cell below
    /// [`SMALLEST_MIN_CELL`]) that a report must say so on every page.
    pub fn unsafe_small_cells(&self) -> bool {
        self.min_cell < SMALLEST_MIN_CELL
    }

    /// The smallest count published (what "<N" in a table means).
    pub fn smallest_count(&self) -> u64 {
        self.min_cell
    }

    /// Published counts are multiples of this.
    pub fn rounding(&self) -> u64 {
        self.round_to.max(1)
    }

    /// Whether a share or mean of `n` units may be published.
    fn allows(&self, n: u64) -> bool {
        n >= self.min_cell
    }

    /// A published count: rounded to a multiple of `round_to` (half up).
    fn round(&self, v: u64) -> u64 {
        let k = self.rounding();
        (v + k / 2) / k * k
    }
}

/// The gate: applies the rules and keeps the log of every suppression.
/// Every number a report or analysis publishes comes out of one.
#[derive(Debug, Clone)]
pub struct Gate {
    rules: Rules,
    suppressions: Vec<Suppression>,
}

impl Gate {
    /// A gate applying `rules`.
    pub fn new(rules: Rules) -> Gate {
        Gate {
            rules,
            suppressions: Vec::new(),
        }
    }

    /// The rules it applies.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// A table of counts through the rules ([`protect`]), its suppressions
    /// logged.
    pub fn table(&mut self, table: &CountTable) -> ProtectedTable {
        let t = protect(table, &self.rules);
        self.suppressions.extend(t.suppressions.iter().cloned());
        t
    }

    /// Count tables that share cells, protected together (`names` as the
    /// audit knows them: response, patterns, attrition, transitions):
    /// after each table's own secondary suppression, the audit of the
    /// linked system ([`crate::audit`]) names the small counts the tables
    /// still pin down, one more cell is suppressed for each, and so on
    /// until none is left. Returns the tables in the order given.
    pub fn linked_tables(&mut self, tables: &[(&str, &CountTable)]) -> Vec<ProtectedTable> {
        let mut forced: Vec<Vec<[usize; 2]>> = vec![Vec::new(); tables.len()];
        let protect_all = |forced: &[Vec<[usize; 2]>]| -> Vec<ProtectedTable> {
            tables
                .iter()
                .zip(forced)
                .map(|((_, t), f)| protect_with(t, &self.rules, f))
                .collect()
        };
        let mut out = protect_all(&forced);
        // Each round suppresses at least one more cell of a few dozen.
        for _ in 0..64 {
            let view: Vec<(&str, &ProtectedTable)> = tables
                .iter()
                .zip(&out)
                .map(|((name, _), t)| (*name, t))
                .collect();
            let loosen = crate::audit::to_loosen(&view, &self.rules);
            let mut grew = false;
            for (i, cell) in loosen {
                if !forced[i].contains(&cell) {
                    forced[i].push(cell);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
            out = protect_all(&forced);
        }
        for t in &out {
            self.suppressions.extend(t.suppressions.iter().cloned());
        }
        out
    }

    /// A count published alone: rounded, or shown as below the minimum.
    pub fn count(&self, n: u64) -> Shown {
        if n < self.rules.min_cell {
            Shown::Below {
                min_cell: self.rules.min_cell,
            }
        } else {
            Shown::Count {
                value: self.rules.round(n),
            }
        }
    }

    /// Whether values based on `n` units may be published; when not, the
    /// cell (`table`, `row`, `column`) is logged as suppressed. Values
    /// of no units (nothing to hide) pass unlogged as not published.
    pub fn allows(&mut self, table: &str, row: &str, column: &str, n: u64) -> bool {
        if self.rules.allows(n) {
            return true;
        }
        if n > 0 {
            self.suppressions.push(Suppression {
                table: table.to_string(),
                row: row.to_string(),
                column: column.to_string(),
                reason: format!(
                    "based on fewer than {} units (min_cell)",
                    self.rules.min_cell
                ),
            });
        }
        false
    }

    /// Whether a model's estimates may be published: on at least
    /// `min_cell` units (its groups, or its observations without groups)
    /// and with at least [`MIN_MODEL_DF`] residual degrees of freedom
    /// (ACRO's rule for regression output). When not, the cell is logged.
    pub fn allows_model(
        &mut self,
        table: &str,
        row: &str,
        column: &str,
        units: u64,
        df_residual: u64,
    ) -> bool {
        if !self.allows(table, row, column, units) {
            return false;
        }
        if df_residual >= MIN_MODEL_DF {
            return true;
        }
        self.suppressions.push(Suppression {
            table: table.to_string(),
            row: row.to_string(),
            column: column.to_string(),
            reason: format!("a model with fewer than {MIN_MODEL_DF} residual degrees of freedom"),
        });
        false
    }

    /// Whether a share of `n` units may be published: on at least
    /// `min_cell` units, and neither the units with (share x n) nor those
    /// without may be a count from 1 to `min_cell - 1` (share times n
    /// gives them back). When not, the cell is logged.
    pub fn allows_share(
        &mut self,
        table: &str,
        row: &str,
        column: &str,
        share: f64,
        n: u64,
    ) -> bool {
        if !self.allows(table, row, column, n) {
            return false;
        }
        let with = (share * n as f64).round() as u64;
        let small = |v: u64| v > 0 && v < self.rules.min_cell;
        if small(with) || small(n.saturating_sub(with)) {
            self.suppressions.push(Suppression {
                table: table.to_string(),
                row: row.to_string(),
                column: column.to_string(),
                reason: format!(
                    "the share implies a count below {} (min_cell) of units with or without",
                    self.rules.min_cell
                ),
            });
            return false;
        }
        true
    }

    /// Whether an estimate may be published: a share by
    /// [`Gate::allows_share`], a mean by [`Gate::allows`].
    fn allows_estimate(&mut self, table: &str, column: &str, e: &Estimate) -> bool {
        match (e.value, e.statistic) {
            (None, _) => false,
            (Some(v), Statistic::Share) => self.allows_share(table, &e.measure, column, v, e.n),
            (Some(_), Statistic::Mean) => {
                self.allows(table, &e.measure, column, e.n) && self.not_dominated(table, column, e)
            }
        }
    }

    /// The dominance rule for a mean (n = 2, k = 90%, as ACRO): when the
    /// two largest units hold 90% or more of the sum, the mean tells them
    /// apart; it is withheld and logged.
    fn not_dominated(&mut self, table: &str, column: &str, e: &Estimate) -> bool {
        if e.top2_share.is_some_and(|s| s >= DOMINANCE_K) {
            self.suppressions.push(Suppression {
                table: table.to_string(),
                row: e.measure.clone(),
                column: column.to_string(),
                reason:
                    "dominance: the two largest units hold 90% or more of the sum (n = 2, k = 90%)"
                        .into(),
            });
            return false;
        }
        true
    }

    /// The published n of a value that [`Gate::allows`] let through:
    /// rounded; null when the value is not published.
    /// An n of 0 (nothing to hide) is always shown.
    pub fn n(&self, n: u64, published: bool) -> Option<u64> {
        (published || n == 0).then(|| self.rules.round(n))
    }

    /// Published estimates: value, interval, quartiles and n withheld
    /// together for fewer than `min_cell` units.
    pub fn estimates(&mut self, table: &str, rows: &[Estimate]) -> Vec<EstimateRow> {
        rows.iter()
            .map(|e| {
                let column = match &e.group {
                    Some(g) => format!("{} {g}", e.wave),
                    None => e.wave.clone(),
                };
                let ok = self.allows_estimate(table, &column, e);
                self.estimate_row(e, ok)
            })
            .collect()
    }

    /// An estimate as published: everything, or (`ok` false) nothing but
    /// its names.
    fn estimate_row(&self, e: &Estimate, ok: bool) -> EstimateRow {
        EstimateRow {
            measure: e.measure.clone(),
            label: e.label.clone(),
            level: e.level,
            statistic: e.statistic,
            wave: e.wave.clone(),
            n: self.n(e.n, ok),
            value: e.value.filter(|_| ok),
            ci95: e.ci95.filter(|_| ok),
            quartiles: e.quartiles.filter(|_| ok),
            whiskers: e
                .whiskers
                .filter(|_| ok && e.n >= WHISKER_UNITS * self.rules.smallest_count()),
            group: e.group.clone(),
        }
    }

    /// Complementary suppression of group estimates: where the overall
    /// estimate of a measure at a wave is published and exactly one group's
    /// is withheld, the overall value and the other groups' values and n
    /// would give it back ((overall x N - sum of value x n) / rest), so the
    /// smallest other group is withheld too; where several are withheld,
    /// they come back as one combined group, withheld further until it
    /// has at least `min_cell` units.
    pub fn complement_groups(
        &mut self,
        overall: &[EstimateRow],
        raw: &[Estimate],
        groups: &mut [EstimateRow],
    ) {
        let mut cells: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        for (i, g) in groups.iter().enumerate() {
            cells
                .entry((g.measure.clone(), g.wave.clone()))
                .or_default()
                .push(i);
        }
        for ((measure, wave), idx) in cells {
            let published_overall = overall
                .iter()
                .any(|o| o.measure == measure && o.wave == wave && o.value.is_some());
            if !published_overall {
                continue;
            }
            loop {
                let hidden: Vec<usize> = idx
                    .iter()
                    .copied()
                    .filter(|&i| groups[i].value.is_none() && raw[i].n > 0)
                    .collect();
                // One withheld group comes back whole; several come back
                // as one combined group, which must itself have min_cell
                // units.
                let combined: u64 = hidden.iter().map(|&i| raw[i].n).sum();
                let recoverable =
                    hidden.len() == 1 || (hidden.len() > 1 && combined < self.rules.min_cell);
                if !recoverable {
                    break;
                }
                let Some(&pick) = idx
                    .iter()
                    .filter(|&&i| groups[i].value.is_some())
                    .min_by_key(|&&i| (raw[i].n, i))
                else {
                    break;
                };
                let g = &mut groups[pick];
                self.suppressions.push(Suppression {
                    table: "estimates by group".into(),
                    row: measure.clone(),
                    column: format!("{} {}", wave, g.group.as_deref().unwrap_or("")),
                    reason: "complementary: the overall estimate and the other groups would give a suppressed group back".into(),
                });
                g.value = None;
                g.ci95 = None;
                g.quartiles = None;
                g.whiskers = None;
                g.n = None;
            }
        }
    }

    /// Published change rows: every statistic and the pairs withheld
    /// together for fewer than `min_cell` pairs.
    pub fn changes(&mut self, table: &str, rows: &[Change]) -> Vec<ChangeRow> {
        rows.iter()
            .map(|c| {
                let ok = self.allows(table, &c.measure, "all", c.n_pairs);
                let keep = |v: Option<f64>| v.filter(|_| ok);
                ChangeRow {
                    measure: c.measure.clone(),
                    level: c.level,
                    n_pairs: self.n(c.n_pairs, ok),
                    mean_from: keep(c.mean_from),
                    mean_to: keep(c.mean_to),
                    mean_diff: keep(c.mean_diff),
                    mean_diff_ci95: c.mean_diff_ci95.filter(|_| ok),
                    p_t: keep(c.p_t),
                    p_t_holm: keep(c.p_t_holm),
                    p_wilcoxon: keep(c.p_wilcoxon),
                    p_mcnemar: keep(c.p_mcnemar),
                    dz: keep(c.dz),
                    dz_ci95: c.dz_ci95.filter(|_| ok),
                }
            })
            .collect()
    }

    /// Published reliability rows.
    pub fn reliability(&mut self, rows: &[Reliability]) -> Vec<ReliabilityRow> {
        rows.iter()
            .map(|r| {
                let ok = self.allows("reliability", &r.scale, &r.wave, r.n);
                ReliabilityRow {
                    scale: r.scale.clone(),
                    wave: r.wave.clone(),
                    n: self.n(r.n, ok),
                    alpha: r.alpha.filter(|_| ok),
                    ci95: r.ci95.filter(|_| ok),
                }
            })
            .collect()
    }

    /// A published share of `n` units with its interval.
    pub fn share(
        &mut self,
        table: &str,
        row: &str,
        value: Option<f64>,
        ci95: Option<[f64; 2]>,
        n: u64,
    ) -> PublishedShare {
        let ok = value.is_some_and(|v| self.allows_share(table, row, "all", v, n));
        PublishedShare {
            value: value.filter(|_| ok),
            ci95: ci95.filter(|_| ok),
            n: self.n(n, ok),
        }
    }

    /// Trajectory classes and the stopped share. The classes are
    /// published as one linked table: rows "violence at the first wave"
    /// (stopped, decreased, persistent, increased) and "none at the first
    /// wave" (started, none), with the row totals (the first is the base
    /// of the stopped share) and the grand total (the pairs, also in the
    /// change table), so that no hidden class follows from a published
    /// base. Shares, means and the stopped share only where their counts
    /// are shown.
    pub fn trajectories(
        &mut self,
        t: &Trajectories,
    ) -> (Vec<Trajectory>, PublishedShare, ProtectedTable) {
        // One column per class; the other row's cell of a column is a
        // structural zero, so a column total is its one cell.
        let all = TrajectoryClass::ALL;
        let column = |c: TrajectoryClass| all.iter().position(|&x| x == c).unwrap_or(0);
        let row = |c: TrajectoryClass| usize::from(!c.violent_at_first());
        let mut counts = vec![vec![0u64; all.len()]; 2];
        for g in &t.classes {
            counts[row(g.class)][column(g.class)] += g.n;
        }
        let structural = all.iter().map(|&c| [1 - row(c), column(c)]).collect();
        let counts_table = CountTable {
            title: "trajectories".into(),
            rows: vec![
                "violence at the first wave".into(),
                "none at the first wave".into(),
            ],
            columns: all.iter().map(|c| c.name().to_string()).collect(),
            counts,
            totals: true,
            structural,
        };
        // Audited as a linked system too: two small classes of one row
        // must not be pinned by its total.
        let table = self
            .linked_tables(&[("trajectories", &counts_table)])
            .pop()
            .expect("linked_tables returns one table per table given");
        let total: u64 = t.classes.iter().map(|c| c.n).sum();
        let classes = t
            .classes
            .iter()
            .map(|c| {
                let shown = table.count(row(c.class), column(c.class));
                let name = c.class.name();
                let waves = c
                    .waves
                    .iter()
                    .map(|e| {
                        let ok = shown.is_some()
                            && e.value.is_some()
                            && self.allows("trajectories", name, &e.wave, e.n);
                        self.estimate_row(e, ok)
                    })
                    .collect();
                Trajectory {
                    class: name.to_string(),
                    n: shown,
                    share: shown
                        .filter(|_| total > 0)
                        .map(|_| c.n as f64 / total as f64),
                    waves,
                }
            })
            .collect();
        let base_shown = matches!(table.row_totals.first(), Some(Shown::Count { .. }));
        let stopped_shown = table.count(0, 0).is_some();
        let ok = base_shown
            && stopped_shown
            && t.stopped
                .share
                .is_some_and(|v| self.allows_share("stopped", &t.measure, "all", v, t.stopped.of));
        if !ok && t.stopped.of > 0 {
            self.suppressions.push(Suppression {
                table: "stopped".into(),
                row: t.measure.clone(),
                column: "all".into(),
                reason: "its count or base is suppressed in the trajectories".into(),
            });
        }
        let stopped = PublishedShare {
            value: t.stopped.share.filter(|_| ok),
            ci95: t.stopped.ci95.filter(|_| ok),
            n: self.n(t.stopped.of, ok),
        };
        (classes, stopped, table)
    }

    /// The log of every suppression, in the order they were made.
    pub fn finish(self) -> Vec<Suppression> {
        self.suppressions
    }
}

/// Passes the results of a study through the gate: the published results
/// a report renders and `results.json` holds.
pub fn publish(results: &StudyResults) -> PublishedResults {
    let mut gate = Gate::new(results.rules);
    let mut linked: Vec<(&str, &CountTable)> = vec![
        ("response", &results.response),
        ("patterns", &results.patterns),
        ("attrition", &results.attrition),
    ];
    if let Some(t) = &results.transitions {
        linked.push(("transitions", t));
    }
    let mut protected = gate.linked_tables(&linked).into_iter();
    let mut next = || {
        protected
            .next()
            .expect("linked_tables returns one table per table given")
    };
    let (response, patterns, attrition) = (next(), next(), next());
    let transitions = results.transitions.as_ref().map(|_| next());
    let rows: BTreeMap<String, Shown> = results
        .rows
        .iter()
        .map(|(k, &n)| (k.clone(), gate.count(n)))
        .collect();
    let estimates = gate.estimates("estimates", &results.estimates);
    let mut by_group = gate.estimates("estimates by group", &results.by_group);
    gate.complement_groups(&estimates, &results.by_group, &mut by_group);
    let change = gate.changes("change", &results.change);
    let reliability = gate.reliability(&results.reliability);
    let (trajectory_measure, trajectories, stopped, trajectory_counts) = match &results.trajectories
    {
        None => (None, Vec::new(), None, None),
        Some(t) => {
            let (classes, stopped, table) = gate.trajectories(t);
            (Some(t.measure.clone()), classes, Some(stopped), Some(table))
        }
    };
    let models = gate.models(&results.models);
    PublishedResults {
        schema: REPORT_SCHEMA.into(),
        study: results.study.clone(),
        design: results.design.clone(),
        provenance: results.provenance.clone(),
        rules: results.rules,
        bootstrap: results.bootstrap,
        methods: results.methods.clone(),
        waves: results.waves.clone(),
        rows,
        response,
        patterns,
        estimates,
        by: results.by.clone(),
        by_group,
        change,
        reliability,
        transitions,
        trajectory_measure,
        trajectories,
        stopped,
        trajectory_counts,
        attrition,
        models,
        suppressions: gate.finish(),
        unsafe_small_cells: results.rules.unsafe_small_cells(),
        sealed: Sealed::new(),
    }
}
