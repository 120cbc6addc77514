//! The report as a document, before any format: sections of paragraphs,
//! figures and tables, in order. The HTML and Markdown writers render the
//! same document.

use cohort_plot::Lang;
use cohort_results::{InstrumentType, MeasureSource, PublishedResults, Unit};

use crate::cells::{count, interval_cell, value_cell};
use crate::table::Table;
use crate::words::Words;

/// A figure as the document shows it: its file name, SVG, title, text
/// alternative and the units it rests on.
pub(crate) struct Rendered {
    pub(crate) name: String,
    pub(crate) svg: String,
    pub(crate) title: String,
    pub(crate) alt: String,
    pub(crate) units: Option<(u64, u64)>,
}

/// One part of a section.
pub(crate) enum Block<'a> {
    /// A paragraph of text.
    Paragraph(String),
    /// A numbered figure with its caption.
    Figure {
        number: usize,
        figure: &'a Rendered,
        caption: String,
    },
    /// A numbered table with its caption; `csv` names its file under
    /// `tables/`.
    Table {
        number: usize,
        caption: String,
        csv: Option<&'a str>,
        table: &'a Table,
    },
    /// A numbered table made for the document only (no CSV file).
    OwnTable {
        number: usize,
        caption: String,
        table: Table,
    },
}

impl Block<'_> {
    /// A table block's number, caption, CSV file name and table.
    pub(crate) fn as_table(&self) -> Option<(usize, &str, Option<&str>, &Table)> {
        match self {
            Block::Table {
                number,
                caption,
                csv,
                table,
            } => Some((*number, caption, *csv, table)),
            Block::OwnTable {
                number,
                caption,
                table,
            } => Some((*number, caption, None, table)),
            _ => None,
        }
    }
}

/// A section: its title, anchor and blocks.
pub(crate) struct Section<'a> {
    pub(crate) title: String,
    pub(crate) id: String,
    pub(crate) blocks: Vec<Block<'a>>,
}

/// The whole report.
pub(crate) struct Document<'a> {
    /// The study name.
    pub(crate) title: &'a str,
    /// The study file's description.
    pub(crate) description: Option<&'a str>,
    /// The provenance line.
    pub(crate) meta: String,
    pub(crate) sections: Vec<Section<'a>>,
}

/// What one section shows: the tables and figures by name, in order.
struct Plan {
    id: &'static str,
    title: String,
    tables: &'static [&'static str],
    figures: &'static [&'static str],
}

/// The sections of this report: only those the study's design and
/// results give content to, titled in the study's terms.
fn plan(data: &PublishedResults, w: &Words) -> Vec<Plan> {
    let mut out = vec![Plan {
        id: "data",
        title: "Data and response".into(),
        tables: &["rows", "response", "patterns", "attrition"],
        figures: &["response", "attrition"],
    }];
    out.push(Plan {
        id: "waves",
        title: if w.has(InstrumentType::IncidentFrequency) {
            "Prevalence and frequency at each wave".into()
        } else {
            "Estimates at each wave".into()
        },
        tables: &["estimates", "estimates_by_group"],
        figures: &[
            "prevalence_families",
            "prevalence_by_group",
            "incidents_families",
            "means_respondents",
            "distribution_incidents",
            "prevalence_respondents",
        ],
    });
    if data.waves.len() > 1 {
        out.push(Plan {
            id: "change",
            title: "Change between waves".into(),
            tables: &["transitions", "stopped", "trajectories", "change"],
            figures: &[
                "transitions",
                "trajectories",
                "change_shares",
                "change_effect_sizes",
            ],
        });
    }
    if w.has(InstrumentType::SumScale) {
        let scales: Vec<String> = data
            .design
            .instruments
            .iter()
            .filter(|i| i.kind == InstrumentType::SumScale)
            .map(|i| w.instrument(&i.name))
            .collect();
        out.push(Plan {
            id: "scales",
            title: format!("Scales: {}", scales.join(", ")),
            tables: &["reliability"],
            figures: &[],
        });
    }
    if !data.models.is_empty() {
        out.push(Plan {
            id: "models",
            title: "Models".into(),
            tables: &["models", "model_estimates", "model_tests"],
            figures: &[],
        });
    }
    out.push(Plan {
        id: "methods",
        title: "Methods".into(),
        tables: &["suppressions"],
        figures: &[],
    });
    out
}

