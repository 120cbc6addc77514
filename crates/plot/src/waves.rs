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

    /// The lowest value drawn on a log axis: half the smallest positive value.
    fn log_floor(&self) -> f64 {
        self.values()
            .into_iter()
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min)
            .min(1.0)
            / 2.0
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
        Ok(if self.shares {
            (0.0, 1.0)
        } else if self.log_y {
            let floor = self.log_floor();
            (floor.log10() - 0.05, hi.max(floor * 10.0).log10() + 0.1)
        } else {
            (lo, hi * 1.1 + f64::EPSILON)
        })
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
        let waves = self.waves();
        // The n behind each wave: on the axis when every series has the
        // same n, else in each series' legend label.
        let same_n = self.series.windows(2).all(|w| {
            w[0].points
                .iter()
                .map(|p| p.n)
                .eq(w[1].points.iter().map(|p| p.n))
        });
        let labels: Vec<String> = self.series.first().map_or(Vec::new(), |s| {
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
        let (lo, hi) = self.y_range()?;
        let n = waves.len().max(1);
        // The legend has its own panel to the right, so it never covers
        // data; one series with its n on the axis needs none (the title
        // names it).
        let legend = self.series.len() > 1 || !same_n;
        let legend_width = if legend { px(230.0) } else { 0 };
        let (plot_area, legend_area) =
            body.split_horizontally(body.dim_in_pixel().0.saturating_sub(legend_width));
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(&self.title, font(16.0))
            .margin(px(10.0))
            .x_label_area_size(px(40.0))
            .y_label_area_size(px(56.0))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), lo..hi)
            .map_err(&err)?;
        let lang = self.lang;
        let shares = self.shares;
        let log_y = self.log_y;
        let floor = self.log_floor();
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x: &f64| category_label(&labels, *x))
            .y_label_formatter(&|y: &f64| {
                if shares {
                    format!("{}%", lang.number(y * 100.0, 0))
                } else if log_y {
                    let v = 10f64.powf(*y);
                    lang.number(v, if v < 10.0 { 1 } else { 0 })
                } else {
                    lang.number(*y, 0)
                }
            })
            .x_desc(lang.wave())
            .y_desc(&self.y_label)
            .label_style(font(11.0))
            .axis_desc_style(font(12.0))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(&err)?;
        let k = self.series.len() as f64;
        for (si, s) in self.series.iter().enumerate() {
            let colour = PALETTE[si % PALETTE.len()];
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
        for (si, s) in self.series.iter().enumerate().filter(|_| legend) {
            let colour = PALETTE[si % PALETTE.len()];
            let y = px(48.0) as i32 + si as i32 * px(34.0) as i32;
            let x0 = px(8.0) as i32;
            legend_area
                .draw(&PathElement::new(
                    vec![(x0, y), (x0 + px(18.0) as i32, y)],
                    colour.stroke_width(px(3.0)),
                ))
                .map_err(&err)?;
            let label = if same_n {
                s.label.clone()
            } else {
                let ns: Vec<String> = s.points.iter().map(|p| n_label(p.n)).collect();
                format!("{}\n   n = {}", s.label, ns.join(", "))
            };
            for (k, line) in label.lines().enumerate() {
                legend_area
                    .draw(&Text::new(
                        line.to_string(),
                        (
                            x0 + px(24.0) as i32,
                            y - px(7.0) as i32 + k as i32 * px(13.0) as i32,
                        ),
                        font(10.5),
                    ))
                    .map_err(&err)?;
            }
        }
        root.present().map_err(&err)?;
        Ok(())
    }
}

drawable!(WaveFigure);

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
