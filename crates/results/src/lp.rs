//! A small dense linear program: the bounds a reader with a calculator can
//! put on a hidden cell, given every published cell and every equation that
//! links them (margins, and cells shared by tables).
//!
//! Two-phase simplex with Bland's rule on a dense tableau: exact enough
//! and fast for the few dozen cells of a report's linked tables.

/// `lo <= x <= hi` for each variable and `sum_j a[i][j] x_j = b[i]` for
/// each equation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Program {
    pub(crate) lo: Vec<f64>,
    pub(crate) hi: Vec<f64>,
    pub(crate) a: Vec<Vec<f64>>,
    pub(crate) b: Vec<f64>,
}

const EPS: f64 = 1e-9;

impl Program {
    /// The smallest and the largest value variable `k` can take, or `None`
    /// when the equations have no solution within the bounds.
    pub(crate) fn range(&self, k: usize) -> Option<(f64, f64)> {
        let n = self.lo.len();
        let mut c = vec![0.0; n];
        c[k] = 1.0;
        let max = self.maximise(&c)?;
        c[k] = -1.0;
        let min = -self.maximise(&c)?;
        Some((min, max))
    }

    /// The maximum of `c . x`, or `None` when infeasible.
    fn maximise(&self, c: &[f64]) -> Option<f64> {
        let n = self.lo.len();
        // Shift to y = x - lo >= 0; upper bounds y_j + s_j = hi_j - lo_j.
        let width: Vec<f64> = (0..n).map(|j| self.hi[j] - self.lo[j]).collect();
        if width.iter().any(|w| *w < -EPS) {
            return None;
        }
        let m_eq = self.a.len();
        let m = m_eq + n;
        // Columns: y (n), slacks (n), artificials (m_eq), then the rhs.
        let cols = 2 * n + m_eq;
        let mut t = vec![vec![0.0; cols + 1]; m];
        let mut basis = vec![0usize; m];
        for i in 0..m_eq {
            let shift: f64 = (0..n).map(|j| self.a[i][j] * self.lo[j]).sum();
            let mut rhs = self.b[i] - shift;
            let sign = if rhs < 0.0 { -1.0 } else { 1.0 };
            rhs *= sign;
            for (cell, a) in t[i].iter_mut().zip(&self.a[i]) {
                *cell = sign * a;
            }
            t[i][2 * n + i] = 1.0;
            t[i][cols] = rhs;
            basis[i] = 2 * n + i;
        }
        for j in 0..n {
            let i = m_eq + j;
            t[i][j] = 1.0;
            t[i][n + j] = 1.0;
            t[i][cols] = width[j].max(0.0);
            basis[i] = n + j;
        }
        // Phase 1: minimise the artificials (maximise their negative sum).
        let mut obj = vec![0.0; cols + 1];
        for j in 0..m_eq {
            obj[2 * n + j] = -1.0;
        }
        pivot_all(&mut t, &mut basis, &obj, cols)?;
        let infeasibility: f64 = (0..m)
            .filter(|&i| basis[i] >= 2 * n)
            .map(|i| t[i][cols])
            .sum();
        if infeasibility > 1e-7 {
            return None;
        }
        // Drive the artificials (all at zero now) out of the basis; a row
        // where none can leave is redundant and is dropped.
        let mut i = 0;
        while i < t.len() {
            if basis[i] >= 2 * n {
                match (0..2 * n).find(|&j| t[i][j].abs() > EPS) {
                    Some(j) => {
                        pivot(&mut t, i, j);
                        basis[i] = j;
                    }
                    None => {
                        t.remove(i);
                        basis.remove(i);
                        continue;
                    }
                }
            }
            i += 1;
        }
        // Phase 2: the objective on y, on the columns of y and the slacks.
        let mut obj = vec![0.0; cols + 1];
        obj[..n].copy_from_slice(c);
        let value = pivot_all(&mut t, &mut basis, &obj, 2 * n)?;
        let shift: f64 = (0..n).map(|j| c[j] * self.lo[j]).sum();
        Some(value + shift)
    }
}

