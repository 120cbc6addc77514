//! The audit: what a reader with a calculator can learn from a published
//! report. It re-reads the published results and checks every rule of the
//! gate independently of how they were made: no count below the minimum,
//! no estimate on too few units or with a small implied count, and no
//! suppressed small cell that the published tables, their margins and the
//! tables they share cells with pin down to an interval narrower than the
//! protection range.
//!
//! The protection range: a suppressed count below `min_cell` must stay
//! possible over at least `(min_cell - 1) / 2` of the values 0 to
//! `min_cell - 1` (4 of 0-9 at the default 10), found by linear programming
//! over every equation a reader knows (the exact audit that tau-ARGUS and
//! sdcTable run on small tables).

use std::collections::BTreeMap;
use std::fmt;

use cohort_panel::{dropped_out_by, present_at, PatternClass};
use serde::Serialize;

use crate::gate::{ProtectedTable, Rules, Shown};
use crate::lp::Program;
use crate::published::{EstimateRow, PublishedResults};
use crate::raw::Statistic;

/// One thing a reader could learn that the rules forbid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditFinding {
    /// The table (as the suppression list names it).
    pub table: String,
    /// Row label.
    pub row: String,
    /// Column label.
    pub column: String,
    /// The rule broken.
    pub rule: &'static str,
    /// What can be learnt (never the hidden value itself).
    pub detail: String,
}

impl fmt::Display for AuditFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {} / {}: {}: {}",
            self.table, self.row, self.column, self.rule, self.detail
        )
    }
}

/// A cell of a linked system of tables: `(table, row, column)`, where the
/// row `rows.len()` and the column `columns.len()` are the totals.
type CellRef = (usize, usize, usize);

/// An unknown of the system: a published (or withheld) cell, or the number
/// of families with one presence pattern (bit `w`: present at wave `w`),
/// which the response tables are sums of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Var {
    Cell(CellRef),
    Pattern(u64),
    /// Families that dropped out at a wave (after taking part at the wave
    /// before): the difference of the cumulative "dropped out" counts.
    NewDropouts(usize),
}

/// `sum of coefficient x unknown = 0`.
type Equation = Vec<(Var, f64)>;

/// Up to this many waves, the response tables are modelled by their
/// presence patterns (at most 2^8 - 1 unknowns).
const MAX_PATTERN_WAVES: usize = 8;

/// The tables of a report as one system of equations.
struct System<'a> {
    tables: Vec<(&'a str, &'a ProtectedTable)>,
    rules: Rules,
}

impl<'a> System<'a> {
    fn shown(&self, (t, r, c): CellRef) -> Option<&'a Shown> {
        let table = self.tables[t].1;
        let (nr, nc) = (table.rows.len(), table.columns.len());
        match (r == nr, c == nc) {
            (false, false) => table.cells.get(r)?.get(c),
            (false, true) => table.row_totals.get(r),
            (true, false) => table.column_totals.get(c),
            (true, true) => table.total.as_ref(),
        }
    }

    fn label(&self, (t, r, c): CellRef) -> (String, String, String) {
        let table = self.tables[t].1;
        let row = table.rows.get(r).cloned().unwrap_or_else(|| "total".into());
        let col = table
            .columns
            .get(c)
            .cloned()
            .unwrap_or_else(|| "total".into());
        (table.title.clone(), row, col)
    }

    /// The margins of every table with totals, as equations
    /// `sum of cells - total = 0`.
    fn margins(&self) -> Vec<Equation> {
        let mut eqs = Vec::new();
        for (t, (_, table)) in self.tables.iter().enumerate() {
            if table.total.is_none() {
                continue;
            }
            let (nr, nc) = (table.rows.len(), table.columns.len());
            for r in 0..=nr {
                let mut e: Equation = (0..nc).map(|c| (Var::Cell((t, r, c)), 1.0)).collect();
                e.push((Var::Cell((t, r, nc)), -1.0));
                eqs.push(e);
            }
            for c in 0..nc {
                let mut e: Equation = (0..nr).map(|r| (Var::Cell((t, r, c)), 1.0)).collect();
                e.push((Var::Cell((t, nr, c)), -1.0));
                eqs.push(e);
            }
        }
        eqs
    }

    /// The label of an unknown a reader may derive: a cell, a pattern's
    /// families, or the families that dropped out at a wave.
    fn var_label(&self, var: Var) -> (String, String, String) {
        let waves: Vec<String> = self
            .find("response")
            .map(|t| self.tables[t].1.columns.clone())
            .unwrap_or_default();
        match var {
            Var::Cell(cell) => self.label(cell),
            Var::Pattern(m) => {
                let pattern: String = (0..waves.len())
                    .map(|w| if present_at(m, w) { 'X' } else { '.' })
                    .collect();
                (
                    "families by response pattern".into(),
                    format!("pattern {pattern}"),
                    "families".into(),
                )
            }
            Var::NewDropouts(w) => (
                "families present, returned and dropped out per wave".into(),
                "dropped out at this wave".into(),
                waves.get(w).cloned().unwrap_or_default(),
            ),
        }
    }

    fn find(&self, title: &str) -> Option<usize> {
        self.tables.iter().position(|(t, _)| *t == title)
    }
}

