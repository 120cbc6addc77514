//! Minimisers for the few covariance parameters of a mixed model or a
//! working correlation: bounded Nelder-Mead, then Newton steps on
//! central-difference derivatives to reach the optimum to ~1e-9 where the
//! simplex stops at ~1e-6.

/// What a minimisation reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The parameters at the minimum.
    pub x: Vec<f64>,
    /// The value there.
    pub f: f64,
    /// Function evaluations.
    pub evaluations: usize,
    /// Nelder-Mead iterations and Newton steps.
    pub iterations: usize,
    /// The simplex met its tolerance within the evaluation budget.
    pub converged: bool,
    /// Norm of the central-difference gradient over the free parameters
    /// (those not at a bound) at the minimum.
    pub gradient_norm: f64,
}

/// Minimises `f` from `x0` subject to `x[i] >= lower[i]` (`-inf` for no
/// bound).
pub fn minimize(f: &mut dyn FnMut(&[f64]) -> f64, x0: &[f64], lower: &[f64]) -> Minimum {
    let n = x0.len();
    let mut evaluations = 0;
    let mut eval = |x: &[f64], evaluations: &mut usize| {
        *evaluations += 1;
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let clamp = |x: &mut [f64]| {
        for (v, lo) in x.iter_mut().zip(lower) {
            if *v < *lo {
                *v = *lo;
            }
        }
    };
    if n == 0 {
        let v = eval(x0, &mut evaluations);
        return Minimum {
            x: Vec::new(),
            f: v,
            evaluations,
            iterations: 0,
            converged: true,
            gradient_norm: 0.0,
        };
    }
    // Nelder-Mead with the adaptive coefficients of Gao and Han (2012).
    let nf = n as f64;
    let (alpha, beta, gamma, delta) =
        (1.0, 1.0 + 2.0 / nf, 0.75 - 1.0 / (2.0 * nf), 1.0 - 1.0 / nf);
    let mut simplex: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..n {
        let mut x = x0.to_vec();
        x[i] += if x[i].abs() > 0.1 {
            0.25 * x[i].abs()
        } else {
            0.25
        };
        simplex.push(x);
    }
    let mut values: Vec<f64> = simplex.iter().map(|x| eval(x, &mut evaluations)).collect();
    let mut iterations = 0;
    let mut converged = false;
    let budget = 2000 * (n + 1);
    while evaluations < budget {
        iterations += 1;
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let spread_f = values[n] - values[0];
        let spread_x = simplex[1..]
            .iter()
            .flat_map(|x| x.iter().zip(&simplex[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if spread_f <= 1e-13 * (1.0 + values[0].abs()) && spread_x <= 1e-9 {
            converged = true;
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|x| x[j]).sum::<f64>() / nf)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            let mut x: Vec<f64> = centroid
                .iter()
                .zip(&simplex[n])
                .map(|(c, w)| c + t * (c - w))
                .collect();
            clamp(&mut x);
            x
        };
        let xr = toward(alpha);
        let fr = eval(&xr, &mut evaluations);
        if fr < values[0] {
            let xe = toward(beta);
            let fe = eval(&xe, &mut evaluations);
            if fe < fr {
                simplex[n] = xe;
                values[n] = fe;
            } else {
                simplex[n] = xr;
                values[n] = fr;
            }
        } else if fr < values[n - 1] {
            simplex[n] = xr;
            values[n] = fr;
        } else {
            let (xc, fc) = if fr < values[n] {
                let x = toward(gamma);
                let v = eval(&x, &mut evaluations);
                (x, v)
            } else {
                let x = toward(-gamma);
                let v = eval(&x, &mut evaluations);
                (x, v)
            };
            if fc < values[n].min(fr) {
                simplex[n] = xc;
                values[n] = fc;
            } else {
                // Shrink towards the best vertex.
                for i in 1..=n {
                    let mut x: Vec<f64> = simplex[0]
                        .iter()
                        .zip(&simplex[i])
                        .map(|(b, v)| b + delta * (v - b))
                        .collect();
                    clamp(&mut x);
                    values[i] = eval(&x, &mut evaluations);
                    simplex[i] = x;
                }
            }
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    let mut x = simplex[best].clone();
    let mut fx = values[best];
    // Newton polish on the parameters away from their bounds.
    let mut gradient_norm = f64::NAN;
    for _ in 0..20 {
        let free: Vec<usize> = (0..n).filter(|&i| x[i] > lower[i] + 1e-7).collect();
        let h: Vec<f64> = (0..n).map(|i| 1e-4 * (1.0 + x[i].abs())).collect();
        let at = |x: &[f64], moves: &[(usize, f64)]| {
            let mut y = x.to_vec();
            for &(i, d) in moves {
                y[i] += d;
            }
            y
        };
        let k = free.len();
        let mut g = vec![0.0; k];
        let mut hess = vec![0.0; k * k];
        for (a, &i) in free.iter().enumerate() {
            let fp = eval(&at(&x, &[(i, h[i])]), &mut evaluations);
            let fm = eval(&at(&x, &[(i, -h[i])]), &mut evaluations);
            g[a] = (fp - fm) / (2.0 * h[i]);
            hess[a * k + a] = (fp - 2.0 * fx + fm) / (h[i] * h[i]);
            for (b, &j) in free.iter().enumerate().take(a) {
                let fpp = eval(&at(&x, &[(i, h[i]), (j, h[j])]), &mut evaluations);
                let fpm = eval(&at(&x, &[(i, h[i]), (j, -h[j])]), &mut evaluations);
                let fmp = eval(&at(&x, &[(i, -h[i]), (j, h[j])]), &mut evaluations);
                let fmm = eval(&at(&x, &[(i, -h[i]), (j, -h[j])]), &mut evaluations);
                let v = (fpp - fpm - fmp + fmm) / (4.0 * h[i] * h[j]);
                hess[a * k + b] = v;
                hess[b * k + a] = v;
            }
        }
        gradient_norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        if k == 0 || gradient_norm < 1e-10 {
            break;
        }
        let mut l = hess.clone();
        if crate::linalg::cholesky(&mut l, k).is_err() {
            break;
        }
        let mut step = g.clone();
        crate::linalg::forward(&l, k, &mut step);
        crate::linalg::backward(&l, k, &mut step);
        let mut y = x.clone();
        for (a, &i) in free.iter().enumerate() {
            y[i] -= step[a];
        }
        clamp(&mut y);
        let fy = eval(&y, &mut evaluations);
        iterations += 1;
        if fy < fx {
            let moved = y
                .iter()
                .zip(&x)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            x = y;
            fx = fy;
            if moved < 1e-12 {
                break;
            }
        } else {
            break;
        }
    }
    Minimum {
        x,
        f: fx,
        evaluations,
        iterations,
        converged,
        gradient_norm: if gradient_norm.is_finite() {
            gradient_norm
        } else {
            0.0
        },
    }
}

/// A function's value and gradient at a point; `None` where it cannot be
/// evaluated.
pub type ValueAndGradient<'a> = dyn FnMut(&[f64]) -> Option<(f64, Vec<f64>)> + 'a;

/// Minimises `f` (value and gradient; `None` where it cannot be
/// evaluated) from `x0` subject to `x[i] >= lower[i]`: BFGS on the free
/// parameters (those not held at a bound by a gradient pointing out),
/// projected steps, Armijo backtracking. Stops when the projected gradient
/// is below `1e-9 (1 + |f|)` scaled by the parameters, when the
/// quasi-Newton step predicts a decrease below `1e-14 (1 + |f|)` (f's
/// rounding), or when no step lowers `f` by more than its last digit; in the last two cases it has
/// converged if that gradient is below `1e-6 (1 + |f|)`. `None` when the
/// start cannot be evaluated.
pub fn minimize_with_gradient(
    f: &mut ValueAndGradient<'_>,
    x0: &[f64],
    lower: &[f64],
) -> Option<Minimum> {
    let n = x0.len();
    let clamp = |x: &mut [f64]| {
        for (v, lo) in x.iter_mut().zip(lower) {
            if *v < *lo {
                *v = *lo;
            }
        }
    };
    let mut x = x0.to_vec();
    clamp(&mut x);
    let mut evaluations = 1;
    let (mut fx, mut g) = f(&x)?;
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    let free = |x: &[f64], g: &[f64]| -> Vec<bool> {
        (0..n)
            .map(|i| !(x[i] <= lower[i] + 1e-12 && g[i] > 0.0))
            .collect()
    };
    let projected_norm = |x: &[f64], g: &[f64]| -> f64 {
        free(x, g)
            .iter()
            .zip(g.iter().zip(x))
            .filter(|(f, _)| **f)
            .map(|(_, (gi, xi))| (gi * xi.abs().max(1.0)).abs())
            .fold(0.0, f64::max)
    };
    let mut iterations = 0;
    let mut converged = false;
    let mut first = true;
    while iterations < 500 {
        if projected_norm(&x, &g) < 1e-9 * (1.0 + fx.abs()) {
            converged = true;
            break;
        }
        iterations += 1;
        let fr = free(&x, &g);
        let mut d: Vec<f64> = (0..n)
            .map(|i| {
                if fr[i] {
                    -(0..n)
                        .filter(|&j| fr[j])
                        .map(|j| h[i * n + j] * g[j])
                        .sum::<f64>()
                } else {
                    0.0
                }
            })
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            // Not a descent direction: restart from the gradient.
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] = f64::from(u8::from(i == j));
                }
                d[i] = if fr[i] { -g[i] } else { 0.0 };
            }
            slope = -d.iter().map(|v| v * v).sum::<f64>();
        }
        if !first && -slope <= 1e-14 * (1.0 + fx.abs()) {
            // The quasi-Newton step would lower f by less than f's own
            // rounding (summed over many observations): no line search
            // can tell its points apart.
            converged = projected_norm(&x, &g) < 1e-6 * (1.0 + fx.abs());
            break;
        }
        // The first step: a small one, since the gradient's scale is unknown.
        let mut alpha = if first {
            let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
            (0.1 / norm.max(1e-300)).min(1.0)
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..60 {
            if alpha * -slope < 1e-16 * (1.0 + fx.abs()) {
                // A decrease below f's last digit: a lower value would be
                // rounding's.
                break;
            }
            let mut y: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + alpha * b).collect();
            clamp(&mut y);
            evaluations += 1;
            if let Some((fy, gy)) = f(&y) {
                let moved: f64 = y
                    .iter()
                    .zip(&x)
                    .zip(&g)
                    .map(|((a, b), gi)| (a - b) * gi)
                    .sum();
                if fy <= fx + 1e-4 * moved.min(alpha * slope).min(0.0) || fy < fx && moved < 0.0 {
                    accepted = Some((y, fy, gy));
                    break;
                }
            }
            alpha /= 2.0;
        }
        let Some((y, fy, gy)) = accepted else {
            // No step lowers f: at the optimum to rounding.
            converged = projected_norm(&x, &g) < 1e-6 * (1.0 + fx.abs());
            break;
        };
        let s_step: Vec<f64> = y.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y_step: Vec<f64> = gy.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s_step.iter().zip(&y_step).map(|(a, b)| a * b).sum();
        if sy > 1e-12 * s_step.iter().map(|v| v * v).sum::<f64>().sqrt() {
            if first {
                // Scale the initial inverse Hessian (Nocedal and Wright 6.20).
                let yy: f64 = y_step.iter().map(|v| v * v).sum();
                for i in 0..n {
                    h[i * n + i] = sy / yy;
                }
            }
            // H <- (I - rho s y') H (I - rho y s') + rho s s'.
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i * n + j] * y_step[j]).sum())
                .collect();
            let yhy: f64 = y_step.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += -rho * (hy[i] * s_step[j] + s_step[i] * hy[j])
                        + (rho * rho * yhy + rho) * s_step[i] * s_step[j];
                }
            }
            first = false;
        }
        let small = (fx - fy).abs() <= 1e-15 * fx.abs().max(1.0);
        x = y;
        fx = fy;
        g = gy;
        if small && projected_norm(&x, &g) < 1e-6 * (1.0 + fx.abs()) {
            converged = true;
            break;
        }
    }
    let gradient_norm = free(&x, &g)
        .iter()
        .zip(&g)
        .filter(|(f, _)| **f)
        .map(|(_, v)| v * v)
        .sum::<f64>()
        .sqrt();
    Some(Minimum {
        x,
        f: fx,
        evaluations,
        iterations,
        converged,
        gradient_norm,
    })
}

