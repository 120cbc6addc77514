//! Estimates per wave with their intervals: one line per series.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::render::*;
use crate::{Lang, PlotError, PALETTE};

/// One estimate at one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct WavePoint {
    /// Wave label.
    pub wave: String,
    /// The estimate; `None` when suppressed or not estimable (drawn as a gap).
    pub estimate: Option<f64>,
    /// Its 95% interval.
    pub ci95: Option<[f64; 2]>,
    /// Units behind it; `None` when not published (shown as "·").
    pub n: Option<u64>,
}

/// One line of a [`WaveFigure`].
#[derive(Debug, Clone, PartialEq)]
pub struct WaveSeries {
    /// Legend label.
    pub label: String,
    /// The panel it is drawn in: series with the same panel share one,
    /// panels are small multiples on one y scale (empty: one panel).
    pub panel: String,
    /// One point per wave, in wave order.
    pub points: Vec<WavePoint>,
}

/// Estimates per wave with their intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveFigure {
    /// Title.
    pub title: String,
    /// Y-axis label.
    pub y_label: String,
    /// Shares (0-1, drawn as percentages) or plain values.
    pub shares: bool,
    /// A logarithmic y axis (for skewed counts such as incidents); values
    /// at or below zero are drawn at the axis floor.
    pub log_y: bool,
    /// The series.
    pub series: Vec<WaveSeries>,
    /// Caption: data source, toolkit version, notes.
    pub caption: String,
    /// Language of the labels.
    pub lang: Lang,
}

