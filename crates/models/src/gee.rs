//! Generalized estimating equations, as geepack's `geeglm` computes them.
//!
//! Mean model `g(mu) = X beta`, working covariance `V_i = phi A_i^{1/2}
//! R_i(alpha) A_i^{1/2}` per cluster. The estimators of geepack (checked
//! by hand in the reference conventions): Pearson residuals `r` at the
//! current beta; `phi = sum(r^2) / N` (no `- p`); exchangeable `alpha` =
//! mean over all within-cluster pairs of `r_j r_k / phi`; AR(1) `alpha` =
//! the least-squares fit of `alpha^|w_j - w_k|` to `r_j r_k / phi` over all
//! within-cluster pairs (all lags); unstructured `alpha_jk` = the mean of
//! `r_j r_k / phi` over the clusters with both waves.
//!
//! Standard errors: the robust sandwich, the naive (model-based) one, and
//! the small-sample corrections geepack lacks: Mancl and DeRouen (2001),
//! residuals `(I - H_i)^{-1} e_i`, and Kauermann and Carroll (2001),
//! `(I - H_i)^{-1/2} e_i`, with `H_i = D_i B^{-1} D_i' V_i^{-1}`.

use crate::design::Design;
use crate::error::ModelError;
use crate::linalg::{
    backward, cholesky, forward, inverse_from_cholesky, matmul, symmetric_function,
};

/// Error distribution and link (the canonical one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Normal, identity link.
    Gaussian,
    /// Binomial (0/1), logit link.
    Binomial,
    /// Poisson (counts), log link.
    Poisson,
}

impl Family {
    /// The name R uses.
    pub fn name(self) -> &'static str {
        match self {
            Family::Gaussian => "gaussian",
            Family::Binomial => "binomial",
            Family::Poisson => "poisson",
        }
    }

    /// The link's name.
    pub fn link(self) -> &'static str {
        match self {
            Family::Gaussian => "identity",
            Family::Binomial => "logit",
            Family::Poisson => "log",
        }
    }

    /// Mean from the linear predictor.
    pub fn mean(self, eta: f64) -> f64 {
        match self {
            Family::Gaussian => eta,
            Family::Binomial => 1.0 / (1.0 + (-eta).exp()),
            Family::Poisson => eta.exp(),
        }
    }

    /// `d mu / d eta`.
    pub fn dmu(self, mu: f64) -> f64 {
        match self {
            Family::Gaussian => 1.0,
            Family::Binomial => mu * (1.0 - mu),
            Family::Poisson => mu,
        }
    }

    /// The variance function.
    pub fn variance(self, mu: f64) -> f64 {
        match self {
            Family::Gaussian => 1.0,
            Family::Binomial => mu * (1.0 - mu),
            Family::Poisson => mu,
        }
    }

    /// Checks a response value: `Err` with what was expected.
    pub fn check(self, y: f64) -> Result<(), &'static str> {
        match self {
            Family::Gaussian => Ok(()),
            Family::Binomial if y == 0.0 || y == 1.0 => Ok(()),
            Family::Binomial => Err("0 or 1 (a binomial response)"),
            Family::Poisson if y >= 0.0 && y.fract() == 0.0 => Ok(()),
            Family::Poisson => Err("a count: a whole number of 0 or more (a Poisson response)"),
        }
    }
}

/// The working correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorStr {
    /// No correlation.
    Independence,
    /// One correlation for every pair of a cluster.
    Exchangeable,
    /// `alpha^|w_j - w_k|` by wave distance.
    Ar1,
    /// One correlation for each pair of waves.
    Unstructured,
}

impl CorStr {
    /// The name geepack uses.
    pub fn name(self) -> &'static str {
        match self {
            CorStr::Independence => "independence",
            CorStr::Exchangeable => "exchangeable",
            CorStr::Ar1 => "ar1",
            CorStr::Unstructured => "unstructured",
        }
    }
}

