//! Design matrices from a formula and a frame: the fixed effects `X` with
//! R's treatment contrasts and coefficient names, the response, and for
//! each random term its effects and the level of each row.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use ndarray::{Array1, Array2};

use crate::error::{FormulaError, ModelError};
use crate::formula::{Formula, RandomTerm, Var};
use crate::frame::{Column, Frame};
use crate::linalg::Qr;

/// Why a row of the frame is not in the model.
pub const MISSING_OUTCOME: &str = "missing outcome";
/// A covariate of the row is missing.
pub const MISSING_COVARIATE: &str = "missing covariate";
/// A grouping of the row is missing.
pub const MISSING_GROUPING: &str = "missing grouping";

/// One random term in the design.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomDesign {
    /// The grouping as lme4 names it (`id`, `family:child`).
    pub group: String,
    /// The effects: `(Intercept)` and slopes.
    pub effects: Vec<String>,
    /// Per used row, its values of the effects (n x q).
    pub z: Array2<f64>,
    /// Per used row, its level of the grouping.
    pub levels: Vec<u32>,
    /// Levels of the grouping among the used rows.
    pub n_levels: usize,
}

/// The model's data, ready to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The formula.
    pub formula: Formula,
    /// The frame rows used, in frame order.
    pub rows: Vec<usize>,
    /// Fixed-effects design (n x p).
    pub x: Array2<f64>,
    /// Coefficient names, as R prints them.
    pub names: Vec<String>,
    /// Each term with its columns of `x` (the intercept is a term).
    pub terms: Vec<(String, Range<usize>)>,
    /// The response.
    pub y: Array1<f64>,
    /// Frame rows left out, by reason.
    pub excluded: BTreeMap<String, usize>,
    /// The random terms.
    pub random: Vec<RandomDesign>,
}

impl Design {
    /// Observations.
    pub fn n(&self) -> usize {
        self.x.nrows()
    }

    /// Fixed-effects coefficients.
    pub fn p(&self) -> usize {
        self.x.ncols()
    }
}

/// The columns one variable adds: their names and how to read them.
struct VarColumns {
    names: Vec<String>,
    values: VarValues,
}

/// A variable's values per frame row.
enum VarValues {
    /// One column.
    Numeric(Vec<Option<f64>>),
    /// A 0/1 column per level from `first` (1 under treatment contrasts, 0
    /// coded in full) to `levels`.
    Levels {
        codes: Vec<Option<u32>>,
        first: usize,
    },
}

impl VarColumns {
    /// The number of columns.
    fn width(&self) -> usize {
        self.names.len()
    }

    /// The value of column `c` at frame row `i`, or `None` when missing.
    fn value(&self, i: usize, c: usize) -> Option<f64> {
        match &self.values {
            VarValues::Numeric(v) => v[i],
            VarValues::Levels { codes, first, .. } => {
                codes[i].map(|code| f64::from(u8::from(code as usize == first + c)))
            }
        }
    }

    /// Whether frame row `i` has a value.
    fn present(&self, i: usize) -> bool {
        match &self.values {
            VarValues::Numeric(v) => v[i].is_some(),
            VarValues::Levels { codes, .. } => codes[i].is_some(),
        }
    }
}

fn var_columns(frame: &Frame, v: &Var, full: bool) -> Result<VarColumns, FormulaError> {
    let column = frame.column(&v.name, v.column)?;
    let label = v.label();
    let as_levels = v.factor || matches!(column, Column::Factor { .. });
    if !as_levels {
        let Column::Numeric(values) = column.clone() else {
            unreachable!("a numeric column")
        };
        return Ok(VarColumns {
            names: vec![label],
            values: VarValues::Numeric(values),
        });
    }
    let (levels, codes) = column.as_factor();
    // Treatment contrasts: the first level is the reference, unless the
    // factor is coded in full (no intercept).
    let first = usize::from(!full);
    let names = levels[first..]
        .iter()
        .map(|l| format!("{label}{l}"))
        .collect();
    Ok(VarColumns {
        names,
        values: VarValues::Levels { codes, first },
    })
}

/// Appends the values of a product term's columns at frame row `i` to
/// `out` (R's order: the first variable varies fastest); `false`, with
/// nothing appended, when a value is missing.
fn push_product(vars: &[VarColumns], i: usize, out: &mut Vec<f64>) -> bool {
    if !vars.iter().all(|v| v.present(i)) {
        return false;
    }
    let width: usize = vars.iter().map(VarColumns::width).product();
    for c in 0..width {
        let mut value = 1.0;
        let mut rest = c;
        for v in vars {
            let w = v.width();
            value *= v.value(i, rest % w).expect("present");
            rest /= w;
        }
        out.push(value);
    }
    true
}

