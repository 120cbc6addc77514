//! The data summary a researcher reads first (`cohort check`): who is in
//! the panel, how clusters are made up, who responded at which wave, and
//! how much of each variable is missing and why.

use serde::Serialize;

use crate::panel::Panel;
use crate::presence::PatternClass;
use crate::report::LoadReport;
use crate::study::{Layout, VarKind};

/// Version of the `cohort check --json` fields.
pub const CHECK_SCHEMA: &str = "cohort.check/1";

/// Everything `cohort check` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataSummary {
    /// Version of these fields.
    pub schema: &'static str,
    /// The study's name.
    pub study: String,
    /// `long` or `wide`.
    pub layout: &'static str,
    /// The waves in order.
    pub waves: Vec<WaveInfo>,
    /// Number of respondents.
    pub respondents: u64,
    /// Respondents by role, in the declared order of the role codes.
    pub respondents_by_role: Vec<RoleCount>,
    /// Whether the study declares clusters (families); without, each
    /// respondent is its own and the cluster figures repeat theirs.
    pub clustered: bool,
    /// Clusters (families) and their sizes.
    pub clusters: ClusterSizes,
    /// Number of observations (respondent x wave).
    pub observations: u64,
    /// Observations at each wave, by role.
    pub observations_per_wave: Vec<WaveCount>,
    /// Response across waves, for respondents and for clusters.
    pub response: Response,
    /// Missing values per variable and wave, by reason.
    pub missingness: Vec<VariableMissingness>,
    /// Rows read, kept and excluded, and every problem.
    pub load: LoadReport,
}

/// A wave as declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveInfo {
    /// The label.
    pub label: String,
    /// Months since baseline.
    pub months: f64,
    /// Recall period in months, if declared.
    pub recall_months: Option<f64>,
}

/// A count for one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleCount {
    /// The role code.
    pub role: String,
    /// Its label.
    pub label: String,
    /// How many.
    pub n: u64,
}

/// Cluster sizes (respondents per cluster).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSizes {
    /// Number of clusters.
    pub n: u64,
    /// Smallest size; null without clusters.
    pub size_min: Option<u64>,
    /// Median size (mean of the middle two for an even count).
    pub size_median: Option<f64>,
    /// Mean size.
    pub size_mean: Option<f64>,
    /// Largest size.
    pub size_max: Option<u64>,
    /// Number of clusters of each size, smallest size first.
    pub size_counts: Vec<SizeCount>,
}

/// How many clusters have a given size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeCount {
    /// Respondents in the cluster.
    pub size: u64,
    /// Clusters of that size.
    pub clusters: u64,
}

/// Observations at one wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaveCount {
    /// The wave label.
    pub wave: String,
    /// Observations at the wave.
    pub n: u64,
    /// By role, in declared order.
    pub by_role: Vec<RoleCount>,
}

/// Response for respondents and for clusters (a cluster is present at a
/// wave when any of its respondents is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// Respondents.
    pub respondents: ResponsePatterns,
    /// Clusters.
    pub clusters: ResponsePatterns,
}

/// Presence across waves. Every unit is in exactly one of `complete`,
/// `dropped_out`, `late_entry` and `returned`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponsePatterns {
    /// Units in all.
    pub n: u64,
    /// Units present at each wave.
    pub present: Vec<WaveN>,
    /// Present at every wave.
    pub complete: u64,
    /// Present from the first wave without a gap, absent from some wave on.
    pub dropped_out: u64,
    /// First present after the first wave, without a gap after that.
    pub late_entry: u64,
    /// Absent at a wave between two waves at which present.
    pub returned: u64,
    /// Count of each pattern (`X` present, `.` absent, one character per
    /// wave in wave order), most frequent first, then by pattern.
    pub patterns: Vec<PatternCount>,
}

/// A count per wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaveN {
    /// The wave label.
    pub wave: String,
    /// The count.
    pub n: u64,
}

/// How many units share a response pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternCount {
    /// `X` present, `.` absent, per wave.
    pub pattern: String,
    /// How many units.
    pub n: u64,
}

/// Missing values of one variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableMissingness {
    /// The variable.
    pub variable: String,
    /// Per wave.
    pub waves: Vec<WaveMissingness>,
}

/// Missing values of one variable at one wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaveMissingness {
    /// The wave label.
    pub wave: String,
    /// Observations at the wave.
    pub n: u64,
    /// Of those, with a value.
    pub present: u64,
    /// Empty cells.
    pub empty: u64,
    /// Values excluded by a lenient load.
    pub excluded: u64,
    /// Declared missing codes, each with its count (zeros included).
    pub codes: Vec<CodeCount>,
}