/// What a GEE fit needs besides the design.
#[derive(Debug, Clone, PartialEq)]
pub struct GeeOptions {
    /// Family and link.
    pub family: Family,
    /// Working correlation.
    pub corstr: CorStr,
    /// Per design row, its cluster (any numbering).
    pub cluster: Vec<u32>,
    /// Per design row, its wave (0-based, for AR(1) and unstructured).
    pub wave: Vec<u32>,
    /// Convergence: the largest change of a coefficient (geepack's
    /// `epsilon`).
    pub tolerance: f64,
    /// Iterations at most.
    pub max_iterations: usize,
}

/// A fitted GEE.
#[derive(Debug, Clone, PartialEq)]
pub struct GeeFit {
    /// Estimates.
    pub beta: Vec<f64>,
    /// Robust (sandwich) covariance, p x p row-major.
    pub vcov_robust: Vec<f64>,
    /// Model-based covariance.
    pub vcov_naive: Vec<f64>,
    /// Mancl-DeRouen bias-corrected sandwich.
    pub vcov_mancl_derouen: Vec<f64>,
    /// Kauermann-Carroll bias-corrected sandwich.
    pub vcov_kauermann_carroll: Vec<f64>,
    /// Working correlation parameters (none for independence; one for
    /// exchangeable and AR(1); per pair of waves, in order, unstructured).
    pub alpha: Vec<f64>,
    /// Scale.
    pub scale: f64,
    /// Converged within the iterations.
    pub converged: bool,
    /// Iterations.
    pub iterations: usize,
    /// Observations.
    pub nobs: usize,
    /// Cluster sizes.
    pub cluster_sizes: Vec<usize>,
}

/// Square roots of the diagonal of a p x p covariance.
pub fn standard_errors(vcov: &[f64], p: usize) -> Vec<f64> {
    (0..p).map(|i| vcov[i * p + i].max(0.0).sqrt()).collect()
}

struct Cluster {
    rows: Vec<usize>,
}

/// The data of the estimating equations: the clusters, the design, the
/// response and the options, shared by every step of the fit.
#[derive(Clone, Copy)]
struct Equations<'a> {
    clusters: &'a [Cluster],
    x: &'a [f64],
    y: &'a [f64],
    p: usize,
    o: &'a GeeOptions,
    n_waves: usize,
}

/// Fits a GEE to the design (its random terms are ignored).
pub fn fit_gee(d: &Design, o: &GeeOptions) -> Result<GeeFit, ModelError> {
    let (n, p) = (d.n(), d.p());
    if o.cluster.len() != n || o.wave.len() != n {
        return Err(ModelError::Data(
            "a cluster and a wave for every row are needed".into(),
        ));
    }
    for &y in d.y.iter() {
        if let Err(want) = o.family.check(y) {
            return Err(ModelError::Data(format!(
                "the response '{}' has the value {y}; expected {want}",
                d.formula.response.name
            )));
        }
    }
    let x = d.x.as_slice().expect("a standard-layout design");
    let y = d.y.as_slice().expect("a standard-layout response");
    // Clusters in order of first appearance, rows in file order.
    let mut index = std::collections::HashMap::new();
    let mut clusters: Vec<Cluster> = Vec::new();
    for (i, c) in o.cluster.iter().enumerate() {
        let k = *index.entry(*c).or_insert_with(|| {
            clusters.push(Cluster { rows: Vec::new() });
            clusters.len() - 1
        });
        clusters[k].rows.push(i);
    }
    let n_waves = o.wave.iter().max().map_or(1, |w| *w as usize + 1);
    let mut beta = crate::glm::irls(x, y, n, p, o.family)?.beta;
    let mut converged = false;
    let mut iterations = 0;
    let eq = Equations {
        clusters: &clusters,
        x,
        y,
        p,
        o,
        n_waves,
    };
    let mut est = eq.dispersion(&beta);
    while iterations < o.max_iterations {
        iterations += 1;
        let (b, u) = eq.score(&beta, &est.alpha, None)?;
        let mut l = b.clone();
        cholesky(&mut l, p)
            .map_err(|_| ModelError::Data("the GEE information matrix is singular".into()))?;
        let mut delta = u.clone();
        forward(&l, p, &mut delta);
        backward(&l, p, &mut delta);
        for (b, dlt) in beta.iter_mut().zip(&delta) {
            *b += dlt;
        }
        if beta.iter().any(|b| !b.is_finite()) {
            return Err(ModelError::Data("the GEE estimates diverge".into()));
        }
        est = eq.dispersion(&beta);
        if delta.iter().map(|v| v.abs()).fold(0.0, f64::max) < o.tolerance {
            converged = true;
            break;
        }
    }
    // The sandwich and its corrections at the final estimates.
    let mut parts = Sandwich::default();
    let (b, _) = eq.score(&beta, &est.alpha, Some(&mut parts))?;
    let mut l = b.clone();
    cholesky(&mut l, p)
        .map_err(|_| ModelError::Data("the GEE information matrix is singular".into()))?;
    let binv = inverse_from_cholesky(&l, p);
    let corrected = eq.corrections(&beta, &est.alpha, &binv)?;
    let sandwich = |m: &[f64]| {
        let t = matmul(&binv, m, p, p, p);
        matmul(&t, &binv, p, p, p)
    };
    let mut naive = binv.clone();
    naive.iter_mut().for_each(|v| *v *= est.scale);
    Ok(GeeFit {
        beta,
        vcov_robust: sandwich(&parts.meat),
        vcov_naive: naive,
        vcov_mancl_derouen: sandwich(&corrected.0),
        vcov_kauermann_carroll: sandwich(&corrected.1),
        alpha: est.alpha,
        scale: est.scale,
        converged,
        iterations,
        nobs: n,
        cluster_sizes: clusters.iter().map(|c| c.rows.len()).collect(),
    })
}