/// The names of a product term's columns, as R's (`age:SexFemale`).
fn product_names(vars: &[VarColumns]) -> Vec<String> {
    let mut product = vec![String::new()];
    for v in vars {
        let mut next = Vec::new();
        for b in &v.names {
            for a in &product {
                next.push(if a.is_empty() {
                    b.clone()
                } else {
                    format!("{a}:{b}")
                });
            }
        }
        product = next;
    }
    product
}

/// The design's fixed terms with every factor coded in full (a column per
/// level), at the design's rows: lmerTest's "rank-deficient" design
/// `rdX`, from which type III contrasts follow. Returns the column names
/// and the matrix (rows x columns, row-major).
pub(crate) fn full_coding(
    d: &Design,
    frame: &Frame,
) -> Result<(Vec<String>, Vec<f64>), ModelError> {
    let err = |error: FormulaError| ModelError::Formula {
        formula: d.formula.text.clone(),
        error,
    };
    let mut terms = Vec::new();
    for term in &d.formula.fixed {
        let vars = term
            .iter()
            .map(|v| var_columns(frame, v, true))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        terms.push(vars);
    }
    let mut names = Vec::new();
    if d.formula.intercept {
        names.push("(Intercept)".to_string());
    }
    for vars in &terms {
        names.extend(product_names(vars));
    }
    let mut values = Vec::with_capacity(d.rows.len() * names.len());
    for &i in &d.rows {
        if d.formula.intercept {
            values.push(1.0);
        }
        for vars in &terms {
            if !push_product(vars, i, &mut values) {
                return Err(ModelError::Data(
                    "a used row lost a value in the full coding".into(),
                ));
            }
        }
    }
    Ok((names, values))
}

