//! Generalized linear mixed models (binomial logit, Poisson log, negative
//! binomial NB2 log) by the Laplace approximation, as lme4's `glmer`
//! (nAGQ = 1) and glmmTMB.
//!
//! `eta = X beta + Z Lambda(theta) u`, `u ~ N(0, I)`. For given `(theta,
//! beta)` the conditional modes `u` maximise the penalised likelihood;
//! their Newton (penalised IRLS) system is
//! `(Lambda' Z' W Z Lambda + I) delta = Lambda' Z' s - u`, with `s = d log
//! p(y | eta) / d eta` and `W = -d^2 log p / d eta^2` (the observed
//! information, as glmmTMB's Laplace; for the canonical links of the
//! binomial and the Poisson it is `Var(mu)`). The Laplace deviance is
//! `-2 sum log p(y | mu(u-hat)) + |u-hat|^2 + log |Lambda' Z' W Z Lambda + I|`
//! (lme4's `-2 logLik`), minimised over `(theta, beta)` jointly as lme4's
//! second stage does, and for the NB2 over its `log theta` as well
//! (glmmTMB's `nbinom2`, variance `mu + mu^2 / theta`). The random effects
//! of nested groupings live in one top-level group, so the modes are found
//! block by block, and the cost of an evaluation is linear in the number
//! of groups.
//!
//! The optimiser is BFGS on the analytic gradient of the Laplace deviance
//! (through the modes by the implicit function theorem: [`block_gradient`],
//! the NB2's log theta included), then Newton steps; with
//! adaptive quadrature, on central differences. Standard errors: `2
//! (H^{-1})_{beta beta}` with `H` the Hessian of the deviance over the
//! parameters inside their bounds (lme4's `use.hessian = TRUE`): central
//! differences of the analytic gradient, or Richardson-extrapolated
//! differences of the deviance for quadrature.

use crate::design::Design;
use crate::error::ModelError;
use crate::gee::Family;
use crate::linalg::{cholesky, log_diagonal, Qr};
use crate::lmm::{block_z, lower_factor, top_level_rows, variance_components, BlockZ, VarComp};
use rayon::prelude::*;

use crate::optimize::{
    central_gradient, hessian_of_gradient, minimize, minimize_with_gradient, numeric_gradient,
    numeric_hessian,
};

/// The response distribution of a GLMM, each with its usual link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlmmFamily {
    /// 0/1, logit link.
    Binomial,
    /// Counts, log link.
    Poisson,
    /// Overdispersed counts: the negative binomial with variance `mu + mu^2
    /// / theta` (NB2), log link, theta estimated with the model.
    NegBin,
}

impl GlmmFamily {
    /// The name the study file uses.
    pub fn name(self) -> &'static str {
        match self {
            GlmmFamily::Binomial => "binomial",
            GlmmFamily::Poisson => "poisson",
            GlmmFamily::NegBin => "negbin",
        }
    }

    /// The link's name.
    pub fn link(self) -> &'static str {
        match self {
            GlmmFamily::Binomial => "logit",
            GlmmFamily::Poisson | GlmmFamily::NegBin => "log",
        }
    }

    /// The family whose response values it accepts.
    fn values(self) -> Family {
        match self {
            GlmmFamily::Binomial => Family::Binomial,
            GlmmFamily::Poisson | GlmmFamily::NegBin => Family::Poisson,
        }
    }
}

/// The conditional distribution at given parameters.
#[derive(Debug, Clone, Copy)]
enum Kernel {
    Binomial,
    Poisson,
    /// With this theta and its logarithm.
    NegBin {
        theta: f64,
        ln_theta: f64,
    },
}

/// One observation's `log p(y | eta)` (without the terms free of eta),
/// its score `d log p / d eta` and its observed information `-d^2 log p /
/// d eta^2` (positive for every y, eta).
#[derive(Debug, Clone, Copy)]
struct Point {
    log_density: f64,
    score: f64,
    weight: f64,
}

/// `(log(1 + e^x), 1 / (1 + e^-x), 1 / (1 + e^x))` from one exponential,
/// without overflow: the softplus and the logistic function and its
/// complement, each to full relative precision.
fn softplus(x: f64) -> (f64, f64, f64) {
    let e = (-x.abs()).exp();
    let (big, small) = (1.0 / (1.0 + e), e / (1.0 + e));
    let log = x.max(0.0) + e.ln_1p();
    if x >= 0.0 {
        (log, big, small)
    } else {
        (log, small, big)
    }
}

impl Kernel {
    fn new(family: GlmmFamily, log_theta: f64) -> Kernel {
        match family {
            GlmmFamily::Binomial => Kernel::Binomial,
            GlmmFamily::Poisson => Kernel::Poisson,
            GlmmFamily::NegBin => {
                let ln_theta = log_theta.min(LOG_THETA_MAX);
                Kernel::NegBin {
                    theta: ln_theta.exp(),
                    ln_theta,
                }
            }
        }
    }

    fn mean(self, eta: f64) -> f64 {
        match self {
            Kernel::Binomial => softplus(eta).1,
            Kernel::Poisson | Kernel::NegBin { .. } => eta.exp(),
        }
    }

    fn variance(self, mu: f64) -> f64 {
        match self {
            Kernel::Binomial => mu * (1.0 - mu),
            Kernel::Poisson => mu,
            Kernel::NegBin { theta, .. } => mu + mu * mu / theta,
        }
    }

    /// The log density, score and observed information at `eta`, stable
    /// for large `|eta|` and large theta. The NB2's
    /// `theta log theta - (y + theta) log(theta + mu) + y eta`
    /// is written `y x - (y + theta) log(1 + e^x)` with
    /// `x = eta - log theta`, without the cancellation of two terms of
    /// 1.8e9 at theta = 1e8; with `r = theta / (theta + mu)`, its score is
    /// `r y - theta (1 - r)` and its information `r (1 - r) (y + theta)`.
    fn point(self, y: f64, eta: f64) -> Point {
        match self {
            Kernel::Binomial => {
                let (log, mu, one_minus) = softplus(eta);
                Point {
                    log_density: y * eta - log,
                    score: y - mu,
                    weight: mu * one_minus,
                }
            }
            Kernel::Poisson => {
                let mu = eta.exp();
                Point {
                    log_density: y * eta - mu,
                    score: y - mu,
                    weight: mu,
                }
            }
            Kernel::NegBin { theta, ln_theta } => {
                let x = eta - ln_theta;
                let (log, one_minus_r, r) = softplus(x);
                Point {
                    log_density: y * x - (y + theta) * log,
                    score: r * y - theta * one_minus_r,
                    weight: r * one_minus_r * (y + theta),
                }
            }
        }
    }

    fn log_density(self, y: f64, eta: f64) -> f64 {
        self.point(y, eta).log_density
    }

    /// `d w / d eta` of the observed information `w` of [`Self::point`].
    fn weight_slope(self, y: f64, eta: f64) -> f64 {
        match self {
            Kernel::Binomial => {
                let (_, mu, one_minus) = softplus(eta);
                mu * one_minus * (one_minus - mu)
            }
            Kernel::Poisson => eta.exp(),
            Kernel::NegBin { theta, ln_theta } => {
                // theta (y + theta) mu (theta - mu) / (theta + mu)^3.
                let (_, one_minus_r, r) = softplus(eta - ln_theta);
                r * one_minus_r * (r - one_minus_r) * (y + theta)
            }
        }
    }

