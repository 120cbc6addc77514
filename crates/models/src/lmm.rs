//! Linear mixed models by profiled REML or ML, as lme4 fits them.
//!
//! The model `y = X beta + Z b + e`, `b = Lambda(theta) u`, `u ~ N(0,
//! sigma^2 I)`, `e ~ N(0, sigma^2 I)`. For given `theta`, beta and sigma
//! are profiled out of the likelihood (Bates et al. 2015, lme4's
//! "Fitting linear mixed-effects models using lme4", section 3), leaving a
//! function of the few `theta` to minimise.
//!
//! The random effects of nested groupings (children within families) all
//! live inside one top-level group, so `Z'Z` is block diagonal by
//! top-level group: each block is factored on its own, and the cost of an
//! evaluation is linear in the number of groups. Crossed groupings are not
//! supported. The criterion is minimised by BFGS on its analytic gradient
//! (`Problem::gradient`), with Nelder-Mead as the fallback.

use crate::design::Design;
use crate::error::ModelError;
use crate::linalg::{backward, cholesky, forward, inverse_from_cholesky, log_diagonal};
use crate::optimize::{minimize, minimize_with_gradient};

/// REML or ML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// Restricted maximum likelihood (lme4's default).
    Reml,
    /// Maximum likelihood.
    Ml,
}

/// One row of lme4's `as.data.frame(VarCorr(fit))`.
#[derive(Debug, Clone, PartialEq)]
pub struct VarComp {
    /// The grouping, or "Residual".
    pub group: String,
    /// The effect (or the first of a covariance).
    pub var1: Option<String>,
    /// The second effect of a covariance.
    pub var2: Option<String>,
    /// Variance or covariance.
    pub vcov: f64,
    /// Standard deviation, or correlation (`None` where a variance is 0).
    pub sdcor: Option<f64>,
}

/// A fitted linear mixed model.
#[derive(Debug, Clone, PartialEq)]
pub struct LmmFit {
    /// REML or ML.
    pub criterion_kind: Criterion,
    /// Fixed-effects estimates, in the design's order.
    pub beta: Vec<f64>,
    /// Their covariance (p x p, row-major).
    pub vcov: Vec<f64>,
    /// The relative covariance parameters at the optimum.
    pub theta: Vec<f64>,
    /// The residual standard deviation.
    pub sigma: f64,
    /// Variance components, lme4's order.
    pub varcomp: Vec<VarComp>,
    /// The REML criterion or the deviance (-2 log-likelihood).
    pub criterion: f64,
    /// Log-likelihood (REML or ML).
    pub loglik: f64,
    /// Parameters counted by the log-likelihood (beta, theta, sigma).
    pub df_loglik: usize,
    /// Observations.
    pub nobs: usize,
    /// Levels of each grouping.
    pub ngroups: Vec<(String, usize)>,
    /// A variance at zero or a correlation at +-1.
    pub singular: bool,
    /// The optimiser met its tolerance.
    pub converged: bool,
    /// Optimiser iterations.
    pub iterations: usize,
    /// Criterion evaluations.
    pub evaluations: usize,
    /// Gradient norm at the optimum (free parameters).
    pub gradient_norm: f64,
    /// The optimiser that found the optimum.
    pub optimizer: &'static str,
}

impl LmmFit {
    /// Standard errors of the fixed effects.
    pub fn se(&self) -> Vec<f64> {
        let p = self.beta.len();
        (0..p).map(|i| self.vcov[i * p + i].sqrt()).collect()
    }

    /// AIC.
    pub fn aic(&self) -> f64 {
        self.criterion + 2.0 * self.df_loglik as f64
    }

    /// BIC.
    pub fn bic(&self) -> f64 {
        self.criterion + (self.nobs as f64).ln() * self.df_loglik as f64
    }
}

/// A random term's place in theta.
struct TermShape {
    /// Effects per level.
    q: usize,
    /// Offset of its lower-triangular factor in theta (column-major, as
    /// lme4 orders theta).
    offset: usize,
}

/// The cross-products of one top-level group.
struct Block {
    /// Random effects of the block.
    size: usize,
    /// For each effect group of the block: its term and first column.
    slots: Vec<(usize, usize)>,
    ztz: Vec<f64>,
    ztx: Vec<f64>,
    zty: Vec<f64>,
}

/// One random term (`(1 | g)`, `(x | g)`): one level per block, and the
/// blocks' cross-products packed one after another (q x q, q x p, q).
struct Packed {
    q: usize,
    groups: usize,
    ztz: Vec<f64>,
    ztx: Vec<f64>,
    zty: Vec<f64>,
}

/// One block's cross-products in a [`Packed`].
struct BlockView<'a> {
    ztz: &'a [f64],
    ztx: &'a [f64],
    zty: &'a [f64],
}

impl Packed {
    fn block<const Q: usize>(&self, g: usize, p: usize) -> BlockView<'_> {
        BlockView {
            ztz: &self.ztz[g * Q * Q..(g + 1) * Q * Q],
            ztx: &self.ztx[g * Q * p..(g + 1) * Q * p],
            zty: &self.zty[g * Q..(g + 1) * Q],
        }
    }
}

/// The data of a mixed model reduced to per-block cross-products.
pub(crate) struct Problem {
    p: usize,
    n: usize,
    shapes: Vec<TermShape>,
    /// The blocks of the general loop (empty when `packed`).
    blocks: Vec<Block>,
    /// The fast path's cross-products, for one random term of q <= 4.
    packed: Option<Packed>,
    xtx: Vec<f64>,
    xty: Vec<f64>,
    yty: f64,
}

