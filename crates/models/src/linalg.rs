//! Small dense linear algebra on row-major slices: Cholesky, triangular
//! solves, inverse from a Cholesky factor, and a Householder QR for least
//! squares. Per-cluster blocks and the fixed-effects system are small
//! (a few to a few dozen rows): no LAPACK, no allocation in the loops.

/// Cholesky factor in place: `a` (n x n, symmetric, row-major) becomes
/// the lower-triangular `L` with `L L' = a` (the upper part is zeroed).
/// `Err(j)` when the leading minor of order `j + 1` is not positive.
#[inline(always)]
pub fn cholesky(a: &mut [f64], n: usize) -> Result<(), usize> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 || !d.is_finite() {
            return Err(j);
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
        for k in j + 1..n {
            a[j * n + k] = 0.0;
        }
    }
    Ok(())
}

/// Solves `L x = b` in place (`l` lower triangular, n x n).
pub fn forward(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// Solves `L' x = b` in place (`l` lower triangular, n x n).
pub fn backward(l: &[f64], n: usize, b: &mut [f64]) {
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// `(L L')^{-1}` from the Cholesky factor `l` (n x n), row-major.
pub fn inverse_from_cholesky(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    let mut col = vec![0.0; n];
    for j in 0..n {
        col.iter_mut().for_each(|c| *c = 0.0);
        col[j] = 1.0;
        forward(l, n, &mut col);
        backward(l, n, &mut col);
        for i in 0..n {
            inv[i * n + j] = col[i];
        }
    }
    inv
}

/// Sum of the logs of the diagonal of a triangular factor.
pub fn log_diagonal(l: &[f64], n: usize) -> f64 {
    (0..n).map(|i| l[i * n + i].ln()).sum()
}

/// A Householder QR of a tall matrix (m x n, m >= n), for least squares:
/// accurate where the normal equations lose digits (NIST's Longley).
pub struct Qr {
    m: usize,
    n: usize,
    /// Householder vectors below the diagonal, R on and above it
    /// (row-major m x n).
    a: Vec<f64>,
    /// The scalars of the reflections.
    tau: Vec<f64>,
}

impl Qr {
    /// Factors `a` (m x n, row-major). `Err(j)` when column `j` is (to
    /// rounding) a combination of the columns before it.
    pub fn new(mut a: Vec<f64>, m: usize, n: usize) -> Result<Qr, usize> {
        let mut tau = vec![0.0; n];
        // Column norms for the rank test.
        let norms: Vec<f64> = (0..n)
            .map(|j| (0..m).map(|i| a[i * n + j].powi(2)).sum::<f64>().sqrt())
            .collect();
        for j in 0..n {
            let norm: f64 = (j..m).map(|i| a[i * n + j].powi(2)).sum::<f64>().sqrt();
            if norms[j] == 0.0 || norm <= 1e-10 * norms[j] {
                return Err(j);
            }
            let alpha = if a[j * n + j] > 0.0 { -norm } else { norm };
            let v0 = a[j * n + j] - alpha;
            // v = (v0, a[j+1..m, j]); tau = -v0 / alpha.
            for i in j + 1..m {
                a[i * n + j] /= v0;
            }
            tau[j] = -v0 / alpha;
            a[j * n + j] = alpha;
            for k in j + 1..n {
                let mut s = a[j * n + k];
                for i in j + 1..m {
                    s += a[i * n + j] * a[i * n + k];
                }
                s *= tau[j];
                a[j * n + k] -= s;
                for i in j + 1..m {
                    a[i * n + k] -= s * a[i * n + j];
                }
            }
        }
        Ok(Qr { m, n, a, tau })
    }

    /// `Q' b` in place (b of length m).
    pub fn qt(&self, b: &mut [f64]) {
        let (m, n) = (self.m, self.n);
        for j in 0..n {
            let mut s = b[j];
            for i in j + 1..m {
                s += self.a[i * n + j] * b[i];
            }
            s *= self.tau[j];
            b[j] -= s;
            for i in j + 1..m {
                b[i] -= s * self.a[i * n + j];
            }
        }
    }

    /// The least-squares solution of `a x = b` and the residual sum of
    /// squares.
    pub fn solve(&self, b: &[f64]) -> (Vec<f64>, f64) {
        let n = self.n;
        let mut qb = b.to_vec();
        self.qt(&mut qb);
        let rss = qb[n..].iter().map(|v| v * v).sum();
        let mut x = qb[..n].to_vec();
        for i in (0..n).rev() {
            let mut s = x[i];
            for k in i + 1..n {
                s -= self.a[i * n + k] * x[k];
            }
            x[i] = s / self.a[i * n + i];
        }
        (x, rss)
    }

    /// `(R'R)^{-1} = (A'A)^{-1}`, row-major n x n.
    pub fn xtx_inverse(&self) -> Vec<f64> {
        let n = self.n;
        // R' is lower triangular: its Cholesky factor of A'A.
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for j in i..n {
                l[j * n + i] = self.a[i * n + j];
            }
        }
        // Signs of R's diagonal do not matter for (R'R)^{-1}.
        inverse_from_cholesky(&l, n)
    }
}

/// Eigenvalues and eigenvectors of a symmetric matrix (n x n, row-major)
/// by cyclic Jacobi rotations: `(values, vectors)` with the eigenvectors as
/// the columns of `vectors`.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        let scale: f64 = (0..n).map(|i| a[i * n + i] * a[i * n + i]).sum::<f64>() + off;
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let sign = if theta >= 0.0 { 1.0 } else { -1.0 };
                let t = sign / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

/// `f(A)` for a symmetric `A`: `V diag(f(values)) V'`.
pub fn symmetric_function(a: &[f64], n: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
    let (values, v) = symmetric_eigen(a, n);
    let fv: Vec<f64> = values.into_iter().map(f).collect();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = (0..n).map(|k| v[i * n + k] * fv[k] * v[j * n + k]).sum();
        }
    }
    out
}

