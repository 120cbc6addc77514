//! Generalized linear models by iteratively reweighted least squares, as
//! R's `glm.fit`: a QR solve of the weighted working response at each
//! step, R's starting values, convergence on the relative change of the
//! deviance (`epsilon = 1e-10`).

use crate::error::ModelError;
use crate::gee::Family;
use crate::linalg::Qr;

/// A fitted GLM.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmFit {
    /// Estimates.
    pub beta: Vec<f64>,
    /// `(X' W X)^{-1}` at the estimates (p x p; times the dispersion for
    /// the covariance).
    pub xtwx_inverse: Vec<f64>,
    /// Deviance.
    pub deviance: f64,
    /// Iterations.
    pub iterations: usize,
    /// Converged.
    pub converged: bool,
}

fn unit_deviance(f: Family, y: f64, mu: f64) -> f64 {
    let ylogy = |y: f64, mu: f64| if y > 0.0 { y * (y / mu).ln() } else { 0.0 };
    match f {
        Family::Gaussian => (y - mu).powi(2),
        Family::Binomial => 2.0 * (ylogy(y, mu) + ylogy(1.0 - y, 1.0 - mu)),
        Family::Poisson => 2.0 * (ylogy(y, mu) - (y - mu)),
    }
}

/// Fits `g(mu) = X beta` (x row-major n x p); `weights` are prior weights.
pub fn irls(
    x: &[f64],
    y: &[f64],
    n: usize,
    p: usize,
    family: Family,
    weights: Option<&[f64]>,
) -> Result<GlmFit, ModelError> {
    let prior = |i: usize| weights.map_or(1.0, |w| w[i]);
    let link = |mu: f64| match family {
        Family::Gaussian => mu,
        Family::Binomial => (mu / (1.0 - mu)).ln(),
        Family::Poisson => mu.ln(),
    };
    let mut mu: Vec<f64> = y
        .iter()
        .map(|&v| match family {
            Family::Gaussian => v,
            Family::Binomial => (v + 0.5) / 2.0,
            Family::Poisson => v + 0.1,
        })
        .collect();
    let mut eta: Vec<f64> = mu.iter().map(|&m| link(m)).collect();
    let mut deviance = f64::INFINITY;
    let mut beta = vec![0.0; p];
    let mut inverse = Vec::new();
    for iteration in 1..=100 {
        let mut wx = vec![0.0; n * p];
        let mut wz = vec![0.0; n];
        for i in 0..n {
            let d = family.dmu(mu[i]);
            let w = (prior(i) * d * d / family.variance(mu[i])).sqrt();
            let z = eta[i] + (y[i] - mu[i]) / d;
            for j in 0..p {
                wx[i * p + j] = w * x[i * p + j];
            }
            wz[i] = w * z;
        }
        let qr = Qr::new(wx, n, p).map_err(|_| {
            ModelError::Data("the weighted design is singular (fitted values at 0 or 1?)".into())
        })?;
        beta = qr.solve(&wz).0;
        inverse = qr.xtx_inverse();
        for i in 0..n {
            eta[i] = (0..p).map(|j| x[i * p + j] * beta[j]).sum();
            mu[i] = family.mean(eta[i]);
        }
        let dev: f64 = (0..n)
            .map(|i| prior(i) * unit_deviance(family, y[i], mu[i]))
            .sum();
        if !dev.is_finite() {
            return Err(ModelError::Data("the GLM fit diverges".into()));
        }
        let done = (dev - deviance).abs() / (dev.abs() + 0.1) < 1e-10;
        deviance = dev;
        if done {
            return Ok(GlmFit {
                beta,
                xtwx_inverse: inverse,
                deviance,
                iterations: iteration,
                converged: true,
            });
        }
    }
    Ok(GlmFit {
        beta,
        xtwx_inverse: inverse,
        deviance,
        iterations: 100,
        converged: false,
    })
}

/// A GLM fitted to a design: estimates, their covariance (dispersion 1:
/// binomial and Poisson) and the log-likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmModel {
    /// The IRLS fit.
    pub fit: GlmFit,
    /// Covariance of the estimates (p x p).
    pub vcov: Vec<f64>,
    /// Log-likelihood at the estimates.
    pub loglik: f64,
    /// Observations.
    pub nobs: usize,
}

/// Fits a binomial (logit) or Poisson (log) GLM to the fixed effects of
/// `d`; Gaussian models are linear models ([`crate::fit_lm`]).
pub fn fit_glm(d: &crate::Design, family: Family) -> Result<GlmModel, ModelError> {
    if family == Family::Gaussian {
        return Err(ModelError::Unsupported(
            "a Gaussian GLM is a linear model: fit it with fit_lm".into(),
        ));
    }
    let (n, p) = (d.n(), d.p());
    let x: Vec<f64> = d.x.iter().copied().collect();
    let y: Vec<f64> = d.y.iter().copied().collect();
    for &v in &y {
        if let Err(want) = family.check(v) {
            return Err(ModelError::Data(format!(
                "the response '{}' has the value {v}; expected {want}",
                d.formula.response.name
            )));
        }
    }
    let fit = irls(&x, &y, n, p, family, None).map_err(|e| match e {
        ModelError::Data(m) if m.contains("singular") => ModelError::RankDeficient {
            term: "a coefficient (the design or its weights are singular)".into(),
        },
        other => other,
    })?;
    let loglik = (0..n)
        .map(|i| {
            let eta: f64 = (0..p).map(|j| x[i * p + j] * fit.beta[j]).sum();
            let mu = family.mean(eta);
            match family {
                Family::Binomial => {
                    if y[i] > 0.5 {
                        mu.ln()
                    } else {
                        (1.0 - mu).ln()
                    }
                }
                Family::Poisson => {
                    y[i] * mu.ln() - mu - statrs::function::gamma::ln_gamma(y[i] + 1.0)
                }
                Family::Gaussian => 0.0,
            }
        })
        .sum();
    Ok(GlmModel {
        vcov: fit.xtwx_inverse.clone(),
        fit,
        loglik,
        nobs: n,
    })
}