/// Random-effects sizes up to which one term takes the fast path.
const MAX_FAST_Q: usize = 4;

/// The fixed-effects system after the random effects are eliminated:
/// `RX'RX`, its right-hand side, `|c|^2` and `log |L|^2`.
struct Reduced {
    rx: Vec<f64>,
    rhs: Vec<f64>,
    cc: f64,
    logdet_l: f64,
}

/// Per term: the sums over its levels of Z'V^-1 Z, u u' and P S^-1 P'
/// (q x q each), from which the gradient follows.
struct GradientSums {
    w: Vec<Vec<f64>>,
    u: Vec<Vec<f64>>,
    q: Vec<Vec<f64>>,
}

/// The deviance's parts that depend on `theta` (see
/// `Problem::theta_parts`).
pub(crate) struct ThetaParts {
    /// `log |L|^2`, plus `log |RX'RX|` for REML.
    pub log_terms: f64,
    /// The penalized residual sum of squares.
    pub pwrss: f64,
    /// `(RX'RX)^{-1}`: the covariance of the estimates over sigma^2.
    pub unscaled_vcov: Vec<f64>,
}

/// Per evaluation: the profiled quantities.
struct Profile {
    deviance: f64,
    beta: Vec<f64>,
    /// Cholesky factor of RX'RX.
    rx: Vec<f64>,
    sigma2: f64,
}

fn theta_len(q: usize) -> usize {
    q * (q + 1) / 2
}

/// A top-level group's random effects.
pub(crate) struct BlockZ {
    /// Random effects of the block.
    pub size: usize,
    /// For each effect group (a term's level in the block): its term and
    /// first column.
    pub slots: Vec<(usize, usize)>,
    /// Z of the block's rows (rows x size, row-major).
    pub z: Vec<f64>,
}

/// The random effects of the design rows `rows` (one top-level group):
/// each term's levels among them, in order of appearance, and Z.
pub(crate) fn block_z(d: &Design, rows: &[usize]) -> BlockZ {
    let mut slots: Vec<(usize, usize)> = Vec::new();
    let mut col_of: Vec<Vec<(u32, usize)>> = vec![Vec::new(); d.random.len()];
    let mut size = 0;
    for &i in rows {
        for (k, r) in d.random.iter().enumerate() {
            let l = r.levels[i];
            if !col_of[k].iter().any(|(lv, _)| *lv == l) {
                col_of[k].push((l, size));
                slots.push((k, size));
                size += r.effects.len();
            }
        }
    }
    let mut z = vec![0.0; rows.len() * size];
    for (a, &i) in rows.iter().enumerate() {
        for (k, r) in d.random.iter().enumerate() {
            let l = r.levels[i];
            let col = col_of[k].iter().find(|(lv, _)| *lv == l).map_or(0, |c| c.1);
            for e in 0..r.effects.len() {
                z[a * size + col + e] = r.z[[i, e]];
            }
        }
    }
    BlockZ { size, slots, z }
}

/// The design rows of each top-level group (the grouping every other
/// nests in), or an error for crossed groupings.
pub(crate) fn top_level_rows(d: &Design) -> Result<Vec<Vec<usize>>, ModelError> {
    let top = top_level(d).ok_or_else(|| {
        ModelError::Unsupported(
            "crossed random effects are not supported: every grouping must nest in one \
             (children within families)"
                .into(),
        )
    })?;
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); d.random[top].n_levels];
    for (i, &g) in d.random[top].levels.iter().enumerate() {
        rows_of[g as usize].push(i);
    }
    Ok(rows_of)
}

/// The lower-triangular factor (q x q) stored column-major from `offset`
/// of theta, as lme4 orders it.
pub(crate) fn lower_factor(theta: &[f64], offset: usize, q: usize) -> Vec<f64> {
    let mut t = vec![0.0; q * q];
    let mut at = offset;
    for col in 0..q {
        for row in col..q {
            t[row * q + col] = theta[at];
            at += 1;
        }
    }
    t
}

/// The top-level grouping: the term whose levels every other term's
/// levels nest in; `None` when the groupings are crossed.
fn top_level(d: &Design) -> Option<usize> {
    let mut order: Vec<usize> = (0..d.random.len()).collect();
    order.sort_by_key(|&k| d.random[k].n_levels);
    order.into_iter().find(|&t| {
        let top = &d.random[t].levels;
        d.random.iter().all(|r| {
            let mut parent = vec![u32::MAX; r.n_levels];
            r.levels.iter().zip(top).all(|(&l, &g)| {
                let slot = &mut parent[l as usize];
                if *slot == u32::MAX {
                    *slot = g;
                }
                *slot == g
            })
        })
    })
}