/// The design of `formula` on `frame`.
pub fn design(formula: &Formula, frame: &Frame) -> Result<Design, ModelError> {
    let err = |error: FormulaError| ModelError::Formula {
        formula: formula.text.clone(),
        error,
    };
    let response = frame
        .column(&formula.response.name, formula.response.column)
        .map_err(err)?;
    let Column::Numeric(y_all) = response else {
        return Err(err(FormulaError::at(
            formula.response.column,
            format!(
                "the response '{}' is categorical; expected a number (a 0/1 measure for yes/no)",
                formula.response.name
            ),
        )));
    };
    // Fixed terms: the columns of each, as products of their variables.
    let mut terms: Vec<(String, Vec<VarColumns>)> = Vec::new();
    let mut full_used = formula.intercept;
    for term in &formula.fixed {
        let mut vars = Vec::new();
        for v in term {
            // Without an intercept the first factor main effect is coded
            // in full, as R does.
            let is_factor = v.factor
                || matches!(
                    frame.column(&v.name, v.column).map_err(err)?,
                    Column::Factor { .. }
                );
            let full = !full_used && term.len() == 1 && is_factor;
            if full {
                full_used = true;
            }
            vars.push(var_columns(frame, v, full).map_err(err)?);
        }
        let label = term.iter().map(Var::label).collect::<Vec<_>>().join(":");
        terms.push((label, vars));
    }
    // Random terms: slopes and groupings.
    struct RandomParts<'a> {
        term: &'a RandomTerm,
        slopes: Vec<VarColumns>,
        groups: Vec<(Vec<String>, Vec<Option<u32>>)>,
    }
    let mut random = Vec::new();
    for r in &formula.random {
        let mut slopes = Vec::new();
        for s in &r.slopes {
            let vc = var_columns(frame, s, false).map_err(err)?;
            if vc.names.len() != 1 {
                return Err(err(FormulaError::at(
                    s.column,
                    format!(
                        "a random slope must be numeric; '{}' is categorical",
                        s.name
                    ),
                )));
            }
            slopes.push(vc);
        }
        let mut groups = Vec::new();
        for g in &r.group {
            groups.push(frame.column(&g.name, g.column).map_err(err)?.as_factor());
        }
        random.push(RandomParts {
            term: r,
            slopes,
            groups,
        });
    }

    // Rows: those with the outcome, every covariate and every grouping.
    let mut excluded: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    // The design row by row, flat; a row that turns out incomplete is
    // taken back.
    let mut x_values: Vec<f64> = Vec::new();
    let mut z_values: Vec<Vec<f64>> = vec![Vec::new(); random.len()];
    let mut z_marks: Vec<usize> = Vec::with_capacity(random.len());
    'row: for i in 0..frame.rows() {
        if y_all[i].is_none() {
            *excluded.entry(MISSING_OUTCOME.into()).or_default() += 1;
            continue;
        }
        let x_mark = x_values.len();
        z_marks.clear();
        z_marks.extend(z_values.iter().map(Vec::len));
        let take_back = |x: &mut Vec<f64>, z: &mut Vec<Vec<f64>>| {
            x.truncate(x_mark);
            z.iter_mut().zip(&z_marks).for_each(|(z, &m)| z.truncate(m));
        };
        if formula.intercept {
            x_values.push(1.0);
        }
        for (_, vars) in &terms {
            if !push_product(vars, i, &mut x_values) {
                take_back(&mut x_values, &mut z_values);
                *excluded.entry(MISSING_COVARIATE.into()).or_default() += 1;
                continue 'row;
            }
        }
        for (k, r) in random.iter().enumerate() {
            if r.term.intercept {
                z_values[k].push(1.0);
            }
            for s in &r.slopes {
                match s.value(i, 0) {
                    Some(v) => z_values[k].push(v),
                    None => {
                        take_back(&mut x_values, &mut z_values);
                        *excluded.entry(MISSING_COVARIATE.into()).or_default() += 1;
                        continue 'row;
                    }
                }
            }
            if r.groups.iter().any(|(_, codes)| codes[i].is_none()) {
                take_back(&mut x_values, &mut z_values);
                *excluded.entry(MISSING_GROUPING.into()).or_default() += 1;
                continue 'row;
            }
        }
        rows.push(i);
    }
    let n = rows.len();
    let mut names = Vec::new();
    let mut ranges = Vec::new();
    if formula.intercept {
        names.push("(Intercept)".to_string());
        ranges.push(("(Intercept)".to_string(), 0..1));
    }
    for (label, vars) in &terms {
        let start = names.len();
        names.extend(product_names(vars));
        ranges.push((label.clone(), start..names.len()));
    }
    let p = names.len();
    if n == 0 {
        return Err(ModelError::Data(
            "no row has the outcome and every covariate of the model".into(),
        ));
    }
    let x = Array2::from_shape_vec((n, p), x_values)
        .map_err(|e| ModelError::Data(format!("design: {e}")))?;
    let y = Array1::from_iter(rows.iter().map(|&i| y_all[i].unwrap_or_default()));
    if p > 0 {
        if let Err(j) = Qr::new(x.iter().copied().collect(), n, p) {
            return Err(ModelError::RankDeficient {
                term: names[j].clone(),
            });
        }
    }
    let mut random: Vec<RandomDesign> = random
        .iter()
        .zip(z_values)
        .map(|(r, z)| {
            let q = r.term.size();
            let z = Array2::from_shape_vec((n, q), z).expect("q values a row");
            // A level is the combination of the nested groupings' levels,
            // numbered by first appearance.
            let (levels, n_levels) = match &r.groups[..] {
                [(names, codes)] => {
                    let mut index = vec![u32::MAX; names.len()];
                    let mut next = 0;
                    let levels = rows
                        .iter()
                        .map(|&i| {
                            let slot = &mut index[codes[i].unwrap_or(0) as usize];
                            if *slot == u32::MAX {
                                *slot = next;
                                next += 1;
                            }
                            *slot
                        })
                        .collect();
                    (levels, next as usize)
                }
                groups => {
                    let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
                    let levels = rows
                        .iter()
                        .map(|&i| {
                            let key: Vec<u32> =
                                groups.iter().map(|(_, c)| c[i].unwrap_or(0)).collect();
                            let next = index.len() as u32;
                            *index.entry(key).or_insert(next)
                        })
                        .collect();
                    (levels, index.len())
                }
            };
            let mut effects = Vec::new();
            if r.term.intercept {
                effects.push("(Intercept)".to_string());
            }
            effects.extend(r.term.slopes.iter().map(Var::label));
            RandomDesign {
                group: r.term.group_label(),
                effects,
                z,
                levels,
                n_levels,
            }
        })
        .collect();
    // As lme4: the terms by decreasing number of levels (a stable sort:
    // terms of one grouping keep the formula's order).
    random.sort_by_key(|r| std::cmp::Reverse(r.n_levels));
    Ok(Design {
        formula: formula.clone(),
        rows,
        x,
        names,
        terms: ranges,
        y,
        excluded,
        random,
    })
}