/// How often a missing code occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    /// The code.
    pub code: String,
    /// Its reason.
    pub reason: String,
    /// How often.
    pub n: u64,
}

impl DataSummary {
    /// Summarises a loaded panel and its load report.
    pub fn new(panel: &Panel, report: &LoadReport) -> DataSummary {
        let study = panel.study();
        let n_waves = study.waves.len();
        let wave_label = |w: usize| study.waves[w].label.clone();
        let role_var = panel.role_variable();
        let role_codes = match &role_var.kind {
            VarKind::Categorical { codes } => codes.clone(),
            _ => Vec::new(),
        };
        let role_counts = |counts: &[u64]| -> Vec<RoleCount> {
            role_codes
                .iter()
                .zip(counts)
                .map(|(c, &n)| RoleCount {
                    role: c.code.clone(),
                    label: c.label.clone(),
                    n,
                })
                .collect()
        };

        let n_resp = panel.n_respondents();
        let mut by_role = vec![0u64; role_codes.len()];
        let mut cluster_size = vec![0u64; panel.n_clusters()];
        for r in 0..n_resp {
            let r = crate::panel::RespondentId(r as u32);
            by_role[panel.role_of(r) as usize] += 1;
            cluster_size[panel.cluster_of(r).0 as usize] += 1;
        }

        let mut wave_role = vec![vec![0u64; role_codes.len()]; n_waves];
        for i in 0..panel.n_observations() {
            let r = panel.respondent(i);
            wave_role[panel.wave(i).0 as usize][panel.role_of(r) as usize] += 1;
        }

        let missingness = missingness(panel, &wave_label);

        DataSummary {
            schema: CHECK_SCHEMA,
            study: study.name.clone(),
            layout: match study.data.layout {
                Layout::Long { .. } => "long",
                Layout::Wide { .. } => "wide",
            },
            waves: study
                .waves
                .iter()
                .map(|w| WaveInfo {
                    label: w.label.clone(),
                    months: w.months,
                    recall_months: w.recall_months,
                })
                .collect(),
            respondents: n_resp as u64,
            respondents_by_role: role_counts(&by_role),
            clustered: panel.study().data.clustered(),
            clusters: cluster_sizes(&cluster_size),
            observations: panel.n_observations() as u64,
            observations_per_wave: wave_role
                .iter()
                .enumerate()
                .map(|(w, k)| WaveCount {
                    wave: wave_label(w),
                    n: k.iter().sum(),
                    by_role: role_counts(k),
                })
                .collect(),
            response: Response::new(panel),
            missingness,
            load: report.clone(),
        }
    }
}