/// The pieces of a series' line: a wave without an estimate (suppressed,
/// not estimable) breaks it, as joining across it would suggest a value.
pub(crate) fn line_runs(
    points: &[WavePoint],
    offset: f64,
    y: impl Fn(f64) -> f64,
) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, p) in points.iter().enumerate() {
        match (p.estimate, runs.last_mut()) {
            (Some(e), Some(run)) => run.push((i as f64 + offset, y(e))),
            _ => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

impl WaveFigure {
    fn waves(&self) -> Vec<String> {
        self.series.first().map_or(Vec::new(), |s| {
            s.points.iter().map(|p| p.wave.clone()).collect()
        })
    }

    fn values(&self) -> Vec<f64> {
        self.series
            .iter()
            .flat_map(|s| &s.points)
            .flat_map(|p| {
                p.ci95.map_or_else(
                    || p.estimate.into_iter().collect::<Vec<_>>(),
                    |c| c.to_vec(),
                )
            })
            .collect()
    }

    /// Where a log axis draws zero: the power of ten below the decade of
    /// the smallest positive value (at most 0.1), labelled "0".
    fn log_floor(&self) -> f64 {
        let smallest = self
            .values()
            .into_iter()
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min)
            .min(1.0);
        10f64.powf(smallest.log10().floor() - 1.0)
    }

    /// The y coordinate of a value: itself, or its log10 on a log axis.
    fn y(&self, v: f64, floor: f64) -> f64 {
        if self.log_y {
            v.max(floor).log10()
        } else {
            v
        }
    }

    fn y_range(&self) -> Result<(f64, f64), PlotError> {
        let values = self.values();
        if values.is_empty() {
            return Err(PlotError::Empty(self.title.clone()));
        }
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = values
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
            .min(0.0);
        // Zeros stand clear of the axis line: the axis starts a little
        // below the lowest value; the 100% tick stands clear of the title too.
        Ok(if self.shares {
            (-0.03, 1.03)
        } else if self.log_y {
            let floor = self.log_floor();
            (floor.log10() - 0.08, hi.max(floor * 10.0).log10() + 0.1)
        } else {
            let top = hi * 1.1 + f64::EPSILON;
            (lo - 0.03 * (top - lo), top)
        })
    }

    /// The panels in order of first appearance, with their series.
    fn panels(&self) -> Vec<(&str, Vec<&WaveSeries>)> {
        let mut out: Vec<(&str, Vec<&WaveSeries>)> = Vec::new();
        for s in &self.series {
            match out.iter_mut().find(|(p, _)| *p == s.panel) {
                Some((_, v)) => v.push(s),
                None => out.push((&s.panel, vec![s])),
            }
        }
        out
    }

    /// Rows and columns of the panel grid.
    fn grid(&self) -> (usize, usize) {
        let n = self.panels().len().max(1);
        let cols = if n == 1 { 1 } else { 2 };
        (n.div_ceil(cols), cols)
    }

    /// A figure of several panels is taller: each row of panels has room
    /// for its axes and legend.
    fn figure_size(&self) -> (u32, u32) {
        let (rows, _) = self.grid();
        if rows <= 1 && self.panels().len() <= 1 {
            BASE
        } else {
            (BASE.0, 70 + 270 * rows as u32)
        }
    }

    /// The colour of a series: one per distinct label, so that the same
    /// label has the same colour in every panel.
    fn colour(&self, s: &WaveSeries) -> RGBColor {
        let mut labels: Vec<&str> = Vec::new();
        for x in &self.series {
            if !labels.contains(&x.label.as_str()) {
                labels.push(&x.label);
            }
        }
        let i = labels.iter().position(|l| *l == s.label).unwrap_or(0);
        PALETTE[i % PALETTE.len()]
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), PlotError> {
        let err = draw_error(&self.title);
        let px = |v: f64| (v * scale) as u32;
        let font = |size: f64| (FAMILY, size * scale).into_font();
        let body = frame(root, &self.title, &self.caption, scale)?;
        let (lo, hi) = self.y_range()?;
        let panels = self.panels();
        if panels.len() <= 1 {
            self.draw_panel(
                &body,
                &self.series.iter().collect::<Vec<_>>(),
                None,
                (lo, hi),
                scale,
            )?;
        } else {
            let (title_area, grid) = body.split_vertically(px(34.0));
            title_area
                .draw(&Text::new(
                    self.title.clone(),
                    (px(12.0) as i32, px(8.0) as i32),
                    font(16.0),
                ))
                .map_err(&err)?;
            let (rows, cols) = self.grid();
            let cells = grid.split_evenly((rows, cols));
            for ((panel, series), area) in panels.iter().zip(&cells) {
                self.draw_panel(area, series, Some(panel), (lo, hi), scale)?;
            }
        }
        root.present().map_err(&err)?;
        Ok(())
    }

    /// One panel: its series with their intervals and legend, on the
    /// figure's y range; `panel` titles a small multiple (the figure's
    /// title heads a single panel).
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        series: &[&WaveSeries],
        panel: Option<&str>,
        (lo, hi): (f64, f64),
        scale: f64,
    ) -> Result<(), PlotError> {
        let err = draw_error(&self.title);
        let px = |v: f64| (v * scale) as u32;
        let font = |size: f64| (FAMILY, size * scale).into_font();
        let waves = self.waves();
        // The n behind each wave: on the axis when every series has the
        // same n, else in each series' legend label.
        let same_n = series.windows(2).all(|w| {
            w[0].points
                .iter()
                .map(|p| p.n)
                .eq(w[1].points.iter().map(|p| p.n))
        });
        let labels: Vec<String> = series.first().map_or(Vec::new(), |s| {
            s.points
                .iter()
                .map(|p| {
                    if same_n {
                        format!("{} (n = {})", p.wave, n_label(p.n))
                    } else {
                        p.wave.clone()
                    }
                })
                .collect()
        });
        let n = waves.len().max(1);
        // One series with its n on the axis needs no legend (the title
        // names it). A single panel has its legend to the right, so it
        // never covers data; a small multiple has it below its axes.
        // A small multiple always has its legend: its title names only the
        // panel.
        let legend = series.len() > 1 || !same_n || panel.is_some();
        let panel_title = panel.map(str::to_string);
        // Long labels take more lines: the legend beside one panel is
        // 230 px wide, the one below a small multiple half the figure.
        let entry = |s: &WaveSeries| -> String {
            let label = wrap(&s.label, if panel.is_some() { 44 } else { 32 });
            if same_n {
                label
            } else {
                let ns: Vec<String> = s.points.iter().map(|p| n_label(p.n)).collect();
                format!("{label}\n   n = {}", ns.join(", "))
            }
        };
        let (plot_area, legend_area) = match (panel, legend) {
            (_, false) => (area.clone(), None),
            (None, true) => {
                let (p, l) =
                    area.split_horizontally(area.dim_in_pixel().0.saturating_sub(px(230.0)));
                (p, Some(l))
            }
            (Some(_), true) => {
                let lines: usize = series.iter().map(|s| entry(s).lines().count()).sum();
                let lines = lines as f64;
                let height = px(8.0 + 14.0 * lines);
                let (p, l) = area.split_vertically(area.dim_in_pixel().1.saturating_sub(height));
                (p, Some(l))
            }
        };
        let mut builder = ChartBuilder::on(&plot_area);
        match &panel_title {
            None => builder.caption(&self.title, font(16.0)),
            Some(p) => builder.caption(p, font(12.5)),
        };
        let mut chart = builder
            .margin(px(10.0))
            .x_label_area_size(px(if panel.is_some() { 30.0 } else { 40.0 }))
            .y_label_area_size(px(56.0))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
            .map_err(&err)?;
        let lang = self.lang;
        let shares = self.shares;
        let log_y = self.log_y;
        let floor = self.log_floor();
        let x_label = |x: &f64| category_label(&labels, *x);
        let y_label = |y: &f64| {
            if shares {
                format!("{}%", lang.number(y * 100.0, 0))
            } else if log_y {
                // Powers of ten only, and the zero line.
                let decade = y.round();
                if (y - decade).abs() > 1e-6 {
                    String::new()
                } else if (decade - floor.log10()).abs() < 1e-6 {
                    "0".to_string()
                } else {
                    let v = 10f64.powf(decade);
                    lang.number(v, if v < 1.0 { 1 } else { 0 })
                }
            } else {
                lang.number(*y, 0)
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(n)
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .y_desc(&self.y_label)
            .label_style(font(11.0))
            .axis_desc_style(font(12.0))
            .light_line_style(WHITE.mix(0.0));
        // Small multiples share the wave axis: its title once is enough
        // (the wave labels name it).
        if panel.is_none() {
            mesh.x_desc(lang.wave());
        }
        mesh.draw().map_err(&err)?;
        let k = series.len() as f64;
        for (si, s) in series.iter().enumerate() {
            let colour = self.colour(s);
            // Series side by side around each wave, so intervals do not overlap.
            let offset = if k > 1.0 {
                (si as f64 - (k - 1.0) / 2.0) * 0.08
            } else {
                0.0
            };
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.estimate.map(|e| (i as f64 + offset, self.y(e, floor))))
                .collect();
            for run in line_runs(&s.points, offset, |v| self.y(v, floor)) {
                chart
                    .draw_series(LineSeries::new(run, colour.stroke_width(px(2.0))))
                    .map_err(&err)?;
            }
            chart
                .draw_series(
                    pts.iter()
                        .map(|&(x, y)| Circle::new((x, y), px(4.0), colour.filled())),
                )
                .map_err(&err)?;
            for (i, p) in s.points.iter().enumerate() {
                if let Some([a, b]) = p.ci95 {
                    let (a, b) = (self.y(a, floor), self.y(b, floor));
                    let x = i as f64 + offset;
                    let w = 0.04;
                    let style = colour.stroke_width(px(1.5));
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, a), (x, b)],
                            style,
                        )))
                        .map_err(&err)?;
                    for y in [a, b] {
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                vec![(x - w, y), (x + w, y)],
                                style,
                            )))
                            .map_err(&err)?;
                    }
                }
            }
        }
        let Some(legend_area) = legend_area else {
            return Ok(());
        };
        // Entries down the legend panel (beside one panel: spaced; below a
        // small multiple: line by line).
        let (top, step, line) = if panel.is_some() {
            (px(6.0) as i32, 14.0, 13.0)
        } else {
            (px(48.0) as i32, 34.0, 13.0)
        };
        let mut y = top;
        for s in series {
            let colour = self.colour(s);
            let x0 = px(if panel.is_some() { 60.0 } else { 8.0 }) as i32;
            let mid = y + px(6.0) as i32;
            legend_area
                .draw(&PathElement::new(
                    vec![(x0, mid), (x0 + px(18.0) as i32, mid)],
                    colour.stroke_width(px(3.0)),
                ))
                .map_err(&err)?;
            let label = entry(s);
            let lines = label.lines().count().max(1);
            for (k, text) in label.lines().enumerate() {
                legend_area
                    .draw(&Text::new(
                        text.to_string(),
                        (x0 + px(24.0) as i32, y + (k as f64 * line * scale) as i32),
                        font(10.5),
                    ))
                    .map_err(&err)?;
            }
            y += (if panel.is_some() {
                step * lines as f64
            } else {
                step.max(line * lines as f64 + 8.0)
            } * scale) as i32;
        }
        Ok(())
    }
}

drawable!(WaveFigure, size = WaveFigure::figure_size);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_estimate_breaks_the_line() {
        let p = |e: Option<f64>| WavePoint {
            wave: String::new(),
            estimate: e,
            ci95: None,
            n: None,
        };
        let runs = line_runs(
            &[p(Some(1.0)), p(None), p(Some(3.0)), p(Some(4.0))],
            0.0,
            |v| v,
        );
        assert_eq!(runs, vec![vec![(0.0, 1.0)], vec![(2.0, 3.0), (3.0, 4.0)]]);
        assert!(line_runs(&[p(None)], 0.0, |v| v).is_empty());
    }
}