    /// The NB2's derivatives in log theta at fixed eta of the log density
    /// (without the term free of eta), of the score and of the information
    /// (`theta d/d theta` of each): `-theta log(1 + mu / theta) - s`,
    /// `r (1 - r) (y - mu)` and `r (1 - r) (y (1 - 2 r) + 2 theta (1 - r))`;
    /// zero for the other families.
    fn log_theta_partials(self, y: f64, eta: f64) -> (f64, f64, f64) {
        match self {
            Kernel::NegBin { theta, ln_theta } => {
                let (log, one_minus_r, r) = softplus(eta - ln_theta);
                let score = r * y - theta * one_minus_r;
                let rr = r * one_minus_r;
                (
                    -theta * log - score,
                    rr * (y - eta.exp()),
                    rr * (y * (one_minus_r - r) + 2.0 * theta * one_minus_r),
                )
            }
            _ => (0.0, 0.0, 0.0),
        }
    }
}

/// The conditional modes of one random effect (lme4's `ranef`, on the
/// linear predictor's scale) summarised over the grouping's levels: no
/// level's own value.
#[derive(Debug, Clone, PartialEq)]
pub struct ModesSummary {
    /// The grouping.
    pub group: String,
    /// The effect: `(Intercept)` or a slope.
    pub effect: String,
    /// Levels.
    pub n: usize,
    /// Mean of the modes (near 0).
    pub mean: f64,
    /// Their standard deviation (n - 1), below the estimated SD of the
    /// effect by the shrinkage of the modes.
    pub sd: f64,
}

/// A fitted GLMM.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmmFit {
    /// The family.
    pub family: GlmmFamily,
    /// Quadrature points: 1 for the Laplace approximation.
    pub agq: usize,
    /// Fixed effects.
    pub beta: Vec<f64>,
    /// Their covariance (p x p).
    pub vcov: Vec<f64>,
    /// The relative covariance factors' parameters (lme4's theta).
    pub theta: Vec<f64>,
    /// Variance components (no residual: the family fixes the scale).
    pub varcomp: Vec<VarComp>,
    /// Laplace log-likelihood.
    pub loglik: f64,
    /// `-2 loglik`.
    pub deviance: f64,
    /// Parameters: fixed effects and theta.
    pub df_loglik: usize,
    /// Observations.
    pub nobs: usize,
    /// Levels per grouping.
    pub ngroups: Vec<(String, usize)>,
    /// A variance at zero or a correlation at +-1.
    pub singular: bool,
    /// The optimiser met its tolerance.
    pub converged: bool,
    /// Deviance evaluations.
    pub evaluations: usize,
    /// Norm of the final gradient over the free parameters.
    pub gradient_norm: f64,
    /// The optimiser.
    pub optimizer: &'static str,
    /// Pearson chi-square at the conditional modes, `sum (y - mu)^2 /
    /// Var(mu)`.
    pub pearson_chi2: f64,
    /// The NB2's theta (variance `mu + mu^2 / theta`) and its standard
    /// error (the delta method on log theta's; NaN at the upper end);
    /// `None` for the other families.
    pub nb_theta: Option<(f64, f64)>,
    /// The NB2's theta at its upper end (1e8): no overdispersion beyond
    /// the random effects.
    pub theta_at_bound: bool,
    /// Observations whose fitted mean is numerically 0 (or 1): separation.
    pub separated: usize,
    /// The fixed effects that run off to infinity with a separation (their
    /// SEs are NaN).
    pub diverging: Vec<String>,
    /// The conditional modes, per random effect, summarised.
    pub modes: Vec<ModesSummary>,
}

impl GlmmFit {
    /// Standard errors of the fixed effects (NaN for a diverging one).
    pub fn se(&self) -> Vec<f64> {
        let p = self.beta.len();
        (0..p)
            .map(|j| {
                let v = self.vcov[j * p + j];
                if v.is_nan() {
                    v
                } else {
                    v.max(0.0).sqrt()
                }
            })
            .collect()
    }

    /// AIC.
    pub fn aic(&self) -> f64 {
        self.deviance + 2.0 * self.df_loglik as f64
    }

    /// BIC.
    pub fn bic(&self) -> f64 {
        self.deviance + (self.nobs as f64).ln() * self.df_loglik as f64
    }
}

/// A block with one scalar random effect (the general loop's work without
/// its vectors): the conditional mode `u` by Newton steps from its last
/// value, and the block's Laplace (or quadrature) deviance with `H =
/// Lambda' Z' W Z Lambda + 1` at the mode. `fixed` and `zl` are the block
/// rows' `X beta` and `Z Lambda`.
fn scalar_block(
    family: Kernel,
    fixed: &[f64],
    zl: &[f64],
    rows: &[usize],
    y: &ndarray::Array1<f64>,
    u: &mut f64,
    quadrature: &[(f64, f64)],
) -> Option<(f64, f64)> {
    // The penalised deviance, (sum w zl^2 + 1) and sum zl s - u at u, in
    // one pass over the rows.
    let at = |u: f64| -> (f64, f64, f64) {
        let (mut ll, mut h, mut g) = (0.0, 1.0, -u);
        for (a, &i) in rows.iter().enumerate() {
            let pt = family.point(y[i], fixed[a] + zl[a] * u);
            ll += pt.log_density;
            h += pt.weight * zl[a] * zl[a];
            g += zl[a] * pt.score;
        }
        (-2.0 * ll + u * u, h, g)
    };
    let (mut value, mut h, mut g) = at(*u);
    if !value.is_finite() {
        *u = 0.0;
        (value, h, g) = at(0.0);
    }
    let mut settled = false;
    for _ in 0..100 {
        let step = g / h;
        let mut t = 1.0;
        let (mut next_u, mut next);
        loop {
            next_u = *u + t * step;
            next = at(next_u);
            if next.0 <= value + 1e-12 * value.abs() || t < 1e-10 {
                break;
            }
            t /= 2.0;
        }
        let moved = (step * t).abs();
        let change = value - next.0;
        *u = next_u;
        (value, h, g) = next;
        if moved < 1e-10 || change.abs() < 1e-13 * (1.0 + value.abs()) {
            settled = true;
            break;
        }
    }
    if !settled || !value.is_finite() || h.is_nan() || h <= 0.0 {
        return None;
    }
    let mut total = value + h.ln();
    if !quadrature.is_empty() {
        let l = h.sqrt();
        let sum: f64 = quadrature
            .iter()
            .map(|&(z, w)| w * (-(at(*u + z / l).0 - value) / 2.0 + z * z / 2.0).exp())
            .sum();
        total -= 2.0 * sum.ln();
    }
    Some((total, h))
}

/// What the gradient of a block's Laplace deviance reads: the block's
/// rows, their `X beta` (`fixed`), `Z` and `Z Lambda` (rows x s,
/// row-major), its effects' slots, the conditional modes `u` and
/// `H^{-1}`, `H = Lambda' Z' W Z Lambda + I` at `u`.
struct BlockAtMode<'a> {
    rows: &'a [usize],
    fixed: &'a [f64],
    z: &'a [f64],
    zl: &'a [f64],
    slots: &'a [(usize, usize)],
    u: &'a [f64],
    h_inverse: &'a [f64],
}