/// The linked equations between the tables of a cohort report that a
/// reader knows from their definitions. Up to [`MAX_PATTERN_WAVES`] waves,
/// every cell of the response, patterns and attrition tables is written as
/// the sum of the presence patterns it counts (`cohort_panel::presence`
/// defines them): families per wave, present, returned and dropped out by
/// each wave, and the pattern classes. That is everything a reader can
/// derive from these tables, differences of cumulative counts included.
/// With more waves only the direct links are used: families per wave are
/// the attrition table's "present"; families absent at the first wave are
/// the late entries.
fn links(sys: &System) -> Vec<Equation> {
    let waves = sys.find("response").map(|t| sys.tables[t].1.columns.len());
    match waves {
        Some(k) if (1..=MAX_PATTERN_WAVES).contains(&k) => pattern_model(sys, k),
        _ => direct_links(sys),
    }
}

/// The response tables as sums of presence-pattern counts (`k` waves).
fn pattern_model(sys: &System, k: usize) -> Vec<Equation> {
    let masks = 1u64..(1 << k);
    let mut eqs = Vec::new();
    let mut define = |cell: CellRef, counts: &dyn Fn(u64) -> bool| {
        let mut e = vec![(Var::Cell(cell), 1.0)];
        e.extend(
            masks
                .clone()
                .filter(|&m| counts(m))
                .map(|m| (Var::Pattern(m), -1.0)),
        );
        eqs.push(e);
    };
    let row = |t: usize, label: &str| sys.tables[t].1.rows.iter().position(|r| r == label);
    let same_waves = |t: usize| sys.tables[t].1.columns.len() == k;
    if let Some(t) = sys.find("response").filter(|&t| same_waves(t)) {
        if let Some(f) = row(t, "families") {
            for w in 0..k {
                define((t, f, w), &|m| present_at(m, w));
            }
        }
    }
    if let Some(t) = sys.find("attrition").filter(|&t| same_waves(t)) {
        for (label, counts) in crate::raw::ATTRITION_ROWS {
            if let Some(r) = row(t, label) {
                for w in 0..k {
                    define((t, r, w), &|m| counts(m, w));
                }
            }
        }
    }
    if let Some(t) = sys.find("patterns") {
        let table = sys.tables[t].1;
        let classes = [
            ("complete", PatternClass::Complete),
            ("dropped out", PatternClass::DroppedOut),
            ("late entry", PatternClass::LateEntry),
            ("returned", PatternClass::Returned),
        ];
        if let Some(r) = row(t, "families") {
            for (label, class) in classes {
                if let Some(c) = table.columns.iter().position(|col| col == label) {
                    define((t, r, c), &|m| PatternClass::of(m, k) == class);
                }
            }
            define((t, r, table.columns.len()), &|_| true);
        }
    }
    // Counts a reader derives that are no cell: the families with each
    // pattern, and those that dropped out at each wave.
    for w in 1..k {
        let mut e = vec![(Var::NewDropouts(w), 1.0)];
        e.extend(
            masks
                .clone()
                .filter(|&m| dropped_out_by(m, w) && !dropped_out_by(m, w - 1))
                .map(|m| (Var::Pattern(m), -1.0)),
        );
        eqs.push(e);
    }
    eqs
}

