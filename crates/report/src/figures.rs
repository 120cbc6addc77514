//! The report's figures, made from [`PublishedResults`] alone.

use cohort_plot::{
    interval_note, Bar, BarFigure, BoxFigure, BoxStat, ForestFigure, ForestRow, Lang, WaveFigure,
    WavePoint, WaveSeries,
};

use cohort_results::{EstimateRow, MeasureSource, PublishedResults, Statistic, Unit};
use cohort_results::{Shown, WHISKER_UNITS};

use crate::words::Words;

/// A figure of the report, ready to render.
pub enum Figure {
    /// Estimates per wave.
    Waves(WaveFigure),
    /// Effect sizes.
    Forest(ForestFigure),
    /// Stacked bars.
    Bars(BarFigure),
    /// Distribution per wave.
    Boxes(BoxFigure),
}

impl Figure {
    /// The figure as SVG.
    pub fn svg(&self) -> Result<String, cohort_plot::PlotError> {
        match self {
            Figure::Waves(f) => f.svg(),
            Figure::Forest(f) => f.svg(),
            Figure::Bars(f) => f.svg(),
            Figure::Boxes(f) => f.svg(),
        }
    }

    /// Its title.
    pub fn title(&self) -> &str {
        match self {
            Figure::Waves(f) => &f.title,
            Figure::Forest(f) => &f.title,
            Figure::Bars(f) => &f.title,
            Figure::Boxes(f) => &f.title,
        }
    }

    /// A text alternative: the kind of chart and what it shows, for a
    /// reader who cannot see it.
    pub fn alt(&self) -> String {
        let lang = match self {
            Figure::Waves(f) => f.lang,
            Figure::Forest(f) => f.lang,
            Figure::Bars(f) => f.lang,
            Figure::Boxes(f) => f.lang,
        };
        let t = |en: &'static str, nl: &'static str| if lang == Lang::Nl { nl } else { en };
        let at_each_wave = t("at each wave", "per meting");
        match self {
            Figure::Waves(f) => {
                let waves: Vec<&str> = f
                    .series
                    .first()
                    .map(|s| s.points.iter().map(|p| p.wave.as_str()).collect())
                    .unwrap_or_default();
                let series: Vec<&str> = f.series.iter().map(|s| s.label.as_str()).collect();
                format!(
                    "{}: {} {at_each_wave} ({}), {}: {}.",
                    t("Line chart", "Lijndiagram"),
                    f.y_label,
                    waves.join(", "),
                    t("for", "voor"),
                    series.join("; ")
                )
            }
            Figure::Bars(f) => {
                let bars: Vec<&str> = f.bars.iter().map(|b| b.label.as_str()).collect();
                format!(
                    "{}: {} {} {} ({}); {}: {}.",
                    t("Stacked bar chart", "Gestapelde staven"),
                    f.y_label,
                    t("by", "per"),
                    f.x_label,
                    bars.join(", "),
                    t("segments", "delen"),
                    f.segment_labels.join("; ")
                )
            }
            Figure::Forest(f) => {
                let rows: Vec<&str> = f.rows.iter().map(|r| r.label.as_str()).collect();
                format!(
                    "Forest plot: {}, {}: {}.",
                    f.x_label,
                    t("one row per measure", "een rij per maat"),
                    rows.join("; ")
                )
            }
            Figure::Boxes(f) => {
                let waves: Vec<&str> = f.boxes.iter().map(|b| b.label.as_str()).collect();
                format!(
                    "{}: {} {at_each_wave} ({}).",
                    t("Box plots", "Boxplots"),
                    f.y_label,
                    waves.join(", ")
                )
            }
        }
    }

    /// The published units the figure rests on: the smallest and largest
    /// n of its points, bars or boxes (none when no n is published).
    pub fn units_range(&self) -> Option<(u64, u64)> {
        let ns: Vec<u64> = match self {
            Figure::Waves(f) => f
                .series
                .iter()
                .flat_map(|s| s.points.iter().filter_map(|p| p.n))
                .collect(),
            Figure::Bars(f) => f.bars.iter().filter_map(|b| b.n).collect(),
            Figure::Boxes(f) => f.boxes.iter().filter_map(|b| b.n).collect(),
            Figure::Forest(_) => Vec::new(),
        };
        Some((*ns.iter().min()?, *ns.iter().max()?))
    }