/// The caption of a figure: its title and the units it rests on.
fn figure_caption(f: &Rendered, w: &Words) -> String {
    let units = match crate::figures::counted_level(&f.name) {
        Some(Unit::Family) => w.units(),
        Some(Unit::Respondent) => "respondents",
        None => return format!("{}.", f.title),
    };
    match f.units {
        Some((lo, hi)) if lo == hi => format!("{}; n = {lo} {units}.", f.title),
        Some((lo, hi)) => format!("{}; n = {lo} to {hi} {units}.", f.title),
        None => format!("{}.", f.title),
    }
}

/// The document of a report from its published results, rendered figures
/// and tables (name, caption, table).
pub(crate) fn document<'a>(
    data: &'a PublishedResults,
    figures: &'a [Rendered],
    tables: &'a [(&'static str, String, Table)],
    lang: Lang,
) -> Document<'a> {
    let p = &data.provenance;
    let w = Words::of(data);
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
    let (mut n_figures, mut n_tables) = (0, 0);
    let sections = plan(data, &w)
        .into_iter()
        .map(|plan| {
            let mut blocks = Vec::new();
            if data.unsafe_small_cells {
                blocks.push(Block::Paragraph(unsafe_banner(data)));
            }
            match plan.id {
                "data" => blocks.push(Block::Paragraph(data_paragraph(data, &w))),
                "methods" => blocks.extend(methods(data, &w).into_iter().map(Block::Paragraph)),
                "models" => blocks.push(Block::Paragraph(format!(
                    "The models the study file declares ([[models]]), fitted on every unit with \
                     a value: units and observations rounded as every count; a model on fewer \
                     than {} units or with fewer than {} residual degrees of freedom is not \
                     published.",
                    data.rules.min_cell,
                    cohort_results::MIN_MODEL_DF
                ))),
                _ => {}
            }
            for name in plan.figures {
                if let Some(f) = figures.iter().find(|f| f.name == *name) {
                    n_figures += 1;
                    blocks.push(Block::Figure {
                        number: n_figures,
                        figure: f,
                        caption: figure_caption(f, &w),
                    });
                }
            }
            for name in plan.tables {
                let Some((n, caption, t)) = tables.iter().find(|t| t.0 == *name) else {
                    continue;
                };
                if t.rows.is_empty() {
                    if *name == "suppressions" {
                        blocks.push(Block::Paragraph(
                            "Every cell of this report is published: none was withheld.".into(),
                        ));
                    }
                    continue;
                }
                n_tables += 1;
                blocks.push(Block::Table {
                    number: n_tables,
                    caption: caption.clone(),
                    csv: Some(n),
                    table: t,
                });
            }
            if plan.id == "scales" {
                let t = scale_table(data, &w, lang);
                if !t.rows.is_empty() {
                    n_tables += 1;
                    blocks.push(Block::OwnTable {
                        number: n_tables,
                        caption: "Scale scores per wave".into(),
                        table: t,
                    });
                }
            }
            Section {
                title: plan.title,
                id: plan.id.to_string(),
                blocks,
            }
        })
        .collect();
    Document {
        title: &data.study,
        description: data.design.description.as_deref(),
        meta,
        sections,
    }
}

/// What the data section says first: the units, waves and measures.
fn data_paragraph(data: &PublishedResults, w: &Words) -> String {
    let waves: Vec<String> = data
        .design
        .waves
        .iter()
        .map(|wave| format!("{} ({} months)", wave.label, wave.months))
        .collect();
    let (units, counted) = if w.families() {
        (
            "families (clusters of respondents)",
            "counts of families and respondents",
        )
    } else {
        ("respondents, each its own unit,", "counts")
    };
    let measures = data.design.measures.len();
    format!(
        "The study follows {units} over {} waves: {} (months since the start). \
         It reports on {measures} measure{}; the {counted} below are as published, \
         after disclosure control (see Methods).",
        data.waves.len(),
        waves.join(", "),
        if measures == 1 { "" } else { "s" },
    )
}