/// The direct links, for studies with too many waves to model by pattern.
fn direct_links(sys: &System) -> Vec<Equation> {
    let mut eqs = Vec::new();
    let (Some(resp), Some(attr)) = (sys.find("response"), sys.find("attrition")) else {
        return eqs;
    };
    let (rt, at) = (sys.tables[resp].1, sys.tables[attr].1);
    let families = rt.rows.iter().position(|r| r == "families");
    let present = at.rows.iter().position(|r| r == "present");
    if let (Some(f), Some(p)) = (families, present) {
        for w in 0..rt.columns.len().min(at.columns.len()) {
            eqs.push(vec![
                (Var::Cell((resp, f, w)), 1.0),
                (Var::Cell((attr, p, w)), -1.0),
            ]);
        }
        if let Some(pat) = sys.find("patterns") {
            let pt = sys.tables[pat].1;
            if let Some(late) = pt.columns.iter().position(|c| c == "late entry") {
                // total families = families at the first wave + late entries.
                eqs.push(vec![
                    (Var::Cell((pat, pt.rows.len(), pt.columns.len())), 1.0),
                    (Var::Cell((resp, f, 0)), -1.0),
                    (Var::Cell((pat, 0, late)), -1.0),
                ]);
            }
        }
    }
    eqs
}

/// Bounds a reader puts on a cell as published: a count is known (within
/// its rounding); "<k" lies in 0..k-1; a secondary or withheld cell is
/// non-negative.
fn bounds(shown: Option<&Shown>, rules: &Rules, big: f64) -> (f64, f64) {
    let half = (rules.rounding() / 2) as f64;
    match shown {
        Some(Shown::Count { value }) => ((*value as f64 - half).max(0.0), *value as f64 + half),
        Some(Shown::Below { min_cell }) => (0.0, (*min_cell as f64 - 1.0).max(0.0)),
        _ => (0.0, big),
    }
}

/// The narrowest interval a suppressed small count may be bounded to.
pub fn protection_width(rules: &Rules) -> f64 {
    ((rules.smallest_count().saturating_sub(1)) / 2) as f64
}

/// A small count pinned down too narrowly: where, its feasible interval,
/// and the published cell whose suppression would loosen it most cheaply
/// (the smallest shown count in an equation with it).
struct Narrow {
    label: (String, String, String),
    range: (f64, f64),
    loosen: Option<CellRef>,
}

