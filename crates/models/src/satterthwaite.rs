//! Satterthwaite's degrees of freedom for the fixed effects of a linear
//! mixed model, as lmerTest computes them (Kuznetsova, Brockhoff and
//! Christensen 2017).
//!
//! The variance parameters are `varpar = (theta, sigma)`. Their covariance
//! is `A = 2 H^{-1}`, `H` the Hessian of the unprofiled deviance
//! `-2 log L(theta, sigma)` at the estimates; the covariance of the
//! estimates is `C(varpar) = sigma^2 (RX'RX)^{-1}(theta)`. For a contrast
//! `l`, `df = 2 (l' C l)^2 / (g' A g)` with `g_k = l' (dC / dvarpar_k) l`.
//! An F test of several contrasts `L` (q rows) decomposes `L C L'` into
//! eigenvectors, takes a df `nu_m` for each, and gives the F statistic
//! `2 E / (E - q)` denominator df with `E = sum nu_m / (nu_m - 2)`
//! (lmerTest's `contestMD`).
//!
//! The derivatives in sigma are analytic; those in theta are central
//! differences with Richardson extrapolation (a step of 1e-2 relative and
//! three halvings), on the deviance's two parts that depend on theta and
//! on `(RX'RX)^{-1}`.

use crate::design::Design;
use crate::error::ModelError;
use crate::linalg::symmetric_eigen;
use crate::lmm::{LmmFit, Problem, ThetaParts};
use crate::optimize::richardson;

/// What Satterthwaite's approximation needs of a fitted mixed model.
#[derive(Debug, Clone, PartialEq)]
pub struct Satterthwaite {
    /// `A = 2 H^{-1}` (k x k, k = theta's length + 1; a pseudo-inverse
    /// over the eigenvalues above 1e-8, as lmerTest).
    pub vcov_varpar: Vec<f64>,
    /// `dC / dvarpar_k`, one p x p matrix per variance parameter.
    pub jacobian: Vec<Vec<f64>>,
    /// The covariance of the estimates (p x p).
    pub vcov: Vec<f64>,
    /// Fixed effects.
    pub p: usize,
}

/// An F test of several contrasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FTest {
    /// The F statistic.
    pub f: f64,
    /// Numerator degrees of freedom (the rank of `L C L'`).
    pub df_num: usize,
    /// Denominator degrees of freedom (Satterthwaite).
    pub df_den: f64,
}

/// Derivatives of the parts of the deviance in theta at the estimates:
/// the gradient and Hessian of `log_terms` and `pwrss`, and the gradient
/// of `(RX'RX)^{-1}`.
struct ThetaDerivatives {
    pwrss_gradient: Vec<f64>,
    log_terms_hessian: Vec<f64>,
    pwrss_hessian: Vec<f64>,
    unscaled_vcov_gradient: Vec<Vec<f64>>,
}

