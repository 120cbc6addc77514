//! Forest plots: effect sizes or odds ratios with their intervals.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::render::*;
use crate::{Lang, PlotError, PALETTE};

/// One row of a forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    /// Label (measure).
    pub label: String,
    /// The estimate; `None` is drawn as an empty row.
    pub estimate: Option<f64>,
    /// Its 95% interval.
    pub ci95: Option<[f64; 2]>,
    /// A group's header row (no estimate of its own); a row that is no
    /// header and has no estimate says "not shown".
    pub header: bool,
}

/// Effect sizes or odds ratios with their intervals, one row each.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestFigure {
    /// Title.
    pub title: String,
    /// X-axis label.
    pub x_label: String,
    /// The value of no effect (0 for d, 1 for odds ratios).
    pub reference: f64,
    /// The rows, top to bottom.
    pub rows: Vec<ForestRow>,
    /// Caption.
    pub caption: String,
    /// Language of the labels.
    pub lang: Lang,
}

impl ForestFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), PlotError> {
        let err = draw_error(&self.title);
        let px = |v: f64| (v * scale) as u32;
        let font = |size: f64| (FAMILY, size * scale).into_font();
        let body = frame(root, &self.title, &self.caption, scale)?;
        let values: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|r| {
                r.ci95.map_or_else(
                    || r.estimate.into_iter().collect::<Vec<_>>(),
                    |c| c.to_vec(),
                )
            })
            .chain(std::iter::once(self.reference))
            .collect();
        if values.len() < 2 {
            return Err(PlotError::Empty(self.title.clone()));
        }
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = (hi - lo).max(1e-9) * 0.08;
        let n = self.rows.len();
        // Row i is drawn at y = n - 1 - i (the first row on top).
        let labels: Vec<String> = self.rows.iter().rev().map(|r| r.label.clone()).collect();
        // Room for the longest label (DejaVu Sans at 11 pt: about 5.6 px
        // a character), at most 60% of the width.
        let longest = self
            .rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0);
        let label_width = (16.0 + 5.6 * longest as f64).clamp(120.0, 0.6 * BASE.0 as f64);
        let mut chart = ChartBuilder::on(&body)
            .caption(&self.title, font(16.0))
            .margin(px(10.0))
            .x_label_area_size(px(36.0))
            .y_label_area_size(px(label_width))
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5f64..(n as f64 - 0.5))
            .map_err(&err)?;
        let lang = self.lang;
        // Two decimals for effect sizes, none for a range of whole units
        // (percentage points).
        let digits = if hi - lo > 10.0 { 0 } else { 2 };
        chart
            .configure_mesh()
            .y_labels(n)
            .x_labels(8)
            .y_label_formatter(&|y: &f64| category_label(&labels, *y))
            .x_label_formatter(&|x: &f64| lang.number(*x, digits))
            .x_desc(&self.x_label)
            .label_style(font(11.0))
            .axis_desc_style(font(12.0))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(&err)?;
        let colour = PALETTE[0];
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(self.reference, -0.5), (self.reference, n as f64 - 0.5)],
                BLACK.mix(0.5).stroke_width(px(1.0)),
            )))
            .map_err(&err)?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if let Some([a, b]) = r.ci95 {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(a, y), (b, y)],
                        colour.stroke_width(px(2.0)),
                    )))
                    .map_err(&err)?;
            }
            match r.estimate {
                Some(e) => {
                    chart
                        .draw_series(std::iter::once(Circle::new(
                            (e, y),
                            px(4.0),
                            colour.filled(),
                        )))
                        .map_err(&err)?;
                }
                // Suppressed or not estimable: said at the reference line.
                None if !r.header => {
                    let not_shown = match lang {
                        Lang::En => "not shown",
                        Lang::Nl => "niet getoond",
                    };
                    chart
                        .draw_series(std::iter::once(Text::new(
                            not_shown,
                            (self.reference, y),
                            font(9.5).color(&BLACK.mix(0.6)),
                        )))
                        .map_err(&err)?;
                }
                None => {}
            }
        }
        root.present().map_err(&err)?;
        Ok(())
    }
}

// Taller with more rows.
drawable!(
    ForestFigure,
    size = |f: &ForestFigure| (BASE.0, BASE.1.max(80 + 28 * f.rows.len() as u32))
);