impl Problem {
    pub(crate) fn new(d: &Design) -> Result<Problem, ModelError> {
        let (n, p) = (d.n(), d.p());
        let rows_of = top_level_rows(d)?;
        let mut shapes = Vec::new();
        let mut offset = 0;
        for r in &d.random {
            let q = r.effects.len();
            shapes.push(TermShape { q, offset });
            offset += theta_len(q);
        }
        let groups = rows_of.len();
        let x = d.x.as_slice().expect("a standard-layout design");
        let y = d.y.as_slice().expect("a standard-layout response");
        let mut blocks = Vec::new();
        let mut packed = None;
        if d.random.len() == 1 && shapes[0].q <= MAX_FAST_Q {
            // One term: its levels are the blocks; sums row by row.
            let (q, r) = (shapes[0].q, &d.random[0]);
            let z = r.z.as_slice().expect("a standard-layout Z");
            let mut pk = Packed {
                q,
                groups,
                ztz: vec![0.0; groups * q * q],
                ztx: vec![0.0; groups * q * p],
                zty: vec![0.0; groups * q],
            };
            for i in 0..n {
                let g = r.levels[i] as usize;
                let zr = &z[i * q..(i + 1) * q];
                let xr = &x[i * p..(i + 1) * p];
                for a in 0..q {
                    for b in 0..q {
                        pk.ztz[g * q * q + a * q + b] += zr[a] * zr[b];
                    }
                    for j in 0..p {
                        pk.ztx[g * q * p + a * p + j] += zr[a] * xr[j];
                    }
                    pk.zty[g * q + a] += zr[a] * y[i];
                }
            }
            packed = Some(pk);
        }
        let rows_of = if packed.is_some() {
            Vec::new()
        } else {
            rows_of
        };
        for rows in &rows_of {
            // Z of the block (rows x size), then its cross-products.
            let BlockZ { size, slots, z } = block_z(d, rows);
            let mut ztz = vec![0.0; size * size];
            let mut ztx = vec![0.0; size * p];
            let mut zty = vec![0.0; size];
            for (a, &i) in rows.iter().enumerate() {
                let zr = &z[a * size..(a + 1) * size];
                for u in 0..size {
                    if zr[u] == 0.0 {
                        continue;
                    }
                    for v in 0..size {
                        ztz[u * size + v] += zr[u] * zr[v];
                    }
                    for j in 0..p {
                        ztx[u * p + j] += zr[u] * x[i * p + j];
                    }
                    zty[u] += zr[u] * y[i];
                }
            }
            blocks.push(Block {
                size,
                slots,
                ztz,
                ztx,
                zty,
            });
        }
        let mut xtx = vec![0.0; p * p];
        let mut xty = vec![0.0; p];
        for i in 0..n {
            let xr = &x[i * p..(i + 1) * p];
            for a in 0..p {
                for b in 0..p {
                    xtx[a * p + b] += xr[a] * xr[b];
                }
                xty[a] += xr[a] * y[i];
            }
        }
        let yty = y.iter().map(|v| v * v).sum();
        Ok(Problem {
            p,
            n,
            shapes,
            blocks,
            packed,
            xtx,
            xty,
            yty,
        })
    }

    /// The lower-triangular factor of term `k` from theta (q x q).
    fn factor(&self, theta: &[f64], k: usize) -> Vec<f64> {
        let TermShape { q, offset } = self.shapes[k];
        lower_factor(theta, offset, q)
    }

    /// `Lambda' M` for a block's s x `cols` matrix `M`, into `out`: Lambda
    /// is block diagonal with each effect group's lower-triangular factor,
    /// so row `c + i` of `Lambda' M` is the sum over `r >= i` of `T[r][i]
    /// M[c + r]`.
    fn lambda_t(
        &self,
        b: &Block,
        factors: &[Vec<f64>],
        m: &[f64],
        cols: usize,
        out: &mut Vec<f64>,
    ) {
        out.clear();
        out.resize(b.size * cols, 0.0);
        for &(k, c) in &b.slots {
            let q = self.shapes[k].q;
            let t = &factors[k];
            for i in 0..q {
                let row = &mut out[(c + i) * cols..(c + i + 1) * cols];
                for r in i..q {
                    let w = t[r * q + i];
                    if w == 0.0 {
                        continue;
                    }
                    let src = &m[(c + r) * cols..(c + r + 1) * cols];
                    for (o, v) in row.iter_mut().zip(src) {
                        *o += w * v;
                    }
                }
            }
        }
    }

    /// The Cholesky factor `L` of a block's `A = Lambda' Z'Z Lambda + I`
    /// into `a`, leaving `Z'Z Lambda` in `m1` (the transpose of `Lambda'
    /// Z'Z`, `Z'Z` being symmetric). `None` when `A` is not positive
    /// definite.
    fn block_factor(
        &self,
        b: &Block,
        factors: &[Vec<f64>],
        m1: &mut Vec<f64>,
        a: &mut Vec<f64>,
    ) -> Option<()> {
        let s = b.size;
        self.lambda_t(b, factors, &b.ztz, s, m1);
        for i in 0..s {
            for j in 0..i {
                m1.swap(i * s + j, j * s + i);
            }
        }
        self.lambda_t(b, factors, m1, s, a);
        for i in 0..s {
            a[i * s + i] += 1.0;
        }
        cholesky(a, s).ok()
    }

    /// The profiled criterion and what it profiles out.
    fn profile(&self, theta: &[f64], criterion: Criterion) -> Option<Profile> {
        self.finish(self.reduced(theta)?, criterion)
    }

    /// The fixed-effects system at `theta`, by the fast or the general
    /// block loop.
    fn reduced(&self, theta: &[f64]) -> Option<Reduced> {
        match &self.packed {
            Some(pk) if pk.q == 1 => self.reduce_single::<1>(pk, theta),
            Some(pk) if pk.q == 2 => self.reduce_single::<2>(pk, theta),
            Some(pk) if pk.q == 3 => self.reduce_single::<3>(pk, theta),
            Some(pk) => self.reduce_single::<4>(pk, theta),
            None => self.reduce(theta),
        }
    }

