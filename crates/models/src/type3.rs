//! Type III hypotheses of the fixed-effects terms, as lmerTest constructs
//! them (SAS's type III, whatever the coding; `lmerTest:::
//! extract_contrasts_type3`):
//!
//! 1. `L = zapsmall(rdX' X (X'X)^{-1})`: each column of the design with
//!    every factor coded in full (`rdX`) in terms of the model's columns.
//! 2. Highest-order terms first, the columns of `L` of a term contained
//!    in others (its variables a strict subset of theirs, with the same
//!    numeric variables: `age` is contained in `age:Sex`, `Sex` is not)
//!    are replaced by their residuals on the columns of the terms that
//!    contain it.
//! 3. The rows of `L` of the model's own columns; a term's hypothesis is
//!    the transpose of its columns there, without the zero rows.

use crate::design::{full_coding, Design};
use crate::error::ModelError;
use crate::formula::Var;
use crate::frame::{Column, Frame};
use crate::linalg::Qr;

/// R's `zapsmall` (7 digits): rounds every entry to the decimal places
/// that keep 7 significant digits of the largest.
fn zapsmall(values: &mut [f64]) {
    let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if largest == 0.0 {
        return;
    }
    let digits = (7.0 - largest.log10().ceil()).max(0.0);
    let scale = 10f64.powf(digits);
    for v in values {
        *v = (*v * scale).round() / scale;
    }
}

/// Residuals of the columns `ys` on the columns `xs` of `l` (m rows):
/// least squares by modified Gram-Schmidt, dependent columns dropped (the
/// residuals of R's pivoting `lm.fit`).
fn residualise(l: &mut [Vec<f64>], ys: &[usize], xs: &[usize]) {
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for &c in xs {
        let mut v = l[c].clone();
        let norm0 = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        for q in &basis {
            let dot: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm0 > 0.0 && norm > 1e-9 * norm0 {
            v.iter_mut().for_each(|a| *a /= norm);
            basis.push(v);
        }
    }
    for &c in ys {
        for q in &basis {
            let dot: f64 = l[c].iter().zip(q).map(|(a, b)| a * b).sum();
            l[c].iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
        }
    }
}

/// A term's hypothesis: its name and the rows of `L` (each of length p).
pub type Hypothesis = (String, Vec<Vec<f64>>);

/// The type III hypothesis of each fixed-effects term (the intercept left
/// out).
pub fn type3_contrasts(d: &Design, frame: &Frame) -> Result<Vec<Hypothesis>, ModelError> {
    let (n, p) = (d.n(), d.p());
    let (full_names, full) = full_coding(d, frame)?;
    let m = full_names.len();
    let x: Vec<f64> = d.x.iter().copied().collect();
    let qr = Qr::new(x, n, p).map_err(|j| ModelError::RankDeficient {
        term: d.names[j].clone(),
    })?;
    // `cols[j]`: column j of L (one entry per full-coding column).
    let mut rows_of_l = Vec::with_capacity(m);
    for c in 0..m {
        let column: Vec<f64> = (0..n).map(|i| full[i * m + c]).collect();
        rows_of_l.push(qr.solve(&column).0);
    }
    let mut flat: Vec<f64> = rows_of_l.concat();
    zapsmall(&mut flat);
    let mut cols: Vec<Vec<f64>> = (0..p)
        .map(|j| (0..m).map(|r| flat[r * p + j]).collect())
        .collect();
    // The formula's terms with their columns of X.
    let terms: Vec<(&String, std::ops::Range<usize>)> = d
        .terms
        .iter()
        .filter(|(name, _)| name != "(Intercept)")
        .map(|(name, range)| (name, range.clone()))
        .collect();
    let numeric =
        |v: &Var| !v.factor && matches!(frame.column(&v.name, v.column), Ok(Column::Numeric(_)));
    let vars: Vec<Vec<&Var>> = d.formula.fixed.iter().map(|t| t.iter().collect()).collect();
    let contains = |big: usize, small: usize| {
        let labels = |t: usize| vars[t].iter().map(|v| v.label()).collect::<Vec<_>>();
        let numerics = |t: usize| {
            let mut l: Vec<String> = vars[t]
                .iter()
                .filter(|v| numeric(v))
                .map(|v| v.label())
                .collect();
            l.sort();
            l
        };
        let (b, s) = (labels(big), labels(small));
        s.iter().all(|v| b.contains(v)) && b.len() > s.len() && numerics(big) == numerics(small)
    };
    let mut order: Vec<usize> = (0..terms.len()).collect();
    order.sort_by_key(|&t| std::cmp::Reverse(vars[t].len()));
    for &t in &order {
        let containing: Vec<usize> = (0..terms.len())
            .filter(|&o| o != t && contains(o, t))
            .flat_map(|o| terms[o].1.clone())
            .collect();
        if containing.is_empty() {
            continue;
        }
        let own: Vec<usize> = terms[t].1.clone().collect();
        residualise(&mut cols, &own, &containing);
        let mut block: Vec<f64> = own.iter().flat_map(|&c| cols[c].clone()).collect();
        zapsmall(&mut block);
        for (k, &c) in own.iter().enumerate() {
            cols[c] = block[k * m..(k + 1) * m].to_vec();
        }
    }
    // The rows of L of the model's own coefficients.
    let model_rows: Vec<usize> = d
        .names
        .iter()
        .map(|name| {
            full_names.iter().position(|f| f == name).ok_or_else(|| {
                ModelError::Unsupported(format!(
                    "type III tests: the coefficient {name} has no column in the full coding"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(terms
        .iter()
        .map(|(name, range)| {
            let hypothesis = range
                .clone()
                .map(|c| model_rows.iter().map(|&r| cols[c][r]).collect::<Vec<f64>>())
                .filter(|row| row.iter().map(|v| v.abs()).sum::<f64>() > 1e-8)
                .collect();
            (name.to_string(), hypothesis)
        })
        .collect())
}
