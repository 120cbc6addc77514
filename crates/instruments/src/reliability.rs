//! Internal consistency of sum scales: Cronbach's alpha with its Feldt
//! confidence interval, and item-rest correlations, per scale and wave.

use cohort_panel::{Cell, Panel};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use crate::error::AlphaError;
use cohort_panel::{InstrumentKind, Instruments};

/// Reliability of one scale at one wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    /// The instrument.
    pub instrument: String,
    /// `total` or a subscale.
    pub scale: String,
    /// The wave label.
    pub wave: String,
    /// Respondents with every item of the scale answered (listwise).
    pub n: usize,
    /// Number of items.
    pub k: usize,
    /// Cronbach's alpha; null with a note when it cannot be computed.
    pub alpha: Option<f64>,
    /// 95% interval (Feldt).
    pub alpha_ci95: Option<[f64; 2]>,
    /// Correlation of each item with the sum of the other items.
    pub item_rest: Vec<ItemRest>,
    /// Why alpha is null.
    pub note: Option<String>,
    /// How it was computed.
    pub method: &'static str,
}

/// Cronbach's alpha of every scale at wave `wave` (label), by the scale's
/// measure name: what the reliable change index needs.
pub fn alphas_at(
    reliability: &[Reliability],
    wave: &str,
) -> std::collections::BTreeMap<String, f64> {
    reliability
        .iter()
        .filter(|r| r.wave == wave)
        .filter_map(|r| r.alpha.map(|a| (r.measure(), a)))
        .collect()
}

impl Reliability {
    /// The measure the scale is scored as (`instrument.scale`), as
    /// `describe` and `change` name it.
    pub fn measure(&self) -> String {
        format!("{}.{}", self.instrument, self.scale)
    }
}

/// An item's correlation with the rest of its scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRest {
    /// The item.
    pub item: String,
    /// Pearson correlation; null when an item or the rest has no variance.
    pub r: Option<f64>,
}

const METHOD: &str = "listwise complete cases, reversed items recoded; sample variances (n - 1); \
    Feldt CI: 1 - (1 - alpha) * F(q; n - 1, (n - 1)(k - 1)) at q = 0.975 and 0.025 (as psych::alpha.ci)";

/// Cronbach's alpha of the rows of `data` (cases x items), with the Feldt
/// 95% interval. `Err` says why it cannot be computed.
pub fn cronbach_alpha(data: &[Vec<f64>]) -> Result<(f64, [f64; 2]), AlphaError> {
    let n = data.len();
    let k = data.first().map_or(0, Vec::len);
    if n < 2 {
        return Err(AlphaError::TooFewCases { n });
    }
    if k < 2 {
        return Err(AlphaError::TooFewItems);
    }
    let item_var: f64 = (0..k).map(|j| variance(data.iter().map(|r| r[j]))).sum();
    let total_var = variance(data.iter().map(|r| r.iter().sum::<f64>()));
    if total_var <= 0.0 {
        return Err(AlphaError::NoVariance);
    }
    let kf = k as f64;
    let alpha = kf / (kf - 1.0) * (1.0 - item_var / total_var);
    let df1 = (n - 1) as f64;
    let df2 = df1 * (kf - 1.0);
    // df1 >= 1 and df2 >= 1 here, so the distribution exists.
    let f = FisherSnedecor::new(df1, df2).map_err(|_| AlphaError::TooFewCases { n })?;
    let lower = 1.0 - (1.0 - alpha) * f.inverse_cdf(0.975);
    let upper = 1.0 - (1.0 - alpha) * f.inverse_cdf(0.025);
    Ok((alpha, [lower, upper]))
}

/// Sample variance (n - 1), two-pass: the mean first, then squared
/// deviations, which keeps values with many equal leading digits exact.
fn variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let (n, sum) = values
        .clone()
        .fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if n < 2 {
        return 0.0;
    }
    let mean = sum / n as f64;
    values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
}

/// Pearson correlation; `None` when either side has no variance.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if x.len() < 2 || x.len() != y.len() {
        return None;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Reliability of every sum scale and subscale at every wave.
pub fn reliability(panel: &Panel, spec: &Instruments) -> Vec<Reliability> {
    let mut out = Vec::new();
    for inst in &spec.instruments {
        let InstrumentKind::SumScale(s) = &inst.kind else {
            continue;
        };
        let (lo, hi) = s.item_range;
        let scales = std::iter::once(("total".to_string(), s.items.clone()))
            .chain(s.subscales.iter().cloned());
        for (scale, items) in scales {
            let cols: Vec<_> = items.iter().filter_map(|i| panel.column(i)).collect();
            for (w, wave) in panel.study().waves.iter().enumerate() {
                let rows: Vec<Vec<f64>> = (0..panel.n_observations())
                    .filter(|&i| panel.wave(i).0 as usize == w)
                    .filter_map(|i| {
                        cols.iter()
                            .zip(&items)
                            .map(|(c, name)| match c.get(i, panel.variable_of(c)) {
                                Cell::Int(v) if s.reversed.contains(name) => {
                                    Some((lo + hi - v) as f64)
                                }
                                Cell::Int(v) => Some(v as f64),
                                _ => None,
                            })
                            .collect::<Option<Vec<f64>>>()
                    })
                    .collect();
                let (alpha, ci, note) = match cronbach_alpha(&rows) {
                    Ok((a, ci)) => (Some(a), Some(ci), None),
                    Err(why) => (None, None, Some(why.to_string())),
                };
                let item_rest = items
                    .iter()
                    .enumerate()
                    .map(|(j, name)| {
                        let x: Vec<f64> = rows.iter().map(|r| r[j]).collect();
                        let rest: Vec<f64> =
                            rows.iter().map(|r| r.iter().sum::<f64>() - r[j]).collect();
                        ItemRest {
                            item: name.clone(),
                            r: pearson(&x, &rest),
                        }
                    })
                    .collect();
                out.push(Reliability {
                    instrument: inst.name.clone(),
                    scale: scale.clone(),
                    wave: wave.label.clone(),
                    n: rows.len(),
                    k: items.len(),
                    alpha,
                    alpha_ci95: ci,
                    item_rest,
                    note,
                    method: METHOD,
                });
            }
        }
    }
    out
}