/// Adds the gradient of one block's Laplace deviance `PD(u-hat) + log |H|`
/// over (theta, beta) to `grad`. With `s` the scores, `w` the observed
/// information and `w'` its slope in eta, `q_a = zl_a' H^-1 zl_a`, `r =
/// sum_a w'_a q_a zl_a` (the gradient of `log |H|` in `u`) and `v = H^-1
/// r`, the implicit function theorem (`du/dpsi = H^-1 dg/dpsi` for the
/// mode equation `g = Lambda' Z' s - u = 0`) gives, per observation,
/// `x_aj (-2 s_a + w'_a q_a - w_a v.zl_a)` for `beta_j` and, for a theta
/// element moving `zl_a` by `dzl_a` (so eta by `de = dzl_a.u`),
/// `-2 s_a de + w'_a de q_a + 2 w_a zl_a' H^-1 dzl_a + s_a v.dzl_a - w_a
/// (v.zl_a) de`. `theta_elements[k]` lists term k's theta elements as
/// (index, row, column) of its factor. The NB2's log theta `psi` moves
/// the log density, score and information at fixed eta by `dl`, `ds`,
/// `dw` ([`Kernel::log_theta_partials`]): `-2 dl_a + q_a dw_a + (v.zl_a)
/// ds_a`, in the slot after beta when `grad` has one.
fn block_gradient(
    kernel: Kernel,
    b: &BlockAtMode<'_>,
    y: &ndarray::Array1<f64>,
    xs: &[f64],
    p: usize,
    theta_elements: &[Vec<(usize, usize, usize)>],
    grad: &mut [f64],
) {
    let (m, s) = (b.rows.len(), b.u.len());
    let theta_len: usize = theta_elements.iter().map(Vec::len).sum();
    let mut hz = vec![0.0; s];
    let mut per_obs: Vec<(f64, f64, f64, f64, f64)> = Vec::with_capacity(m);
    let mut r = vec![0.0; s];
    for a in 0..m {
        let zl = &b.zl[a * s..(a + 1) * s];
        let eta = b.fixed[a] + zl.iter().zip(b.u).map(|(z, u)| z * u).sum::<f64>();
        let Point {
            score, weight: w, ..
        } = kernel.point(y[b.rows[a]], eta);
        let slope = kernel.weight_slope(y[b.rows[a]], eta);
        for (i, v) in hz.iter_mut().enumerate() {
            *v = (0..s).map(|l| b.h_inverse[i * s + l] * zl[l]).sum();
        }
        let q: f64 = zl.iter().zip(&hz).map(|(z, h)| z * h).sum();
        for (rc, z) in r.iter_mut().zip(zl) {
            *rc += slope * q * z;
        }
        per_obs.push((eta, score, w, slope, q));
    }
    let v: Vec<f64> = (0..s)
        .map(|i| (0..s).map(|l| b.h_inverse[i * s + l] * r[l]).sum())
        .collect();
    // The NB2's log theta, which moves the scores and information at
    // fixed eta.
    let mut log_theta_slope = 0.0;
    let nb = matches!(kernel, Kernel::NegBin { .. }) && grad.len() > theta_len + p;
    for a in 0..m {
        let (eta, score, w, slope, q) = per_obs[a];
        let zl = &b.zl[a * s..(a + 1) * s];
        let z = &b.z[a * s..(a + 1) * s];
        let v_zl: f64 = v.iter().zip(zl).map(|(v, z)| v * z).sum();
        let i = b.rows[a];
        let per_beta = -2.0 * score + slope * q - w * v_zl;
        for j in 0..p {
            grad[theta_len + j] += xs[i * p + j] * per_beta;
        }
        if nb {
            let (dl, ds, dw) = kernel.log_theta_partials(y[i], eta);
            log_theta_slope += -2.0 * dl + q * dw + v_zl * ds;
        }
        if theta_len == 0 {
            continue;
        }
        for (i, h) in hz.iter_mut().enumerate() {
            *h = (0..s).map(|l| b.h_inverse[i * s + l] * zl[l]).sum();
        }
        for &(k, c) in b.slots {
            for &(t, row, col) in &theta_elements[k] {
                // This element moves zl[c + col] by z[c + row].
                let dz = z[c + row];
                if dz == 0.0 {
                    continue;
                }
                let de = dz * b.u[c + col];
                grad[t] += -2.0 * score * de
                    + slope * de * q
                    + 2.0 * w * hz[c + col] * dz
                    + score * v[c + col] * dz
                    - w * v_zl * de;
            }
        }
    }
    if nb {
        grad[theta_len + p] += log_theta_slope;
    }
}

/// One top-level group: its rows, its random effects, and the last
/// conditional modes (the next evaluation starts from them).
struct Block {
    rows: Vec<usize>,
    effects: BlockZ,
    modes: Vec<f64>,
}

struct Problem<'a> {
    d: &'a Design,
    family: GlmmFamily,
    /// Adaptive Gauss-Hermite nodes and weights (standard normal), for a
    /// single scalar random effect; empty for the Laplace approximation.
    quadrature: Vec<(f64, f64)>,
    blocks: Vec<Block>,
    /// Sizes and theta offsets of the random terms.
    shapes: Vec<(usize, usize)>,
    /// Each term's theta elements: (index in theta, row, column) of its
    /// relative covariance factor.
    theta_elements: Vec<Vec<(usize, usize, usize)>>,
    /// The log-likelihood's terms free of the parameters (`-sum log y!`
    /// for the counts).
    log_constant: f64,
    /// The distinct responses and how often each occurs (the NB2's
    /// `sum log Gamma(y + theta)` term).
    response_counts: Vec<(f64, f64)>,
    theta_len: usize,
}