/// Richardson extrapolation of estimates `a[k]` made with steps
/// `h / 2^k` whose error is a series in `h^2` (central differences).
pub(crate) fn richardson(mut a: Vec<Vec<f64>>) -> Vec<f64> {
    let mut factor = 4.0;
    while a.len() > 1 {
        a = a
            .windows(2)
            .map(|w| {
                w[1].iter()
                    .zip(&w[0])
                    .map(|(fine, coarse)| (factor * fine - coarse) / (factor - 1.0))
                    .collect()
            })
            .collect();
        factor *= 4.0;
    }
    a.pop().expect("one estimate at least")
}

/// The Hessian as central differences of a gradient, each step `relative`
/// times `max(|x_i|, 0.1)`, symmetrised.
pub(crate) fn hessian_of_gradient(
    gradient: &mut dyn FnMut(&[f64]) -> Vec<f64>,
    x: &[f64],
    relative: f64,
) -> Vec<f64> {
    let k = x.len();
    let mut h = vec![0.0; k * k];
    for j in 0..k {
        let step = relative * x[j].abs().max(0.1);
        let mut y = x.to_vec();
        y[j] += step;
        let up = gradient(&y);
        y[j] -= 2.0 * step;
        let down = gradient(&y);
        for i in 0..k {
            h[i * k + j] = (up[i] - down[i]) / (2.0 * step);
        }
    }
    for i in 0..k {
        for j in 0..i {
            let v = (h[i * k + j] + h[j * k + i]) / 2.0;
            h[i * k + j] = v;
            h[j * k + i] = v;
        }
    }
    h
}