    /// The parts of the unprofiled deviance that depend on `theta`
    /// (`-2 log L(theta, sigma) = terms + pwrss / sigma^2 + N log(2 pi
    /// sigma^2)`, N = n for ML and n - p for REML), as lmerTest's
    /// `devfun_vp` has them.
    pub(crate) fn theta_parts(&self, theta: &[f64], criterion: Criterion) -> Option<ThetaParts> {
        let p = self.p;
        let Reduced {
            mut rx,
            rhs,
            cc,
            logdet_l,
        } = self.reduced(theta)?;
        cholesky(&mut rx, p).ok()?;
        let mut z = rhs;
        forward(&rx, p, &mut z);
        let fitted: f64 = z.iter().map(|v| v * v).sum();
        let log_terms = match criterion {
            Criterion::Ml => logdet_l,
            Criterion::Reml => logdet_l + 2.0 * log_diagonal(&rx, p),
        };
        Some(ThetaParts {
            log_terms,
            pwrss: self.yty - cc - fitted,
            unscaled_vcov: inverse_from_cholesky(&rx, p),
        })
    }

    /// Observations, and the `N` of the deviance's `N log(2 pi sigma^2)`.
    pub(crate) fn deviance_n(&self, criterion: Criterion) -> f64 {
        match criterion {
            Criterion::Ml => self.n as f64,
            Criterion::Reml => (self.n - self.p) as f64,
        }
    }

    /// The block loop for one random term with one level per block (the
    /// common case: `(1 | g)`, `(x | g)`): fixed-size arrays, no Lambda
    /// of the block, the log-determinant from products of diagonals.
    fn reduce_single<const Q: usize>(&self, pk: &Packed, theta: &[f64]) -> Option<Reduced> {
        let p = self.p;
        let q = Q;
        let t = self.factor(theta, 0);
        let mut rx = self.xtx.clone();
        let mut rhs = self.xty.clone();
        let mut cc = 0.0;
        let mut logdet = 0.0;
        let mut product = 1.0f64;
        let mut lzx = vec![0.0; q * p];
        for g in 0..pk.groups {
            let b = pk.block::<Q>(g, p);
            // M = T' Z'Z (q x q), then A = T' M' + I = T' Z'Z T + I.
            let mut m = [[0.0f64; Q]; Q];
            for i in 0..q {
                for j in 0..q {
                    let mut v = 0.0;
                    for r in i..q {
                        v += t[r * q + i] * b.ztz[r * q + j];
                    }
                    m[i][j] = v;
                }
            }
            let mut a = [0.0f64; MAX_FAST_Q * MAX_FAST_Q];
            let a = &mut a[..Q * Q];
            for i in 0..q {
                for j in 0..=i {
                    let mut v = 0.0;
                    for r in j..q {
                        // (T' M')[i][j] = sum_r T[r][i] M[j][r]; symmetric.
                        v += t[r * q + j] * m[i][r];
                    }
                    a[i * q + j] = v;
                    a[j * q + i] = v;
                }
                a[i * q + i] += 1.0;
            }
            cholesky(a, Q).ok()?;
            for i in 0..q {
                // Every diagonal of L is at least 1 (A >= I): the product
                // only grows; fold it into the log before it overflows.
                product *= a[i * q + i];
            }
            if product > 1e250 {
                logdet += product.ln();
                product = 1.0;
            }
            // T' Z'X and T' Z'y, then L^{-1} of both.
            let mut lzy = [0.0f64; Q];
            for i in 0..q {
                let row = &mut lzx[i * p..(i + 1) * p];
                row.iter_mut().for_each(|v| *v = 0.0);
                for r in i..q {
                    let w = t[r * q + i];
                    for (o, x) in row.iter_mut().zip(&b.ztx[r * p..(r + 1) * p]) {
                        *o += w * x;
                    }
                    lzy[i] += w * b.zty[r];
                }
            }
            for i in 0..q {
                for k in 0..i {
                    let l = a[i * q + k];
                    lzy[i] -= l * lzy[k];
                    for j in 0..p {
                        lzx[i * p + j] -= l * lzx[k * p + j];
                    }
                }
                let d = a[i * q + i];
                lzy[i] /= d;
                for j in 0..p {
                    lzx[i * p + j] /= d;
                }
            }
            for i in 0..q {
                let row = &lzx[i * p..(i + 1) * p];
                for u in 0..p {
                    let ru = row[u];
                    for v in 0..p {
                        rx[u * p + v] -= ru * row[v];
                    }
                    rhs[u] -= ru * lzy[i];
                }
                cc += lzy[i] * lzy[i];
            }
        }
        logdet += product.ln();
        Some(Reduced {
            rx,
            rhs,
            cc,
            logdet_l: 2.0 * logdet,
        })
    }

    /// The block loop in general: several terms and levels per block.
    fn reduce(&self, theta: &[f64]) -> Option<Reduced> {
        let p = self.p;
        let factors: Vec<Vec<f64>> = (0..self.shapes.len())
            .map(|k| self.factor(theta, k))
            .collect();
        let mut rx = self.xtx.clone();
        let mut rhs = self.xty.clone();
        let mut cc = 0.0;
        let mut logdet_l = 0.0;
        let mut m1 = Vec::new();
        let mut a = Vec::new();
        let mut lzx = Vec::new();
        let mut lzy = Vec::new();
        let mut col = Vec::new();
        for b in &self.blocks {
            let s = b.size;
            let lambda_t = |m: &[f64], cols: usize, out: &mut Vec<f64>| {
                self.lambda_t(b, &factors, m, cols, out)
            };
            self.block_factor(b, &factors, &mut m1, &mut a)?;
            logdet_l += 2.0 * log_diagonal(&a, s);
            // C = L^{-1} Lambda' Z'X (s x p), c = L^{-1} Lambda' Z'y.
            lambda_t(&b.ztx, p, &mut lzx);
            lambda_t(&b.zty, 1, &mut lzy);
            forward(&a, s, &mut lzy);
            col.clear();
            col.resize(s, 0.0);
            for j in 0..p {
                for i in 0..s {
                    col[i] = lzx[i * p + j];
                }
                forward(&a, s, &mut col);
                for i in 0..s {
                    lzx[i * p + j] = col[i];
                }
            }
            for u in 0..p {
                for v in 0..p {
                    let mut sum = 0.0;
                    for i in 0..s {
                        sum += lzx[i * p + u] * lzx[i * p + v];
                    }
                    rx[u * p + v] -= sum;
                }
                let mut sum = 0.0;
                for i in 0..s {
                    sum += lzx[i * p + u] * lzy[i];
                }
                rhs[u] -= sum;
            }
            cc += lzy.iter().map(|v| v * v).sum::<f64>();
        }
        Some(Reduced {
            rx,
            rhs,
            cc,
            logdet_l,
        })
    }