struct Dispersion {
    scale: f64,
    alpha: Vec<f64>,
}

/// Pearson residuals of a cluster at `beta`.
fn pearson(c: &Cluster, x: &[f64], y: &[f64], p: usize, beta: &[f64], f: Family) -> Vec<f64> {
    c.rows
        .iter()
        .map(|&i| {
            let eta: f64 = (0..p).map(|j| x[i * p + j] * beta[j]).sum();
            let mu = f.mean(eta);
            (y[i] - mu) / f.variance(mu).sqrt()
        })
        .collect()
}

impl Equations<'_> {
    /// Scale and working correlation at `beta` (geepack's estimators).
    fn dispersion(&self, beta: &[f64]) -> Dispersion {
        let Equations {
            clusters,
            x,
            y,
            p,
            o,
            n_waves,
        } = *self;
        let resid: Vec<Vec<f64>> = clusters
            .iter()
            .map(|c| pearson(c, x, y, p, beta, o.family))
            .collect();
        let n: usize = resid.iter().map(Vec::len).sum();
        let scale = resid.iter().flatten().map(|r| r * r).sum::<f64>() / n as f64;
        let pairs = || {
            clusters.iter().zip(&resid).flat_map(|(c, r)| {
                (0..r.len()).flat_map(move |j| {
                    (j + 1..r.len()).map(move |k| {
                        let (wj, wk) = (o.wave[c.rows[j]], o.wave[c.rows[k]]);
                        (wj.min(wk), wj.max(wk), r[j] * r[k] / scale)
                    })
                })
            })
        };
        let alpha = match o.corstr {
            CorStr::Independence => Vec::new(),
            CorStr::Exchangeable => {
                let (sum, count) = pairs().fold((0.0, 0usize), |(s, c), (_, _, v)| (s + v, c + 1));
                vec![if count > 0 { sum / count as f64 } else { 0.0 }]
            }
            CorStr::Ar1 => {
                let all: Vec<(i32, f64)> = pairs().map(|(a, b, v)| ((b - a) as i32, v)).collect();
                let loss =
                    |a: f64| -> f64 { all.iter().map(|(lag, v)| (v - a.powi(*lag)).powi(2)).sum() };
                let mut a = golden(&loss, -0.999_999, 0.999_999);
                // Newton on the derivative: golden section finds the minimum
                // to ~1e-8, the fixed point of the estimating equations needs
                // it to rounding.
                for _ in 0..20 {
                    let (mut g, mut h) = (0.0, 0.0);
                    for &(l, v) in &all {
                        let lf = f64::from(l);
                        let (al, dl) = (a.powi(l), lf * a.powi(l - 1));
                        let d2 = if l >= 2 {
                            lf * (lf - 1.0) * a.powi(l - 2)
                        } else {
                            0.0
                        };
                        g += -2.0 * (v - al) * dl;
                        h += 2.0 * (dl * dl - (v - al) * d2);
                    }
                    if h <= 0.0 {
                        break;
                    }
                    let next = (a - g / h).clamp(-0.999_999, 0.999_999);
                    let moved = (next - a).abs();
                    a = next;
                    if moved < 1e-16 {
                        break;
                    }
                }
                vec![a]
            }
            CorStr::Unstructured => {
                let mut sum = vec![0.0; n_waves * n_waves];
                let mut count = vec![0usize; n_waves * n_waves];
                for (a, b, v) in pairs() {
                    sum[a as usize * n_waves + b as usize] += v;
                    count[a as usize * n_waves + b as usize] += 1;
                }
                let mut out = Vec::new();
                for a in 0..n_waves {
                    for b in a + 1..n_waves {
                        let k = a * n_waves + b;
                        out.push(if count[k] > 0 {
                            sum[k] / count[k] as f64
                        } else {
                            0.0
                        });
                    }
                }
                out
            }
        };
        Dispersion { scale, alpha }
    }
}