    /// The figure as a 300-dpi PNG file.
    pub fn png(&self, path: &std::path::Path) -> Result<(), cohort_plot::PlotError> {
        match self {
            Figure::Waves(f) => f.png(path),
            Figure::Forest(f) => f.png(path),
            Figure::Bars(f) => f.png(path),
            Figure::Boxes(f) => f.png(path),
        }
    }
}

/// A measure "of the instrument", not of one item group (`partner.annual`,
/// not `partner.physical.annual`), or a derived measure.
pub(crate) fn headline(measure: &str) -> bool {
    measure.matches('.').count() <= 1 || measure.ends_with(".total.clinical")
}

fn series(
    data: &PublishedResults,
    rows: &[&EstimateRow],
    measure: &str,
    label: &str,
) -> WaveSeries {
    WaveSeries {
        label: label.to_string(),
        panel: String::new(),
        points: data
            .waves
            .iter()
            .map(|w| {
                let r = rows.iter().find(|r| r.measure == measure && &r.wave == w);
                WavePoint {
                    wave: w.clone(),
                    estimate: r.and_then(|r| r.value),
                    ci95: r.and_then(|r| r.ci95),
                    n: r.and_then(|r| r.n),
                }
            })
            .collect(),
    }
}

fn caption(data: &PublishedResults, lang: Lang) -> String {
    format!("{} {}.", source(data, lang), interval_note(lang))
}

fn source(data: &PublishedResults, lang: Lang) -> String {
    let source = match lang {
        Lang::En => "Source",
        Lang::Nl => "Bron",
    };
    let (warning, file) = match lang {
        Lang::En => ("NOT FOR PUBLICATION (--unsafe-small-cells). ", "study file"),
        Lang::Nl => (
            "NIET VOOR PUBLICATIE (NOT FOR PUBLICATION, --unsafe-small-cells). ",
            "onderzoeksbestand",
        ),
    };
    let warning = if data.unsafe_small_cells { warning } else { "" };
    format!(
        "{warning}{source}: {} ({file} sha256 {}…). cohort {}.",
        data.study,
        &data.provenance.study.sha256[..12.min(data.provenance.study.sha256.len())],
        data.provenance.toolkit_version
    )
}

/// What every figure reads.
struct Ctx<'a> {
    data: &'a PublishedResults,
    lang: Lang,
    log_counts: bool,
    words: Words<'a>,
}

impl Ctx<'_> {
    /// The text in the figure's language.
    fn t(&self, en: &str, nl: &str) -> String {
        self.words.t(en, nl).to_string()
    }

    /// The measures of the estimates that `pred` keeps, in order.
    fn measures_of(&self, pred: &dyn Fn(&EstimateRow) -> bool) -> Vec<String> {
        let mut m: Vec<String> = Vec::new();
        for r in self.data.estimates.iter().filter(|r| pred(r)) {
            if !m.contains(&r.measure) {
                m.push(r.measure.clone());
            }
        }
        m
    }

    /// The series of these measures: in one panel when they are few (at
    /// most four) or of no instrument, else a panel per instrument, each
    /// series named by its own label there (small multiples).
    fn panelled(&self, measures: &[String], rows: &[&EstimateRow]) -> Vec<WaveSeries> {
        let parts: Vec<Option<(String, String)>> = measures
            .iter()
            .map(|m| self.words.instrument_and_label(m))
            .collect();
        let facets = measures.len() > 4 && parts.iter().all(Option::is_some);
        measures
            .iter()
            .zip(parts)
            .map(|(m, part)| match part.filter(|_| facets) {
                Some((instrument, label)) => WaveSeries {
                    panel: instrument,
                    ..series(self.data, rows, m, &label)
                },
                None => series(self.data, rows, m, &self.words.measure(m)),
            })
            .collect()
    }

    /// The y-axis title of incident counts, saying how a log axis shows
    /// zero.
    fn counts_axis(&self) -> String {
        if self.log_counts {
            self.t(
                "incidents per 12 months (log scale, 0 at the bottom line)",
                "incidenten per 12 maanden (logaritmisch, 0 op de onderste lijn)",
            )
        } else {
            self.t("incidents per 12 months", "incidenten per 12 maanden")
        }
    }

    /// The study's units in the figure's language: families, or
    /// respondents when the study has no families.
    fn units(&self) -> String {
        self.words.units().to_string()
    }

    /// The family measures estimated as means.
    fn family_means(&self) -> Vec<String> {
        self.measures_of(&|r| r.level == Unit::Family && r.statistic == Statistic::Mean)
    }
}

