//! Adjusted p-values for a family of tests.

/// Holm's step-down adjustment (R `p.adjust(p, "holm")`). `None` stays
/// `None` and does not count as a test.
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    idx.sort_by(|&a, &b| p[a].unwrap_or(1.0).total_cmp(&p[b].unwrap_or(1.0)));
    let m = idx.len();
    let mut out = vec![None; p.len()];
    let mut running: f64 = 0.0;
    for (rank, &i) in idx.iter().enumerate() {
        let v = ((m - rank) as f64 * p[i].unwrap_or(1.0)).min(1.0);
        running = running.max(v);
        out[i] = Some(running);
    }
    out
}

/// Benjamini-Hochberg adjustment (R `p.adjust(p, "BH")`).
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    idx.sort_by(|&a, &b| p[a].unwrap_or(1.0).total_cmp(&p[b].unwrap_or(1.0)));
    let m = idx.len();
    let mut out = vec![None; p.len()];
    let mut running: f64 = 1.0;
    for (rank, &i) in idx.iter().enumerate().rev() {
        let v = (m as f64 / (rank + 1) as f64 * p[i].unwrap_or(1.0)).min(1.0);
        running = running.min(v);
        out[i] = Some(running);
    }
    out
}
