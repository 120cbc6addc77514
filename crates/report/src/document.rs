//! The report as a document, before any format: sections of paragraphs,
//! figures and tables, in order. The HTML and Markdown writers render the
//! same document.

use cohort_plot::Lang;
use cohort_results::{InstrumentType, MeasureSource, PublishedResults, Unit};

use crate::cells::{count, interval_cell, value_cell};
use crate::figures::headline;
use crate::table::{Data, Table};
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
        table: std::borrow::Cow<'a, Table>,
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
            } => Some((*number, caption, *csv, table.as_ref())),
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
    /// The words a writer adds: the contents' heading, and what a figure
    /// and a table are called before their number.
    pub(crate) contents: &'static str,
    pub(crate) figure: &'static str,
    pub(crate) table: &'static str,
}

/// Tables longer than this show their main measures in their section and
/// every row in the appendix.
const LONG_TABLE: usize = 40;

/// A measure of the main tables: an instrument's prevalence, incidents and
/// severe-or-frequent, a scale's score and clinical share, a derived or
/// plain measure (not its variety, chronicity, severity class, ever
/// prevalence or item groups: those are in the appendix).
fn main_measure(m: &str) -> bool {
    headline(m)
        && ![".ever", ".variety", ".chronicity", ".severity"]
            .iter()
            .any(|s| m.ends_with(s))
}

/// The tables that may be that long.
const LONG_TABLES: [&str; 2] = ["estimates", "change"];

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
        title: w.t("Data and response", "Gegevens en respons").into(),
        tables: &["rows", "response", "patterns", "attrition"],
        figures: &["response", "attrition"],
    }];
    out.push(Plan {
        id: "waves",
        title: if w.has(InstrumentType::IncidentFrequency) {
            w.t(
                "Prevalence and frequency at each wave",
                "Prevalentie en frequentie per meting",
            )
            .into()
        } else {
            w.t("Estimates at each wave", "Schattingen per meting")
                .into()
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
            title: w
                .t("Change between waves", "Verandering tussen metingen")
                .into(),
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
            title: format!("{}: {}", w.t("Scales", "Schalen"), scales.join(", ")),
            tables: &["reliability"],
            figures: &[],
        });
    }
    if !data.models.is_empty() {
        out.push(Plan {
            id: "models",
            title: w.t("Models", "Modellen").into(),
            tables: &["models", "model_estimates", "model_tests"],
            figures: &[],
        });
    }
    out.push(Plan {
        id: "methods",
        title: w.t("Methods", "Methoden").into(),
        tables: &["suppressions"],
        figures: &[],
    });
    out
}

