//! Stacked bars: transitions between waves, taking part and dropping out.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::render::*;
use crate::{Lang, PlotError, PALETTE};

/// One bar of a [`BarFigure`]: the segments stack from the bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Units in the bar; `None` when not published.
    pub n: Option<u64>,
    /// Value of each segment (shares or counts); `None` when suppressed.
    pub segments: Vec<Option<f64>>,
    /// The height of the whole bar, when published: the suppressed
    /// segments together are drawn as one hatched block up to it, never as
    /// a gap.
    pub total: Option<f64>,
}

/// The colour of suppressed segments (hatched) and their legend label.
const SUPPRESSED: RGBColor = RGBColor(150, 150, 150);

/// Stacked bars: transitions between waves (shares), or response per wave
/// (counts).
#[derive(Debug, Clone, PartialEq)]
pub struct BarFigure {
    /// Title.
    pub title: String,
    /// X-axis label: what the bars are.
    pub x_label: String,
    /// Y-axis label.
    pub y_label: String,
    /// Segments are shares (drawn as percentages) or counts.
    pub shares: bool,
    /// Names of the segments, bottom first.
    pub segment_labels: Vec<String>,
    /// The bars.
    pub bars: Vec<Bar>,
    /// Caption.
    pub caption: String,
    /// Language.
    pub lang: Lang,
}

impl BarFigure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), PlotError> {
        let err = draw_error(&self.title);
        let px = |v: f64| (v * scale) as u32;
        let font = |size: f64| (FAMILY, size * scale).into_font();
        let body = frame(root, &self.title, &self.caption, scale)?;
        let (plot_area, legend_area) =
            body.split_horizontally(body.dim_in_pixel().0.saturating_sub(px(200.0)));
        let top = self
            .bars
            .iter()
            .map(|b| {
                let shown = b.segments.iter().flatten().sum::<f64>();
                b.total.map_or(shown, |t| t.max(shown))
            })
            .fold(0.0f64, f64::max);
        if top <= 0.0 {
            return Err(PlotError::Empty(self.title.clone()));
        }
        let hi = if self.shares { 1.0 } else { top * 1.1 };
        let n = self.bars.len();
        let labels: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{} (n = {})", b.label, n_label(b.n)))
            .collect();
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(&self.title, font(16.0))
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(56.0))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0.0..hi)
            .map_err(&err)?;
        let (lang, shares) = (self.lang, self.shares);
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x: &f64| category_label(&labels, *x))
            .y_label_formatter(&|y: &f64| {
                if shares {
                    format!("{}%", lang.number(y * 100.0, 0))
                } else {
                    lang.number(*y, 0)
                }
            })
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style(font(11.0))
            .axis_desc_style(font(12.0))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(&err)?;
        let mut any_suppressed = false;
        for (i, bar) in self.bars.iter().enumerate() {
            let mut base = 0.0;
            let x = i as f64;
            for (k, seg) in bar.segments.iter().enumerate() {
                let Some(v) = seg else { continue };
                let colour = PALETTE[k % PALETTE.len()];
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.3, base), (x + 0.3, base + v)],
                        colour.filled(),
                    )))
                    .map_err(&err)?;
                base += v;
            }
            // The suppressed segments together: one hatched block up to the
            // bar's published height, or a mark where that is unknown too.
            if bar.segments.iter().any(Option::is_none) {
                any_suppressed = true;
                let top = bar.total.filter(|t| *t > base).unwrap_or(base + hi * 0.03);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.3, base), (x + 0.3, top)],
                        SUPPRESSED.mix(0.35).filled(),
                    )))
                    .map_err(&err)?;
                let stripes = 8;
                let lines = (1..stripes).map(|j| {
                    let y = base + (top - base) * j as f64 / stripes as f64;
                    PathElement::new(
                        vec![(x - 0.3, y), (x + 0.3, y)],
                        SUPPRESSED.stroke_width(px(1.0).max(1)),
                    )
                });
                chart.draw_series(lines).map_err(&err)?;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.3, base), (x + 0.3, top)],
                        SUPPRESSED.stroke_width(px(1.0).max(1)),
                    )))
                    .map_err(&err)?;
            }
        }
        let mut entries: Vec<(String, RGBColor)> = self
            .segment_labels
            .iter()
            .enumerate()
            .map(|(k, l)| (l.clone(), PALETTE[k % PALETTE.len()]))
            .collect();
        if any_suppressed {
            let label = match self.lang {
                Lang::En => "suppressed (too few)",
                Lang::Nl => "niet getoond (te weinig)",
            };
            entries.push((label.to_string(), SUPPRESSED));
        }
        draw_legend(&legend_area, &entries, scale, &err)?;
        root.present().map_err(&err)?;
        Ok(())
    }
}

drawable!(BarFigure);
