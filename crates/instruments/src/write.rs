//! Scores as CSV: long (one row per unit x wave x measure) or wide (one
//! row per unit x wave, one column per measure and level).

use std::collections::BTreeMap;
use std::io::Write;

use cohort_panel::{ClusterId, Panel, RespondentId, VarKind};

use crate::score::Scores;
use cohort_panel::Level;

fn role_code(panel: &Panel, r: RespondentId) -> String {
    match &panel.role_variable().kind {
        VarKind::Categorical { codes } => codes[panel.role_of(r) as usize].code.clone(),
        _ => String::new(),
    }
}

/// Long CSV: `level, respondent, cluster, role, wave, measure, value,
/// answered, missing, note`. Family rows have no respondent or role.
pub fn write_long<W: Write>(scores: &Scores, panel: &Panel, out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "level",
        "respondent",
        "cluster",
        "role",
        "wave",
        "measure",
        "value",
        "answered",
        "missing",
        "note",
    ])?;
    let waves = &panel.study().waves;
    for (m, list) in scores.measures.iter().zip(&scores.scores) {
        for s in list.iter() {
            let (level, respondent, cluster, role) = match m.level {
                Level::Respondent => {
                    let r = RespondentId(s.unit);
                    (
                        "respondent",
                        panel.respondent_id(r),
                        panel.cluster_id(panel.cluster_of(r)),
                        role_code(panel, r),
                    )
                }
                Level::Family => (
                    "family",
                    "",
                    panel.cluster_id(ClusterId(s.unit)),
                    String::new(),
                ),
            };
            w.write_record([
                level,
                respondent,
                cluster,
                &role,
                &waves[s.wave as usize].label,
                &m.name,
                &s.value.map(|v| v.to_string()).unwrap_or_default(),
                &s.answered.to_string(),
                &s.missing.to_string(),
                &s.note.as_ref().map(|n| n.to_string()).unwrap_or_default(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Wide CSV of one level: one row per unit and wave, one column per
/// measure of that level (empty where there is no value).
pub fn write_wide<W: Write>(
    scores: &Scores,
    panel: &Panel,
    level: Level,
    out: W,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    let cols: Vec<usize> = (0..scores.measures.len())
        .filter(|&m| scores.measures[m].level == level)
        .collect();
    let mut header = match level {
        Level::Respondent => vec!["respondent", "cluster", "role", "wave"],
        Level::Family => vec!["cluster", "wave"],
    };
    header.extend(cols.iter().map(|&m| scores.measures[m].name.as_str()));
    w.write_record(&header)?;
    let mut rows: BTreeMap<(u32, u8), Vec<Option<f64>>> = BTreeMap::new();
    for (j, &m) in cols.iter().enumerate() {
        let list = &scores.scores[m];
        for i in 0..list.len() {
            rows.entry((list.unit(i), list.wave(i)))
                .or_insert_with(|| vec![None; cols.len()])[j] = list.value(i);
        }
    }
    let waves = &panel.study().waves;
    for ((unit, wave), values) in rows {
        let mut rec: Vec<String> = match level {
            Level::Respondent => {
                let r = RespondentId(unit);
                vec![
                    panel.respondent_id(r).to_string(),
                    panel.cluster_id(panel.cluster_of(r)).to_string(),
                    role_code(panel, r),
                    waves[wave as usize].label.clone(),
                ]
            }
            Level::Family => vec![
                panel.cluster_id(ClusterId(unit)).to_string(),
                waves[wave as usize].label.clone(),
            ],
        };
        rec.extend(
            values
                .iter()
                .map(|v| v.map(|v| v.to_string()).unwrap_or_default()),
        );
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}
