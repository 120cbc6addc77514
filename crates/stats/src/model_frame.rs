//! The data of a model, from a scored panel: one row per unit and wave at
//! the level of the response (families for a family measure, respondents
//! otherwise), with the columns the formula names.
//!
//! Names a formula may use: any measure (as `cohort describe` names them),
//! any declared integer, float or categorical variable (respondent-level
//! models), `wave` (the wave label, a factor in wave order), `months` (the
//! wave's months), and the study's respondent and cluster columns under
//! their own names.

use std::collections::HashMap;

use cohort_instruments::{Level, Scores};
use cohort_models::{unknown_name, Column, Formula, FormulaError, Frame};
use cohort_panel::{Cell, Panel, VarKind};

/// The rows of a model frame: the unit and wave of each.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRows {
    /// Respondents or families.
    pub level: Level,
    /// Per row: the respondent or cluster index.
    pub unit: Vec<u32>,
    /// Per row: the cluster index.
    pub cluster: Vec<u32>,
    /// Per row: the wave index.
    pub wave: Vec<u8>,
}

/// The names a formula on this study may use, for messages.
fn known_names(panel: &Panel, scores: &Scores, level: Level) -> Vec<String> {
    let study = panel.study();
    let mut names: Vec<String> = scores
        .measures
        .iter()
        .filter(|m| level == Level::Respondent || m.level == Level::Family)
        .map(|m| m.name.clone())
        .collect();
    if level == Level::Respondent {
        names.extend(
            study
                .variables
                .iter()
                .filter(|v| !matches!(v.kind, VarKind::Id | VarKind::Date { .. }))
                .map(|v| v.name.clone()),
        );
        names.push(study.data.respondent.clone());
    }
    names.extend([
        "wave".to_string(),
        "months".to_string(),
        study.data.cluster_column().to_string(),
    ]);
    names
}

/// The frame of `formula` on the scored panel: its rows and the columns
/// the formula names.
pub fn model_frame(
    panel: &Panel,
    scores: &Scores,
    formula: &Formula,
) -> Result<(Frame, ModelRows), FormulaError> {
    let study = panel.study();
    let response = &formula.response;
    let response_measure = scores.measure(&response.name);
    let level = response_measure.map_or(Level::Respondent, |m| scores.def(m).level);
    // Rows: the response measure's score rows, or the panel's observations.
    let (unit, wave): (Vec<u32>, Vec<u8>) = match response_measure {
        Some(m) => {
            let s = scores.scores_of(m);
            (
                (0..s.len()).map(|i| s.unit(i)).collect(),
                (0..s.len()).map(|i| s.wave(i)).collect(),
            )
        }
        None => (
            (0..panel.n_observations())
                .map(|i| panel.respondent(i).0)
                .collect(),
            (0..panel.n_observations())
                .map(|i| panel.wave(i).0)
                .collect(),
        ),
    };
    let cluster: Vec<u32> = match level {
        Level::Family => unit.clone(),
        Level::Respondent => unit
            .iter()
            .map(|&r| panel.cluster_of(cohort_panel::RespondentId(r)).0)
            .collect(),
    };
    let n = unit.len();
    // The panel observation of each row (respondent level).
    let observation: Vec<Option<usize>> = if level == Level::Respondent {
        let mut at: HashMap<(u32, u8), usize> = HashMap::with_capacity(panel.n_observations());
        for i in 0..panel.n_observations() {
            at.insert((panel.respondent(i).0, panel.wave(i).0), i);
        }
        unit.iter()
            .zip(&wave)
            .map(|(&u, &w)| at.get(&(u, w)).copied())
            .collect()
    } else {
        vec![None; n]
    };
    let known = known_names(panel, scores, level);
    let mut frame = Frame::new(n);
    for var in formula.vars() {
        if frame.get(&var.name).is_some() {
            continue;
        }
        let unknown = || {
            let e = unknown_name(&var.name, var.column, &known);
            if level == Level::Family && study.variable(&var.name).is_some() {
                FormulaError {
                    column: var.column,
                    message: format!(
                        "'{}' is a respondent's variable, and the response '{}' is a family \
                         measure; use family measures, wave, months or {}",
                        var.name,
                        response.name,
                        study.data.cluster_column()
                    ),
                }
            } else {
                e
            }
        };
        let column = if let Some(m) = scores.measure(&var.name) {
            let def = scores.def(m);
            if level == Level::Family && def.level == Level::Respondent {
                return Err(unknown());
            }
            let values = scores.scores_of(m).by_unit_wave();
            let key_unit = |i: usize| match def.level {
                Level::Family => cluster[i],
                Level::Respondent => unit[i],
            };
            Column::Numeric(
                (0..n)
                    .map(|i| values.get(&(key_unit(i), wave[i])).copied())
                    .collect(),
            )
        } else if var.name == "wave" {
            Column::Factor {
                levels: study.waves.iter().map(|w| w.label.clone()).collect(),
                codes: wave.iter().map(|&w| Some(u32::from(w))).collect(),
            }
        } else if var.name == "months" {
            Column::Numeric(
                wave.iter()
                    .map(|&w| Some(study.waves[w as usize].months))
                    .collect(),
            )
        } else if var.name == study.data.cluster_column() {
            Column::Factor {
                levels: (0..panel.n_clusters())
                    .map(|c| {
                        panel
                            .cluster_id(cohort_panel::ClusterId(c as u32))
                            .to_string()
                    })
                    .collect(),
                codes: cluster.iter().map(|&c| Some(c)).collect(),
            }
        } else if level == Level::Respondent && var.name == study.data.respondent {
            Column::Factor {
                levels: (0..panel.n_respondents())
                    .map(|r| {
                        panel
                            .respondent_id(cohort_panel::RespondentId(r as u32))
                            .to_string()
                    })
                    .collect(),
                codes: unit.iter().map(|&r| Some(r)).collect(),
            }
        } else if let (Level::Respondent, Some(col)) = (level, panel.column(&var.name)) {
            let v = panel.variable_of(col);
            let cell = |i: usize| observation[i].map(|o| col.get(o, v));
            match &v.kind {
                VarKind::Integer { .. } | VarKind::Float { .. } => Column::Numeric(
                    (0..n)
                        .map(|i| match cell(i) {
                            Some(Cell::Int(x)) => Some(x as f64),
                            Some(Cell::Float(x)) => Some(x),
                            _ => None,
                        })
                        .collect(),
                ),
                VarKind::Categorical { codes } => Column::Factor {
                    levels: codes.iter().map(|c| c.code.clone()).collect(),
                    codes: (0..n)
                        .map(|i| match cell(i) {
                            Some(Cell::Category(c)) => Some(u32::from(c)),
                            _ => None,
                        })
                        .collect(),
                },
                _ => {
                    return Err(FormulaError {
                        column: var.column,
                        message: format!(
                            "'{}' is a date or an id; expected a number or a categorical variable",
                            var.name
                        ),
                    })
                }
            }
        } else {
            return Err(unknown());
        };
        frame.insert(&var.name, column);
    }
    Ok((
        frame,
        ModelRows {
            level,
            unit,
            cluster,
            wave,
        },
    ))
}