/// Every small count that the tables pin down too narrowly.
fn narrow_cells(tables: &[(&str, &ProtectedTable)], rules: &Rules) -> Vec<Narrow> {
    let sys = System {
        tables: tables.to_vec(),
        rules: *rules,
    };
    let mut eqs = sys.margins();
    eqs.extend(links(&sys));
    // Unknowns: every cell and pattern count that appears in an equation.
    let mut index: BTreeMap<Var, usize> = BTreeMap::new();
    for e in &eqs {
        for (var, _) in e {
            let n = index.len();
            index.entry(*var).or_insert(n);
        }
    }
    // A hidden cell of unknown size: at most a generous bound above every
    // published count (the largest count of any of the tables, times 4).
    let big: f64 = tables
        .iter()
        .flat_map(|(_, t)| {
            t.cells
                .iter()
                .flatten()
                .chain(&t.row_totals)
                .chain(&t.column_totals)
                .chain(t.total.as_ref())
        })
        .filter_map(|s| match s {
            Shown::Count { value } => Some(*value as f64),
            _ => None,
        })
        .fold(1.0f64, f64::max)
        * 4.0;
    let shown = |var: &Var| match var {
        Var::Cell(cell) => sys.shown(*cell),
        Var::Pattern(_) | Var::NewDropouts(_) => None,
    };
    let mut lo = vec![0.0; index.len()];
    let mut hi = vec![0.0; index.len()];
    for (var, &k) in &index {
        (lo[k], hi[k]) = bounds(shown(var), &sys.rules, big);
    }
    let a: Vec<Vec<f64>> = eqs
        .iter()
        .map(|e| {
            let mut row = vec![0.0; index.len()];
            for (var, coef) in e {
                row[index[var]] += coef;
            }
            row
        })
        .collect();
    let program = Program {
        lo,
        hi,
        b: vec![0.0; a.len()],
        a,
    };
    let width = protection_width(rules);
    let wide_enough = |program: &Program, k: usize| {
        program
            .range(k)
            .is_none_or(|(min, max)| max - min >= width - 1e-6)
    };
    let smallest = rules.smallest_count() as f64;
    index
        .iter()
        .filter_map(|(var, &k)| {
            let (min, max) = match (var, shown(var)) {
                // A hidden small count must stay wide.
                (Var::Cell(_), Some(Shown::Below { .. })) => program.range(k)?,
                (Var::Cell(_), _) => return None,
                // A derived count must not be pinned to a small number:
                // certainly zero is no one; certainly min_cell or more is
                // a count that could be published.
                _ => {
                    let (min, max) = program.range(k)?;
                    if max < 0.5 || min > smallest - 0.5 {
                        return None;
                    }
                    (min, max)
                }
            };
            if max - min >= width - 1e-6 {
                return None;
            }
            // Suppress the smallest published count that frees the cell
            // alone; where none does, the smallest in an equation with the
            // cell itself, else one step further (through a pattern count
            // or a shared cell): the next round frees it further.
            let counts_in = |vars: &[Var]| -> Vec<(u64, CellRef)> {
                let mut out: Vec<(u64, CellRef)> = eqs
                    .iter()
                    .filter(|e| e.iter().any(|(v, _)| vars.contains(v)))
                    .flat_map(|e| e.iter().map(|(v, _)| *v))
                    .filter_map(|v| match (v, shown(&v)) {
                        (Var::Cell(c), Some(Shown::Count { value })) if *value > 0 => {
                            Some((*value, c))
                        }
                        _ => None,
                    })
                    .collect();
                out.sort_unstable();
                out.dedup();
                out
            };
            let near: Vec<Var> = eqs
                .iter()
                .filter(|e| e.iter().any(|(v, _)| v == var))
                .flat_map(|e| e.iter().map(|(v, _)| *v))
                .collect();
            let frees = |c: &CellRef| {
                let mut freed = program.clone();
                let j = index[&Var::Cell(*c)];
                (freed.lo[j], freed.hi[j]) = (0.0, big);
                wide_enough(&freed, k)
            };
            let every: Vec<Var> = index.keys().copied().collect();
            let loosen = counts_in(&every)
                .into_iter()
                .find(|(_, c)| frees(c))
                .or_else(|| counts_in(&[*var]).into_iter().next())
                .or_else(|| counts_in(&near).into_iter().next())
                .map(|(_, c)| c);
            Some(Narrow {
                label: sys.var_label(*var),
                range: (min, max),
                loosen,
            })
        })
        .collect()
}

/// The count tables of a published report, by name.
fn count_tables(p: &PublishedResults) -> Vec<(&str, &ProtectedTable)> {
    let mut t = vec![
        ("response", &p.response),
        ("patterns", &p.patterns),
        ("attrition", &p.attrition),
    ];
    if let Some(tr) = &p.transitions {
        t.push(("transitions", tr));
    }
    if let Some(tc) = &p.trajectory_counts {
        t.push(("trajectories", tc));
    }
    t
}