/// A figure maker: the figures it makes of the results (none, one or more).
type FigureFn = fn(&Ctx) -> Vec<(String, Figure)>;

/// Every figure of a report, in order.
const FIGURES: [FigureFn; 10] = [
    prevalence,
    prevalence_by_group,
    incidents_families,
    means_respondents,
    change_effect_sizes,
    distribution_incidents,
    trajectories,
    transitions,
    attrition,
    response,
];

/// The level of the units a figure counts (its n), by file name; `None`
/// for a figure of both levels.
pub(crate) fn counted_level(name: &str) -> Option<Unit> {
    match name {
        "response" | "change_shares" | "change_effect_sizes" => None,
        "prevalence_respondents" | "means_respondents" => Some(Unit::Respondent),
        _ => Some(Unit::Family),
    }
}

/// The figures of a report, by file name (without extension); counts of
/// incidents on a log axis when `log_counts`.
pub fn figures(data: &PublishedResults, lang: Lang, log_counts: bool) -> Vec<(String, Figure)> {
    let c = Ctx {
        data,
        lang,
        log_counts,
        words: Words::of(data, lang),
    };
    FIGURES.iter().flat_map(|f| f(&c)).collect()
}

/// Shares per wave of the headline yes/no measures, for families and for respondents.
fn prevalence(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let rows: Vec<&EstimateRow> = c.data.estimates.iter().collect();
    let mut out = Vec::new();
    for (name, level, title, y) in [
        (
            "prevalence_families",
            Unit::Family,
            t(
                "Families with violence, per wave",
                "Gezinnen met geweld, per meting",
            ),
            t("share of families", "aandeel gezinnen"),
        ),
        (
            "prevalence_respondents",
            Unit::Respondent,
            t(
                "Respondents with violence or symptoms, per wave",
                "Respondenten met geweld of klachten, per meting",
            ),
            t("share of respondents", "aandeel respondenten"),
        ),
    ] {
        let ms = c.measures_of(&|r| {
            r.level == level
                && r.statistic == Statistic::Share
                && headline(&r.measure)
                && !r.measure.ends_with(".ever")
        });
        if !ms.is_empty() {
            out.push((
                name.to_string(),
                Figure::Waves(WaveFigure {
                    title,
                    y_label: y,
                    shares: true,
                    log_y: false,
                    series: c.panelled(&ms, &rows),
                    caption: caption(data, lang),
                    lang,
                }),
            ));
        }
    }
    out
}