fn theta_derivatives(problem: &Problem, fit: &LmmFit) -> Result<ThetaDerivatives, ModelError> {
    let theta = &fit.theta;
    let t = theta.len();
    let p = fit.beta.len();
    let failed = || ModelError::Data("the model cannot be evaluated near its optimum".into());
    let at = |shift: &[(usize, f64)]| -> Result<ThetaParts, ModelError> {
        let mut x = theta.clone();
        for &(i, h) in shift {
            x[i] += h;
        }
        problem
            .theta_parts(&x, fit.criterion_kind)
            .ok_or_else(failed)
    };
    let centre = at(&[])?;
    // A step of 1e-2 relative (1e-3 near zero), halved three times: the
    // deviance's parts come from cross-products (pwrss = y'y - |c|^2), whose
    // rounding a step as small as numDeriv's 1e-4 would amplify into the
    // second derivatives; the extrapolation removes the step's error up to
    // order h^8.
    let step0: Vec<f64> = theta.iter().map(|v| 1e-2 * v.abs().max(0.1)).collect();
    // Per level: [pwrss gradient (t), log_terms Hessian (t*t), pwrss
    // Hessian (t*t), vcov gradient (t*p*p)] as one vector.
    let mut levels = Vec::new();
    for level in 0..4 {
        let h: Vec<f64> = step0.iter().map(|s| s / f64::from(1 << level)).collect();
        let mut grad = vec![0.0; t];
        let mut hess_log = vec![0.0; t * t];
        let mut hess_pwrss = vec![0.0; t * t];
        let mut grad_vcov = vec![0.0; t * p * p];
        for i in 0..t {
            let (plus, minus) = (at(&[(i, h[i])])?, at(&[(i, -h[i])])?);
            grad[i] = (plus.pwrss - minus.pwrss) / (2.0 * h[i]);
            for e in 0..p * p {
                grad_vcov[i * p * p + e] =
                    (plus.unscaled_vcov[e] - minus.unscaled_vcov[e]) / (2.0 * h[i]);
            }
            let h2 = h[i] * h[i];
            hess_log[i * t + i] = (plus.log_terms - 2.0 * centre.log_terms + minus.log_terms) / h2;
            hess_pwrss[i * t + i] = (plus.pwrss - 2.0 * centre.pwrss + minus.pwrss) / h2;
            for j in 0..i {
                let pp = at(&[(i, h[i]), (j, h[j])])?;
                let pm = at(&[(i, h[i]), (j, -h[j])])?;
                let mp = at(&[(i, -h[i]), (j, h[j])])?;
                let mm = at(&[(i, -h[i]), (j, -h[j])])?;
                let d = 4.0 * h[i] * h[j];
                let log = (pp.log_terms - pm.log_terms - mp.log_terms + mm.log_terms) / d;
                let pw = (pp.pwrss - pm.pwrss - mp.pwrss + mm.pwrss) / d;
                hess_log[i * t + j] = log;
                hess_log[j * t + i] = log;
                hess_pwrss[i * t + j] = pw;
                hess_pwrss[j * t + i] = pw;
            }
        }
        levels.push([grad, hess_log, hess_pwrss, grad_vcov].concat());
    }
    let all = richardson(levels);
    let (grad, rest) = all.split_at(t);
    let (hess_log, rest) = rest.split_at(t * t);
    let (hess_pwrss, grad_vcov) = rest.split_at(t * t);
    Ok(ThetaDerivatives {
        pwrss_gradient: grad.to_vec(),
        log_terms_hessian: hess_log.to_vec(),
        pwrss_hessian: hess_pwrss.to_vec(),
        unscaled_vcov_gradient: grad_vcov.chunks(p * p).map(<[f64]>::to_vec).collect(),
    })
}

/// Satterthwaite's ingredients for the fit `fit` of the design `d`.
pub fn satterthwaite(d: &Design, fit: &LmmFit) -> Result<Satterthwaite, ModelError> {
    // The deviance's parts do not change when X beta-hat is taken off the
    // response (beta absorbs it), but pwrss = y'y - |c|^2 then cancels
    // far fewer digits.
    let mut centred = d.clone();
    let fitted = d.x.dot(&ndarray::Array1::from(fit.beta.clone()));
    centred.y = &d.y - &fitted;
    let problem = Problem::new(&centred)?;
    let parts = problem
        .theta_parts(&fit.theta, fit.criterion_kind)
        .ok_or_else(|| ModelError::Data("the model cannot be evaluated at its optimum".into()))?;
    let dv = theta_derivatives(&problem, fit)?;
    let t = fit.theta.len();
    let k = t + 1;
    let p = fit.beta.len();
    let sigma = fit.sigma;
    let s2 = sigma * sigma;
    let big_n = problem.deviance_n(fit.criterion_kind);
    // The Hessian of log_terms(theta) + pwrss(theta) / sigma^2 + N log(2 pi sigma^2).
    let mut h = vec![0.0; k * k];
    for i in 0..t {
        for j in 0..t {
            h[i * k + j] = dv.log_terms_hessian[i * t + j] + dv.pwrss_hessian[i * t + j] / s2;
        }
        let mixed = -2.0 * dv.pwrss_gradient[i] / (s2 * sigma);
        h[i * k + t] = mixed;
        h[t * k + i] = mixed;
    }
    h[t * k + t] = 6.0 * parts.pwrss / (s2 * s2) - 2.0 * big_n / s2;
    let (values, vectors) = symmetric_eigen(&h, k);
    let mut vcov_varpar = vec![0.0; k * k];
    for (m, &value) in values.iter().enumerate() {
        if value > 1e-8 {
            for a in 0..k {
                for b in 0..k {
                    vcov_varpar[a * k + b] += 2.0 * vectors[a * k + m] * vectors[b * k + m] / value;
                }
            }
        }
    }
    let mut jacobian: Vec<Vec<f64>> = dv
        .unscaled_vcov_gradient
        .iter()
        .map(|g| g.iter().map(|v| v * s2).collect())
        .collect();
    jacobian.push(
        parts
            .unscaled_vcov
            .iter()
            .map(|v| 2.0 * sigma * v)
            .collect(),
    );
    Ok(Satterthwaite {
        vcov_varpar,
        jacobian,
        vcov: fit.vcov.clone(),
        p,
    })
}

