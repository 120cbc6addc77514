//! Cluster-robust covariances of a linear model's or GLM's estimates:
//! CR1 as `sandwich::vcovCL(type = "HC1")` (Stata's `vce(cluster)`) and
//! CR2 as `clubSandwich::vcovCR(type = "CR2")` (Bell and McCaffrey 2002).
//!
//! With working weights `w`, working residuals `r`, `Xw = W^{1/2} X`,
//! `ew = W^{1/2} r` and the bread `B = (X' W X)^{-1}`:
//! CR1 = `G/(G-1) (n-1)/(n-p) B (sum_g Xw_g' ew_g ew_g' Xw_g) B`;
//! CR2 = `B (sum_g Xw_g' A_g V_g ew_g ew_g' V_g A_g Xw_g) B` with
//! `A_g = (V_g (I - Xw_g B Xw_g') V_g)^{-1/2}`, `V` the variance function
//! at the fitted means: clubSandwich's adjustment with the model's
//! variance as its target (Pustejovsky and Tipton 2018); for a linear
//! model `V = I` and `A_g = (I - H_gg)^{-1/2}`. The inverse square root is
//! symmetric, and a Moore-Penrose one (eigenvalues up to 1e-12 dropped, as
//! clubSandwich) where a cluster's leverage reaches 1.

use crate::design::Design;
use crate::error::ModelError;
use crate::glm::Response;
use crate::linalg::{matmul, symmetric_function, Qr};

/// Cluster-robust covariances (p x p, row-major).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRobust {
    /// CR1: the sandwich with the small-sample factor
    /// `G/(G-1) (n-1)/(n-p)`.
    pub cr1: Vec<f64>,
    /// CR2: the bias-reduced linearization.
    pub cr2: Vec<f64>,
    /// Clusters.
    pub n_clusters: usize,
}

/// The cluster-robust covariances of the estimates `beta` of a model
/// `response` fitted to the fixed effects of `d`, with `cluster[i]` the
/// cluster of the design's row `i`.
pub fn cluster_robust(
    d: &Design,
    response: Response,
    beta: &[f64],
    cluster: &[u32],
) -> Result<ClusterRobust, ModelError> {
    let (n, p) = (d.n(), d.p());
    if cluster.len() != n {
        return Err(ModelError::Data(format!(
            "{} cluster codes for {n} observations",
            cluster.len()
        )));
    }
    let x = d.x.as_slice().expect("a standard-layout design");
    let mut xw = vec![0.0; n * p];
    let mut ew = vec![0.0; n];
    let mut v = vec![0.0; n];
    for i in 0..n {
        let eta: f64 = (0..p).map(|j| x[i * p + j] * beta[j]).sum();
        let mu = response.mean(eta);
        let dmu = response.dmu(mu);
        v[i] = response.variance(mu);
        let root_w = dmu / v[i].sqrt();
        for j in 0..p {
            xw[i * p + j] = root_w * x[i * p + j];
        }
        ew[i] = root_w * (d.y[i] - mu) / dmu;
    }
    let bread = Qr::new(xw.clone(), n, p)
        .map_err(|j| ModelError::RankDeficient {
            term: d.names[j].clone(),
        })?
        .xtx_inverse();
    // Rows of each cluster, in cluster order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| cluster[i]);
    let mut meat1 = vec![0.0; p * p];
    let mut meat2 = vec![0.0; p * p];
    let mut n_clusters = 0;
    for rows in order.chunk_by(|&a, &b| cluster[a] == cluster[b]) {
        n_clusters += 1;
        let m = rows.len();
        let xg: Vec<f64> = rows
            .iter()
            .flat_map(|&i| xw[i * p..(i + 1) * p].to_vec())
            .collect();
        let eg: Vec<f64> = rows.iter().map(|&i| ew[i]).collect();
        // CR1's score: Xw_g' ew_g.
        let u: Vec<f64> = (0..p)
            .map(|j| (0..m).map(|a| xg[a * p + j] * eg[a]).sum())
            .collect();
        // CR2's: Xw_g' A_g V_g ew_g, A_g = (V_g (I - H_gg) V_g)^{-1/2}.
        let vg: Vec<f64> = rows.iter().map(|&i| v[i]).collect();
        let xb = matmul(&xg, &bread, m, p, p);
        let mut g = vec![0.0; m * m];
        for a in 0..m {
            for b in 0..m {
                let h: f64 = (0..p).map(|j| xb[a * p + j] * xg[b * p + j]).sum();
                g[a * m + b] = vg[a] * (f64::from(u8::from(a == b)) - h) * vg[b];
            }
        }
        let adjust = symmetric_function(&g, m, |v| if v > 1e-12 { 1.0 / v.sqrt() } else { 0.0 });
        let veg: Vec<f64> = eg.iter().zip(&vg).map(|(e, v)| e * v).collect();
        let ae = matmul(&adjust, &veg, m, m, 1);
        let u2: Vec<f64> = (0..p)
            .map(|j| (0..m).map(|a| xg[a * p + j] * ae[a]).sum())
            .collect();
        for j in 0..p {
            for k in 0..p {
                meat1[j * p + k] += u[j] * u[k];
                meat2[j * p + k] += u2[j] * u2[k];
            }
        }
    }
    if n_clusters < 2 || n <= p {
        return Err(ModelError::Data(format!(
            "cluster-robust standard errors need two clusters or more and more observations \
             than coefficients ({n_clusters} clusters, {n} observations, {p} coefficients)"
        )));
    }
    let sandwich = |meat: &[f64]| matmul(&matmul(&bread, meat, p, p, p), &bread, p, p, p);
    let g = n_clusters as f64;
    let factor = g / (g - 1.0) * (n as f64 - 1.0) / (n - p) as f64;
    Ok(ClusterRobust {
        cr1: sandwich(&meat1).iter().map(|v| v * factor).collect(),
        cr2: sandwich(&meat2),
        n_clusters,
    })
}