/// The caption of a figure: its title and the units it rests on.
fn figure_caption(f: &Rendered, w: &Words) -> String {
    let units = match crate::figures::counted_level(&f.name) {
        Some(Unit::Family) => w.units(),
        Some(Unit::Respondent) => w.respondents(),
        None => return format!("{}.", f.title),
    };
    match f.units {
        Some((lo, hi)) if lo == hi => format!("{}; n = {lo} {units}.", f.title),
        Some((lo, hi)) => format!("{}; n = {lo} {} {hi} {units}.", f.title, w.t("to", "tot")),
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
    let w = Words::of(data, lang);
    let meta = format!(
        "cohort {}; {} {} (sha256 {}); {} {}; {} {}",
        p.toolkit_version,
        w.t("study file", "onderzoeksbestand"),
        p.study.path,
        p.study.sha256,
        w.t("data", "gegevens"),
        p.data
            .iter()
            .map(|f| format!("{} (sha256 {})", f.path, f.sha256))
            .collect::<Vec<_>>()
            .join(", "),
        w.t("bootstrap seed", "bootstrapzaad"),
        p.seed
            .map_or(w.t("none", "geen").to_string(), |s| s.to_string())
    );
    let (mut n_figures, mut n_tables) = (0, 0);
    let mut appendix: Vec<(&str, &String, &Table)> = Vec::new();
    let display = |t: &'a Table| {
        if w.dutch() {
            std::borrow::Cow::Owned(w.table(t))
        } else {
            std::borrow::Cow::Borrowed(t)
        }
    };
    let mut sections: Vec<Section> = plan(data, &w)
        .into_iter()
        .map(|plan| {
            let mut blocks = Vec::new();
            if data.unsafe_small_cells {
                blocks.push(Block::Paragraph(unsafe_banner(data, &w)));
            }
            match plan.id {
                "data" => blocks.push(Block::Paragraph(data_paragraph(data, &w))),
                "models" if lang == Lang::Nl => blocks.push(Block::Paragraph(format!(
                    "De modellen die het onderzoeksbestand declareert ([[models]]), geschat op \
                     iedere eenheid met een waarde: eenheden en waarnemingen afgerond zoals \
                     iedere telling; een model op minder dan {} eenheden of met minder dan {} \
                     vrijheidsgraden voor de residuen wordt niet gepubliceerd.",
                    data.rules.min_cell,
                    cohort_results::MIN_MODEL_DF
                ))),
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
                            w.t(
                                "Every cell of this report is published: none was withheld.",
                                "Iedere cel van dit rapport is gepubliceerd: geen enkele is weggelaten.",
                            )
                            .into(),
                        ));
                    }
                    continue;
                }
                n_tables += 1;
                if LONG_TABLES.contains(name) && t.rows.len() > LONG_TABLE {
                    // The instruments' and derived measures here, every
                    // measure in the appendix.
                    let main = Table {
                        header: t.header.clone(),
                        rows: t
                            .rows
                            .iter()
                            .filter(|r| matches!(&r[0].data, Data::Text(m) if main_measure(m)))
                            .cloned()
                            .collect(),
                    };
                    blocks.push(Block::OwnTable {
                        number: n_tables,
                        caption: format!(
                            "{caption} ({})",
                            w.t(
                                "main measures; every measure in the appendix",
                                "hoofdmaten; alle maten in de bijlage"
                            )
                        ),
                        table: if w.dutch() { w.table(&main) } else { main },
                    });
                    appendix.push((*n, caption, t));
                    continue;
                }
                blocks.push(Block::Table {
                    number: n_tables,
                    caption: caption.clone(),
                    csv: Some(n),
                    table: display(t),
                });
            }
            if plan.id == "scales" {
                let t = scale_table(data, &w, lang);
                if !t.rows.is_empty() {
                    n_tables += 1;
                    blocks.push(Block::OwnTable {
                        number: n_tables,
                        caption: w.t("Scale scores per wave", "Schaalscores per meting").into(),
                        table: if w.dutch() { w.table(&t) } else { t },
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
    if !appendix.is_empty() {
        let banner = data
            .unsafe_small_cells
            .then(|| Block::Paragraph(unsafe_banner(data, &w)));
        let blocks = banner
            .into_iter()
            .chain(appendix.into_iter().map(|(n, caption, t)| {
                n_tables += 1;
                Block::Table {
                    number: n_tables,
                    caption: caption.clone(),
                    csv: Some(n),
                    table: display(t),
                }
            }))
            .collect();
        sections.push(Section {
            title: w
                .t("Appendix: every measure", "Bijlage: alle maten")
                .to_string(),
            id: "appendix".into(),
            blocks,
        });
    }
    Document {
        title: &data.study,
        description: match &data.design.description_nl {
            Some(nl) if w.dutch() => Some(nl.as_str()),
            _ => data.design.description.as_deref(),
        },
        meta,
        sections,
        contents: w.t("Contents", "Inhoud"),
        figure: w.t("Figure", "Figuur"),
        table: w.t("Table", "Tabel"),
    }
}

/// What the data section says first: the units, waves and measures.
fn data_paragraph(data: &PublishedResults, w: &Words) -> String {
    let waves: Vec<String> = data
        .design
        .waves
        .iter()
        .map(|wave| {
            format!(
                "{} ({} {})",
                wave.label,
                wave.months,
                w.t("months", "maanden")
            )
        })
        .collect();
    let measures = data.design.measures.len();
    if w.dutch() {
        let units = if w.families() {
            "gezinnen (clusters van respondenten)"
        } else {
            "respondenten, ieder een eigen eenheid,"
        };
        return format!(
            "Het onderzoek volgt {units} over {} metingen: {} (maanden sinds de start). \
             Het rapporteert over {measures} {}; de aantallen hieronder zijn zoals \
             gepubliceerd, na controle op onthulling (zie Methoden).",
            data.waves.len(),
            waves.join(", "),
            if measures == 1 { "maat" } else { "maten" },
        );
    }
    let (units, counted) = if w.families() {
        (
            "families (clusters of respondents)",
            "counts of families and respondents",
        )
    } else {
        ("respondents, each its own unit,", "counts")
    };
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
pub(crate) fn unsafe_banner(data: &PublishedResults, w: &Words) -> String {
    let k = data.rules.smallest_count();
    if w.dutch() {
        format!(
            "NIET VOOR PUBLICATIE (NOT FOR PUBLICATION): gemaakt met --unsafe-small-cells (min_cell {k}, onder 5): zulke kleine tellingen kunnen gezinnen identificeren."
        )
    } else {
        format!(
            "NOT FOR PUBLICATION: made with --unsafe-small-cells (min_cell {k}, below 5): counts this small can identify families."
        )
    }
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
    // The record in the report's language (a results file without the
    // Dutch record falls back to English).
    let m = match &d.methods.nl {
        Some(nl) if w.dutch() => nl.as_ref(),
        _ => &d.methods,
    };
    let t = |en: &'static str, nl: &'static str| w.t(en, nl);
    let mut out = vec![format!(
        "{}: {}.",
        t("Estimates per wave", "Schattingen per meting"),
        m.estimates
    )];
    if d.by.is_some() {
        out.push(format!(
            "{}: {}.",
            t("Estimates by group", "Schattingen per groep"),
            m.by_group
        ));
    }
    if !d.change.is_empty() {
        out.push(format!(
            "{}: {}.",
            t("Change between waves", "Verandering tussen metingen"),
            m.change
        ));
    }
    if !d.trajectories.is_empty() {
        out.push(format!(
            "{}: {}.",
            t("Trajectories", "Verloop"),
            m.trajectories
        ));
    }
    if !d.reliability.is_empty() {
        out.push(format!(
            "{}: {}.",
            t("Reliability", "Betrouwbaarheid"),
            m.reliability
        ));
    }
    if w.has(InstrumentType::IncidentFrequency) {
        let scaled: Vec<String> = d
            .design
            .waves
            .iter()
            .filter_map(|wave| {
                let r = wave.recall_months?;
                (r != 12.0).then(|| {
                    if w.dutch() {
                        format!(
                            "{} vraagt naar {r} maanden, dus de aantallen worden met {} vermenigvuldigd",
                            wave.label,
                            12.0 / r
                        )
                    } else {
                        format!(
                            "{} asks about {r} months, so its counts are multiplied by {}",
                            wave.label,
                            12.0 / r
                        )
                    }
                })
            })
            .collect();
        let scaling = if scaled.is_empty() {
            t(
                "every wave asks about 12 months",
                "iedere meting vraagt naar 12 maanden",
            )
            .to_string()
        } else {
            scaled.join("; ")
        };
        out.push(if w.dutch() {
            format!(
                "Aantallen incidenten zijn per 12 maanden: {scaling}. Ernstig of frequent: ten \
                 minste één handeling uit een ernstige groep, of ten minste het gedeclareerde \
                 aantal incidenten per 12 maanden."
            )
        } else {
            format!(
                "Incident counts are per 12 months: {scaling}. Severe or frequent: at least one \
                 act of a severe item group, or at least the declared number of incidents per 12 \
                 months."
            )
        });
    }
    if let Some(b) = &m.bootstrap {
        out.push(format!("Bootstrap: {b}."));
    }
    let (k, r) = (d.rules.smallest_count(), d.rules.rounding());
    let u = w.units();
    out.push(if w.dutch() {
        format!("Controle op onthulling (ieder getal in dit rapport is door één poort gegaan, en `cohort audit` controleert de map opnieuw): geen telling van 1 tot en met {} wordt getoond (\"<{k}\"; de minimale celgrootte van 10 is de standaard van ACRO en het ABS, en onder 5 wordt een rapport geweigerd tenzij het als niet voor publicatie is gemarkeerd); nullen worden getoond, omdat ze niemand identificeren (ACRO: nullen zijn niet onthullend); tellingen worden afgerond op een veelvoud van {r}; aandelen, gemiddelden, toetsen en alfa's op minder dan {k} eenheden worden niet getoond (\"·\"), evenmin hun n; een aandeel wordt niet getoond als de eenheden met of zonder de eigenschap 1 tot en met {} tellen; een gemiddelde wordt niet getoond als de twee grootste eenheden samen 90% of meer van de som hebben (de dominantieregel van ACRO, n = 2, k = 90%). Secundaire onderdrukking (\"x\"): binnen iedere tabel houdt geen rij, kolom of totaalregel precies één verborgen cel; over de tabellen die cellen delen ({u} per meting, responspatronen, uitval, overgangen), geschreven als sommen van de {u} met ieder aanwezigheidspatroon, controleert lineaire programmering dat geen verborgen kleine telling, en geen telling die een lezer kan afleiden (de {u} met één patroon, zij die bij een meting uitvielen), kan worden beperkt tot minder dan {} mogelijke waarden, en onderdrukt meer tot dat nergens meer kan (de exacte audit van tau-ARGUS en sdcTable); waar de totale schatting getoond wordt, is een groepsschatting nooit de enige verborgen, en verborgen groepen hebben samen ten minste {k} eenheden. Structurele nullen (niemand valt uit bij de eerste meting) worden getoond. De niet gepubliceerde cellen staan hieronder met hun regel. Er staat geen rij microdata in dit rapport.", k - 1, k - 1, (k - 1) / 2)
    } else {
        format!("Disclosure control (every number in this report passed one gate, and `cohort audit` re-checks the folder): no count from 1 to {} is shown (\"<{k}\"; the minimum cell of 10 is ACRO's and the ABS's default, and below 5 a report is refused unless marked not for publication); zeros are shown, as they identify nobody (ACRO: zeros are not disclosive); counts are rounded to a multiple of {r}; shares, means, tests and alphas on fewer than {k} units are not shown (\"·\"), nor their n; a share is not shown when the units with or without it number 1 to {}; a mean is not shown when its two largest units hold 90% or more of the sum (ACRO's dominance rule, n = 2, k = 90%). Secondary suppression (\"x\"): within each table no row, column or line of totals keeps exactly one hidden cell; across the tables that share cells ({u} per wave, response patterns, attrition, transitions), written as sums of the {u} with each presence pattern, a linear-programming audit checks that no hidden small count, nor a count a reader can derive (the {u} with one pattern, those that dropped out at a wave), can be narrowed to fewer than {} of its possible values, and suppresses more until none can (the exact audit of tau-ARGUS and sdcTable); where the overall estimate is shown, a group estimate is never the only one hidden, and hidden groups together have at least {k} units. Structural zeros (nobody drops out at the first wave) are shown. The cells not published are listed below with their rule. No row of microdata is in this report.", k - 1, k - 1, (k - 1) / 2)
    });
    out
}