/// The families' first prevalence measure by the groups of `by`.
fn prevalence_by_group(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let mut out = Vec::new();
    if let Some(by) = &data.by {
        let m = data
            .by_group
            .iter()
            .find(|r| r.level == Unit::Family && r.statistic == Statistic::Share)
            .map(|r| r.measure.clone());
        if let Some(m) = m {
            let mut groups: Vec<String> = Vec::new();
            for r in data.by_group.iter().filter(|r| r.measure == m) {
                if let Some(g) = &r.group {
                    if !groups.contains(g) {
                        groups.push(g.clone());
                    }
                }
            }
            let series = groups
                .iter()
                .map(|g| {
                    let rows: Vec<&EstimateRow> = data
                        .by_group
                        .iter()
                        .filter(|r| r.group.as_ref() == Some(g))
                        .collect();
                    series(data, &rows, &m, &c.words.group(g))
                })
                .collect();
            out.push((
                "prevalence_by_group".to_string(),
                Figure::Waves(WaveFigure {
                    title: {
                        let m = c.words.measure(&m);
                        let by = data
                            .design
                            .by
                            .as_ref()
                            .and_then(|b| b.label.clone())
                            .unwrap_or_else(|| by.clone());
                        t(&format!("{m} by {by}"), &format!("{m} naar {by}"))
                    },
                    y_label: t("share of families", "aandeel gezinnen"),
                    shares: true,
                    log_y: false,
                    series,
                    caption: caption(data, lang),
                    lang,
                }),
            ));
        }
    }
    out
}

/// Mean incidents per family per wave.
fn incidents_families(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let log_counts = c.log_counts;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let rows: Vec<&EstimateRow> = c.data.estimates.iter().collect();
    let means = c.family_means();
    let mut out = Vec::new();
    if !means.is_empty() {
        out.push((
            "incidents_families".to_string(),
            Figure::Waves(WaveFigure {
                title: t(
                    "Mean incidents per family per 12 months",
                    "Gemiddeld aantal incidenten per gezin per 12 maanden",
                ),
                y_label: c.counts_axis(),
                shares: false,
                log_y: log_counts,
                series: means
                    .iter()
                    .map(|m| series(data, &rows, m, &c.words.measure(m)))
                    .collect(),
                caption: caption(data, lang),
                lang,
            }),
        ));
    }
    out
}

/// Means per wave of the respondent measures that are no instrument's
/// (declared variables, derived measures): a plain study's outcomes.
fn means_respondents(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let rows: Vec<&EstimateRow> = data.estimates.iter().collect();
    let ms = c.measures_of(&|r| {
        r.level == Unit::Respondent
            && r.statistic == Statistic::Mean
            && !matches!(
                data.design.measure(&r.measure).map(|m| &m.source),
                Some(MeasureSource::Instrument { .. }) | None
            )
    });
    if ms.is_empty() {
        return Vec::new();
    }
    let (title, y_label) = match ms.as_slice() {
        [m] => {
            let label = c.words.measure(m);
            (
                c.t(
                    &format!("{label}: mean per wave"),
                    &format!("{label}: gemiddelde per meting"),
                ),
                c.t("mean", "gemiddelde"),
            )
        }
        _ => (
            c.t("Means per wave", "Gemiddelden per meting"),
            c.t("mean", "gemiddelde"),
        ),
    };
    vec![(
        "means_respondents".to_string(),
        Figure::Waves(WaveFigure {
            title,
            y_label,
            shares: false,
            log_y: false,
            series: ms
                .iter()
                .take(7)
                .map(|m| series(data, &rows, m, &c.words.measure(m)))
                .collect(),
            caption: caption(data, lang),
            lang,
        }),
    )]
}

