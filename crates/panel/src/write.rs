//! Writing a [`Panel`] back to a long CSV that the same study file (with
//! `layout = "long"`) loads into an equal panel.

use std::io::Write;

use crate::panel::{Cell, Missing, Panel, RespondentId};
use crate::study::{Decimal, Layout, VarKind, Variable};
use crate::value::format_date;

/// Writes the panel as a long CSV in canonical order (respondent in order
/// of first appearance, then wave), with the study's delimiter and decimal
/// separator. The wave column is named as in a long study file, or `wave`
/// when the study is wide. Excluded values are written as empty cells.
pub fn write_long<W: Write>(panel: &Panel, out: W) -> Result<(), csv::Error> {
    let study = panel.study();
    let mut w = csv::WriterBuilder::new()
        .delimiter(study.data.delimiter)
        .from_writer(out);
    let wave_col = match &study.data.layout {
        Layout::Long { wave } => wave.as_str(),
        Layout::Wide { .. } => "wave",
    };
    let mut header: Vec<&str> = std::iter::once(study.data.respondent.as_str())
        .chain(study.data.cluster.as_deref())
        .chain(study.data.role.as_deref())
        .chain([wave_col])
        .collect();
    header.extend(
        panel
            .columns()
            .iter()
            .map(|c| panel.variable_of(c).name.as_str()),
    );
    w.write_record(&header)?;
    let role_var = panel.role_variable();
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    for i in panel.canonical_order() {
        record.clear();
        let r: RespondentId = panel.respondent(i);
        record.push(panel.respondent_id(r).to_string());
        if study.data.clustered() {
            record.push(panel.cluster_id(panel.cluster_of(r)).to_string());
        }
        if study.data.role.is_some() {
            record.push(category_code(role_var, panel.role_of(r)));
        }
        record.push(study.waves[panel.wave(i).0 as usize].label.clone());
        for c in panel.columns() {
            let var = panel.variable_of(c);
            record.push(match c.get(i, var) {
                Cell::Int(v) => v.to_string(),
                Cell::Float(v) => {
                    let s = v.to_string();
                    match study.data.decimal {
                        Decimal::Point => s,
                        Decimal::Comma => s.replace('.', ","),
                    }
                }
                Cell::Category(k) => category_code(var, k),
                Cell::Date(d) => match var.kind {
                    VarKind::Date { format, .. } => format_date(d, format),
                    _ => String::new(),
                },
                Cell::Id(k) => c.id_text(k).to_string(),
                Cell::Missing(Missing::Code(j)) => var.missing[j as usize].code.clone(),
                Cell::Missing(Missing::Empty | Missing::Excluded) => String::new(),
            });
        }
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

fn category_code(var: &Variable, k: u16) -> String {
    match &var.kind {
        VarKind::Categorical { codes } => codes[k as usize].code.clone(),
        _ => String::new(),
    }
}
