//! The report's tables, by name, from the published results.

use cohort_plot::Lang;
use cohort_results::PublishedResults;

use crate::cells::{count, interval, interval_cell, measure, num, p_value, pct, value_cell};
use crate::table::{protected, shown, Cell, Table};
use crate::words::Words;

/// The tables of a report, by name.
pub(crate) fn tables(d: &PublishedResults, lang: Lang) -> Vec<(&'static str, String, Table)> {
    let w = Words::of(d, lang);
    let t = |en: &str, nl: &str| w.t(en, nl).to_string();
    let units = w.units();
    // Without families the family rows repeat the respondents: the
    // response table shows them once, the others name them so.
    let mut response = protected(&d.response);
    let mut patterns = protected(&d.patterns);
    if !w.families() {
        response.rows.retain(|r| r[0].shown != "families");
        for r in &mut patterns.rows {
            if r[0].shown == "families" {
                r[0] = Cell::from(units);
            }
        }
    }
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
                    measure(&e.measure, &w),
                    e.level.name().to_string().into(),
                    e.statistic.name().to_string().into(),
                    e.wave.clone().into(),
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
                    measure(&c.measure, &w),
                    c.level.name().to_string().into(),
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
                    r.scale.clone().into(),
                    r.wave.clone().into(),
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
                    s.table.clone().into(),
                    s.row.clone().into(),
                    s.column.clone().into(),
                    s.reason.clone().into(),
                ]
            })
            .collect(),
    };
    let rows = Table {
        header: vec!["rows".into(), "count".into()],
        rows: d
            .rows
            .iter()
            .map(|(k, v)| vec![Cell::from(k.clone()), shown(v)])
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
                        tr.class.clone().into(),
                        count(tr.n),
                        pct(tr.share, lang),
                        e.wave.clone().into(),
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
                    measure(&e.measure, &w),
                    Cell {
                        shown: w.group(e.group.as_deref().unwrap_or("")),
                        data: crate::table::Data::Text(e.group.clone().unwrap_or_default()),
                    },
                    e.wave.clone().into(),
                    count(e.n),
                    value_cell(e, lang),
                    interval_cell(e, lang),
                ]
            })
            .collect(),
    };
    let mut out = vec![
        (
            "rows",
            t("Rows of the data files", "Rijen van de gegevensbestanden"),
            rows,
        ),
        (
            "response",
            t("Taking part per wave", "Deelname per meting"),
            response,
        ),
        (
            "patterns",
            format!(
                "{} {}",
                w.units_title(),
                w.t("by response pattern", "naar responspatroon")
            ),
            patterns,
        ),
        (
            "estimates",
            t("Estimates per wave", "Schattingen per meting"),
            estimates,
        ),
        (
            "change",
            t(
                "Change from the first to the last wave",
                "Verandering van de eerste naar de laatste meting",
            ),
            change,
        ),
        (
            "reliability",
            t(
                "Reliability of the scales",
                "Betrouwbaarheid van de schalen",
            ),
            reliability,
        ),
        (
            "suppressions",
            t("Cells not published", "Niet gepubliceerde cellen"),
            suppressions,
        ),
        (
            "attrition",
            format!(
                "{} {}",
                w.units_title(),
                w.t(
                    "present, missing and dropped out per wave",
                    "aanwezig, gemist en uitgevallen per meting"
                )
            ),
            protected(&d.attrition),
        ),
        (
            "trajectories",
            {
                let m = d
                    .trajectory_measure
                    .as_deref()
                    .map_or(String::new(), |m| w.measure_in_text(m));
                w.t(
                    "Trajectories of {m}, first to last wave",
                    "Verloop van {m}, eerste tot laatste meting",
                )
                .replace("{m}", &m)
            },
            trajectories,
        ),
    ];
    if !d.by_group.is_empty() {
        out.push((
            "estimates_by_group",
            t(
                "Estimates per wave by group",
                "Schattingen per meting en groep",
            ),
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
            w.t(
                "Families in which the violence stopped ({m} above 0 at {first}, 0 at {last})",
                "Gezinnen waarin het geweld stopte ({m} boven 0 bij {first}, 0 bij {last})",
            )
            .replace("{m}", &w.measure_in_text(m))
            .replace("{first}", first)
            .replace("{last}", last),
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
    if let Some(table) = &d.transitions {
        out.push((
            "transitions",
            t(
                "Families by class: first wave (rows) by last wave (columns)",
                "Gezinnen naar klasse: eerste meting (rijen) naar laatste meting (kolommen)",
            ),
            protected(table),
        ));
    }
    out.extend(model_tables(d, lang));
    out
}

/// The tables of the declared models: one row per model, the estimates
/// (coefficients and variance components), and the F tests; none without
/// declared models.
pub(crate) fn model_tables(d: &PublishedResults, lang: Lang) -> Vec<(&'static str, String, Table)> {
    if d.models.is_empty() {
        return Vec::new();
    }
    let w = Words::of(d, lang);
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let overview = Table {
        header: strings(&[
            "model",
            "formula",
            "method",
            "units",
            "n units",
            "observations",
            "notes",
        ]),
        rows: d
            .models
            .iter()
            .map(|m| {
                vec![
                    w.model(&m.name).into(),
                    m.formula.clone().into(),
                    m.method.clone().into(),
                    m.units_label.clone().into(),
                    count(m.units),
                    count(m.nobs),
                    m.notes
                        .iter()
                        .map(|n| w.label(n))
                        .collect::<Vec<_>>()
                        .join("; ")
                        .into(),
                ]
            })
            .collect(),
    };
    let mut estimates = Table {
        header: strings(&["model", "term", "estimate", "SE", "df", "95% CI", "p"]),
        rows: Vec::new(),
    };
    let mut tests = Table {
        header: strings(&[
            "model",
            "term",
            "df (numerator: contrasts tested)",
            "df (denominator)",
            "F",
            "p",
        ]),
        rows: Vec::new(),
    };
    for m in &d.models {
        for t in &m.terms {
            estimates.rows.push(vec![
                w.model(&m.name).into(),
                t.term.clone().into(),
                num(Some(t.estimate), 3, lang),
                num(Some(t.se), 3, lang),
                t.df.map_or(Cell::from("normal"), |df| num(Some(df), 1, lang)),
                interval(Some(t.ci95), 3, false, lang),
                p_value(Some(t.p_value), lang),
            ]);
        }
        for v in &m.variances {
            let what = match (v.effects.len() == 2, lang) {
                (true, Lang::En) => "covariance",
                (true, Lang::Nl) => "covariantie",
                (false, Lang::En) => "variance",
                (false, Lang::Nl) => "variantie",
            };
            estimates.rows.push(vec![
                w.model(&m.name).into(),
                format!("{what}: {} {}", v.group, v.effects.join(", "))
                    .trim_end()
                    .to_string()
                    .into(),
                num(Some(v.vcov), 3, lang),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
            ]);
        }
        if let Some(theta) = m.theta {
            estimates.rows.push(vec![
                w.model(&m.name).into(),
                w.t(
                    "theta (negative binomial: variance mu + mu^2 / theta)",
                    "theta (negatief-binomiaal: variantie mu + mu^2 / theta)",
                )
                .into(),
                num(Some(theta), 3, lang),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
                Cell::from(""),
            ]);
        }
        for t in &m.tests {
            tests.rows.push(vec![
                w.model(&m.name).into(),
                t.term.clone().into(),
                num(Some(t.df_num as f64), 0, lang),
                num(Some(t.df_den), 1, lang),
                num(Some(t.f), 3, lang),
                p_value(Some(t.p_value), lang),
            ]);
        }
    }
    let mut out = vec![
        (
            "models",
            w.t(
                "Models declared in the study file",
                "Modellen uit het onderzoeksbestand",
            )
            .to_string(),
            overview,
        ),
        (
            "model_estimates",
            w.t(
                "Model estimates: coefficients and variance components",
                "Modelschattingen: coëfficiënten en variantiecomponenten",
            )
            .to_string(),
            estimates,
        ),
    ];
    if !tests.rows.is_empty() {
        out.push((
            "model_tests",
            w.t("F tests of the model terms (type III with Satterthwaite's df for mixed models, sequential for linear models)",
                "F-toetsen van de modeltermen (type III met de df van Satterthwaite voor gemengde modellen, sequentieel voor lineaire modellen)",
            )
            .to_string(),
            tests,
        ));
    }
    out
}
