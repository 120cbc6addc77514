//! The results of a study before disclosure control: what the statistics
//! stage computes, once, for every report and analysis.

use std::collections::BTreeMap;

use cohort_panel::Provenance;
use serde::{Deserialize, Serialize};

use crate::gate::Rules;

/// The unit a measure describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A respondent (a parent, a child).
    Respondent,
    /// A family (a cluster of respondents).
    Family,
}

impl Unit {
    /// The name tables and JSON use: `respondent` or `family`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Respondent => "respondent",
            Unit::Family => "family",
        }
    }
}

/// What an estimate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Statistic {
    /// Share of units above zero.
    Share,
    /// Mean.
    Mean,
}

impl Statistic {
    /// The name tables and JSON use: `share` or `mean`.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Share => "share",
            Statistic::Mean => "mean",
        }
    }
}

/// A share or mean of one measure at one wave (in one group), with the
/// units it is based on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
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
    /// The group, for estimates by group.
    pub group: Option<String>,
    /// Units with a value.
    pub n: u64,
    /// The value (null where not estimable).
    pub value: Option<f64>,
    /// 95% interval: Wilson for shares, cluster bootstrap (percentile) for
    /// means, or t where no bootstrap ran.
    pub ci95: Option<[f64; 2]>,
    /// First quartile, median and third quartile (means only).
    pub quartiles: Option<[f64; 3]>,
    /// 10th and 90th percentiles (means only): a box plot's whiskers.
    #[serde(default)]
    pub whiskers: Option<[f64; 2]>,
    /// Share of the sum held by the two largest units' values (means; the
    /// dominance rule).
    #[serde(default)]
    pub top2_share: Option<f64>,
}

/// Change of one measure from the first to the last wave, on complete
/// pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The measure.
    pub measure: String,
    /// Respondent or family.
    pub level: Unit,
    /// Complete pairs.
    pub n_pairs: u64,
    /// Mean at the first wave (pairs).
    pub mean_from: Option<f64>,
    /// Mean at the last wave (pairs).
    pub mean_to: Option<f64>,
    /// Mean of last - first.
    pub mean_diff: Option<f64>,
    /// 95% interval of the mean difference (cluster bootstrap, percentile;
    /// t where no bootstrap ran).
    pub mean_diff_ci95: Option<[f64; 2]>,
    /// Paired t-test p.
    pub p_t: Option<f64>,
    /// Holm-adjusted p of the t-test across the table.
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

/// Cronbach's alpha of a scale at a wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reliability {
    /// `instrument.scale`.
    pub scale: String,
    /// Wave label.
    pub wave: String,
    /// Complete cases.
    pub n: u64,
    /// Alpha (null where not estimable).
    pub alpha: Option<f64>,
    /// Feldt 95% interval.
    pub ci95: Option<[f64; 2]>,
}

/// A table of counts, before disclosure control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTable {
    /// Title (used in the suppression list).
    pub title: String,
    /// Row labels.
    pub rows: Vec<String>,
    /// Column labels.
    pub columns: Vec<String>,
    /// `counts[row][column]`.
    pub counts: Vec<Vec<u64>>,
    /// Whether row and column totals are published (and so must not let
    /// a suppressed cell be recovered).
    pub totals: bool,
    /// Cells that are zero by construction (`[row, column]`): nobody can
    /// drop out at the first wave. They are shown, never suppressed: they
    /// tell nothing about anyone.
    #[serde(default)]
    pub structural: Vec<[usize; 2]>,
}

/// Where a unit's value goes between two waves: the one definition of
/// stopped, started, decreased, persistent and increased, used by the
/// transitions of every change table, the report's trajectories and
/// finding F7 alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrajectoryClass {
    /// Above zero at the first wave, zero at the second.
    Stopped,
    /// Zero at the first wave, above zero at the second.
    Started,
    /// Above zero at both, lower at the second.
    Decreased,
    /// Above zero at both, the same.
    Persistent,
    /// Above zero at both, higher at the second.
    Increased,
    /// Zero at both.
    None,
}

impl TrajectoryClass {
    /// Every class, in the order tables show them.
    pub const ALL: [TrajectoryClass; 6] = [
        TrajectoryClass::Stopped,
        TrajectoryClass::Decreased,
        TrajectoryClass::Persistent,
        TrajectoryClass::Increased,
        TrajectoryClass::Started,
        TrajectoryClass::None,
    ];

    /// The class of a unit with value `from` at the first wave and `to`
    /// at the second (counts, scores or 0/1: "violence" is a value above
    /// zero).
    pub fn of(from: f64, to: f64) -> TrajectoryClass {
        match (from > 0.0, to > 0.0) {
            (true, false) => TrajectoryClass::Stopped,
            (false, true) => TrajectoryClass::Started,
            (false, false) => TrajectoryClass::None,
            (true, true) if to < from => TrajectoryClass::Decreased,
            (true, true) if to > from => TrajectoryClass::Increased,
            (true, true) => TrajectoryClass::Persistent,
        }
    }