/// What every section of a report with counts below 5 allowed says.
pub(crate) fn unsafe_banner(data: &PublishedResults) -> String {
    format!(
        "NOT FOR PUBLICATION: made with --unsafe-small-cells (min_cell {}, below 5): counts this small can identify families.",
        data.rules.smallest_count()
    )
}

/// The measures of the sum scales per wave.
fn scale_table(data: &PublishedResults, w: &Words, lang: Lang) -> Table {
    let of_scale = |measure: &str| {
        matches!(
            data.design.measure(measure).map(|m| &m.source),
            Some(MeasureSource::Instrument { instrument })
                if data.design.instrument(instrument).map(|i| i.kind) == Some(InstrumentType::SumScale)
        )
    };
    Table {
        header: ["measure", "wave", "n", "value", "95% CI"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: data
            .estimates
            .iter()
            .filter(|e| of_scale(&e.measure))
            .map(|e| {
                vec![
                    w.measure(&e.measure).into(),
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
pub(crate) fn methods(d: &PublishedResults, w: &Words) -> Vec<String> {
    let m = &d.methods;
    let mut out = vec![format!("Estimates per wave: {}.", m.estimates)];
    if !d.change.is_empty() {
        out.push(format!("Change between waves: {}.", m.change));
    }
    if !d.trajectories.is_empty() {
        out.push(format!("Trajectories: {}.", m.trajectories));
    }
    if !d.reliability.is_empty() {
        out.push(format!("Reliability: {}.", m.reliability));
    }
    if w.has(InstrumentType::IncidentFrequency) {
        let scaled: Vec<String> = d
            .design
            .waves
            .iter()
            .filter_map(|wave| {
                let r = wave.recall_months?;
                (r != 12.0).then(|| {
                    format!(
                        "{} asks about {r} months, so its counts are multiplied by {}",
                        wave.label,
                        12.0 / r
                    )
                })
            })
            .collect();
        let scaling = if scaled.is_empty() {
            "every wave asks about 12 months".to_string()
        } else {
            scaled.join("; ")
        };
        out.push(format!(
            "Incident counts are per 12 months: {scaling}. Severe or frequent: at least one \
             act of a severe item group, or at least the declared number of incidents per 12 \
             months."
        ));
    }
    if d.by.is_some() {
        out.insert(1, format!("Estimates by group: {}.", m.by_group));
    }
    if let Some(b) = &m.bootstrap {
        out.push(format!("Bootstrap: {b}."));
    }
    out.push(
        {
            let (k, r) = (d.rules.smallest_count(), d.rules.rounding());
            format!("Disclosure control (every number in this report passed one gate, and `cohort audit` re-checks the folder): no count from 1 to {} is shown (\"<{k}\"; the minimum cell of 10 is ACRO's and the ABS's default, and below 5 a report is refused unless marked not for publication); zeros are shown, as they identify nobody (ACRO: zeros are not disclosive); counts are rounded to a multiple of {r}; shares, means, tests and alphas on fewer than {k} units are not shown (\"·\"), nor their n; a share is not shown when the units with or without it number 1 to {}; a mean is not shown when its two largest units hold 90% or more of the sum (ACRO's dominance rule, n = 2, k = 90%). Secondary suppression (\"x\"): within each table no row, column or line of totals keeps exactly one hidden cell; across the tables that share cells ({u} per wave, response patterns, attrition, transitions), written as sums of the {u} with each presence pattern, a linear-programming audit checks that no hidden small count, nor a count a reader can derive (the {u} with one pattern, those that dropped out at a wave), can be narrowed to fewer than {} of its possible values, and suppresses more until none can (the exact audit of tau-ARGUS and sdcTable); where the overall estimate is shown, a group estimate is never the only one hidden, and hidden groups together have at least {k} units. Structural zeros (nobody drops out at the first wave) are shown. The cells not published are listed below with their rule. No row of microdata is in this report.", k - 1, k - 1, (k - 1) / 2, u = w.units())
        },
    );
    out
}
