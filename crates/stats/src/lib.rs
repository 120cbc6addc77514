//! Repeated-measures statistics: estimates per wave, change between two
//! waves, effect sizes, cluster bootstrap.
//!
//! # Brief overview
//! - [`describe`] and [`proportion`]: descriptives, t interval of a mean,
//!   Wilson and Clopper-Pearson intervals of a proportion.
//! - [`paired_t`], [`wilcoxon`], [`sign_test`], [`mcnemar`],
//!   [`effect_sizes`]: two waves on complete pairs, with R's conventions.
//! - [`study_results`]: the results stage, every published result of a
//!   study computed once as one `cohort_results::StudyResults`.
//! - Degenerate cases (too few values, no variance, no discordant pairs)
//!   give `None` or `Err` with the reason, never NaN.
#![deny(missing_docs)]

mod describe;
pub mod dist;
mod error;
pub use error::{Degenerate, StatsError};
mod paired;
pub mod sums;

pub use describe::{describe, proportion, Descriptives, Proportion};
pub use paired::{
    effect_sizes, mcnemar, paired_t, sign_test, wilcoxon, EffectSizes, McNemar, PairedT, SignTest,
    Wilcoxon, WilcoxonMethod,
};

mod adjust;
mod bootstrap;

pub use adjust::{benjamini_hochberg, holm};
pub use bootstrap::{
    cluster_bootstrap, draw, totals_bootstrap, BootstrapCi, BootstrapRecord, BootstrapSpec,
    DEFAULT_BOOTSTRAP, FEW_CLUSTERS, JACKKNIFE_GROUPS, MIN_BOOTSTRAP_CLUSTERS,
};

mod change;
mod declared_models;
mod estimates;
mod model_frame;
mod model_summary;
mod results;

pub use change::{
    change_table, Adjusted, ChangeOptions, ChangeSummary, EffectOut, PairedTOut, PrevalenceOut,
    ReliableChange, SignOut, TransitionTable, Transitions, WilcoxonOut, CHANGE_SCHEMA,
};
pub use declared_models::{
    cluster_codes, declared_models, fit_request, model_request, model_result, Fitted, ModelRequest,
    RequestError,
};
pub use estimates::{
    group_change, top2_share, unit_groups, wave_estimates, GroupChange, GroupMeanChange,
    UnitGroups, WaveEstimate, DESCRIBE_SCHEMA,
};
pub use model_frame::{model_frame, ModelRows};
pub use model_summary::{
    gee_summary, glm_summary, glmm_summary, lm_summary, lmm_summary, negbin_summary,
    with_cluster_se, AnovaRow, ClusterCount, ClusterSe, ClusterSizes, Coefficient, GeeCoefficient,
    GeeSummary, ModelSummary, ModesRow, OptimizerState, VarCompRow, GEE_SCHEMA, MODEL_SCHEMA,
};
pub use results::{
    change_results, estimate_results, study_results, trajectories, unit, Progress, ResultsOptions,
    TRAJECTORY_MEASURE,
};
