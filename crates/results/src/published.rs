//! What a report publishes (`results.json`): the results after the gate.
//! Only the gate constructs a [`PublishedResults`]; rendering takes
//! nothing else.

use std::collections::BTreeMap;

use cohort_panel::Provenance;
use serde::{Deserialize, Serialize};

use crate::gate::{ProtectedTable, Rules, Shown, Suppression};
use crate::raw::{BootstrapInfo, Methods, Statistic, Unit};

/// Version of the published fields.
pub const REPORT_SCHEMA: &str = "cohort.report/2";

/// A published share or mean at one wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateRow {
    /// The measure.
    pub measure: String,
    /// What it is.
    pub label: String,
    /// Respondent or family.
    pub level: Unit,
    /// Share or mean.
    pub statistic: Statistic,
    /// Wave label.
    pub wave: String,
    /// Units it is based on, rounded; null when the estimate is
    /// suppressed (the n would tell what is hidden).
    pub n: Option<u64>,
    /// The value; null when suppressed.
    pub value: Option<f64>,
    /// 95% interval: Wilson for shares, cluster bootstrap (percentile) for
    /// means, or t where no bootstrap ran.
    pub ci95: Option<[f64; 2]>,
    /// First quartile, median and third quartile (means only).
    pub quartiles: Option<[f64; 3]>,
    /// 10th and 90th percentiles (means only), published with at least
    /// [`crate::WHISKER_UNITS`] times `min_cell` units, so that at least
    /// `min_cell` units lie at or beyond each.
    #[serde(default)]
    pub whiskers: Option<[f64; 2]>,
    /// The group, for estimates by group.
    #[serde(default)]
    pub group: Option<String>,
}

/// A published change between the first and the last wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    /// The measure.
    pub measure: String,
    /// Respondent or family.
    pub level: Unit,
    /// Complete pairs, rounded; null when the row is suppressed.
    pub n_pairs: Option<u64>,
    /// Mean at the first wave (pairs).
    pub mean_from: Option<f64>,
    /// Mean at the last wave.
    pub mean_to: Option<f64>,
    /// Mean of last - first.
    pub mean_diff: Option<f64>,
    /// 95% interval of the mean difference (cluster bootstrap, percentile;
    /// t where no bootstrap ran).
    pub mean_diff_ci95: Option<[f64; 2]>,
    /// Paired t-test p.
    pub p_t: Option<f64>,
    /// Holm-adjusted p of the t-test.
    pub p_t_holm: Option<f64>,
    /// Wilcoxon signed-rank p (R's default variant).
    pub p_wilcoxon: Option<f64>,
    /// McNemar p on prevalence (continuity correction).
    pub p_mcnemar: Option<f64>,
    /// Cohen's d_z.
    pub dz: Option<f64>,
    /// Interval of d_z.
    pub dz_ci95: Option<[f64; 2]>,
}

/// Published Cronbach's alpha of a scale at a wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityRow {
    /// `instrument.scale`.
    pub scale: String,
    /// Wave label.
    pub wave: String,
    /// Complete cases, rounded; null when suppressed.
    pub n: Option<u64>,
    /// Alpha (null when suppressed or not estimable).
    pub alpha: Option<f64>,
    /// Feldt 95% interval.
    pub ci95: Option<[f64; 2]>,
}

/// A published trajectory class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// `stopped`, `decreased`, `persistent`, `increased`, `started` or
    /// `none`.
    pub class: String,
    /// Families in the class, rounded; null when suppressed.
    pub n: Option<u64>,
    /// Share of the families with a value at both waves (null when
    /// suppressed).
    pub share: Option<f64>,
    /// Per wave: the class's mean and t 95% interval.
    pub waves: Vec<EstimateRow>,
}

/// A published share with its interval and base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedShare {
    /// The share (null when suppressed or not estimable).
    pub value: Option<f64>,
    /// Wilson 95% interval.
    pub ci95: Option<[f64; 2]>,
    /// Units it is based on, rounded; null when suppressed.
    pub n: Option<u64>,
}

/// Proof that a value was made by the gate: it has no public constructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sealed(());

impl Sealed {
    pub(crate) fn new() -> Sealed {
        Sealed(())
    }
}

/// Everything a report shows, after disclosure control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedResults {
    /// Version of these fields.
    pub schema: String,
    /// Study name.
    pub study: String,
    /// What the study file declares (no data: passed on by the gate as it
    /// is).
    #[serde(default)]
    pub design: crate::design::Design,
    /// Toolkit version and input hashes.
    pub provenance: Provenance,
    /// The disclosure rules applied.
    #[serde(flatten)]
    pub rules: Rules,
    /// How the bootstrap ran (families resampled; ChaCha8 stream per
    /// replicate).
    pub bootstrap: Option<BootstrapInfo>,
    /// How each kind of result was computed.
    #[serde(default)]
    pub methods: Methods,
    /// Wave labels in order.
    pub waves: Vec<String>,
    /// Rows read, kept, excluded (by reason), as counts.
    pub rows: BTreeMap<String, Shown>,
    /// Respondents and families taking part per wave.
    pub response: ProtectedTable,
    /// Families by response pattern.
    pub patterns: ProtectedTable,
    /// Shares and means per measure and wave.
    pub estimates: Vec<EstimateRow>,
    /// The grouping variable of `by_group`, if any.
    #[serde(default)]
    pub by: Option<String>,
    /// Estimates per measure, wave and group of `by`.
    #[serde(default)]
    pub by_group: Vec<EstimateRow>,
    /// Change from the first to the last wave.
    pub change: Vec<ChangeRow>,
    /// Reliability of the scales.
    pub reliability: Vec<ReliabilityRow>,
    /// Families by class (none / minor / severe or frequent) at the first
    /// wave (rows) and the last wave (columns).
    pub transitions: Option<ProtectedTable>,
    /// The measure the trajectories classify.
    #[serde(default)]
    pub trajectory_measure: Option<String>,
    /// Trajectories of family incidents.
    pub trajectories: Vec<Trajectory>,
    /// Families whose violence stopped, of those with violence at the
    /// first wave and a value at the last (finding F7).
    #[serde(default)]
    pub stopped: Option<PublishedShare>,
    /// The trajectory classes as the protected table they were published
    /// from (rows: violence at the first wave or not).
    #[serde(default)]
    pub trajectory_counts: Option<ProtectedTable>,
    /// Families present, returned and dropped out per wave.
    pub attrition: ProtectedTable,
    /// The study's declared models.
    #[serde(default)]
    pub models: Vec<crate::models::PublishedModel>,
    /// Every cell not published, and why.
    pub suppressions: Vec<Suppression>,
    /// Whether the rules allowed counts below 5 (given with
    /// `--unsafe-small-cells`): every page of the report says so.
    #[serde(default)]
    pub unsafe_small_cells: bool,
    #[serde(skip, default = "Sealed::new")]
    pub(crate) sealed: Sealed,
}