/// The Hessian of `f` at `x` (k x k) by central differences with steps
/// `relative * max(|x_i|, 0.1)`, halved three times and extrapolated
/// (Richardson).
pub(crate) fn numeric_hessian(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    relative: f64,
) -> Vec<f64> {
    let k = x.len();
    let centre = f(x);
    let mut at = |moves: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, d) in moves {
            y[i] += d;
        }
        f(&y)
    };
    let mut levels = Vec::new();
    for level in 0..4 {
        let h: Vec<f64> = x
            .iter()
            .map(|v| relative * v.abs().max(0.1) / f64::from(1 << level))
            .collect();
        let mut hess = vec![0.0; k * k];
        for i in 0..k {
            let (fp, fm) = (at(&[(i, h[i])]), at(&[(i, -h[i])]));
            hess[i * k + i] = (fp - 2.0 * centre + fm) / (h[i] * h[i]);
            for j in 0..i {
                let v = (at(&[(i, h[i]), (j, h[j])])
                    - at(&[(i, h[i]), (j, -h[j])])
                    - at(&[(i, -h[i]), (j, h[j])])
                    + at(&[(i, -h[i]), (j, -h[j])]))
                    / (4.0 * h[i] * h[j]);
                hess[i * k + j] = v;
                hess[j * k + i] = v;
            }
        }
        levels.push(hess);
    }
    richardson(levels)
}