impl Problem<'_> {
    /// The conditional distribution at `x` (the NB2's log theta follows
    /// the fixed effects).
    fn kernel(&self, x: &[f64]) -> Kernel {
        let log_theta = x.get(self.theta_len + self.d.p()).copied();
        Kernel::new(self.family, log_theta.unwrap_or(0.0))
    }

    /// The log-likelihood's terms free of eta at `x`: for the NB2 `sum
    /// log Gamma(y + theta) - log Gamma(theta)`, as `sum_{j < y} log(theta
    /// + j)` (exact for counts, where the difference of two log Gammas of
    /// 1.7e9 at theta = 1e8 loses 1e-7 each) up to counts of
    /// [`MAX_COUNT_SUMMED`].
    fn log_constant(&self, kernel: Kernel) -> f64 {
        let nb = match kernel {
            Kernel::NegBin { theta, .. } => {
                let lg = statrs::function::gamma::ln_gamma;
                let (mut total, mut partial, mut j) = (0.0, 0.0, 0.0);
                for &(y, c) in &self.response_counts {
                    if y <= MAX_COUNT_SUMMED {
                        while j < y {
                            partial += (theta + j).ln();
                            j += 1.0;
                        }
                        total += c * partial;
                    } else {
                        total += c * (lg(y + theta) - lg(theta));
                    }
                }
                total
            }
            _ => 0.0,
        };
        self.log_constant + nb
    }

    /// `d / d log theta` of [`Self::log_constant`]: `theta sum_{j < y} 1 /
    /// (theta + j)` over the counts (`theta (digamma(y + theta) -
    /// digamma(theta))` above [`MAX_COUNT_SUMMED`]); 0 but for the NB2.
    fn log_constant_slope(&self, kernel: Kernel) -> f64 {
        let Kernel::NegBin { theta, .. } = kernel else {
            return 0.0;
        };
        let psi = statrs::function::gamma::digamma;
        let (mut total, mut partial, mut j) = (0.0, 0.0, 0.0);
        for &(y, c) in &self.response_counts {
            if y <= MAX_COUNT_SUMMED {
                while j < y {
                    partial += theta / (theta + j);
                    j += 1.0;
                }
                total += c * partial;
            } else {
                total += c * theta * (psi(y + theta) - psi(theta));
            }
        }
        total
    }

    /// The conditional modes `b = Lambda u` of the blocks' current `u`
    /// at `theta`, per term and effect: their number, mean and SD.
    fn modes_summary(&self, theta: &[f64]) -> Vec<ModesSummary> {
        let d = self.d;
        let mut values: Vec<Vec<Vec<f64>>> = self
            .shapes
            .iter()
            .map(|&(q, _)| vec![Vec::new(); q])
            .collect();
        for b in &self.blocks {
            for &(k, c) in &b.effects.slots {
                let (q, offset) = self.shapes[k];
                let t = lower_factor(theta, offset, q);
                for (row, out) in values[k].iter_mut().enumerate() {
                    out.push(
                        (0..=row)
                            .map(|col| t[row * q + col] * b.modes[c + col])
                            .sum(),
                    );
                }
            }
        }
        let mut out = Vec::new();
        for (k, per_effect) in values.iter().enumerate() {
            for (e, v) in per_effect.iter().enumerate() {
                let n = v.len();
                let mean = v.iter().sum::<f64>() / n.max(1) as f64;
                let ss: f64 = v.iter().map(|x| (x - mean).powi(2)).sum();
                out.push(ModesSummary {
                    group: d.random[k].group.clone(),
                    effect: d.random[k].effects[e].clone(),
                    n,
                    mean,
                    sd: if n > 1 {
                        (ss / (n - 1) as f64).sqrt()
                    } else {
                        f64::NAN
                    },
                });
            }
        }
        out
    }

    /// The linear predictors `X beta + Z Lambda u` at `(theta, beta)` and
    /// the blocks' current conditional modes (call after
    /// [`Self::deviance`] at the same point), in the blocks' row order,
    /// with the rows.
    fn linear_predictors(&self, x: &[f64]) -> Vec<(usize, f64)> {
        let d = self.d;
        let p = d.p();
        let (theta, rest) = x.split_at(self.theta_len);
        let beta = &rest[..p];
        let xs = d.x.as_slice().expect("a standard-layout design");
        let factors: Vec<Vec<f64>> = self
            .shapes
            .iter()
            .map(|&(q, offset)| lower_factor(theta, offset, q))
            .collect();
        let mut out = Vec::with_capacity(d.n());
        for b in &self.blocks {
            let s = b.effects.size;
            for (a, &i) in b.rows.iter().enumerate() {
                let mut eta: f64 = (0..p).map(|j| xs[i * p + j] * beta[j]).sum();
                for &(k, c) in &b.effects.slots {
                    let q = self.shapes[k].0;
                    let t = &factors[k];
                    for j in 0..q {
                        let zl: f64 = (j..q)
                            .map(|r| b.effects.z[a * s + c + r] * t[r * q + j])
                            .sum();
                        eta += zl * b.modes[c + j];
                    }
                }
                out.push((i, eta));
            }
        }
        out
    }

    /// The Laplace deviance at `(theta, beta)` (`x` = theta then beta),
    /// updating the blocks' modes; `None` where it cannot be evaluated.
    fn deviance(&mut self, x: &[f64]) -> Option<f64> {
        self.evaluate(x, None)
    }

    /// The Laplace deviance and, with `grad` (Laplace only), its gradient
    /// over (theta, beta, and the NB2's log theta) added to `grad`. The
    /// blocks in fixed chunks on rayon's threads.
    fn evaluate(&mut self, x: &[f64], mut grad: Option<&mut [f64]>) -> Option<f64> {
        let kernel = self.kernel(x);
        let log_constant = self.log_constant(kernel);
        let d = self.d;
        let p = d.p();
        let (theta, rest) = x.split_at(self.theta_len);
        let factors: Vec<Vec<f64>> = self
            .shapes
            .iter()
            .map(|&(q, offset)| lower_factor(theta, offset, q))
            .collect();
        let ev = Evaluation {
            kernel,
            factors: &factors,
            shapes: &self.shapes,
            theta_elements: &self.theta_elements,
            quadrature: &self.quadrature,
            y: &d.y,
            xs: d.x.as_slice().expect("a standard-layout design"),
            beta: &rest[..p],
        };
        let k = grad.as_ref().map(|g| g.len());
        let parts: Vec<Option<(f64, Vec<f64>)>> = self
            .blocks
            .par_chunks_mut(BLOCK_CHUNK)
            .map(|chunk| {
                let mut g = vec![0.0; k.unwrap_or(0)];
                let (mut fixed_buf, mut zl_buf) = (Vec::new(), Vec::new());
                let mut total = 0.0;
                for b in chunk {
                    let g = k.is_some().then_some(g.as_mut_slice());
                    total += block_deviance(&ev, b, g, &mut fixed_buf, &mut zl_buf)?;
                }
                Some((total, g))
            })
            .collect();
        let mut total = 0.0;
        for part in parts {
            let (t, g) = part?;
            total += t;
            if let Some(out) = grad.as_deref_mut() {
                out.iter_mut().zip(&g).for_each(|(o, v)| *o += v);
            }
        }
        total -= 2.0 * log_constant;
        if let (Some(out), Kernel::NegBin { .. }) = (grad, kernel) {
            // The NB2's log theta: its term free of eta, and nothing above
            // the upper end, where theta is held.
            let at = self.theta_len + p;
            out[at] -= 2.0 * self.log_constant_slope(kernel);
            if x[at] > LOG_THETA_MAX {
                out[at] = 0.0;
            }
        }
        total.is_finite().then_some(total)
    }
}

/// What every block of one evaluation reads: the conditional
/// distribution, each term's relative covariance factor, the fixed
/// effects and the data.
#[derive(Clone, Copy)]
struct Evaluation<'a> {
    kernel: Kernel,
    factors: &'a [Vec<f64>],
    shapes: &'a [(usize, usize)],
    theta_elements: &'a [Vec<(usize, usize, usize)>],
    quadrature: &'a [(f64, f64)],
    y: &'a ndarray::Array1<f64>,
    xs: &'a [f64],
    beta: &'a [f64],
}

/// Blocks per task of an evaluation: fixed, so that the sums (block by
/// block in a chunk, then chunk by chunk) are the same on any number of
/// threads.
const BLOCK_CHUNK: usize = 256;