    /// The gradient of the profiled criterion in theta at `profile` (its
    /// beta, sigma^2 and RX at this theta). By the envelope theorem it is
    /// the partial derivative of -2 log-likelihood at the profiled beta and
    /// sigma^2: with V = I + Z Lambda Lambda' Z' (relative to sigma^2) and
    /// dV = Z G Z' for a theta entry (r, c) of a term's factor T, G = E_rc
    /// T' + T E_cr,
    ///   d = tr(V^-1 dV) - e' V^-1 dV V^-1 e / sigma^2
    ///       [REML: - tr((X'V^-1 X)^-1 X'V^-1 dV V^-1 X)],
    /// and each trace is 2 (M T)_rc for a q x q matrix M summed over the
    /// term's levels: Z'V^-1 Z, u u' with u = Z'V^-1 e, and P S^-1 P' with
    /// P = Z'V^-1 X, S = X'V^-1 X. Per block, V^-1 = I - Z Lambda A^-1
    /// Lambda' Z' (Woodbury), from the block's cross-products alone.
    fn gradient(&self, theta: &[f64], criterion: Criterion, profile: &Profile) -> Option<Vec<f64>> {
        let sums = match &self.packed {
            Some(pk) if pk.q == 1 => self.gradient_sums_single::<1>(pk, theta, profile),
            Some(pk) if pk.q == 2 => self.gradient_sums_single::<2>(pk, theta, profile),
            Some(pk) if pk.q == 3 => self.gradient_sums_single::<3>(pk, theta, profile),
            Some(pk) => self.gradient_sums_single::<4>(pk, theta, profile),
            None => self.gradient_sums(theta, profile),
        }?;
        Some(self.gradient_from_sums(theta, criterion, profile, &sums))
    }

    /// [`Self::gradient_sums`] for one random term with one level per
    /// block, on fixed-size arrays.
    fn gradient_sums_single<const Q: usize>(
        &self,
        pk: &Packed,
        theta: &[f64],
        profile: &Profile,
    ) -> Option<GradientSums> {
        let p = self.p;
        let t = self.factor(theta, 0);
        let sinv = inverse_from_cholesky(&profile.rx, p);
        let beta = &profile.beta;
        let (mut w_sum, mut u_sum, mut q_sum) =
            ([[0.0f64; Q]; Q], [[0.0f64; Q]; Q], [[0.0f64; Q]; Q]);
        let mut c = vec![0.0; Q * p];
        let mut pm = vec![0.0; Q * p];
        let mut ps = vec![0.0; Q * p];
        for g in 0..pk.groups {
            let b = pk.block::<Q>(g, p);
            let ztz = |i: usize, j: usize| b.ztz[i * Q + j];
            // M = T' Z'Z; A = M T + I; L = chol(A).
            let mut m = [[0.0f64; Q]; Q];
            for i in 0..Q {
                for j in 0..Q {
                    m[i][j] = (i..Q).map(|r| t[r * Q + i] * ztz(r, j)).sum();
                }
            }
            let mut a = [0.0f64; MAX_FAST_Q * MAX_FAST_Q];
            let a = &mut a[..Q * Q];
            for i in 0..Q {
                for j in 0..=i {
                    let v: f64 = (j..Q).map(|r| m[i][r] * t[r * Q + j]).sum();
                    a[i * Q + j] = v;
                    a[j * Q + i] = v;
                }
                a[i * Q + i] += 1.0;
            }
            cholesky(a, Q).ok()?;
            // Forward solve of L x = v for each column, in place.
            let solve = |v: &mut [f64; Q]| {
                for i in 0..Q {
                    for k in 0..i {
                        v[i] -= a[i * Q + k] * v[k];
                    }
                    v[i] /= a[i * Q + i];
                }
            };
            // B = L^-1 M (Q x Q), column by column.
            let mut bm = [[0.0f64; Q]; Q];
            for j in 0..Q {
                let mut v = [0.0f64; Q];
                for i in 0..Q {
                    v[i] = m[i][j];
                }
                solve(&mut v);
                for i in 0..Q {
                    bm[i][j] = v[i];
                }
            }
            // C = L^-1 T' Z'X (Q x p).
            for j in 0..p {
                let mut v = [0.0f64; Q];
                for i in 0..Q {
                    v[i] = (i..Q).map(|r| t[r * Q + i] * b.ztx[r * p + j]).sum();
                }
                solve(&mut v);
                for i in 0..Q {
                    c[i * p + j] = v[i];
                }
            }
            // Z'e, L^-1 T' Z'e, u = Z'e - B' L^-1 T' Z'e.
            let mut zte = [0.0f64; Q];
            for i in 0..Q {
                zte[i] = b.zty[i] - (0..p).map(|j| b.ztx[i * p + j] * beta[j]).sum::<f64>();
            }
            let mut lze = [0.0f64; Q];
            for i in 0..Q {
                lze[i] = (i..Q).map(|r| t[r * Q + i] * zte[r]).sum();
            }
            solve(&mut lze);
            let mut u = [0.0f64; Q];
            for i in 0..Q {
                u[i] = zte[i] - (0..Q).map(|k| bm[k][i] * lze[k]).sum::<f64>();
            }
            // P = Z'X - B' C, P S^-1.
            for i in 0..Q {
                for j in 0..p {
                    pm[i * p + j] =
                        b.ztx[i * p + j] - (0..Q).map(|k| bm[k][i] * c[k * p + j]).sum::<f64>();
                }
            }
            for i in 0..Q {
                for j in 0..p {
                    ps[i * p + j] = (0..p).map(|x| pm[i * p + x] * sinv[x * p + j]).sum();
                }
            }
            for i in 0..Q {
                for j in 0..Q {
                    w_sum[i][j] += ztz(i, j) - (0..Q).map(|k| bm[k][i] * bm[k][j]).sum::<f64>();
                    u_sum[i][j] += u[i] * u[j];
                    q_sum[i][j] += (0..p).map(|x| ps[i * p + x] * pm[j * p + x]).sum::<f64>();
                }
            }
        }
        let flat = |m: [[f64; Q]; Q]| m.iter().flatten().copied().collect::<Vec<f64>>();
        Some(GradientSums {
            w: vec![flat(w_sum)],
            u: vec![flat(u_sum)],
            q: vec![flat(q_sum)],
        })
    }

