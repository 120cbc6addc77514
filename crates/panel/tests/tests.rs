//! Integration tests of cohort-panel, by topic.

mod invariants;
mod provenance;
mod roundtrip;
mod small;
mod study_problems;

use cohort_panel::{Cell, Panel};

/// The panel as text rows in canonical order: ids, role, wave label and
/// every cell (decoded), so that panels from different layouts and
/// formats can be compared value by value.
pub fn rows(panel: &Panel) -> Vec<String> {
    let study = panel.study();
    panel
        .canonical_order()
        .into_iter()
        .map(|i| {
            let r = panel.respondent(i);
            let mut s = format!(
                "{} {} {} {}",
                panel.respondent_id(r),
                panel.cluster_id(panel.cluster_of(r)),
                panel.role_of(r),
                study.waves[panel.wave(i).0 as usize].label
            );
            for c in panel.columns() {
                let cell: Cell = c.get(i, panel.variable_of(c));
                s.push_str(&format!(" {cell:?}"));
            }
            s
        })
        .collect()
}
