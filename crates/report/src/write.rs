//! Writing a report folder: `report.html` (self-contained: inline SVG and
//! CSS, no scripts, every string escaped), `report.md`, `tables/*.csv`,
//! `results.json` and `figures/*.svg` and `*.png`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cohort_plot::Lang;

use crate::figures::figures;
use cohort_results::{EstimateRow, ProtectedTable, PublishedResults, Statistic};

/// The report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be written.
    #[error("writing {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A figure could not be drawn.
    #[error(transparent)]
    Plot(#[from] cohort_plot::PlotError),
    /// A table could not be written as CSV.
    #[error("writing table {name}: {message}")]
    Csv {
        /// The table.
        name: String,
        /// What went wrong.
        message: String,
    },
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// HTML-escapes text.
/// Escapes text for Markdown: HTML is escaped (as [`escape`]), and the
/// characters Markdown would read as markup are backslash-escaped; line
/// breaks become spaces, so a label stays on its line.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    escape(&out)
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn num(v: Option<f64>, digits: usize, lang: Lang) -> String {
    v.map_or("·".into(), |v| lang.number(v, digits))
}

fn pct(v: Option<f64>, lang: Lang) -> String {
    v.map_or("·".into(), |v| format!("{}%", lang.number(100.0 * v, 1)))
}

fn interval(v: Option<[f64; 2]>, digits: usize, share: bool, lang: Lang) -> String {
    v.map_or(String::new(), |[a, b]| {
        if share {
            format!("[{}, {}]", pct(Some(a), lang), pct(Some(b), lang))
        } else {
            format!(
                "[{}, {}]",
                num(Some(a), digits, lang),
                num(Some(b), digits, lang)
            )
        }
    })
}

fn p_value(v: Option<f64>, lang: Lang) -> String {
    match v {
        None => "·".into(),
        Some(p) if p < 0.001 => "< 0.001".replace('.', if lang == Lang::Nl { "," } else { "." }),
        Some(p) => lang.number(p, 3),
    }
}

/// The value of an estimate as published: a percentage or a number.
fn value_cell(e: &EstimateRow, lang: Lang) -> String {
    if e.statistic == Statistic::Share {
        pct(e.value, lang)
    } else {
        num(e.value, 2, lang)
    }
}

/// The interval of an estimate as published.
fn interval_cell(e: &EstimateRow, lang: Lang) -> String {
    interval(e.ci95, 2, e.statistic == Statistic::Share, lang)
}

/// A simple table: header and rows of already formatted cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn html(&self) -> String {
        let mut s = String::from("<table>\n<thead><tr>");
        for h in &self.header {
            let _ = write!(s, "<th>{}</th>", escape(h));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for c in r {
                let _ = write!(s, "<td>{}</td>", escape(c));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table>\n");
        s
    }

    fn markdown(&self) -> String {
        let cell = |c: &str| escape_markdown(c);
        let mut s = format!(
            "| {} |\n",
            self.header
                .iter()
                .map(|h| cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(s, "|{}", " --- |".repeat(self.header.len()));
        for r in &self.rows {
            let _ = writeln!(
                s,
                "| {} |",
                r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        s
    }

    fn csv(&self, name: &str) -> Result<Vec<u8>, ReportError> {
        let err = |e: csv::Error| ReportError::Csv {
            name: name.to_string(),
            message: e.to_string(),
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header).map_err(err)?;
        for r in &self.rows {
            w.write_record(r).map_err(err)?;
        }
        w.into_inner().map_err(|e| ReportError::Csv {
            name: name.to_string(),
            message: e.to_string(),
        })
    }
}

fn protected(t: &ProtectedTable) -> Table {
    let totals = t.total.is_some();
    let mut header = vec![String::new()];
    header.extend(t.columns.iter().cloned());
    if totals {
        header.push("total".into());
    }
    let mut rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .zip(&t.cells)
        .enumerate()
        .map(|(i, (label, cells))| {
            let mut r = vec![label.clone()];
            r.extend(cells.iter().map(|c| c.to_string()));
            if let Some(total) = t.row_totals.get(i) {
                r.push(total.to_string());
            }
            r
        })
        .collect();
    if let (true, Some(total)) = (t.rows.len() > 1, &t.total) {
        let mut r = vec!["total".to_string()];
        r.extend(t.column_totals.iter().map(|c| c.to_string()));
        r.push(total.to_string());
        rows.push(r);
    }
    Table { header, rows }
}

/// A published n, or "·" where it is withheld with its estimate.
fn count(n: Option<u64>) -> String {
    n.map_or("·".to_string(), |v| v.to_string())
}

/// The tables of a report, by name.
fn tables(d: &PublishedResults, lang: Lang) -> Vec<(&'static str, String, Table)> {
    let estimates = Table {
        header: [
            "measure",
            "level",
            "statistic",
            "wave",
            "n",
            "value",
            "95% CI",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: d
            .estimates
            .iter()
            .map(|e| {
                vec![
                    e.measure.clone(),
                    e.level.name().to_string(),
                    e.statistic.name().to_string(),
                    e.wave.clone(),
                    count(e.n),
                    value_cell(e, lang),
                    interval_cell(e, lang),
                ]
            })
            .collect(),
    };
    let change = Table {
        header: [
            "measure",
            "level",
            "pairs",
            "mean first",
            "mean last",
            "difference",
            "95% CI",
            "p (t)",
            "p (Holm)",
            "p (Wilcoxon)",
            "p (McNemar)",
            "d_z",
            "d_z 95% CI",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: d
            .change
            .iter()
            .map(|c| {
                vec![
                    c.measure.clone(),
                    c.level.name().to_string(),
                    count(c.n_pairs),
                    num(c.mean_from, 3, lang),
                    num(c.mean_to, 3, lang),
                    num(c.mean_diff, 3, lang),
                    interval(c.mean_diff_ci95, 3, false, lang),
                    p_value(c.p_t, lang),
                    p_value(c.p_t_holm, lang),
                    p_value(c.p_wilcoxon, lang),
                    p_value(c.p_mcnemar, lang),
                    num(c.dz, 2, lang),
                    interval(c.dz_ci95, 2, false, lang),
                ]
            })
            .collect(),
    };
    let reliability = Table {
        header: [
            "scale",
            "wave",
            "n (complete)",
            "Cronbach's alpha",
            "95% CI (Feldt)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: d
            .reliability
            .iter()
            .map(|r| {
                vec![
                    r.scale.clone(),
                    r.wave.clone(),
                    count(r.n),
                    num(r.alpha, 3, lang),
                    interval(r.ci95, 3, false, lang),
                ]
            })
            .collect(),
    };
    let suppressions = Table {
        header: ["table", "row", "column", "reason"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: d
            .suppressions
            .iter()
            .map(|s| {
                vec![
                    s.table.clone(),
                    s.row.clone(),
                    s.column.clone(),
                    s.reason.clone(),
                ]
            })
            .collect(),
    };
    let rows = Table {
        header: vec!["rows".into(), "count".into()],
        rows: d
            .rows
            .iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()])
            .collect(),
    };
    let trajectories = Table {
        header: [
            "trajectory",
            "families",
            "share",
            "wave",
            "n",
            "mean",
            "95% CI",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: d
            .trajectories
            .iter()
            .flat_map(|tr| {
                tr.waves.iter().map(move |e| {
                    vec![
                        tr.class.clone(),
                        count(tr.n),
                        pct(tr.share, lang),
                        e.wave.clone(),
                        count(e.n),
                        num(e.value, 2, lang),
                        interval(e.ci95, 2, false, lang),
                    ]
                })
            })
            .collect(),
    };
    let by_group = Table {
        header: ["measure", "group", "wave", "n", "value", "95% CI"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: d
            .by_group
            .iter()
            .map(|e| {
                vec![
                    e.measure.clone(),
                    format!(
                        "{} = {}",
                        d.by.as_deref().unwrap_or(""),
                        e.group.as_deref().unwrap_or("")
                    ),
                    e.wave.clone(),
                    count(e.n),
                    value_cell(e, lang),
                    interval_cell(e, lang),
                ]
            })
            .collect(),
    };
    let mut out = vec![
        ("rows", "Rows of the data files".to_string(), rows),
        (
            "response",
            "Taking part per wave".to_string(),
            protected(&d.response),
        ),
        (
            "patterns",
            "Families by response pattern".to_string(),
            protected(&d.patterns),
        ),
        ("estimates", "Estimates per wave".to_string(), estimates),
        (
            "change",
            "Change from the first to the last wave".to_string(),
            change,
        ),
        (
            "reliability",
            "Reliability of the scales".to_string(),
            reliability,
        ),
        (
            "suppressions",
            "Cells not published".to_string(),
            suppressions,
        ),
        (
            "attrition",
            "Families present, returned and dropped out per wave".to_string(),
            protected(&d.attrition),
        ),
        (
            "trajectories",
            "Trajectories of family incidents, first to last wave".to_string(),
            trajectories,
        ),
    ];
    if !d.by_group.is_empty() {
        out.push((
            "estimates_by_group",
            "Estimates per wave by group".to_string(),
            by_group,
        ));
    }
    if let (Some(s), Some(m)) = (&d.stopped, &d.trajectory_measure) {
        let (first, last) = (
            d.waves.first().map_or("", String::as_str),
            d.waves.last().map_or("", String::as_str),
        );
        out.push((
            "stopped",
            format!("Families in which the violence stopped ({m} above 0 at {first}, 0 at {last})"),
            Table {
                header: [
                    "families with violence at the first wave",
                    "stopped",
                    "95% CI",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                rows: vec![vec![
                    count(s.n),
                    pct(s.value, lang),
                    interval(s.ci95, 1, true, lang),
                ]],
            },
        ));
    }
    if let Some(t) = &d.transitions {
        out.push((
            "transitions",
            "Families by class: first wave (rows) by last wave (columns)".to_string(),
            protected(t),
        ));
    }
    out
}

const CSS: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0;font-size:0.85em}th,td{border:1px solid #ccc;padding:0.25em 0.5em;text-align:right}\
th{background:#eef3f8}td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}\
figcaption{font-size:0.85em;color:#555}.meta{font-size:0.85em;color:#555}";

fn methods(d: &PublishedResults) -> Vec<String> {
    let boot = d.bootstrap.map_or("no bootstrap".to_string(), |b| {
        format!("a cluster bootstrap with {} replicates (families resampled, seed {}, one ChaCha8 stream per replicate)", b.replicates, b.seed)
    });
    vec![
        "Estimates per wave use every respondent or family with a value at that wave. Shares have Wilson 95% intervals; means have cluster-bootstrap percentile intervals (children of one family are not independent).".into(),
        format!("Change compares the first and the last wave on complete pairs: the paired t-test (two-sided, df = n - 1), the Wilcoxon signed-rank test (zeros dropped, average ranks for ties; exact below 50 pairs without ties or zeros, else normal with continuity correction, as R's wilcox.test), McNemar's test on prevalence (with continuity correction, as R's mcnemar.test) and Cohen's d_z (mean over SD of the differences). p-values are two-sided; Holm-adjusted p-values control the family of t-tests in the table. Intervals of the mean difference come from {boot}."),
        "Incident counts are per 12 months: a wave with a 6-month recall period is doubled. Severe or frequent: at least one act of a severe item group, or at least the declared number of incidents per 12 months.".into(),
        {
            let (k, r) = (d.rules.smallest_count(), d.rules.rounding());
            format!("Disclosure control: no count below {k} is shown (\"<{k}\"); cells that would let a suppressed count be recovered from a total are suppressed too (\"x\": no row, column or line of totals keeps exactly one hidden cell; a hidden count can then be bounded from the table, not recovered exactly); shares, means and tests based on fewer than {k} units are not shown (\"·\"), nor the number of units behind them; counts are rounded to a multiple of {r}. The cells not published are listed below. No row of microdata is in this report.")
        },
    ]
}

/// Writes the report folder.
///
/// The report is written to a temporary folder beside `dir` and moved into
/// place at the end: a failed run leaves no partial report, and a report
/// already at `dir` is replaced whole.
pub fn write_report(
    dir: &Path,
    data: &PublishedResults,
    lang: Lang,
    log_counts: bool,
) -> Result<(), ReportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    let name = dir
        .file_name()
        .map_or("report".into(), |n| n.to_string_lossy().into_owned());
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    if let Err(e) = write_report_into(&tmp, data, lang, log_counts) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(io(dir))?;
    }
    std::fs::rename(&tmp, dir).map_err(io(dir))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

fn write_report_into(
    dir: &Path,
    data: &PublishedResults,
    lang: Lang,
    log_counts: bool,
) -> Result<(), ReportError> {
    let mkdir = |p: &Path| {
        std::fs::create_dir_all(p).map_err(|source| ReportError::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    mkdir(&dir.join("figures"))?;
    mkdir(&dir.join("tables"))?;
    let figs = figures(data, lang, log_counts);
    let mut svgs = Vec::new();
    for (name, f) in &figs {
        let svg = f.svg()?;
        write(&dir.join(format!("figures/{name}.svg")), svg.as_bytes())?;
        f.png(&dir.join(format!("figures/{name}.png")))?;
        svgs.push((name.clone(), svg));
    }
    let tables = tables(data, lang);
    for (name, _, t) in &tables {
        write(&dir.join(format!("tables/{name}.csv")), &t.csv(name)?)?;
    }
    let json = serde_json::to_string_pretty(data).map_err(|e| ReportError::Csv {
        name: "results.json".into(),
        message: e.to_string(),
    })?;
    write(&dir.join("results.json"), (json + "\n").as_bytes())?;

    let table = |name: &str| tables.iter().find(|t| t.0 == name);
    let sections: [(&str, &[&str], &[&str]); 5] = [
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
        ("Children's trauma", &["reliability"], &[]),
        ("Methods", &["suppressions"], &[]),
    ];
    let p = &data.provenance;
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        if lang == Lang::Nl { "nl" } else { "en" },
        escape(&data.study),
        escape(&data.study)
    );
    let mut md = format!("# {}\n\n", escape_markdown(&data.study));
    let provenance = format!(
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
    let _ = writeln!(html, "<p class=\"meta\">{}</p>", escape(&provenance));
    let _ = writeln!(md, "_{}_\n", escape_markdown(&provenance));
    for (title, table_names, figure_names) in sections {
        let _ = writeln!(html, "<h2>{}</h2>", escape(title));
        let _ = writeln!(md, "## {title}\n");
        if title == "Methods" {
            for para in methods(data) {
                let _ = writeln!(html, "<p>{}</p>", escape(&para));
                let _ = writeln!(md, "{}\n", escape_markdown(&para));
            }
        }
        for f in figure_names.iter() {
            if let Some((_, svg)) = svgs.iter().find(|(n, _)| n == f) {
                // The SVG is our own output (all its text escaped by the
                // backend), inlined so that the file stands alone.
                let _ = writeln!(html, "<figure>{svg}</figure>");
                let _ = writeln!(md, "![{f}](figures/{f}.svg)\n");
            }
        }
        for name in table_names.iter() {
            if let Some((n, caption, t)) = table(name) {
                if title == "Children's trauma" && t.rows.is_empty() {
                    continue;
                }
                let _ = writeln!(html, "<h3>{}</h3>\n{}", escape(caption), t.html());
                let _ = writeln!(
                    md,
                    "### {}\n\n{}\n(tables/{n}.csv)\n",
                    escape_markdown(caption),
                    t.markdown()
                );
            }
        }
        if title == "Children's trauma" {
            let trauma: Vec<&EstimateRow> = data
                .estimates
                .iter()
                .filter(|e| e.measure.contains("clinical") || e.measure.contains("trauma"))
                .collect();
            let t = Table {
                header: ["measure", "wave", "n", "value", "95% CI"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                rows: trauma
                    .iter()
                    .map(|e| {
                        vec![
                            e.measure.clone(),
                            e.wave.clone(),
                            count(e.n),
                            value_cell(e, lang),
                            interval_cell(e, lang),
                        ]
                    })
                    .collect(),
            };
            if !t.rows.is_empty() {
                let _ = writeln!(html, "<h3>Trauma symptoms</h3>\n{}", t.html());
                let _ = writeln!(md, "### Trauma symptoms\n\n{}", t.markdown());
            }
        }
    }
    html.push_str("</body>\n</html>\n");
    write(&dir.join("report.html"), html.as_bytes())?;
    write(&dir.join("report.md"), md.as_bytes())?;
    Ok(())
}

/// Re-renders the figures of a saved `results.json` into `dir/figures`.
pub fn write_figures(
    dir: &Path,
    data: &PublishedResults,
    lang: Lang,
    log_counts: bool,
) -> Result<Vec<String>, ReportError> {
    let figures_dir = dir.join("figures");
    std::fs::create_dir_all(&figures_dir).map_err(|source| ReportError::Io {
        path: figures_dir.clone(),
        source,
    })?;
    let mut names = Vec::new();
    for (name, f) in figures(data, lang, log_counts) {
        write(
            &figures_dir.join(format!("{name}.svg")),
            f.svg()?.as_bytes(),
        )?;
        f.png(&figures_dir.join(format!("{name}.png")))?;
        names.push(name);
    }
    Ok(names)
}