/// One block's Laplace (or quadrature) deviance at `ev`, updating its
/// modes; with `grad`, its gradient added. `fixed_buf` and `zl_buf` are
/// reused buffers for the scalar path.
fn block_deviance(
    ev: &Evaluation<'_>,
    b: &mut Block,
    grad: Option<&mut [f64]>,
    fixed_buf: &mut Vec<f64>,
    zl_buf: &mut Vec<f64>,
) -> Option<f64> {
    let Evaluation {
        kernel,
        factors,
        shapes,
        theta_elements,
        quadrature,
        y,
        xs,
        beta,
    } = *ev;
    let p = beta.len();
    let (m, s) = (b.rows.len(), b.effects.size);
    if s == 1 {
        let t = factors[b.effects.slots[0].0][0];
        fixed_buf.clear();
        zl_buf.clear();
        for (a, &i) in b.rows.iter().enumerate() {
            fixed_buf.push((0..p).map(|j| xs[i * p + j] * beta[j]).sum());
            zl_buf.push(b.effects.z[a] * t);
        }
        let (contribution, h) = scalar_block(
            kernel,
            fixed_buf,
            zl_buf,
            &b.rows,
            y,
            &mut b.modes[0],
            quadrature,
        )?;
        if let Some(g) = grad {
            let u = b.modes[0];
            let at_mode = BlockAtMode {
                rows: &b.rows,
                fixed: fixed_buf,
                z: &b.effects.z,
                zl: zl_buf,
                slots: &b.effects.slots,
                u: &[u],
                h_inverse: &[1.0 / h],
            };
            block_gradient(kernel, &at_mode, y, xs, p, theta_elements, g);
        }
        return Some(contribution);
    }
    // Z Lambda of the block (m x s).
    let mut zl = vec![0.0; m * s];
    for a in 0..m {
        for &(k, c) in &b.effects.slots {
            let q = shapes[k].0;
            let t = &factors[k];
            for j in 0..q {
                zl[a * s + c + j] = (j..q)
                    .map(|r| b.effects.z[a * s + c + r] * t[r * q + j])
                    .sum();
            }
        }
    }
    let fixed: Vec<f64> = b
        .rows
        .iter()
        .map(|&i| (0..p).map(|j| xs[i * p + j] * beta[j]).sum())
        .collect();
    let yb: Vec<f64> = b.rows.iter().map(|&i| y[i]).collect();
    let family = kernel;
    let eta_at = |u: &[f64], a: usize| -> f64 {
        fixed[a] + (0..s).map(|c| zl[a * s + c] * u[c]).sum::<f64>()
    };
    let penalised = |u: &[f64]| -> f64 {
        let ll: f64 = (0..m)
            .map(|a| family.log_density(yb[a], eta_at(u, a)))
            .sum();
        -2.0 * ll + u.iter().map(|v| v * v).sum::<f64>()
    };
    // The system (Lambda'Z'WZLambda + I) and Lambda'Z's - u.
    let system = |u: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let mut h = vec![0.0; s * s];
        let mut g: Vec<f64> = u.iter().map(|v| -v).collect();
        for a in 0..m {
            let pt = family.point(yb[a], eta_at(u, a));
            let row = &zl[a * s..(a + 1) * s];
            for c in 0..s {
                g[c] += row[c] * pt.score;
                for e in 0..s {
                    h[c * s + e] += pt.weight * row[c] * row[e];
                }
            }
        }
        for c in 0..s {
            h[c * s + c] += 1.0;
        }
        (h, g)
    };
    let mut u = b.modes.clone();
    let mut value = penalised(&u);
    if !value.is_finite() {
        u.iter_mut().for_each(|v| *v = 0.0);
        value = penalised(&u);
    }
    let mut settled = false;
    for _ in 0..100 {
        let (mut h, g) = system(&u);
        cholesky(&mut h, s).ok()?;
        let mut step = g;
        crate::linalg::forward(&h, s, &mut step);
        crate::linalg::backward(&h, s, &mut step);
        let mut t = 1.0;
        let mut next_u;
        let mut next;
        loop {
            next_u = u
                .iter()
                .zip(&step)
                .map(|(a, b)| a + t * b)
                .collect::<Vec<f64>>();
            next = penalised(&next_u);
            if next <= value + 1e-12 * value.abs() || t < 1e-10 {
                break;
            }
            t /= 2.0;
        }
        let moved = step.iter().fold(0.0f64, |m, v| m.max(v.abs())) * t;
        u = next_u;
        let change = value - next;
        value = next;
        if moved < 1e-10 || change.abs() < 1e-13 * (1.0 + value.abs()) {
            settled = true;
            break;
        }
    }
    if !settled || !value.is_finite() {
        return None;
    }
    let (mut h, _) = system(&u);
    cholesky(&mut h, s).ok()?;
    let mut total = value + 2.0 * log_diagonal(&h, s);
    if let Some(g) = grad {
        let h_inverse = crate::linalg::inverse_from_cholesky(&h, s);
        let at_mode = BlockAtMode {
            rows: &b.rows,
            fixed: &fixed,
            z: &b.effects.z,
            zl: &zl,
            slots: &b.effects.slots,
            u: &u,
            h_inverse: &h_inverse,
        };
        block_gradient(kernel, &at_mode, y, xs, p, theta_elements, g);
    }
    if !quadrature.is_empty() {
        // Adaptive quadrature around the mode, scaled by the
        // curvature L (s = 1): the Laplace term corrected by
        // -2 log sum_k w_k exp(-(PD(u + z_k / L) - PD(u)) / 2 + z_k^2 / 2).
        let l = h[0];
        let sum: f64 = quadrature
            .iter()
            .map(|&(z, w)| {
                let at = [u[0] + z / l];
                w * (-(penalised(&at) - value) / 2.0 + z * z / 2.0).exp()
            })
            .sum();
        total -= 2.0 * sum.ln();
    }
    b.modes = u;
    Some(total)
}

/// Gauss-Hermite nodes and weights for the standard normal density (`n`
/// points; the weights sum to 1), by the Golub-Welsch eigenproblem of the
/// probabilists' Hermite recurrence.
pub fn gauss_hermite(n: usize) -> Vec<(f64, f64)> {
    let mut jacobi = vec![0.0; n * n];
    for k in 1..n {
        let b = (k as f64).sqrt();
        jacobi[(k - 1) * n + k] = b;
        jacobi[k * n + k - 1] = b;
    }
    let (values, vectors) = crate::linalg::symmetric_eigen(&jacobi, n);
    let mut nodes: Vec<(f64, f64)> = (0..n).map(|k| (values[k], vectors[k].powi(2))).collect();
    nodes.sort_by(|a, b| a.0.total_cmp(&b.0));
    nodes
}

/// Most quadrature points (as lme4).
pub const MAX_AGQ: usize = 25;

/// The NB2's largest log theta (theta = 1e8: a variance `mu + mu^2 /
/// theta` no count can tell from the Poisson's); an optimum there is on
/// the boundary.
const LOG_THETA_MAX: f64 = 18.420_680_743_952_367;

/// The largest count whose `log Gamma(y + theta) - log Gamma(theta)` is
/// summed term by term (a bound on the cost of an evaluation).
const MAX_COUNT_SUMMED: f64 = 10_000.0;

/// A log theta beyond which the NB2's theta is taken to run off to
/// infinity (theta = 1e5).
const LOG_THETA_RUNNING_OFF: f64 = 11.512_925_464_970_229;

/// A linear predictor beyond which a fitted mean is numerically 0 (or 1):
/// `e^-15` = 3e-7.
const ETA_SEPARATED: f64 = 15.0;

/// A fixed effect's variance above which, with a separation, it is not
/// identified (an SE of 100).
const UNIDENTIFIED_VARIANCE: f64 = 1e4;