    /// Whether the unit had violence (a value above zero) at the first
    /// wave: the denominator of the stopped share.
    pub fn violent_at_first(self) -> bool {
        matches!(
            self,
            TrajectoryClass::Stopped
                | TrajectoryClass::Decreased
                | TrajectoryClass::Persistent
                | TrajectoryClass::Increased
        )
    }

    /// The name tables and JSON use.
    pub fn name(self) -> &'static str {
        match self {
            TrajectoryClass::Stopped => "stopped",
            TrajectoryClass::Started => "started",
            TrajectoryClass::Decreased => "decreased",
            TrajectoryClass::Persistent => "persistent",
            TrajectoryClass::Increased => "increased",
            TrajectoryClass::None => "none",
        }
    }
}

/// The units of one trajectory class, and their mean at each wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrajectoryGroup {
    /// The class.
    pub class: TrajectoryClass,
    /// Units in the class (with a value at the first and the last wave).
    pub n: u64,
    /// Per wave: units of the class with a value, their mean and its t
    /// 95% interval.
    pub waves: Vec<Estimate>,
}

/// The share of units whose violence stopped: stopped, of the units with
/// violence at the first wave and a value at the last (finding F7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoppedShare {
    /// Units that stopped.
    pub stopped: u64,
    /// Units with violence at the first wave and a value at the last.
    pub of: u64,
    /// `stopped / of` (null when `of` is 0).
    pub share: Option<f64>,
    /// Wilson 95% interval.
    pub ci95: Option<[f64; 2]>,
}

/// Trajectories of one family measure from the first to the last wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trajectories {
    /// The measure classified.
    pub measure: String,
    /// Each class, in the order of [`TrajectoryClass::ALL`].
    pub classes: Vec<TrajectoryGroup>,
    /// The stopped share.
    pub stopped: StoppedShare,
}

/// Replicates and seed of the cluster bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapInfo {
    /// Replicates.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
}

/// How each kind of result was computed: the method record that travels
/// with the results into `results.json` and the report's methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Methods {
    /// Estimates per wave: the intervals of shares and of means.
    pub estimates: String,
    /// Estimates by group.
    pub by_group: String,
    /// Change from the first to the last wave: the tests, effect sizes and
    /// the interval of the mean change.
    pub change: String,
    /// Trajectories and the stopped share.
    pub trajectories: String,
    /// Reliability.
    pub reliability: String,
    /// The bootstrap: what is resampled, the generator and its streams.
    pub bootstrap: Option<String>,
    /// The same record in Dutch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nl: Option<Box<Methods>>,
}

/// Whether a presence mask is in a state at a wave (`cohort_panel::presence`).
pub type PresenceState = fn(u64, usize) -> bool;

/// The rows of the attrition table, each with the presence state it
/// counts: at each wave a family is present, missed the wave (back later),
/// dropped out or not yet entered (exactly one of these); "of which
/// returned" are the present ones back after a missed wave. The table and
/// the disclosure audit's equations both read this list.
pub const ATTRITION_ROWS: [(&str, PresenceState); 5] = [
    ("present", cohort_panel::present_at),
    ("of which returned", cohort_panel::returned_at),
    ("missed, back later", cohort_panel::missed_at),
    ("dropped out", cohort_panel::dropped_out_by),
    ("not yet entered", cohort_panel::not_yet_entered),
];

/// Everything a report or analysis publishes, before disclosure control.
/// Never written as it is, except to a file marked internal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyResults {
    /// Study name.
    pub study: String,
    /// What the study file declares: units, waves, instruments, measures.
    #[serde(default)]
    pub design: crate::design::Design,
    /// Toolkit version and input hashes.
    pub provenance: Provenance,
    /// The study's disclosure rules.
    pub rules: Rules,
    /// How the bootstrap ran (families resampled; ChaCha8 stream per
    /// replicate).
    pub bootstrap: Option<BootstrapInfo>,
    /// How each kind of result was computed.
    pub methods: Methods,
    /// Wave labels in order.
    pub waves: Vec<String>,
    /// Rows read, kept, excluded (by reason).
    pub rows: BTreeMap<String, u64>,
    /// Respondents and families taking part per wave.
    pub response: CountTable,
    /// Families by response pattern.
    pub patterns: CountTable,
    /// Shares and means per measure and wave.
    pub estimates: Vec<Estimate>,
    /// The grouping variable of `by_group`, if any.
    pub by: Option<String>,
    /// Estimates per measure, wave and group of `by`.
    pub by_group: Vec<Estimate>,
    /// Change from the first to the last wave, every measure.
    pub change: Vec<Change>,
    /// Reliability of the scales.
    pub reliability: Vec<Reliability>,
    /// Families by class (none / minor / severe or frequent) at the first
    /// wave (rows) and the last wave (columns).
    pub transitions: Option<CountTable>,
    /// Trajectories of family incidents.
    pub trajectories: Option<Trajectories>,
    /// Families present, returned and dropped out per wave.
    pub attrition: CountTable,
    /// The study's declared models, fitted.
    #[serde(default)]
    pub models: Vec<crate::models::ModelResult>,
}