    /// Per term, the sums over its levels of Z'V^-1 Z, u u' and P S^-1 P'
    /// (see [`Self::gradient`]).
    fn gradient_sums(&self, theta: &[f64], profile: &Profile) -> Option<GradientSums> {
        let p = self.p;
        let factors: Vec<Vec<f64>> = (0..self.shapes.len())
            .map(|k| self.factor(theta, k))
            .collect();
        let sinv = inverse_from_cholesky(&profile.rx, p);
        let beta = &profile.beta;
        // Per term: sums of Z'V^-1 Z, u u' and P S^-1 P' over its levels.
        let mut w_sum: Vec<Vec<f64>> = self.shapes.iter().map(|t| vec![0.0; t.q * t.q]).collect();
        let mut u_sum = w_sum.clone();
        let mut q_sum = w_sum.clone();
        let (mut m1, mut a, mut bmat, mut lzx) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut col = Vec::new();
        for b in &self.blocks {
            let s = b.size;
            let lambda_t = |m: &[f64], cols: usize, out: &mut Vec<f64>| {
                self.lambda_t(b, &factors, m, cols, out)
            };
            let solve_columns = |l: &[f64], m: &mut [f64], cols: usize, col: &mut Vec<f64>| {
                col.clear();
                col.resize(s, 0.0);
                for j in 0..cols {
                    for i in 0..s {
                        col[i] = m[i * cols + j];
                    }
                    forward(l, s, col);
                    for i in 0..s {
                        m[i * cols + j] = col[i];
                    }
                }
            };
            self.block_factor(b, &factors, &mut m1, &mut a)?;
            // B = L^-1 Lambda' Z'Z: the transpose of m1 (Z'Z Lambda), solved.
            bmat.clear();
            bmat.resize(s * s, 0.0);
            for i in 0..s {
                for j in 0..s {
                    bmat[i * s + j] = m1[j * s + i];
                }
            }
            solve_columns(&a, &mut bmat, s, &mut col);
            lambda_t(&b.ztx, p, &mut lzx);
            solve_columns(&a, &mut lzx, p, &mut col);
            // Z'e and L^-1 Lambda' Z'e.
            let zte: Vec<f64> = (0..s)
                .map(|i| b.zty[i] - (0..p).map(|j| b.ztx[i * p + j] * beta[j]).sum::<f64>())
                .collect();
            let mut lze = Vec::new();
            lambda_t(&zte, 1, &mut lze);
            forward(&a, s, &mut lze);
            // u = Z'e - B' L^-1 Lambda' Z'e; P = Z'X - B' C; W = Z'Z - B'B.
            let u: Vec<f64> = (0..s)
                .map(|i| zte[i] - (0..s).map(|k| bmat[k * s + i] * lze[k]).sum::<f64>())
                .collect();
            for &(k, c) in &b.slots {
                let q = self.shapes[k].q;
                let pm: Vec<f64> = (0..q)
                    .flat_map(|i| {
                        let (bm, lz) = (&bmat, &lzx);
                        (0..p).map(move |j| {
                            b.ztx[(c + i) * p + j]
                                - (0..s)
                                    .map(|m| bm[m * s + c + i] * lz[m * p + j])
                                    .sum::<f64>()
                        })
                    })
                    .collect();
                for i in 0..q {
                    for j in 0..q {
                        let w = b.ztz[(c + i) * s + c + j]
                            - (0..s)
                                .map(|m| bmat[m * s + c + i] * bmat[m * s + c + j])
                                .sum::<f64>();
                        w_sum[k][i * q + j] += w;
                        u_sum[k][i * q + j] += u[c + i] * u[c + j];
                        let mut v = 0.0;
                        for x in 0..p {
                            for y in 0..p {
                                v += pm[i * p + x] * sinv[x * p + y] * pm[j * p + y];
                            }
                        }
                        q_sum[k][i * q + j] += v;
                    }
                }
            }
        }
        Some(GradientSums {
            w: w_sum,
            u: u_sum,
            q: q_sum,
        })
    }