/// A fixed effect at least this large where fitted means are numerically
/// 0 or 1 is running off to infinity (an odds or rate ratio of e^10 =
/// 22,000).
const BETA_DIVERGING: f64 = 10.0;

/// Fits a binomial (logit), Poisson (log) or NB2 (log) GLMM to `d` (it
/// must have a random term) by the Laplace approximation (`agq` = 1) or,
/// for one scalar random effect, adaptive Gauss-Hermite quadrature with
/// `agq` points, as `glmer(nAGQ = agq)`.
pub fn fit_glmm(d: &Design, family: GlmmFamily, agq: usize) -> Result<GlmmFit, ModelError> {
    let Start {
        mut problem,
        x0,
        lower,
    } = start(d, family, agq)?;
    fit_from(&mut problem, family, agq, x0, lower)
}

/// The problem and where its optimisation starts.
struct Start<'a> {
    problem: Problem<'a>,
    /// theta at the identity, the GLM's beta (and the marginal NB2's log
    /// theta).
    x0: Vec<f64>,
    /// Lower bounds: 0 for the diagonal of each factor.
    lower: Vec<f64>,
}

/// Checks `d` for a GLMM of `family` and sets up its problem and start.
fn start(d: &Design, family: GlmmFamily, agq: usize) -> Result<Start<'_>, ModelError> {
    if !(1..=MAX_AGQ).contains(&agq) {
        return Err(ModelError::Data(format!(
            "{agq} quadrature points; expected 1 (Laplace) to {MAX_AGQ}"
        )));
    }
    if agq > 1 && !(d.random.len() == 1 && d.random[0].effects.len() == 1) {
        return Err(ModelError::Unsupported(
            "adaptive quadrature needs a single scalar random effect, such as (1 | family_id); \
             use the Laplace approximation (1 point)"
                .into(),
        ));
    }
    if d.random.is_empty() {
        return Err(ModelError::Unsupported(
            "a mixed model needs a random term such as (1 | family_id)".into(),
        ));
    }
    let (n, p) = (d.n(), d.p());
    for &v in d.y.iter() {
        if let Err(want) = family.values().check(v) {
            return Err(ModelError::Data(format!(
                "the response '{}' has the value {v}; expected {want}",
                d.formula.response.name
            )));
        }
    }
    for r in &d.random {
        if r.n_levels == n {
            return Err(ModelError::Data(format!(
                "every level of {} has one observation: its variance cannot be estimated",
                r.group
            )));
        }
    }
    // Start: the GLM's estimates and theta at the identity (lme4's start).
    let x: Vec<f64> = d.x.iter().copied().collect();
    let y: Vec<f64> = d.y.iter().copied().collect();
    let glm = crate::glm::irls(&x, &y, n, p, family.values()).map_err(|_| {
        ModelError::Data(
            "the model without random effects cannot be fitted (a covariate separates the \
             outcome completely?)"
                .into(),
        )
    })?;
    if Qr::new(x, n, p).is_err() {
        return Err(ModelError::RankDeficient {
            term: "a coefficient".into(),
        });
    }
    let mut shapes = Vec::new();
    let mut theta0 = Vec::new();
    let mut lower = Vec::new();
    for r in &d.random {
        let q = r.effects.len();
        shapes.push((q, theta0.len()));
        for col in 0..q {
            for row in col..q {
                theta0.push(f64::from(u8::from(row == col)));
                lower.push(if row == col { 0.0 } else { f64::NEG_INFINITY });
            }
        }
    }
    let theta_len = theta0.len();
    let blocks = top_level_rows(d)?
        .into_iter()
        .map(|rows| {
            let effects = block_z(d, &rows);
            let modes = vec![0.0; effects.size];
            Block {
                rows,
                effects,
                modes,
            }
        })
        .collect();
    let problem = Problem {
        d,
        family,
        quadrature: if agq > 1 {
            gauss_hermite(agq)
        } else {
            Vec::new()
        },
        blocks,
        theta_elements: shapes
            .iter()
            .map(|&(q, offset)| {
                let mut at = offset;
                let mut elements = Vec::new();
                for col in 0..q {
                    for row in col..q {
                        elements.push((at, row, col));
                        at += 1;
                    }
                }
                elements
            })
            .collect(),
        shapes,
        log_constant: match family {
            GlmmFamily::Binomial => 0.0,
            _ => -y
                .iter()
                .map(|v| statrs::function::gamma::ln_gamma(v + 1.0))
                .sum::<f64>(),
        },
        response_counts: response_counts(&y),
        theta_len,
    };
    let mut x0 = theta0;
    if family == GlmmFamily::NegBin {
        // The marginal NB2's estimates (its theta is below the
        // conditional one: the random effects take part of the
        // overdispersion); theta = 1 where it has none.
        match crate::glm::fit_negbin(d) {
            Ok(nb) => {
                x0.extend(&nb.model.fit.beta);
                x0.push(nb.theta.ln());
            }
            Err(_) => {
                x0.extend(&glm.beta);
                x0.push(0.0);
            }
        }
        lower.extend(std::iter::repeat_n(f64::NEG_INFINITY, p + 1));
    } else {
        x0.extend(&glm.beta);
        lower.extend(std::iter::repeat_n(f64::NEG_INFINITY, p));
    }
    Ok(Start { problem, x0, lower })
}