/// Counts per variable and wave: present, empty, excluded, each code.
/// Columns are independent, so they are split over two threads; the
/// result does not depend on the split.
fn missingness(panel: &Panel, wave_label: &dyn Fn(usize) -> String) -> Vec<VariableMissingness> {
    let n_waves = panel.study().waves.len();
    let waves: Vec<u8> = (0..panel.n_observations())
        .map(|i| panel.wave(i).0)
        .collect();
    let mut per_wave = vec![0u64; n_waves];
    waves.iter().for_each(|&w| per_wave[w as usize] += 1);
    let tally = |c: &crate::panel::Column| -> Vec<u64> {
        let m = panel.variable_of(c).missing.len();
        let slots = 3 + m;
        let mut counts = vec![0u64; n_waves * slots];
        // Only the missing cells are counted (a few in a hundred); the
        // present ones are the rest.
        c.for_each_missing(m, |i, slot| {
            if let Some(&w) = waves.get(i) {
                counts[w as usize * slots + slot] += 1;
            }
        });
        for (wave, n) in counts.chunks_mut(slots).zip(&per_wave) {
            wave[0] = n - wave[1..].iter().sum::<u64>();
        }
        counts
    };
    let columns = panel.columns();
    let half = columns.len().div_ceil(2);
    let (first, second) = columns.split_at(half);
    let counts: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let other = scope.spawn(|| second.iter().map(tally).collect::<Vec<_>>());
        let mut mine: Vec<Vec<u64>> = first.iter().map(tally).collect();
        // A panic in the other thread is a bug in `tally`, not bad input.
        mine.extend(other.join().expect("missingness tally thread"));
        mine
    });
    columns
        .iter()
        .zip(counts)
        .map(|(c, counts)| {
            let var = panel.variable_of(c);
            let slots = 3 + var.missing.len();
            VariableMissingness {
                variable: var.name.clone(),
                waves: counts
                    .chunks(slots)
                    .enumerate()
                    .map(|(w, k)| WaveMissingness {
                        wave: wave_label(w),
                        n: k.iter().sum(),
                        present: k[0],
                        empty: k[1],
                        excluded: k[2],
                        codes: var
                            .missing
                            .iter()
                            .zip(&k[3..])
                            .map(|(m, &n)| CodeCount {
                                code: m.code.clone(),
                                reason: m.reason.clone(),
                                n,
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}

impl Response {
    /// Response across waves of a panel's respondents and clusters, on its
    /// own (without the rest of the summary, which reads every cell).
    pub fn new(panel: &Panel) -> Response {
        let study = panel.study();
        let wave_label = |w: usize| study.waves[w].label.clone();
        let n_waves = study.waves.len();
        Response {
            respondents: patterns(&panel.respondent_waves(), n_waves, &wave_label),
            clusters: patterns(&panel.cluster_waves(), n_waves, &wave_label),
        }
    }
}

fn cluster_sizes(sizes: &[u64]) -> ClusterSizes {
    let mut sorted = sizes.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    };
    let mut size_counts: Vec<SizeCount> = Vec::new();
    for &s in &sorted {
        match size_counts.last_mut() {
            Some(last) if last.size == s => last.clusters += 1,
            _ => size_counts.push(SizeCount {
                size: s,
                clusters: 1,
            }),
        }
    }
    ClusterSizes {
        n: n as u64,
        size_min: sorted.first().copied(),
        size_median: median,
        size_mean: (n > 0).then(|| sorted.iter().sum::<u64>() as f64 / n as f64),
        size_max: sorted.last().copied(),
        size_counts,
    }
}

/// Classifies presence bit sets (bit w = present at wave w).
fn patterns(masks: &[u64], n_waves: usize, label: &dyn Fn(usize) -> String) -> ResponsePatterns {
    let mut present = vec![0u64; n_waves];
    let (mut complete, mut dropped_out, mut late_entry, mut returned) = (0, 0, 0, 0);
    let mut by_pattern: std::collections::BTreeMap<u64, u64> = Default::default();
    for &m in masks {
        for (w, p) in present.iter_mut().enumerate() {
            *p += (m >> w) & 1;
        }
        *by_pattern.entry(m).or_insert(0) += 1;
        match PatternClass::of(m, n_waves) {
            PatternClass::Complete => complete += 1,
            PatternClass::DroppedOut => dropped_out += 1,
            PatternClass::LateEntry => late_entry += 1,
            PatternClass::Returned => returned += 1,
        }
    }
    let mut patterns: Vec<PatternCount> = by_pattern
        .into_iter()
        .map(|(m, n)| PatternCount {
            pattern: (0..n_waves)
                .map(|w| if (m >> w) & 1 == 1 { 'X' } else { '.' })
                .collect(),
            n,
        })
        .collect();
    patterns.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| b.pattern.cmp(&a.pattern)));
    ResponsePatterns {
        n: masks.len() as u64,
        present: present
            .into_iter()
            .enumerate()
            .map(|(w, n)| WaveN { wave: label(w), n })
            .collect(),
        complete,
        dropped_out,
        late_entry,
        returned,
        patterns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_classes_worked_by_hand() {
        // Three waves; bit 0 = T0.
        // XXX complete; XX. and X.. dropped out; .XX and .X. late entry;
        // X.X returned.
        let masks = [0b111, 0b011, 0b001, 0b110, 0b010, 0b101, 0b111];
        let p = patterns(&masks, 3, &|w| format!("T{w}"));
        assert_eq!(
            (p.complete, p.dropped_out, p.late_entry, p.returned),
            (2, 2, 2, 1)
        );
        let present: Vec<u64> = p.present.iter().map(|w| w.n).collect();
        assert_eq!(present, [5, 5, 4]);
        assert_eq!(
            p.patterns[0],
            PatternCount {
                pattern: "XXX".into(),
                n: 2
            }
        );
    }

    #[test]
    fn cluster_size_median_of_even_count_is_mean_of_middle_two() {
        let s = cluster_sizes(&[4, 1, 2, 3]);
        assert_eq!(s.size_median, Some(2.5));
        assert_eq!(s.size_mean, Some(2.5));
        assert_eq!((s.size_min, s.size_max), (Some(1), Some(4)));
        let empty = cluster_sizes(&[]);
        assert_eq!(empty.size_median, None);
    }
}