/// The change from the first to the last wave, in two forest plots:
/// yes/no measures as the change in the share (percentage points, the
/// paired risk difference), the others as Cohen's d_z; rows grouped by
/// instrument.
fn change_effect_sizes(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let (from, to) = (
        data.waves.first().cloned().unwrap_or_default(),
        data.waves.last().cloned().unwrap_or_default(),
    );
    let is_share = |m: &str| {
        data.design
            .measure(m)
            .is_some_and(|d| d.statistic == Statistic::Share)
    };
    let rows_of = |share: bool| -> Vec<(String, ForestRow)> {
        data.change
            .iter()
            .filter(|ch| headline(&ch.measure) && !ch.measure.ends_with(".ever"))
            .filter(|ch| is_share(&ch.measure) == share)
            .map(|ch| {
                let (group, label) = match c.words.instrument_and_label(&ch.measure) {
                    Some(parts) => parts,
                    None => (
                        match ch.level {
                            Unit::Family => t("Family measures", "Gezinsmaten"),
                            Unit::Respondent => t("Other measures", "Overige maten"),
                        },
                        c.words.measure(&ch.measure),
                    ),
                };
                let row = if share {
                    ForestRow {
                        label,
                        estimate: ch.mean_diff.map(|d| 100.0 * d),
                        ci95: ch.mean_diff_ci95.map(|[a, b]| [100.0 * a, 100.0 * b]),
                        header: false,
                    }
                } else {
                    ForestRow {
                        label,
                        estimate: ch.dz,
                        ci95: ch.dz_ci95,
                        header: false,
                    }
                };
                (group, row)
            })
            .collect()
    };
    let mut out = Vec::new();
    for (name, share) in [("change_shares", true), ("change_effect_sizes", false)] {
        let rows = grouped(rows_of(share));
        if !rows.iter().any(|r| r.estimate.is_some()) {
            continue;
        }
        let (title, x_label) = if share {
            (
                t(
                    &format!("Change {from} to {to} in the share with the outcome"),
                    &format!("Verandering {from} naar {to} in het aandeel met de uitkomst"),
                ),
                t(
                    "percentage points (negative = fewer at the later wave)",
                    "procentpunten (negatief = minder bij de latere meting)",
                ),
            )
        } else {
            (
                t(
                    &format!("Change {from} to {to}: standardised mean difference"),
                    &format!("Verandering {from} naar {to}: gestandaardiseerd verschil"),
                ),
                t(
                    "Cohen's d_z (negative = lower at the later wave)",
                    "Cohen's d_z (negatief = lager bij de latere meting)",
                ),
            )
        };
        out.push((
            name.to_string(),
            Figure::Forest(ForestFigure {
                title,
                x_label,
                reference: 0.0,
                rows,
                caption: caption(data, lang),
                lang,
            }),
        ));
    }
    out
}

/// Forest rows under a header row per group (in order of first
/// appearance; the axis labels are right-aligned, so a header is set in
/// capitals rather than indented); no headers when there is one group.
fn grouped(rows: Vec<(String, ForestRow)>) -> Vec<ForestRow> {
    let mut groups: Vec<&str> = Vec::new();
    for (g, _) in &rows {
        if !groups.contains(&g.as_str()) {
            groups.push(g);
        }
    }
    if groups.len() <= 1 {
        return rows.into_iter().map(|(_, r)| r).collect();
    }
    let mut out = Vec::new();
    for g in &groups {
        out.push(ForestRow {
            label: g.to_uppercase(),
            estimate: None,
            ci95: None,
            header: true,
        });
        out.extend(
            rows.iter()
                .filter(|(rg, _)| rg == g)
                .map(|(_, r)| r.clone()),
        );
    }
    out
}

/// The distribution of family incidents per wave (quartiles only).
fn distribution_incidents(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let rows: Vec<&EstimateRow> = c.data.estimates.iter().collect();
    let means = c.family_means();
    let mut out = Vec::new();
    if let Some(m) = means.first() {
        let label = c.words.measure(m);
        let boxes: Vec<BoxStat> = data
            .waves
            .iter()
            .map(|w| {
                let r = rows.iter().find(|r| &r.measure == m && &r.wave == w);
                BoxStat {
                    label: w.clone(),
                    n: r.and_then(|r| r.n),
                    quartiles: r.and_then(|r| r.quartiles),
                    whiskers: r.and_then(|r| r.whiskers),
                }
            })
            .collect();
        out.push((
            "distribution_incidents".to_string(),
            Figure::Boxes(BoxFigure {
                title: t(
                    &format!("{label}: distribution per wave"),
                    &format!("{label}: verdeling per meting"),
                ),
                y_label: t("incidents per 12 months", "incidenten per 12 maanden"),
                boxes,
                caption: format!(
                    "{} {}",
                    source(data, lang),
                    t(
                        &format!(
                            "Box: first to third quartile; line: median; whiskers: 10th to 90th \
                             percentile (shown from {} units).",
                            WHISKER_UNITS * data.rules.smallest_count()
                        ),
                        &format!(
                            "Doos: eerste tot derde kwartiel; lijn: mediaan; snorharen: 10e tot \
                             90e percentiel (getoond vanaf {} eenheden).",
                            WHISKER_UNITS * data.rules.smallest_count()
                        ),
                    )
                ),
                lang,
            }),
        ));
    }
    out
}

