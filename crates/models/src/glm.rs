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

/// What a GLM fits: a family with its canonical link, or the negative
/// binomial with a known theta (log link, variance `mu + mu^2 / theta`), as
/// `MASS::negative.binomial(theta)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Response {
    /// Gaussian, binomial or Poisson.
    Family(Family),
    /// Negative binomial with this theta.
    NegBin(f64),
}

impl Response {
    pub(crate) fn mean(self, eta: f64) -> f64 {
        match self {
            Response::Family(f) => f.mean(eta),
            Response::NegBin(_) => eta.exp(),
        }
    }

    pub(crate) fn dmu(self, mu: f64) -> f64 {
        match self {
            Response::Family(f) => f.dmu(mu),
            Response::NegBin(_) => mu,
        }
    }

    pub(crate) fn variance(self, mu: f64) -> f64 {
        match self {
            Response::Family(f) => f.variance(mu),
            Response::NegBin(theta) => mu + mu * mu / theta,
        }
    }

    fn link(self, mu: f64) -> f64 {
        match self {
            Response::Family(Family::Gaussian) => mu,
            Response::Family(Family::Binomial) => (mu / (1.0 - mu)).ln(),
            Response::Family(Family::Poisson) | Response::NegBin(_) => mu.ln(),
        }
    }

    /// R's starting mean (`mustart` of the family).
    fn start(self, y: f64) -> f64 {
        match self {
            Response::Family(Family::Gaussian) => y,
            Response::Family(Family::Binomial) => (y + 0.5) / 2.0,
            Response::Family(Family::Poisson) => y + 0.1,
            Response::NegBin(_) => y + f64::from(u8::from(y == 0.0)) / 6.0,
        }
    }

    fn unit_deviance(self, y: f64, mu: f64) -> f64 {
        let ylogy = |y: f64, mu: f64| if y > 0.0 { y * (y / mu).ln() } else { 0.0 };
        match self {
            Response::Family(Family::Gaussian) => (y - mu).powi(2),
            Response::Family(Family::Binomial) => 2.0 * (ylogy(y, mu) + ylogy(1.0 - y, 1.0 - mu)),
            Response::Family(Family::Poisson) => 2.0 * (ylogy(y, mu) - (y - mu)),
            Response::NegBin(theta) => {
                2.0 * (ylogy(y, mu) - (y + theta) * ((y + theta) / (mu + theta)).ln())
            }
        }
    }
}

/// Fits `g(mu) = X beta` (x row-major n x p) from the family's starting
/// values.
pub fn irls(
    x: &[f64],
    y: &[f64],
    n: usize,
    p: usize,
    family: Family,
) -> Result<GlmFit, ModelError> {
    irls_from(x, y, n, p, Response::Family(family), None)
}

