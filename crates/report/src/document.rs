//! The report as a document, before any format: sections of paragraphs,
//! figures and tables, in order. The HTML and Markdown writers render the
//! same document.

use cohort_plot::Lang;
use cohort_results::{EstimateRow, PublishedResults};

use crate::cells::{count, interval_cell, value_cell};
use crate::table::Table;

/// One part of a section.
pub(crate) enum Block<'a> {
    /// A paragraph of text.
    Paragraph(String),
    /// A figure: its name and its SVG.
    Figure { name: &'a str, svg: &'a str },
    /// A table with its caption; `csv` names its file under `tables/`.
    Table {
        caption: &'a str,
        csv: Option<&'a str>,
        table: &'a Table,
    },
    /// A table made for the document only (no CSV file).
    OwnTable { caption: &'static str, table: Table },
}

/// A section: its title and blocks.
pub(crate) struct Section<'a> {
    pub(crate) title: &'static str,
    pub(crate) blocks: Vec<Block<'a>>,
}

/// The whole report.
pub(crate) struct Document<'a> {
    /// The study name.
    pub(crate) title: &'a str,
    /// The provenance line.
    pub(crate) meta: String,
    pub(crate) sections: Vec<Section<'a>>,
}

/// The section of the children's trauma measures.
const TRAUMA: &str = "Children's trauma";

/// The section of the study's declared models (shown when it has some).
const MODELS: &str = "Models";

/// The report's sections: which tables and figures each shows.
const SECTIONS: [(&str, &[&str], &[&str]); 6] = [
    (
        "Data and response",
        &["rows", "response", "patterns", "attrition"],
        &["response", "attrition"],
    ),
    (
        "Prevalence and frequency at each wave",
        &["estimates", "estimates_by_group"],
        &[
            "prevalence_families",
            "prevalence_by_group",
            "incidents_families",
            "distribution_incidents",
            "prevalence_respondents",
        ],
    ),
    (
        "Change between waves",
        &["transitions", "stopped", "trajectories", "change"],
        &["transitions", "trajectories", "change_effect_sizes"],
    ),
    (TRAUMA, &["reliability"], &[]),
    (MODELS, &["models", "model_estimates", "model_tests"], &[]),
    ("Methods", &["suppressions"], &[]),
];

/// The document of a report from its published results, rendered figures
/// (name, SVG) and tables (name, caption, table).
pub(crate) fn document<'a>(
    data: &'a PublishedResults,
    svgs: &'a [(String, String)],
    tables: &'a [(&'static str, String, Table)],
    lang: Lang,
) -> Document<'a> {
    let p = &data.provenance;
    let meta = format!(
        "cohort {}; study file {} (sha256 {}); data {}; bootstrap seed {}",
        p.toolkit_version,
        p.study.path,
        p.study.sha256,
        p.data
            .iter()
            .map(|f| format!("{} (sha256 {})", f.path, f.sha256))
            .collect::<Vec<_>>()
            .join(", "),
        p.seed.map_or("none".to_string(), |s| s.to_string())
    );
    let sections = SECTIONS
        .iter()
        .map(|&(title, table_names, figure_names)| {
            let mut blocks = Vec::new();
            if data.unsafe_small_cells {
                blocks.push(Block::Paragraph(unsafe_banner(data)));
            }
            if title == "Methods" {
                blocks.extend(methods(data).into_iter().map(Block::Paragraph));
            }
            if title == MODELS {
                blocks.push(Block::Paragraph(format!(
                    "The models the study file declares ([[models]]), fitted on every unit with \
                     a value: units and observations rounded as every count; a model on fewer \
                     than {} units or with fewer than {} residual degrees of freedom is not \
                     published.",
                    data.rules.min_cell,
                    cohort_results::MIN_MODEL_DF
                )));
            }
            for f in figure_names {
                if let Some((name, svg)) = svgs.iter().find(|(n, _)| n == f) {
                    blocks.push(Block::Figure { name, svg });
                }
            }
            for name in table_names {
                if let Some((n, caption, t)) = tables.iter().find(|t| t.0 == *name) {
                    if title == TRAUMA && t.rows.is_empty() {
                        continue;
                    }
                    blocks.push(Block::Table {
                        caption,
                        csv: Some(n),
                        table: t,
                    });
                }
            }
            if title == TRAUMA {
                let t = trauma_table(data, lang);
                if !t.rows.is_empty() {
                    blocks.push(Block::OwnTable {
                        caption: "Trauma symptoms",
                        table: t,
                    });
                }
            }
            Section { title, blocks }
        })
        .filter(|s| s.title != MODELS || !data.models.is_empty())
        .collect();
    Document {
        title: &data.study,
        meta,
        sections,
    }
}