/// `a (m x k) * b (k x n)`, row-major.
pub fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for l in 0..k {
            let x = a[i * k + l];
            if x == 0.0 {
                continue;
            }
            for j in 0..n {
                out[i * n + j] += x * b[l * n + j];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_of_a_matrix_worked_by_hand() {
        // [[4, 2], [2, 3]] = L L' with L = [[2, 0], [1, sqrt(2)]].
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        cholesky(&mut a, 2).unwrap();
        assert_eq!(a[0], 2.0);
        assert_eq!(a[2], 1.0);
        assert!((a[3] - 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(a[1], 0.0);
        let inv = inverse_from_cholesky(&a, 2);
        // The inverse of [[4, 2], [2, 3]] is [[3, -2], [-2, 4]] / 8.
        for (got, want) in inv.iter().zip([3.0 / 8.0, -0.25, -0.25, 0.5]) {
            assert!((got - want).abs() < 1e-15);
        }
        assert_eq!(cholesky(&mut [1.0, 2.0, 2.0, 1.0], 2), Err(1));
    }

    #[test]
    fn least_squares_line_worked_by_hand() {
        // y = 1 + 2x at x = 0, 1, 2 plus residuals (0.1, -0.2, 0.1): the
        // fit is exact for the line (residuals orthogonal to 1 and x).
        let a = vec![1.0, 0.0, 1.0, 1.0, 1.0, 2.0];
        let y = [1.1, 2.8, 5.1];
        let qr = Qr::new(a, 3, 2).unwrap();
        let (b, rss) = qr.solve(&y);
        assert!((b[0] - 1.0).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14);
        assert!((rss - 0.06).abs() < 1e-14);
        // (X'X)^{-1} for X'X = [[3, 3], [3, 5]]: [[5, -3], [-3, 3]] / 6.
        let inv = qr.xtx_inverse();
        for (got, want) in inv.iter().zip([5.0 / 6.0, -0.5, -0.5, 0.5]) {
            assert!((got - want).abs() < 1e-14);
        }
        // A copy of a column is found.
        assert_eq!(
            Qr::new(vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0], 3, 2).err(),
            Some(1)
        );
    }

    #[test]
    fn square_root_of_a_matrix_worked_by_hand() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3; its square root squared
        // gives it back, and its inverse square root times the root is I.
        let a = [2.0, 1.0, 1.0, 2.0];
        let (mut values, _) = symmetric_eigen(&a, 2);
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-14 && (values[1] - 3.0).abs() < 1e-14);
        let root = symmetric_function(&a, 2, f64::sqrt);
        let back = matmul(&root, &root, 2, 2, 2);
        for (got, want) in back.iter().zip(a) {
            assert!((got - want).abs() < 1e-13);
        }
        let inv_root = symmetric_function(&a, 2, |v| 1.0 / v.sqrt());
        let id = matmul(&root, &inv_root, 2, 2, 2);
        for (got, want) in id.iter().zip([1.0, 0.0, 0.0, 1.0]) {
            assert!((got - want).abs() < 1e-13);
        }
    }
}