/// Small counts, small-n and implied-count estimates, and cells recoverable
/// from the linked tables of a published report.
pub fn audit(p: &PublishedResults) -> Vec<AuditFinding> {
    let rules = &p.rules;
    let k = rules.smallest_count();
    let out = std::cell::RefCell::new(Vec::new());
    let finding = |table: &str, row: &str, column: &str, rule: &'static str, detail: String| {
        out.borrow_mut().push(AuditFinding {
            table: table.to_string(),
            row: row.to_string(),
            column: column.to_string(),
            rule,
            detail,
        })
    };
    let small = |v: u64| v > 0 && v < k;
    if rules.unsafe_small_cells() {
        finding(
            "rules",
            "min_cell",
            "all",
            "unsafe rules",
            format!(
                "made with min_cell {k}, below {}",
                crate::gate::SMALLEST_MIN_CELL
            ),
        );
    }
    // Counts.
    for (_, t) in count_tables(p) {
        let totals = t
            .row_totals
            .iter()
            .enumerate()
            .map(|(r, s)| (t.rows[r].as_str(), "total", s));
        let col_totals = t
            .column_totals
            .iter()
            .enumerate()
            .map(|(c, s)| ("total", t.columns[c].as_str(), s));
        let cells = t.cells.iter().enumerate().flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(move |(c, s)| (t.rows[r].as_str(), t.columns[c].as_str(), s))
        });
        for (row, col, s) in cells.chain(totals).chain(col_totals) {
            if let Shown::Count { value } = s {
                if small(*value) {
                    finding(
                        &t.title,
                        row,
                        col,
                        "small count",
                        format!("a count below {k} is shown"),
                    );
                }
            }
        }
    }
    for (row, s) in &p.rows {
        if let Shown::Count { value } = s {
            if small(*value) {
                finding(
                    "rows",
                    row,
                    "count",
                    "small count",
                    format!("a count below {k} is shown"),
                );
            }
        }
    }
    // Estimates.
    let estimate = |table: &str, e: &EstimateRow| {
        let column = match &e.group {
            Some(g) => format!("{} {g}", e.wave),
            None => e.wave.clone(),
        };
        // An n is a count: shown alone, it must pass the minimum too.
        if let Some(n) = e.n {
            if small(n) {
                finding(
                    table,
                    &e.measure,
                    &column,
                    "small count",
                    format!("an n below {k} is shown"),
                );
            }
        }
        if e.whiskers.is_some() && e.n.is_none_or(|n| n < crate::WHISKER_UNITS * k) {
            finding(
                table,
                &e.measure,
                &column,
                "percentiles on too few units",
                format!(
                    "10th and 90th percentiles on fewer than {} units",
                    crate::WHISKER_UNITS * k
                ),
            );
        }
        let Some(v) = e.value else { return };
        match e.n {
            None => finding(
                table,
                &e.measure,
                &column,
                "estimate without its n",
                "a value is shown without the units it is based on".into(),
            ),
            Some(n) if n < k => finding(
                table,
                &e.measure,
                &column,
                "small n",
                format!("a value on fewer than {k} units"),
            ),
            Some(n) if e.statistic == Statistic::Share => {
                let with = (v * n as f64).round() as u64;
                if small(with) || small(n.saturating_sub(with)) {
                    finding(
                        table,
                        &e.measure,
                        &column,
                        "implied count",
                        format!("share times n implies a count below {k}"),
                    );
                }
            }
            _ => {}
        }
    };
    for e in &p.estimates {
        estimate("estimates", e);
    }
    for e in &p.by_group {
        estimate("estimates by group", e);
    }
    for tr in &p.trajectories {
        if let Some(n) = tr.n {
            if small(n) {
                finding(
                    "trajectories",
                    &tr.class,
                    "families",
                    "small count",
                    format!("a count below {k} is shown"),
                );
            }
        }
        for e in &tr.waves {
            estimate("trajectories", e);
        }
    }
    for c in &p.change {
        if c.n_pairs.is_some_and(small) {
            finding(
                "change",
                &c.measure,
                "pairs",
                "small count",
                format!("a number of pairs below {k} is shown"),
            );
        }
        let shown = c.mean_diff.is_some() || c.p_t.is_some() || c.dz.is_some();
        if shown && c.n_pairs.is_none_or(|n| n < k) {
            finding(
                "change",
                &c.measure,
                "all",
                "small n",
                format!("a change on fewer than {k} pairs, or without its pairs"),
            );
        }
    }
    for r in &p.reliability {
        if r.n.is_some_and(small) {
            finding(
                "reliability",
                &r.scale,
                &r.wave,
                "small count",
                format!("an n below {k} is shown"),
            );
        }
        if r.alpha.is_some() && r.n.is_none_or(|n| n < k) {
            finding(
                "reliability",
                &r.scale,
                &r.wave,
                "small n",
                format!("an alpha on fewer than {k} cases"),
            );
        }
    }
    if let Some(s) = &p.stopped {
        if let (Some(v), Some(n)) = (s.value, s.n) {
            let with = (v * n as f64).round() as u64;
            if n < k || small(with) || small(n - with.min(n)) {
                finding(
                    "stopped",
                    "families",
                    "share",
                    "implied count",
                    format!("a share on fewer than {k} families or implying a count below {k}"),
                );
            }
        } else if s.value.is_some() {
            finding(
                "stopped",
                "families",
                "share",
                "estimate without its n",
                "a share is shown without its base".into(),
            );
        }
    }
    // A group estimate given back by the overall one and the other groups.
    let mut cells: BTreeMap<(&str, &str), Vec<&EstimateRow>> = BTreeMap::new();
    for g in &p.by_group {
        cells.entry((&g.measure, &g.wave)).or_default().push(g);
    }
    for ((measure, wave), rows) in cells {
        let overall = p
            .estimates
            .iter()
            .any(|o| o.measure == measure && o.wave == wave && o.value.is_some());
        let hidden: Vec<&&EstimateRow> = rows
            .iter()
            .filter(|g| g.value.is_none() && g.n != Some(0))
            .collect();
        if overall && hidden.len() == 1 && rows.len() > 1 {
            finding(
                "estimates by group",
                measure,
                &format!("{wave} {}", hidden[0].group.as_deref().unwrap_or("")),
                "recoverable",
                "the overall estimate and the other groups give this group's value back".into(),
            );
        }
        // Several withheld groups come back as one: on how many units?
        let overall_n = p
            .estimates
            .iter()
            .find(|o| o.measure == measure && o.wave == wave)
            .and_then(|o| o.n);
        let shown_n: Option<u64> = rows.iter().filter(|g| g.value.is_some()).map(|g| g.n).sum();
        if let (true, Some(total), Some(shown)) = (overall && hidden.len() > 1, overall_n, shown_n)
        {
            // Each published n may be rounded by up to half the base.
            let slack = (rules.rounding() / 2) * (rows.len() as u64 + 1);
            let combined = total.saturating_sub(shown);
            if combined + slack < k {
                finding(
                    "estimates by group",
                    measure,
                    &format!("{wave} withheld groups"),
                    "recoverable",
                    format!(
                        "the overall estimate and the other groups give the withheld groups' \
                         combined value, on fewer than {k} units"
                    ),
                );
            }
        }
    }
    // Small counts pinned down by the tables and their links.
    for Narrow {
        label: (table, row, column),
        range: (min, max),
        ..
    } in narrow_cells(&count_tables(p), rules)
    {
        let detail = if (max - min).abs() < 1e-6 {
            "the published tables determine it exactly".to_string()
        } else {
            format!(
                "the published tables bound it to an interval of width {:.0}, narrower than {}",
                max - min,
                protection_width(rules)
            )
        };
        finding(&table, &row, &column, "recoverable", detail);
    }
    out.into_inner()
}

/// The cells the gate must suppress as well so that no small count of
/// `tables` is pinned down: `(table index, [row, column])`, one per
/// narrow cell (empty when the tables hold).
pub(crate) fn to_loosen(
    tables: &[(&str, &ProtectedTable)],
    rules: &Rules,
) -> Vec<(usize, [usize; 2])> {
    let mut out: Vec<(usize, [usize; 2])> = narrow_cells(tables, rules)
        .into_iter()
        .filter_map(|n| n.loosen.map(|(t, r, c)| (t, [r, c])))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