/// The minimum of a smooth function of one variable on `[lo, hi]`: golden
/// section to the resolution of f64, then the best of the end points.
fn golden(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (lo, hi);
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..200 {
        if (b - a).abs() < 1e-15 {
            break;
        }
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    let mid = (a + b) / 2.0;
    [lo, hi, mid]
        .into_iter()
        .min_by(|u, v| f(*u).total_cmp(&f(*v)))
        .unwrap_or(mid)
}

/// The working correlation of a cluster (m x m).
fn working(c: &Cluster, o: &GeeOptions, alpha: &[f64], n_waves: usize) -> Vec<f64> {
    let m = c.rows.len();
    let mut r = vec![0.0; m * m];
    for j in 0..m {
        for k in 0..m {
            r[j * m + k] = if j == k {
                1.0
            } else {
                let (wj, wk) = (o.wave[c.rows[j]] as usize, o.wave[c.rows[k]] as usize);
                match o.corstr {
                    CorStr::Independence => 0.0,
                    CorStr::Exchangeable => alpha[0],
                    CorStr::Ar1 => alpha[0].powi(wj.abs_diff(wk) as i32),
                    CorStr::Unstructured => {
                        let (a, b) = (wj.min(wk), wj.max(wk));
                        // Index of the pair (a, b), a < b, in row order.
                        let k = a * n_waves - a * (a + 1) / 2 + (b - a - 1);
                        alpha.get(k).copied().unwrap_or(0.0)
                    }
                }
            };
        }
    }
    r
}

/// Per cluster: D (m x p), V (m x m, without phi) and the residuals.
struct ClusterTerms {
    d: Vec<f64>,
    v: Vec<f64>,
    e: Vec<f64>,
}

impl Equations<'_> {
    /// D, V and the residuals of cluster `c` at `beta`.
    fn cluster_terms(&self, c: &Cluster, beta: &[f64], alpha: &[f64]) -> ClusterTerms {
        let Equations {
            x,
            y,
            p,
            o,
            n_waves,
            ..
        } = *self;
        let m = c.rows.len();
        let f = o.family;
        let mut d = vec![0.0; m * p];
        let mut sd = vec![0.0; m];
        let mut e = vec![0.0; m];
        for (a, &i) in c.rows.iter().enumerate() {
            let eta: f64 = (0..p).map(|j| x[i * p + j] * beta[j]).sum();
            let mu = f.mean(eta);
            let dmu = f.dmu(mu);
            for j in 0..p {
                d[a * p + j] = dmu * x[i * p + j];
            }
            sd[a] = f.variance(mu).sqrt();
            e[a] = y[i] - mu;
        }
        let mut v = working(c, o, alpha, n_waves);
        for j in 0..m {
            for k in 0..m {
                v[j * m + k] *= sd[j] * sd[k];
            }
        }
        ClusterTerms { d, v, e }
    }

    /// `B = sum D' V^-1 D` and `U = sum D' V^-1 e` (phi left out: it cancels
    /// in the update and in the sandwich); with `parts`, also the meat.
    fn score(
        &self,
        beta: &[f64],
        alpha: &[f64],
        mut parts: Option<&mut Sandwich>,
    ) -> Result<(Vec<f64>, Vec<f64>), ModelError> {
        let Equations { clusters, p, .. } = *self;
        let mut b = vec![0.0; p * p];
        let mut u = vec![0.0; p];
        if let Some(s) = parts.as_deref_mut() {
            s.meat = vec![0.0; p * p];
        }
        for c in clusters {
            let m = c.rows.len();
            let t = self.cluster_terms(c, beta, alpha);
            let mut l = t.v.clone();
            cholesky(&mut l, m).map_err(|_| {
                ModelError::Data(
                    "the working correlation is not positive definite for a cluster (an estimated \
                 correlation out of range)"
                        .into(),
                )
            })?;
            // V^-1 D and V^-1 e.
            let mut vd = t.d.clone();
            let mut col = vec![0.0; m];
            for j in 0..p {
                for a in 0..m {
                    col[a] = vd[a * p + j];
                }
                forward(&l, m, &mut col);
                backward(&l, m, &mut col);
                for a in 0..m {
                    vd[a * p + j] = col[a];
                }
            }
            // D' V^-1 = (V^-1 D)' since V is symmetric.
            let mut score_i = vec![0.0; p];
            for j in 0..p {
                for k in 0..p {
                    b[j * p + k] += (0..m).map(|a| vd[a * p + j] * t.d[a * p + k]).sum::<f64>();
                }
                score_i[j] = (0..m).map(|a| vd[a * p + j] * t.e[a]).sum();
                u[j] += score_i[j];
            }
            if let Some(s) = parts.as_deref_mut() {
                for j in 0..p {
                    for k in 0..p {
                        s.meat[j * p + k] += score_i[j] * score_i[k];
                    }
                }
            }
        }
        Ok((b, u))
    }

    /// The meats of the Mancl-DeRouen and Kauermann-Carroll sandwiches.
    fn corrections(
        &self,
        beta: &[f64],
        alpha: &[f64],
        binv: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>), ModelError> {
        let Equations { clusters, p, .. } = *self;
        let mut md = vec![0.0; p * p];
        let mut kc = vec![0.0; p * p];
        for c in clusters {
            let m = c.rows.len();
            let t = self.cluster_terms(c, beta, alpha);
            // With W = V^{-1/2}: I - H = V^{1/2} (I - S) W, S = W D B^-1 D' W
            // symmetric, so (I - H)^{-k} = V^{1/2} (I - S)^{-k} W.
            let w = symmetric_function(&t.v, m, |v| 1.0 / v.sqrt());
            let root = symmetric_function(&t.v, m, f64::sqrt);
            let wd = matmul(&w, &t.d, m, m, p);
            let wdb = matmul(&wd, binv, m, p, p);
            let mut s = vec![0.0; m * m];
            for a in 0..m {
                for b in 0..m {
                    s[a * m + b] = -(0..p).map(|j| wdb[a * p + j] * wd[b * p + j]).sum::<f64>()
                        + f64::from(u8::from(a == b));
                }
            }
            // V^-1 D = W W D.
            let vd = matmul(&w, &wd, m, m, p);
            for (power, meat) in [(1.0, &mut md), (0.5, &mut kc)] {
                let f =
                    symmetric_function(
                        &s,
                        m,
                        |v| if v > 1e-12 { v.powf(-power) } else { f64::NAN },
                    );
                if f.iter().any(|v| !v.is_finite()) {
                    return Err(ModelError::Data(
                        "a cluster has leverage 1: the bias-corrected sandwich is not defined"
                            .into(),
                    ));
                }
                let adj = matmul(
                    &matmul(&root, &f, m, m, m),
                    &matmul(&w, &t.e, m, m, 1),
                    m,
                    m,
                    1,
                );
                let si: Vec<f64> = (0..p)
                    .map(|j| (0..m).map(|a| vd[a * p + j] * adj[a]).sum())
                    .collect();
                for j in 0..p {
                    for k in 0..p {
                        meat[j * p + k] += si[j] * si[k];
                    }
                }
            }
        }
        Ok((md, kc))
    }
}

#[derive(Default)]
struct Sandwich {
    meat: Vec<f64>,
}