impl Satterthwaite {
    fn quadratic(&self, m: &[f64], l: &[f64]) -> f64 {
        let p = self.p;
        (0..p)
            .map(|a| l[a] * (0..p).map(|b| m[a * p + b] * l[b]).sum::<f64>())
            .sum()
    }

    /// The degrees of freedom of the contrast `l' beta` (lmerTest's
    /// `contest1D`); `None` where its variance has no gradient.
    pub fn df(&self, l: &[f64]) -> Option<f64> {
        let var = self.quadratic(&self.vcov, l);
        let g: Vec<f64> = self.jacobian.iter().map(|j| self.quadratic(j, l)).collect();
        let k = g.len();
        let denom: f64 = (0..k)
            .map(|a| {
                g[a] * (0..k)
                    .map(|b| self.vcov_varpar[a * k + b] * g[b])
                    .sum::<f64>()
            })
            .sum();
        let df = 2.0 * var * var / denom;
        (df.is_finite() && df > 0.0).then_some(df)
    }

    /// The F test of `L beta = 0` (rows of `l`, each of length p), as
    /// lmerTest's `contestMD`; `None` when `L C L'` has rank 0.
    pub fn f_test(&self, beta: &[f64], l: &[Vec<f64>]) -> Option<FTest> {
        let p = self.p;
        let r = l.len();
        let mut vl = vec![0.0; r * r];
        for a in 0..r {
            for b in 0..r {
                vl[a * r + b] = (0..p)
                    .map(|i| l[a][i] * (0..p).map(|j| self.vcov[i * p + j] * l[b][j]).sum::<f64>())
                    .sum();
            }
        }
        let (values, vectors) = symmetric_eigen(&vl, r);
        let mut order: Vec<usize> = (0..r).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let tol = (1e-8 * values[order[0]]).max(0.0);
        let kept: Vec<usize> = order.into_iter().filter(|&m| values[m] > tol).collect();
        if kept.is_empty() {
            return None;
        }
        let q = kept.len();
        let mut t2 = 0.0;
        let mut nu = Vec::with_capacity(q);
        for &m in &kept {
            // The contrast P_m' L.
            let c: Vec<f64> = (0..p)
                .map(|i| (0..r).map(|a| vectors[a * r + m] * l[a][i]).sum())
                .collect();
            let estimate: f64 = c.iter().zip(beta).map(|(a, b)| a * b).sum();
            t2 += estimate * estimate / values[m];
            nu.push(self.df(&c)?);
        }
        let df_den = if q == 1 || nu.windows(2).all(|w| (w[1] - w[0]).abs() < 1e-8) {
            nu.iter().sum::<f64>() / q as f64
        } else if nu.iter().any(|&v| v <= 2.0) {
            2.0
        } else {
            let e: f64 = nu.iter().map(|v| v / (v - 2.0)).sum();
            2.0 * e / (e - q as f64)
        };
        Some(FTest {
            f: t2 / q as f64,
            df_num: q,
            df_den,
        })
    }
}

/// Satterthwaite's tests of a mixed model, as lmerTest's `summary` and
/// `anova(fit, type = 3)` report them.
#[derive(Debug, Clone, PartialEq)]
pub struct MixedTests {
    /// Per coefficient: its df (`None` where the variance has no
    /// gradient).
    pub coefficient_df: Vec<Option<f64>>,
    /// Per fixed-effects term (the intercept left out): its type III F
    /// test (`None` where the hypothesis is empty).
    pub anova: Vec<(String, Option<FTest>)>,
}

/// The Satterthwaite tests of the fit `fit` of `d` on `frame` (the frame
/// gives the factors' levels for the type III hypotheses).
pub fn mixed_tests(
    d: &Design,
    frame: &crate::Frame,
    fit: &LmmFit,
) -> Result<MixedTests, ModelError> {
    let sat = satterthwaite(d, fit)?;
    let p = d.p();
    let coefficient_df = (0..p)
        .map(|j| {
            let mut l = vec![0.0; p];
            l[j] = 1.0;
            sat.df(&l)
        })
        .collect();
    let anova = crate::type3::type3_contrasts(d, frame)?
        .into_iter()
        .map(|(term, l)| {
            let test = if l.is_empty() {
                None
            } else {
                sat.f_test(&fit.beta, &l)
            };
            (term, test)
        })
        .collect();
    Ok(MixedTests {
        coefficient_df,
        anova,
    })
}