/// What every section of a report with counts below 5 allowed says.
pub(crate) fn unsafe_banner(data: &PublishedResults) -> String {
    format!(
        "NOT FOR PUBLICATION: made with --unsafe-small-cells (min_cell {}, below 5): counts this small can identify families.",
        data.rules.smallest_count()
    )
}

/// Trauma measures per wave.
fn trauma_table(data: &PublishedResults, lang: Lang) -> Table {
    let trauma: Vec<&EstimateRow> = data
        .estimates
        .iter()
        .filter(|e| e.measure.contains("clinical") || e.measure.contains("trauma"))
        .collect();
    Table {
        header: ["measure", "wave", "n", "value", "95% CI"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: trauma
            .iter()
            .map(|e| {
                vec![
                    e.measure.clone().into(),
                    e.wave.clone().into(),
                    count(e.n),
                    value_cell(e, lang),
                    interval_cell(e, lang),
                ]
            })
            .collect(),
    }
}

/// The methods section's paragraphs.
pub(crate) fn methods(d: &PublishedResults) -> Vec<String> {
    let m = &d.methods;
    let mut out = vec![
        format!("Estimates per wave: {}.", m.estimates),
        format!("Change between waves: {}.", m.change),
        format!("Trajectories: {}.", m.trajectories),
        format!("Reliability: {}.", m.reliability),
        "Incident counts are per 12 months: a wave with a 6-month recall period is doubled. Severe or frequent: at least one act of a severe item group, or at least the declared number of incidents per 12 months.".into(),
    ];
    if d.by.is_some() {
        out.insert(1, format!("Estimates by group: {}.", m.by_group));
    }
    if let Some(b) = &m.bootstrap {
        out.push(format!("Bootstrap: {b}."));
    }
    out.push(
        {
            let (k, r) = (d.rules.smallest_count(), d.rules.rounding());
            format!("Disclosure control (every number in this report passed one gate, and `cohort audit` re-checks the folder): no count from 1 to {} is shown (\"<{k}\"; the minimum cell of 10 is ACRO's and the ABS's default, and below 5 a report is refused unless marked not for publication); zeros are shown, as they identify nobody (ACRO: zeros are not disclosive); counts are rounded to a multiple of {r}; shares, means, tests and alphas on fewer than {k} units are not shown (\"·\"), nor their n; a share is not shown when the units with or without it number 1 to {}; a mean is not shown when its two largest units hold 90% or more of the sum (ACRO's dominance rule, n = 2, k = 90%). Secondary suppression (\"x\"): within each table no row, column or line of totals keeps exactly one hidden cell; across the tables that share cells (families per wave, response patterns, attrition, transitions), written as sums of the families with each presence pattern, a linear-programming audit checks that no hidden small count, nor a count a reader can derive (the families with one pattern, those that dropped out at a wave), can be narrowed to fewer than {} of its possible values, and suppresses more until none can (the exact audit of tau-ARGUS and sdcTable); where the overall estimate is shown, a group estimate is never the only one hidden, and hidden groups together have at least {k} units. Structural zeros (nobody drops out at the first wave) are shown. The cells not published are listed below with their rule. No row of microdata is in this report.", k - 1, k - 1, (k - 1) / 2)
        },
    );
    out
}