/// IRLS from the linear predictor `start` (or the family's starting
/// means).
fn irls_from(
    x: &[f64],
    y: &[f64],
    n: usize,
    p: usize,
    response: Response,
    start: Option<&[f64]>,
) -> Result<GlmFit, ModelError> {
    let (mut eta, mut mu): (Vec<f64>, Vec<f64>) = match start {
        Some(eta) => (
            eta.to_vec(),
            eta.iter().map(|&e| response.mean(e)).collect(),
        ),
        None => {
            let mu: Vec<f64> = y.iter().map(|&v| response.start(v)).collect();
            (mu.iter().map(|&m| response.link(m)).collect(), mu)
        }
    };
    let mut deviance = f64::INFINITY;
    let mut beta = vec![0.0; p];
    let mut inverse = Vec::new();
    for iteration in 1..=100 {
        let mut wx = vec![0.0; n * p];
        let mut wz = vec![0.0; n];
        for i in 0..n {
            let d = response.dmu(mu[i]);
            let w = (d * d / response.variance(mu[i])).sqrt();
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
            mu[i] = response.mean(eta[i]);
        }
        let dev: f64 = (0..n).map(|i| response.unit_deviance(y[i], mu[i])).sum();
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
    let fit = irls(&x, &y, n, p, family).map_err(|e| match e {
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

/// A negative binomial GLM (log link), as `MASS::glm.nb`: the estimates
/// and theta maximise the likelihood jointly.
#[derive(Debug, Clone, PartialEq)]
pub struct NegBinModel {
    /// The IRLS fit at the final theta, with the covariance of the
    /// estimates (dispersion 1, as `summary.negbin`) and the full
    /// log-likelihood.
    pub model: GlmModel,
    /// The shape: variance `mu + mu^2 / theta`.
    pub theta: f64,
    /// Its standard error, `1 / sqrt(information)` at the estimates (as
    /// `theta.ml`).
    pub se_theta: f64,
    /// Alternations of IRLS and the theta step.
    pub outer_iterations: usize,
}

/// The negative binomial log-likelihood of counts `y` at means `mu`.
fn negbin_loglik(y: &[f64], mu: &[f64], theta: f64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    y.iter()
        .zip(mu)
        .map(|(&y, &mu)| {
            ln_gamma(theta + y) - ln_gamma(theta) - ln_gamma(y + 1.0)
                + theta * theta.ln()
                + y * mu.ln()
                - (theta + y) * (theta + mu).ln()
        })
        .sum()
}

/// The ML theta at the means `mu`, by Newton's method on its score from
/// `start` (as `MASS::theta.ml`), with its information; `None` when theta
/// runs off to infinity (no overdispersion).
fn theta_ml(y: &[f64], mu: &[f64], start: f64) -> Option<(f64, f64)> {
    use crate::special::{digamma, trigamma};
    let score_info = |t: f64| {
        y.iter().zip(mu).fold((0.0, 0.0), |(s, i), (&y, &m)| {
            (
                s + digamma(t + y) - digamma(t) + t.ln() + 1.0 - (t + m).ln() - (y + t) / (m + t),
                i - trigamma(t + y) + trigamma(t) - 1.0 / t + 2.0 / (m + t)
                    - (y + t) / ((m + t) * (m + t)),
            )
        })
    };
    let mut theta = start;
    for _ in 0..200 {
        let (score, info) = score_info(theta);
        if info.is_nan() || info <= 0.0 || !score.is_finite() {
            return None;
        }
        let mut next = theta + score / info;
        // Stay positive: halve towards zero instead of stepping past it.
        if next <= 0.0 {
            next = theta / 2.0;
        }
        let step = (next - theta).abs();
        theta = next;
        if theta > 1e10 {
            return None;
        }
        if step <= 1e-12 * theta {
            let (_, info) = score_info(theta);
            return Some((theta, info));
        }
    }
    None
}

/// Fits a negative binomial GLM to the fixed effects of `d`: a Poisson
/// fit, then IRLS at theta and theta at the means in turn until the
/// log-likelihood and theta settle (relative change below 1e-12 and 1e-10).
pub fn fit_negbin(d: &crate::Design) -> Result<NegBinModel, ModelError> {
    let poisson = fit_glm(d, Family::Poisson)?;
    let (n, p) = (d.n(), d.p());
    let x: Vec<f64> = d.x.iter().copied().collect();
    let y: Vec<f64> = d.y.iter().copied().collect();
    let eta_of = |beta: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| (0..p).map(|j| x[i * p + j] * beta[j]).sum())
            .collect()
    };
    let mut eta = eta_of(&poisson.fit.beta);
    let mut mu: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
    // The moment estimate, as glm.nb's start.
    let moment = n as f64
        / y.iter()
            .zip(&mu)
            .map(|(y, m)| (y / m - 1.0).powi(2))
            .sum::<f64>();
    let no_overdispersion = || {
        ModelError::Data(
            "theta of the negative binomial runs off to infinity: the counts show no \
             overdispersion; fit --family poisson"
                .into(),
        )
    };
    let (mut theta, _) = theta_ml(&y, &mu, moment).ok_or_else(no_overdispersion)?;
    let mut loglik = negbin_loglik(&y, &mu, theta);
    for outer in 1..=100 {
        let fit = irls_from(&x, &y, n, p, Response::NegBin(theta), Some(&eta))?;
        eta = eta_of(&fit.beta);
        mu = eta.iter().map(|e| e.exp()).collect();
        let (next, info) = theta_ml(&y, &mu, theta).ok_or_else(no_overdispersion)?;
        let next_loglik = negbin_loglik(&y, &mu, next);
        let settled = (next_loglik - loglik).abs() <= 1e-12 * (loglik.abs() + 1.0)
            && (next - theta).abs() <= 1e-10 * next;
        theta = next;
        loglik = next_loglik;
        if settled || outer == 100 {
            // The covariance at the final theta and means.
            let last = irls_from(&x, &y, n, p, Response::NegBin(theta), Some(&eta))?;
            let mu: Vec<f64> = eta_of(&last.beta).iter().map(|e| e.exp()).collect();
            let loglik = negbin_loglik(&y, &mu, theta);
            return Ok(NegBinModel {
                model: GlmModel {
                    vcov: last.xtwx_inverse.clone(),
                    fit: GlmFit {
                        converged: settled && last.converged,
                        ..last
                    },
                    loglik,
                    nobs: n,
                },
                theta,
                se_theta: 1.0 / info.sqrt(),
                outer_iterations: outer,
            });
        }
    }
    unreachable!("the loop returns at its last iteration")
}
