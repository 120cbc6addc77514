//! Linear models by QR (never the normal equations): estimates, their
//! covariance, the residual variance and the Gaussian log-likelihood.

use crate::design::Design;
use crate::error::ModelError;
use crate::linalg::Qr;

/// A fitted linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct LmFit {
    /// Estimates.
    pub beta: Vec<f64>,
    /// Their covariance, `sigma^2 (X'X)^{-1}` (p x p).
    pub vcov: Vec<f64>,
    /// Residual sum of squares.
    pub rss: f64,
    /// Residual degrees of freedom, `n - p`.
    pub df_residual: usize,
    /// Residual standard deviation, `sqrt(rss / (n - p))`.
    pub sigma: f64,
    /// Log-likelihood at the ML variance `rss / n`, as R's `logLik`.
    pub loglik: f64,
    /// Sequential sums of squares, as R's `anova()`: each term (the
    /// intercept left out) with its degrees of freedom and the reduction
    /// of the residual sum of squares when it is added to the terms
    /// before it.
    pub anova: Vec<(String, usize, f64)>,
}

/// Fits the fixed effects of `d` by least squares.
pub fn fit_lm(d: &Design) -> Result<LmFit, ModelError> {
    let (n, p) = (d.n(), d.p());
    if n <= p {
        return Err(ModelError::Data(format!(
            "{n} observations for {p} coefficients: no residual degrees of freedom"
        )));
    }
    let x: Vec<f64> = d.x.iter().copied().collect();
    let qr = Qr::new(x, n, p).map_err(|j| ModelError::RankDeficient {
        term: d.names[j].clone(),
    })?;
    let y: Vec<f64> = d.y.iter().copied().collect();
    let (beta, rss) = qr.solve(&y);
    // Q'y in column order: the squares of a term's components are its
    // sequential sum of squares (the QR is unpivoted, in term order).
    let mut qy = y.clone();
    qr.qt(&mut qy);
    let anova = d
        .terms
        .iter()
        .filter(|(term, _)| term != "(Intercept)")
        .map(|(term, cols)| {
            let ss = cols.clone().map(|j| qy[j] * qy[j]).sum();
            (term.clone(), cols.len(), ss)
        })
        .collect();
    let df = n - p;
    let sigma2 = rss / df as f64;
    let vcov = qr.xtx_inverse().into_iter().map(|v| v * sigma2).collect();
    let nf = n as f64;
    let loglik = -nf / 2.0 * ((2.0 * std::f64::consts::PI * rss / nf).ln() + 1.0);
    Ok(LmFit {
        beta,
        vcov,
        rss,
        df_residual: df,
        sigma: sigma2.sqrt(),
        loglik,
        anova,
    })
}