/// Runs the simplex to optimality on the first `usable` columns; returns
/// the objective value, or `None` when unbounded (cannot happen with the
/// finite bounds used here, kept for safety).
fn pivot_all(t: &mut [Vec<f64>], basis: &mut [usize], obj: &[f64], usable: usize) -> Option<f64> {
    let rhs = t[0].len() - 1;
    let m = t.len();
    for _ in 0..10_000 {
        // Reduced costs: obj_j - sum_i obj_basis(i) t[i][j].
        let reduced =
            |j: usize| -> f64 { obj[j] - (0..m).map(|i| obj[basis[i]] * t[i][j]).sum::<f64>() };
        // Bland: the lowest-index improving column.
        let Some(enter) = (0..usable).find(|&j| !basis.contains(&j) && reduced(j) > EPS) else {
            let value: f64 = (0..m).map(|i| obj[basis[i]] * t[i][rhs]).sum();
            return Some(value);
        };
        // Ratio test, lowest basis index on ties.
        let mut leave: Option<(usize, f64)> = None;
        for i in 0..m {
            if t[i][enter] > EPS {
                let r = t[i][rhs] / t[i][enter];
                match leave {
                    Some((l, best))
                        if r > best + EPS || (r > best - EPS && basis[i] > basis[l]) => {}
                    _ => leave = Some((i, r)),
                }
            }
        }
        let (l, _) = leave?;
        pivot(t, l, enter);
        basis[l] = enter;
    }
    None
}

/// Pivots the tableau on row `l`, column `enter`.
fn pivot(t: &mut [Vec<f64>], l: usize, enter: usize) {
    let p = t[l][enter];
    for v in t[l].iter_mut() {
        *v /= p;
    }
    for i in 0..t.len() {
        if i != l && t[i][enter] != 0.0 {
            let f = t[i][enter];
            let (src, dst) = if i < l {
                let (a, b) = t.split_at_mut(l);
                (&b[0], &mut a[i])
            } else {
                let (a, b) = t.split_at_mut(i);
                (&a[l], &mut b[0])
            };
            for (d, s) in dst.iter_mut().zip(src.iter()) {
                *d -= f * s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_fixed_by_its_margins_has_a_single_value() {
        // x + y = 10, x + z = 7, with y published as 6: x = 4, z = 3.
        // Variables x, z (y is known): x = 10 - 6 = 4; z = 7 - x = 3.
        let p = Program {
            lo: vec![0.0, 0.0],
            hi: vec![9.0, 9.0],
            a: vec![vec![1.0, 0.0], vec![1.0, 1.0]],
            b: vec![4.0, 7.0],
        };
        assert_eq!(p.range(0), Some((4.0, 4.0)));
        assert_eq!(p.range(1), Some((3.0, 3.0)));
    }

    #[test]
    fn two_hidden_cells_of_one_line_are_bounded_by_their_bounds() {
        // x + z = 12 with 0 <= x <= 9 and 0 <= z <= 20: x in [0, 9], z in
        // [3, 12].
        let p = Program {
            lo: vec![0.0, 0.0],
            hi: vec![9.0, 20.0],
            a: vec![vec![1.0, 1.0]],
            b: vec![12.0],
        };
        let (lo, hi) = p.range(0).unwrap();
        assert!((lo - 0.0).abs() < 1e-9 && (hi - 9.0).abs() < 1e-9);
        let (lo, hi) = p.range(1).unwrap();
        assert!((lo - 3.0).abs() < 1e-9 && (hi - 12.0).abs() < 1e-9);
        // x + z = 40 cannot be met within the bounds.
        let q = Program { b: vec![40.0], ..p };
        assert_eq!(q.range(0), None);
    }
}
