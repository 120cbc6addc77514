//! The distribution per wave as quartile boxes.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::render::*;
use crate::{Lang, PlotError, PALETTE};

/// Quartiles of a distribution at one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStat {
    /// Wave label.
    pub label: String,
    /// Units; `None` when not published.
    pub n: Option<u64>,
    /// First quartile, median, third quartile; `None` when suppressed.
    pub quartiles: Option<[f64; 3]>,
    /// Ends of the whiskers (the 10th and 90th percentiles); `None` when
    /// not published.
    pub whiskers: Option<[f64; 2]>,
}

/// The distribution per wave as boxes from the first to the third
/// quartile with the median, and whiskers to the 10th and 90th
/// percentiles where published (never to the extremes: those are single
/// respondents' values).
#[derive(Debug, Clone, PartialEq)]
pub struct BoxFigure {
    /// Title.
    pub title: String,
    /// Y-axis label.
    pub y_label: String,
    /// One box per wave.
    pub boxes: Vec<BoxStat>,
    /// Caption.
    pub caption: String,
    /// Language.
    pub lang: Lang,
}

impl BoxFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), PlotError> {
        let err = draw_error(&self.title);
        let px = |v: f64| (v * scale) as u32;
        let font = |size: f64| (FAMILY, size * scale).into_font();
        let body = frame(root, &self.title, &self.caption, scale)?;
        let hi = self
            .boxes
            .iter()
            .filter_map(|b| b.whiskers.map(|w| w[1]).or(b.quartiles.map(|q| q[2])))
            .fold(0.0f64, f64::max);
        if hi <= 0.0 && self.boxes.iter().all(|b| b.quartiles.is_none()) {
            return Err(PlotError::Empty(self.title.clone()));
        }
        let n = self.boxes.len();
        let labels: Vec<String> = self
            .boxes
            .iter()
            .map(|b| format!("{} (n = {})", b.label, n_label(b.n)))
            .collect();
        let mut chart = ChartBuilder::on(&body)
            .caption(&self.title, font(16.0))
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(56.0))
            // A quartile of 0 stands clear of the axis line.
            .build_cartesian_2d(
                -0.5f64..(n as f64 - 0.5),
                -0.03 * (hi * 1.1).max(1.0)..(hi * 1.1).max(1.0),
            )
            .map_err(&err)?;
        let lang = self.lang;
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x: &f64| category_label(&labels, *x))
            .y_label_formatter(&|y: &f64| lang.number(*y, 0))
            .y_desc(&self.y_label)
            .label_style(font(11.0))
            .axis_desc_style(font(12.0))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(&err)?;
        let colour = PALETTE[0];
        for (i, b) in self.boxes.iter().enumerate() {
            let Some([q1, med, q3]) = b.quartiles else {
                continue;
            };
            let x = i as f64;
            if let Some([lo, hi]) = b.whiskers {
                let style = colour.stroke_width(px(1.5));
                for (from, to) in [(q1, lo), (q3, hi)] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, from), (x, to)],
                            style,
                        )))
                        .map_err(&err)?;
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x - 0.08, to), (x + 0.08, to)],
                            style,
                        )))
                        .map_err(&err)?;
                }
            }
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.25, q1), (x + 0.25, q3)],
                    colour.mix(0.35).filled(),
                )))
                .map_err(&err)?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.25, q1), (x + 0.25, q3)],
                    colour.stroke_width(px(1.5)),
                )))
                .map_err(&err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x - 0.25, med), (x + 0.25, med)],
                    BLACK.stroke_width(px(2.5)),
                )))
                .map_err(&err)?;
        }
        root.present().map_err(&err)?;
        Ok(())
    }
}

drawable!(BoxFigure);