/// The mean per wave of each trajectory class, with the class share.
fn trajectories(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let log_counts = c.log_counts;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let mut out = Vec::new();
    if data.trajectories.iter().any(|tr| tr.share.is_some()) {
        let series = data
            .trajectories
            .iter()
            .filter(|tr| tr.share.is_some())
            .map(|tr| WaveSeries {
                panel: String::new(),
                label: format!(
                    "{} ({})",
                    c.words.label(&tr.class),
                    tr.share
                        .map_or(String::new(), |s| format!("{}%", lang.number(100.0 * s, 0)))
                ),
                points: tr
                    .waves
                    .iter()
                    .map(|e| WavePoint {
                        wave: e.wave.clone(),
                        estimate: e.value,
                        ci95: e.ci95,
                        n: e.n,
                    })
                    .collect(),
            })
            .collect();
        out.push((
            "trajectories".to_string(),
            Figure::Waves(WaveFigure {
                title: t(
                    "Incidents per family per 12 months, by trajectory",
                    "Incidenten per gezin per 12 maanden, per verloop",
                ),
                y_label: c.counts_axis(),
                shares: false,
                log_y: log_counts,
                series,
                caption: caption(data, lang),
                lang,
            }),
        ));
    }
    out
}

/// Transitions between the first and the last wave.
fn transitions(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let mut out = Vec::new();
    if let Some(tt) = &data.transitions {
        let bars = tt
            .rows
            .iter()
            .enumerate()
            .map(|(r, label)| {
                let counts: Vec<Option<f64>> = tt.cells[r]
                    .iter()
                    .map(|c| match c {
                        Shown::Count { value } => Some(*value as f64),
                        _ => None,
                    })
                    .collect();
                let n = match tt.row_totals.get(r) {
                    Some(Shown::Count { value }) => Some(*value),
                    _ => None,
                };
                Bar {
                    label: c.words.label(label),
                    n,
                    // Shares of the row total; nothing when the total is hidden.
                    segments: counts
                        .iter()
                        .map(|c| c.zip(n.filter(|n| *n > 0)).map(|(c, n)| c / n as f64))
                        .collect(),
                    total: n.filter(|n| *n > 0).map(|_| 1.0),
                }
            })
            .collect();
        let (from, to) = (
            data.waves.first().cloned().unwrap_or_default(),
            data.waves.last().cloned().unwrap_or_default(),
        );
        out.push((
            "transitions".to_string(),
            Figure::Bars(BarFigure {
                title: t(
                    &format!("Families by class at {from} and at {to}"),
                    &format!("Gezinnen naar klasse bij {from} en bij {to}"),
                ),
                x_label: t(&format!("class at {from}"), &format!("klasse bij {from}")),
                y_label: t(
                    &format!("share of the class at {from}"),
                    &format!("aandeel van de klasse bij {from}"),
                ),
                shares: true,
                segment_labels: tt
                    .columns
                    .iter()
                    .map(|col| format!("{to}: {}", c.words.label(col)))
                    .collect(),
                bars,
                caption: format!(
                    "{} {}",
                    source(data, lang),
                    t(
                        "Hatched: not shown (too few families).",
                        "Gearceerd: niet getoond (te weinig gezinnen)."
                    )
                ),
                lang,
            }),
        ));
    }
    out
}

