//! Published values as table cells: numbers, percentages, intervals,
//! p-values and counts, in the report's language.

use cohort_plot::Lang;
use cohort_results::{EstimateRow, Statistic};

pub(crate) fn num(v: Option<f64>, digits: usize, lang: Lang) -> String {
    v.map_or("·".into(), |v| lang.number(v, digits))
}

pub(crate) fn pct(v: Option<f64>, lang: Lang) -> String {
    v.map_or("·".into(), |v| format!("{}%", lang.number(100.0 * v, 1)))
}

pub(crate) fn interval(v: Option<[f64; 2]>, digits: usize, share: bool, lang: Lang) -> String {
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

pub(crate) fn p_value(v: Option<f64>, lang: Lang) -> String {
    match v {
        None => "·".into(),
        Some(p) if p < 0.001 => "< 0.001".replace('.', if lang == Lang::Nl { "," } else { "." }),
        Some(p) => lang.number(p, 3),
    }
}

/// The value of an estimate as published: a percentage or a number.
pub(crate) fn value_cell(e: &EstimateRow, lang: Lang) -> String {
    if e.statistic == Statistic::Share {
        pct(e.value, lang)
    } else {
        num(e.value, 2, lang)
    }
}

/// The interval of an estimate as published.
pub(crate) fn interval_cell(e: &EstimateRow, lang: Lang) -> String {
    interval(e.ci95, 2, e.statistic == Statistic::Share, lang)
}

/// A published n, or "·" where it is withheld with its estimate.
pub(crate) fn count(n: Option<u64>) -> String {
    n.map_or("·".to_string(), |v| v.to_string())
}