    /// The gradient from the per-term sums: 2 (M T)_rc per theta entry.
    fn gradient_from_sums(
        &self,
        theta: &[f64],
        criterion: Criterion,
        profile: &Profile,
        sums: &GradientSums,
    ) -> Vec<f64> {
        let (w_sum, u_sum, q_sum) = (&sums.w, &sums.u, &sums.q);
        let sigma2 = profile.sigma2;
        let mut g = vec![0.0; theta.len()];
        for (k, shape) in self.shapes.iter().enumerate() {
            let q = shape.q;
            let t = &self.factor(theta, k);
            let mt = |m: &[f64], r: usize, c: usize| -> f64 {
                (0..q).map(|j| m[r * q + j] * t[j * q + c]).sum()
            };
            let mut at = shape.offset;
            for c in 0..q {
                for r in c..q {
                    let mut v = mt(&w_sum[k], r, c) - mt(&u_sum[k], r, c) / sigma2;
                    if criterion == Criterion::Reml {
                        v -= mt(&q_sum[k], r, c);
                    }
                    g[at] = 2.0 * v;
                    at += 1;
                }
            }
        }
        g
    }

    /// The profiled criterion from the reduced system.
    fn finish(&self, reduced: Reduced, criterion: Criterion) -> Option<Profile> {
        let p = self.p;
        let Reduced {
            mut rx,
            rhs,
            cc,
            logdet_l,
        } = reduced;
        cholesky(&mut rx, p).ok()?;
        let mut beta = rhs.clone();
        forward(&rx, p, &mut beta);
        let fitted: f64 = beta.iter().map(|v| v * v).sum();
        backward(&rx, p, &mut beta);
        let r2 = (self.yty - cc - fitted).max(0.0);
        let n = self.n as f64;
        let two_pi = 2.0 * std::f64::consts::PI;
        let (deviance, sigma2) = match criterion {
            Criterion::Ml => (logdet_l + n * (1.0 + (two_pi * r2 / n).ln()), r2 / n),
            Criterion::Reml => {
                let dof = n - p as f64;
                (
                    logdet_l + 2.0 * log_diagonal(&rx, p) + dof * (1.0 + (two_pi * r2 / dof).ln()),
                    r2 / dof,
                )
            }
        };
        Some(Profile {
            deviance,
            beta,
            rx,
            sigma2,
        })
    }
}

/// The variance components of the random terms, `sigma^2 T T'` per term
/// from theta (lme4's `VarCorr` rows, without the residual), and whether
/// the fit is singular (a factor's diagonal at 0 or a correlation at +-1).
pub(crate) fn variance_components(d: &Design, theta: &[f64], sigma2: f64) -> (Vec<VarComp>, bool) {
    let mut varcomp = Vec::new();
    let mut singular = false;
    let mut offset = 0;
    for r in &d.random {
        let q = r.effects.len();
        let t = lower_factor(theta, offset, q);
        offset += theta_len(q);
        let mut cov = vec![0.0; q * q];
        for i in 0..q {
            for j in 0..q {
                cov[i * q + j] = sigma2 * (0..q).map(|c| t[i * q + c] * t[j * q + c]).sum::<f64>();
            }
            if t[i * q + i] < 1e-8 {
                singular = true;
            }
        }
        for i in 0..q {
            varcomp.push(VarComp {
                group: r.group.clone(),
                var1: Some(r.effects[i].clone()),
                var2: None,
                vcov: cov[i * q + i],
                sdcor: Some(cov[i * q + i].sqrt()),
            });
        }
        for i in 0..q {
            for j in i + 1..q {
                let denom = (cov[i * q + i] * cov[j * q + j]).sqrt();
                let corr = (denom > 0.0).then(|| cov[i * q + j] / denom);
                if corr.is_some_and(|c| c.abs() > 1.0 - 1e-6) {
                    singular = true;
                }
                varcomp.push(VarComp {
                    group: r.group.clone(),
                    var1: Some(r.effects[i].clone()),
                    var2: Some(r.effects[j].clone()),
                    vcov: cov[i * q + j],
                    sdcor: corr,
                });
            }
        }
    }
    (varcomp, singular)
}