/// Response and attrition per wave, in counts.
fn attrition(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let mut out = Vec::new();
    {
        let a = &data.attrition;
        let row = |label: &str| a.rows.iter().position(|r| r == label);
        let val = |label: &str, w: usize| match row(label).and_then(|r| a.cells[r].get(w)) {
            Some(Shown::Count { value }) => Some(*value as f64),
            _ => None,
        };
        // Every unit is in one state at each wave, so each bar is the
        // whole cohort (the patterns table's total).
        let cohort = match &data.patterns.total {
            Some(Shown::Count { value }) => Some(*value as f64),
            _ => None,
        };
        let bars: Vec<Bar> = data
            .waves
            .iter()
            .enumerate()
            .map(|(w, label)| {
                let present = val("present", w);
                let returned = val("of which returned", w);
                Bar {
                    label: label.clone(),
                    n: present.map(|p| p as u64),
                    // Taking part without the returners is known only when
                    // both are.
                    segments: vec![
                        present.zip(returned).map(|(p, r)| p - r),
                        returned,
                        val("missed, back later", w),
                        val("dropped out", w),
                        val("not yet entered", w),
                    ],
                    total: cohort,
                }
            })
            .collect();
        let labels = [
            t("taking part", "doen mee"),
            t("back after a missed wave", "terug na een gemiste meting"),
            t(
                "missed this wave, back later",
                "deze meting gemist, later terug",
            ),
            t("dropped out", "uitgevallen"),
            t("not yet in the study", "nog niet in het onderzoek"),
        ];
        // A state no unit is in at any wave (no late entries) is left out
        // of the legend; a hidden one stays.
        let used: Vec<bool> = (0..labels.len())
            .map(|i| {
                bars.iter()
                    .any(|b: &Bar| b.segments[i].is_none_or(|v| v > 0.0))
            })
            .collect();
        let mut bars = bars;
        for b in &mut bars {
            b.segments = b
                .segments
                .iter()
                .zip(&used)
                .filter(|(_, &u)| u)
                .map(|(v, _)| *v)
                .collect();
        }
        let segment_labels = labels
            .into_iter()
            .zip(&used)
            .filter(|(_, &u)| u)
            .map(|(l, _)| l)
            .collect();
        let units = c.units();
        out.push((
            "attrition".to_string(),
            Figure::Bars(BarFigure {
                title: t(
                    &format!("The {units} of the study at each wave"),
                    &format!("De {units} van het onderzoek bij elke meting"),
                ),
                x_label: t("wave", "meting"),
                y_label: units.clone(),
                shares: false,
                segment_labels,
                bars,
                caption: source(data, lang),
                lang,
            }),
        ));
    }
    out
}

/// Taking part: share of the first wave's families and respondents.
fn response(c: &Ctx) -> Vec<(String, Figure)> {
    let data = c.data;
    let lang = c.lang;
    let t = |en: &str, nl: &str| c.t(en, nl);
    let mut out = Vec::new();
    let counts = |row: usize| -> Vec<Option<u64>> {
        data.response.cells[row]
            .iter()
            .map(|c| match c {
                Shown::Count { value } => Some(*value),
                _ => None,
            })
            .collect()
    };
    let mut resp_series = Vec::new();
    let rows = if c.words.families() {
        vec![
            (1, t("families", "gezinnen")),
            (0, t("respondents", "respondenten")),
        ]
    } else {
        vec![(0, t("respondents", "respondenten"))]
    };
    for (row, label) in rows {
        let c = counts(row);
        if let Some(Some(base)) = c.first().copied().filter(|b| b.is_some_and(|b| b > 0)) {
            resp_series.push(WaveSeries {
                label,
                panel: String::new(),
                points: data
                    .waves
                    .iter()
                    .zip(&c)
                    .map(|(w, n)| WavePoint {
                        wave: w.clone(),
                        estimate: n.map(|n| n as f64 / base as f64),
                        ci95: None,
                        n: *n,
                    })
                    .collect(),
            });
        }
    }
    if !resp_series.is_empty() {
        out.push((
            "response".to_string(),
            Figure::Waves(WaveFigure {
                title: t(
                    "Taking part, as a share of the first wave",
                    "Deelname, als aandeel van de eerste meting",
                ),
                y_label: t("share of the first wave", "aandeel van de eerste meting"),
                shares: true,
                log_y: false,
                series: resp_series,
                caption: source(data, lang),
                lang,
            }),
        ));
    }
    out
}