/// Minimises the deviance from `x0` and computes the fit's covariance,
/// boundaries and diagnostics.
fn fit_from(
    problem: &mut Problem<'_>,
    family: GlmmFamily,
    agq: usize,
    x0: Vec<f64>,
    lower: Vec<f64>,
) -> Result<GlmmFit, ModelError> {
    let d = problem.d;
    let (n, p) = (d.n(), d.p());
    let theta_len = problem.theta_len;
    let nb = family == GlmmFamily::NegBin;
    // The analytic gradient for the Laplace approximation; central
    // differences for quadrature.
    let analytic = agq == 1;
    let cell = std::cell::RefCell::new(problem);
    let deviance = |x: &[f64]| cell.borrow_mut().deviance(x).unwrap_or(f64::INFINITY);
    let value_and_gradient = |x: &[f64]| -> Option<(f64, Vec<f64>)> {
        let k = x.len();
        let (v, g) = if analytic {
            let mut g = vec![0.0; k];
            let v = cell.borrow_mut().evaluate(x, Some(&mut g))?;
            (v, g)
        } else {
            let v = deviance(x);
            (v, central_gradient(&mut |x: &[f64]| deviance(x), x, 1e-5))
        };
        (v.is_finite() && g.iter().all(|v| v.is_finite())).then_some((v, g))
    };
    let gradient =
        |x: &[f64]| value_and_gradient(x).map_or_else(|| vec![f64::NAN; x.len()], |vg| vg.1);
    // The Hessian: central differences of the analytic gradient, or
    // Richardson-extrapolated differences of the deviance with steps of
    // `relative`.
    let hessian_at = |x: &[f64], relative: f64| -> Vec<f64> {
        if analytic {
            hessian_of_gradient(&mut |x: &[f64]| gradient(x), x, 1e-4)
        } else {
            numeric_hessian(&mut |x: &[f64]| deviance(x), x, relative)
        }
    };
    let bfgs = minimize_with_gradient(&mut |x: &[f64]| value_and_gradient(x), &x0, &lower);
    // The NB2 without overdispersion beyond the random effects: theta runs
    // off to infinity along a deviance that flattens as 1/theta, where
    // BFGS stops short or fails. Then the fit with theta at its upper end
    // (the Poisson limit), where that is no worse.
    let pinned = if nb
        && bfgs
            .as_ref()
            .is_none_or(|m| !m.converged || m.x[m.x.len() - 1] > LOG_THETA_RUNNING_OFF)
    {
        let k = x0.len();
        let full = |xr: &[f64]| {
            let mut x = xr.to_vec();
            x.push(LOG_THETA_MAX);
            x
        };
        minimize_with_gradient(
            &mut |xr: &[f64]| {
                value_and_gradient(&full(xr)).map(|(v, mut g)| {
                    g.pop();
                    (v, g)
                })
            },
            &x0[..k - 1],
            &lower[..k - 1],
        )
        .filter(|m| m.converged)
        .map(|mut m| {
            m.x.push(LOG_THETA_MAX);
            m
        })
    } else {
        None
    };
    let best = match (bfgs, pinned) {
        (Some(a), Some(b)) if a.converged => Some(if b.f <= a.f + 1e-9 { b } else { a }),
        (_, Some(b)) => Some(b),
        (a, None) => a.filter(|m| m.converged),
    };
    let (mut m, optimizer) = match best {
        Some(m) if analytic => (m, "BFGS on the analytic gradient, then Newton"),
        Some(m) => (m, "BFGS on central differences, then Newton"),
        None => (
            minimize(&mut |x: &[f64]| deviance(x), &x0, &lower),
            "Nelder-Mead, then Newton",
        ),
    };
    // Newton steps: BFGS and the simplex stop where the deviance is flat to
    // their tolerance (a gradient of 1e-5 on large variances), short of
    // the optimum.
    let mut polish_hessian: Option<Vec<f64>> = None;
    for _ in 0..5 {
        let free: Vec<usize> = (0..m.x.len())
            .filter(|&i| m.x[i] > lower[i] + 1e-6)
            .collect();
        let g = if analytic {
            gradient(&m.x)
        } else {
            numeric_gradient(&mut |x: &[f64]| deviance(x), &m.x, 1e-3)
        };
        if free.iter().all(|&a| g[a].abs() < 1e-6) || g.iter().any(|v| !v.is_finite()) {
            break;
        }
        // One Hessian for every step (its change over such steps is
        // below what the steps need).
        let h = polish_hessian
            .get_or_insert_with(|| hessian_at(&m.x, 1e-2))
            .clone();
        let k = free.len();
        let mut hf: Vec<f64> = free
            .iter()
            .flat_map(|&a| free.iter().map(move |&b| (a, b)))
            .map(|(a, b)| h[a * m.x.len() + b])
            .collect();
        if k == 0 || cholesky(&mut hf, k).is_err() {
            break;
        }
        let mut step: Vec<f64> = free.iter().map(|&a| g[a]).collect();
        crate::linalg::forward(&hf, k, &mut step);
        crate::linalg::backward(&hf, k, &mut step);
        let mut y = m.x.clone();
        for (a, &i) in free.iter().enumerate() {
            y[i] = (y[i] - step[a]).max(lower[i]);
        }
        let fy = deviance(&y);
        m.evaluations += 1;
        if fy < m.f {
            m.gradient_norm = free.iter().map(|&a| g[a] * g[a]).sum::<f64>().sqrt();
            m.x = y;
            m.f = fy;
        } else {
            break;
        }
    }
    let k = m.x.len();
    // The NB2's theta at its upper end: the counts show no overdispersion
    // beyond the random effects (a boundary, as a variance at 0).
    let theta_at_bound = family == GlmmFamily::NegBin && m.x[k - 1] > LOG_THETA_RUNNING_OFF && {
        let mut y = m.x.clone();
        y[k - 1] = LOG_THETA_MAX;
        let at_bound = deviance(&y);
        (at_bound <= deviance(&m.x) + 1e-9)
            .then(|| m.x = y)
            .is_some()
    };
    // Covariance of beta from the Hessian over the parameters inside their
    // bounds: (theta, beta, log theta) less the variances at 0, a theta at
    // its upper end and the diverging fixed effects; without the variance
    // parameters where that Hessian is not positive definite. A diverging
    // fixed effect has no standard error (NaN here, null in the results).
    // Steps of 3e-2 relative: the deviance is a sum over every observation,
    // good to about 1e-13 relative, and smaller steps amplify that rounding
    // (at 1e-3 the SEs moved by 5e-4; from 1e-2 to 3e-2 by 5e-5).
    let hessian = hessian_at(&m.x, 3e-2);
    let mut problem = cell.borrow_mut();
    let deviance = problem.deviance(&m.x).unwrap_or(f64::INFINITY);
    if !deviance.is_finite() {
        return Err(ModelError::Data(
            "the Laplace deviance cannot be evaluated at the optimum".into(),
        ));
    }
    // Separation (at the modes of the optimum again: the Hessian moved
    // them): fitted means numerically 0 or 1, and the fixed effects that
    // run off to infinity to get there.
    let etas = problem.linear_predictors(&m.x);
    let separated = etas
        .iter()
        .filter(|&&(_, eta)| match family {
            GlmmFamily::Binomial => eta.abs() > ETA_SEPARATED,
            _ => eta < -ETA_SEPARATED,
        })
        .count();
    let diverging: Vec<usize> = if separated > 0 {
        (0..p)
            .filter(|&j| m.x[theta_len + j].abs() > BETA_DIVERGING)
            .collect()
    } else {
        Vec::new()
    };
    let inside = |i: usize| -> bool {
        if i < theta_len {
            m.x[i] > lower[i] + 1e-6
        } else if i < theta_len + p {
            !diverging.contains(&(i - theta_len))
        } else {
            !theta_at_bound
        }
    };
    let full: Vec<usize> = (0..k).filter(|&i| inside(i)).collect();
    let fixed: Vec<usize> = (theta_len..k).filter(|&i| inside(i)).collect();
    let inverse_over = |set: &[usize]| -> Option<Vec<f64>> {
        let r = set.len();
        let mut h: Vec<f64> = set
            .iter()
            .flat_map(|&a| set.iter().map(move |&b| (a, b)))
            .map(|(a, b)| hessian[a * k + b])
            .collect();
        cholesky(&mut h, r).ok()?;
        Some(crate::linalg::inverse_from_cholesky(&h, r))
    };
    let (set, inverse) = match inverse_over(&full) {
        Some(inv) => (full, inv),
        None => match inverse_over(&fixed) {
            Some(inv) => (fixed, inv),
            None if separated > 0 => (Vec::new(), Vec::new()),
            None => {
                return Err(ModelError::Data(
                    "the Hessian of the deviance is not positive definite".into(),
                ))
            }
        },
    };
    // 2 H^-1 of the deviance, back in the full parameter order; NaN
    // outside the set.
    let covariance = |a: usize, b: usize| -> f64 {
        match (
            set.iter().position(|&i| i == a),
            set.iter().position(|&i| i == b),
        ) {
            (Some(ia), Some(ib)) => 2.0 * inverse[ia * set.len() + ib],
            _ => f64::NAN,
        }
    };
    let mut vcov = vec![0.0; p * p];
    for a in 0..p {
        for b in 0..p {
            vcov[a * p + b] = covariance(theta_len + a, theta_len + b);
        }
    }
    // With a separation, a fixed effect with an SE above 100 (on the
    // log-odds or log-rate scale) is not identified either: no SE.
    let mut diverging = diverging;
    if separated > 0 {
        for j in 0..p {
            let v = vcov[j * p + j];
            if (v.is_nan() || v > UNIDENTIFIED_VARIANCE) && !diverging.contains(&j) {
                diverging.push(j);
            }
        }
        diverging.sort_unstable();
        for &j in &diverging {
            for b in 0..p {
                vcov[j * p + b] = f64::NAN;
                vcov[b * p + j] = f64::NAN;
            }
        }
    }
    let var_log_theta = match covariance(k - 1, k - 1) {
        v if separated > 0 && v > UNIDENTIFIED_VARIANCE => f64::NAN,
        v => v,
    };
    let kernel = problem.kernel(&m.x);
    let pearson_chi2 = etas
        .iter()
        .map(|&(i, eta)| {
            let mu = kernel.mean(eta);
            (d.y[i] - mu).powi(2) / kernel.variance(mu)
        })
        .sum();
    let nb_theta = (family == GlmmFamily::NegBin).then(|| {
        let t = m.x[k - 1].exp();
        (t, t * var_log_theta.sqrt())
    });
    let (theta, rest) = m.x.split_at(theta_len);
    let beta = &rest[..p];
    let (varcomp, singular) = variance_components(d, theta, 1.0);
    Ok(GlmmFit {
        family,
        agq,
        beta: beta.to_vec(),
        vcov,
        theta: theta.to_vec(),
        varcomp,
        loglik: -deviance / 2.0,
        deviance,
        df_loglik: k,
        nobs: n,
        ngroups: d
            .random
            .iter()
            .map(|r| (r.group.clone(), r.n_levels))
            .collect(),
        singular,
        converged: m.converged && diverging.is_empty() && separated == 0,
        evaluations: m.evaluations,
        gradient_norm: m.gradient_norm,
        optimizer,
        pearson_chi2,
        nb_theta,
        theta_at_bound,
        separated,
        diverging: diverging.iter().map(|&j| d.names[j].clone()).collect(),
        modes: problem.modes_summary(theta),
    })
}