/// Fits the linear mixed model of `d` (it must have a random term).
pub fn fit_lmm(d: &Design, criterion: Criterion) -> Result<LmmFit, ModelError> {
    if d.random.is_empty() {
        return Err(ModelError::Unsupported(
            "a mixed model needs a random term such as (1 | family_id)".into(),
        ));
    }
    let (n, p) = (d.n(), d.p());
    if n <= p {
        return Err(ModelError::Data(format!(
            "{n} observations for {p} fixed effects: too few to fit"
        )));
    }
    let mean = d.y.sum() / n as f64;
    if d.y
        .iter()
        .all(|v| (v - mean).abs() <= 1e-12 * (1.0 + mean.abs()))
    {
        return Err(ModelError::Data(format!(
            "the response '{}' has no variance (every value is {mean})",
            d.formula.response.name
        )));
    }
    for r in &d.random {
        if r.n_levels == d.n() {
            return Err(ModelError::Data(format!(
                "every level of {} has one observation: its variance cannot be told from \
                 the residual variance",
                r.group
            )));
        }
    }
    let problem = Problem::new(d)?;
    // Start at the identity (lme4's start); diagonal entries are >= 0.
    let mut theta0 = Vec::new();
    let mut lower = Vec::new();
    for s in &problem.shapes {
        for col in 0..s.q {
            for row in col..s.q {
                theta0.push(f64::from(u8::from(row == col)));
                lower.push(if row == col { 0.0 } else { f64::NEG_INFINITY });
            }
        }
    }
    // BFGS on the analytic gradient; the derivative-free simplex where
    // BFGS does not converge.
    let mut with_gradient = |t: &[f64]| {
        let pr = problem.profile(t, criterion)?;
        let g = problem.gradient(t, criterion, &pr)?;
        Some((pr.deviance, g))
    };
    let (m, optimizer) = match minimize_with_gradient(&mut with_gradient, &theta0, &lower) {
        Some(m) if m.converged => (m, "BFGS with the analytic gradient"),
        _ => {
            let mut f = |t: &[f64]| {
                problem
                    .profile(t, criterion)
                    .map_or(f64::INFINITY, |pr| pr.deviance)
            };
            (
                minimize(&mut f, &theta0, &lower),
                "Nelder-Mead, then Newton on central differences",
            )
        }
    };
    let profile = problem
        .profile(&m.x, criterion)
        .ok_or_else(|| ModelError::Data("the model cannot be fitted at its optimum".into()))?;
    let sigma2 = profile.sigma2;
    let mut vcov = inverse_from_cholesky(&profile.rx, p);
    vcov.iter_mut().for_each(|v| *v *= sigma2);
    let (mut varcomp, singular) = variance_components(d, &m.x, sigma2);
    varcomp.push(VarComp {
        group: "Residual".into(),
        var1: None,
        var2: None,
        vcov: sigma2,
        sdcor: Some(sigma2.sqrt()),
    });
    Ok(LmmFit {
        criterion_kind: criterion,
        beta: profile.beta,
        vcov,
        theta: m.x.clone(),
        sigma: sigma2.sqrt(),
        varcomp,
        criterion: profile.deviance,
        loglik: -profile.deviance / 2.0,
        df_loglik: p + m.x.len() + 1,
        nobs: n,
        ngroups: d
            .random
            .iter()
            .map(|r| (r.group.clone(), r.n_levels))
            .collect(),
        singular,
        converged: m.converged,
        iterations: m.iterations,
        evaluations: m.evaluations,
        gradient_norm: m.gradient_norm,
        optimizer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{design, parse, Column, Frame};

    /// 30 groups of 1-5 observations with a slope, deterministic noise.
    fn frame() -> Frame {
        let (mut y, mut t, mut g) = (Vec::new(), Vec::new(), Vec::new());
        let mut seed = 12345u64;
        let mut noise = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for group in 0..30u32 {
            let (b0, b1) = (noise() * 8.0, noise() * 2.0);
            for k in 0..(1 + group % 5) {
                let time = f64::from(k);
                t.push(Some(time));
                y.push(Some(10.0 + b0 + (1.5 + b1) * time + noise() * 3.0));
                g.push(Some(group));
            }
        }
        let mut f = Frame::new(y.len());
        f.insert("y", Column::Numeric(y));
        f.insert("time", Column::Numeric(t));
        f.insert(
            "g",
            Column::Factor {
                levels: (0..30).map(|i| i.to_string()).collect(),
                codes: g,
            },
        );
        f
    }

    #[test]
    fn the_gradient_is_the_derivative_of_the_criterion() {
        let f = frame();
        for formula in [
            "y ~ time + (time | g)",
            "y ~ time + (1 | g)",
            "y ~ time + (time || g)",
        ] {
            let problem = Problem::new(&design(&parse(formula).unwrap(), &f).unwrap()).unwrap();
            let theta: Vec<f64> = match problem.shapes.len() {
                2 => vec![0.8, 0.4],
                _ if problem.shapes[0].q == 2 => vec![0.8, 0.2, 0.4],
                _ => vec![0.8],
            };
            for criterion in [Criterion::Reml, Criterion::Ml] {
                let at = problem.profile(&theta, criterion).unwrap();
                let g = problem.gradient(&theta, criterion, &at).unwrap();
                for k in 0..theta.len() {
                    let h = 1e-6;
                    let mut up = theta.clone();
                    up[k] += h;
                    let mut down = theta.clone();
                    down[k] -= h;
                    let fd = (problem.profile(&up, criterion).unwrap().deviance
                        - problem.profile(&down, criterion).unwrap().deviance)
                        / (2.0 * h);
                    assert!(
                        (g[k] - fd).abs() < 1e-5 * fd.abs().max(1.0),
                        "{formula} {k}: {} vs {fd}",
                        g[k]
                    );
                }
            }
        }
    }

    #[test]
    fn the_general_block_loop_agrees_with_the_fast_one() {
        // (time || g) runs the general loop (two terms a block); it equals
        // (time | g) with a zero covariance, which takes the fast path.
        let f = frame();
        let general =
            Problem::new(&design(&parse("y ~ time + (time || g)").unwrap(), &f).unwrap()).unwrap();
        let fast =
            Problem::new(&design(&parse("y ~ time + (time | g)").unwrap(), &f).unwrap()).unwrap();
        for (a, c) in [(0.7, 0.3), (1.3, 0.0), (0.0, 0.9), (2.0, 1.1)] {
            for criterion in [Criterion::Reml, Criterion::Ml] {
                let g = general.profile(&[a, c], criterion).unwrap();
                let s = fast.profile(&[a, 0.0, c], criterion).unwrap();
                assert!((g.deviance - s.deviance).abs() < 1e-9 * s.deviance.abs());
                for (x, y) in g.beta.iter().zip(&s.beta) {
                    assert!((x - y).abs() < 1e-9 * y.abs().max(1.0));
                }
            }
        }
    }
}
