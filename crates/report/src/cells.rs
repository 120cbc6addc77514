//! Published values as table cells: numbers, percentages, intervals,
//! p-values and counts, shown in the report's language and held as data.

use cohort_plot::Lang;
use cohort_results::{EstimateRow, Statistic};

use crate::table::{Cell, Data};
use crate::words::Words;

/// A measure: shown by what it is called, held by its name.
pub(crate) fn measure(name: &str, words: &Words) -> Cell {
    Cell {
        shown: words.measure(name),
        data: Data::Text(name.to_string()),
    }
}

pub(crate) fn num(v: Option<f64>, digits: usize, lang: Lang) -> Cell {
    Cell {
        shown: v.map_or("·".into(), |v| lang.number(v, digits)),
        data: Data::Number(v),
    }
}

fn pct_text(v: f64, lang: Lang) -> String {
    format!("{}%", lang.number(100.0 * v, 1))
}

/// A share, shown as a percentage, held as a proportion.
pub(crate) fn pct(v: Option<f64>, lang: Lang) -> Cell {
    Cell {
        shown: v.map_or("·".into(), |v| pct_text(v, lang)),
        data: Data::Number(v),
    }
}

pub(crate) fn interval(v: Option<[f64; 2]>, digits: usize, share: bool, lang: Lang) -> Cell {
    let shown = v.map_or(String::new(), |[a, b]| {
        if share {
            format!("[{}, {}]", pct_text(a, lang), pct_text(b, lang))
        } else {
            format!("[{}, {}]", lang.number(a, digits), lang.number(b, digits))
        }
    });
    Cell {
        shown,
        data: Data::Interval(v),
    }
}

pub(crate) fn p_value(v: Option<f64>, lang: Lang) -> Cell {
    let shown = match v {
        None => "·".into(),
        Some(p) if p < 0.001 => "< 0.001".replace('.', if lang == Lang::Nl { "," } else { "." }),
        Some(p) => lang.number(p, 3),
    };
    Cell {
        shown,
        data: Data::Number(v),
    }
}

/// The value of an estimate as published: a percentage or a number.
pub(crate) fn value_cell(e: &EstimateRow, lang: Lang) -> Cell {
    if e.statistic == Statistic::Share {
        pct(e.value, lang)
    } else {
        num(e.value, 2, lang)
    }
}

/// The interval of an estimate as published.
pub(crate) fn interval_cell(e: &EstimateRow, lang: Lang) -> Cell {
    interval(e.ci95, 2, e.statistic == Statistic::Share, lang)
}

/// A published n, or "·" where it is withheld with its estimate.
pub(crate) fn count(n: Option<u64>) -> Cell {
    Cell {
        shown: n.map_or("·".to_string(), |v| v.to_string()),
        data: Data::Count(n),
    }
}