/// The distinct values of `y` with their counts, in increasing order.
fn response_counts(y: &[f64]) -> Vec<(f64, f64)> {
    let mut sorted = y.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut counts: Vec<(f64, f64)> = Vec::new();
    for v in sorted {
        match counts.last_mut() {
            Some((last, c)) if *last == v => *c += 1.0,
            _ => counts.push((v, 1.0)),
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{design, parse, Column, Frame};

    /// 30 families of 2 to 4 children x 3 waves, a covariate and
    /// pseudo-random counts and 0/1 responses.
    fn nested_frame() -> Frame {
        let (mut y, mut bin, mut fam, mut child, mut time) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut k = 0u32;
        for f in 0..30u32 {
            for c in 0..(2 + f % 3) {
                for w in 0..3u32 {
                    let h = (f * 31 + c * 17 + w * 7) % 11;
                    y.push(Some(f64::from(h % 6 + (f % 4) * w)));
                    bin.push(Some(f64::from(u8::from(h % 3 == 0 || f % 5 == w))));
                    fam.push(Some(f));
                    child.push(Some(k + c));
                    time.push(Some(f64::from(w) - 1.0));
                }
            }
            k += 2 + f % 3;
        }
        let mut frame = Frame::new(y.len());
        frame.insert("y", Column::Numeric(y));
        frame.insert("bin", Column::Numeric(bin));
        frame.insert("time", Column::Numeric(time));
        frame.insert(
            "fam",
            Column::Factor {
                levels: (0..30).map(|i| format!("f{i}")).collect(),
                codes: fam,
            },
        );
        frame.insert(
            "child",
            Column::Factor {
                levels: (0..k).map(|i| format!("c{i}")).collect(),
                codes: child,
            },
        );
        frame
    }

    #[test]
    fn the_analytic_gradient_is_the_derivative_of_the_laplace_deviance() {
        // Against Richardson-extrapolated central differences of the
        // deviance, at a point away from the optimum (theta and beta
        // moved), for the scalar path (random intercept), the general
        // path (nested; a random slope with its correlation) and the NB2
        // (its log theta too, at theta near 1.5 and near 1e6).
        let frame = nested_frame();
        for (case, (formula, family)) in [
            ("y ~ time + (1 | fam)", GlmmFamily::Poisson),
            ("bin ~ time + (1 | fam)", GlmmFamily::Binomial),
            ("bin ~ time + (1 | fam/child)", GlmmFamily::Binomial),
            ("y ~ time + (time | fam)", GlmmFamily::Poisson),
            ("y ~ time + (1 | fam/child)", GlmmFamily::NegBin),
            ("y ~ time + (1 | fam)", GlmmFamily::NegBin),
            ("y ~ time + (1 | fam/child)", GlmmFamily::NegBin),
            ("y ~ time + (1 | fam)", GlmmFamily::NegBin),
        ]
        .into_iter()
        .enumerate()
        {
            let d = design(&parse(formula).unwrap(), &frame).unwrap();
            let Start {
                mut problem, x0, ..
            } = start(&d, family, 1).unwrap();
            let mut x: Vec<f64> = x0
                .iter()
                .enumerate()
                .map(|(i, v)| v * 0.8 + 0.05 * (i as f64 + 1.0))
                .collect();
            let last = x.len() - 1;
            if family == GlmmFamily::NegBin {
                x[last] = if case < 6 { 0.4 } else { 14.0 };
            }
            let mut g = vec![0.0; x.len()];
            let value = problem.evaluate(&x, Some(&mut g)).unwrap();
            let mut f = |x: &[f64]| problem.deviance(x).unwrap();
            assert!((f(&x) - value).abs() < 1e-9 * value.abs());
            let numeric = numeric_gradient(&mut f, &x, 1e-3);
            for i in 0..x.len() {
                assert!(
                    (g[i] - numeric[i]).abs() < 1e-6 * (1.0 + numeric[i].abs()),
                    "{formula} {family:?} {i}: {} vs {}",
                    g[i],
                    numeric[i]
                );
            }
        }
    }

    #[test]
    fn gauss_hermite_worked_by_hand() {
        // Three points for the standard normal: 0 and +-sqrt(3), weights
        // 2/3 and 1/6 (E z^2 = 1, E z^4 = 3 exactly).
        let g = gauss_hermite(3);
        let want = [
            (-3f64.sqrt(), 1.0 / 6.0),
            (0.0, 2.0 / 3.0),
            (3f64.sqrt(), 1.0 / 6.0),
        ];
        for ((z, w), (wz, ww)) in g.iter().zip(want) {
            assert!((z - wz).abs() < 1e-12 && (w - ww).abs() < 1e-12, "{z} {w}");
        }
        // Ten points integrate z^18 exactly: 17!! = 34,459,425.
        let m18: f64 = gauss_hermite(10).iter().map(|(z, w)| w * z.powi(18)).sum();
        assert!((m18 - 34_459_425.0).abs() < 1e-4 * 34_459_425.0, "{m18}");
    }
}