/// The gradient of `f` at `x` by central differences with steps
/// `relative * max(|x_i|, 0.1)`, halved three times and extrapolated.
pub(crate) fn numeric_gradient(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    relative: f64,
) -> Vec<f64> {
    let levels = (0..4)
        .map(|level| central_gradient(f, x, relative / f64::from(1 << level)))
        .collect();
    richardson(levels)
}

/// The gradient of `f` at `x` by central differences with steps
/// `relative * max(|x_i|, 0.1)`.
pub(crate) fn central_gradient(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    relative: f64,
) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let h = relative * x[i].abs().max(0.1);
            let mut y = x.to_vec();
            y[i] += h;
            let fp = f(&y);
            y[i] -= 2.0 * h;
            let fm = f(&y);
            (fp - fm) / (2.0 * h)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock_to_its_known_minimum() {
        let mut f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = minimize(&mut f, &[-1.2, 1.0], &[f64::NEG_INFINITY; 2]);
        assert!(m.converged);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-8 && (m.x[1] - 1.0).abs() < 1e-8,
            "{m:?}"
        );
    }

    #[test]
    fn bfgs_with_the_gradient_finds_rosenbrock_and_holds_a_bound() {
        let mut f = |x: &[f64]| {
            let v = (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
            let g = vec![
                -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
                200.0 * (x[1] - x[0] * x[0]),
            ];
            Some((v, g))
        };
        let m = minimize_with_gradient(&mut f, &[-1.2, 1.0], &[f64::NEG_INFINITY; 2]).unwrap();
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{m:?}"
        );
        let mut f = |x: &[f64]| {
            Some((
                (x[0] + 1.0).powi(2) + (x[1] - 2.0).powi(2),
                vec![2.0 * (x[0] + 1.0), 2.0 * (x[1] - 2.0)],
            ))
        };
        let m = minimize_with_gradient(&mut f, &[1.0, 1.0], &[0.0, f64::NEG_INFINITY]).unwrap();
        assert_eq!(m.x[0], 0.0);
        assert!((m.x[1] - 2.0).abs() < 1e-9, "{m:?}");
    }

    #[test]
    fn a_bound_holds_and_the_free_parameter_is_found() {
        // Minimum of (x + 1)^2 + (y - 2)^2 with x >= 0: x = 0, y = 2.
        let mut f = |x: &[f64]| (x[0] + 1.0).powi(2) + (x[1] - 2.0).powi(2);
        let m = minimize(&mut f, &[1.0, 1.0], &[0.0, f64::NEG_INFINITY]);
        assert_eq!(m.x[0], 0.0);
        assert!((m.x[1] - 2.0).abs() < 1e-9, "{m:?}");
    }

    #[test]
    fn extrapolated_differences_give_derivatives_worked_by_hand() {
        // f = x^2 y + 3 y^2: gradient (2xy, x^2 + 6y) = (4, 13) and Hessian
        // [[2y, 2x], [2x, 6]] = [[4, 2], [2, 6]] at (1, 2).
        let mut f = |v: &[f64]| v[0] * v[0] * v[1] + 3.0 * v[1] * v[1];
        let g = numeric_gradient(&mut f, &[1.0, 2.0], 1e-2);
        let h = numeric_hessian(&mut f, &[1.0, 2.0], 1e-2);
        for (got, want) in g.iter().zip([4.0, 13.0]) {
            assert!((got - want).abs() < 1e-9, "{got}");
        }
        for (got, want) in h.iter().zip([4.0, 2.0, 2.0, 6.0]) {
            assert!((got - want).abs() < 1e-8, "{got}");
        }
    }
}
