//! Figures drawn from results, never from microdata, so that a figure can
//! be re-rendered from a saved results file without access to the data.
//!
//! # Brief overview
//! - [`WaveFigure`]: an estimate per wave with its 95% interval, one
//!   series per measure or group (prevalence, mean annual incidents).
//! - [`ForestFigure`]: effect sizes or odds ratios with their intervals.
//! - [`BarFigure`]: stacked bars (transitions between waves, attrition).
//! - [`BoxFigure`]: the distribution per wave as quartile boxes.
//! - Both render to SVG ([`WaveFigure::svg`]) and to PNG at 300 dpi
//!   ([`WaveFigure::png`]); the PNG text uses DejaVu Sans, embedded in the
//!   binary, so no system font library is needed.
//!
//! Colours are the Okabe-Ito palette (safe for colour-blind readers); the
//! n behind each wave is on the axis; the caption carries the data source
//! and the toolkit version. Labels in English or Dutch ([`Lang`]), with a
//! decimal comma in Dutch.
#![deny(missing_docs)]

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

/// The embedded font (DejaVu Sans; licence in `fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The family name figures use; registered to the embedded font for PNG,
/// the generic sans-serif family for SVG viewers.
const FAMILY: &str = "sans-serif";

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in; failing to parse it is a build defect.
        let _ = register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// Okabe-Ito colours, in order of use.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
];

/// A figure could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The drawing backend failed (writing the PNG file, for one).
    #[error("drawing {figure}: {message}")]
    Draw {
        /// The figure's title.
        figure: String,
        /// What the backend said.
        message: String,
    },
    /// Nothing to draw.
    #[error("{0}: no value to draw")]
    Empty(String),
}

/// Language of the labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English, decimal point.
    En,
    /// Dutch, decimal comma.
    Nl,
}

impl Lang {
    /// A number with `digits` decimals in this language.
    pub fn number(self, v: f64, digits: usize) -> String {
        // No "-0.00": values that round to zero are zero.
        let v = if v.abs() < 0.5 * 10f64.powi(-(digits as i32)) {
            0.0
        } else {
            v
        };
        let s = format!("{v:.digits$}");
        match self {
            Lang::En => s,
            Lang::Nl => s.replace('.', ","),
        }
    }

    fn wave(self) -> &'static str {
        match self {
            Lang::En => "wave",
            Lang::Nl => "meting",
        }
    }

    fn interval_note(self) -> &'static str {
        match self {
            Lang::En => "bars: 95% confidence interval",
            Lang::Nl => "balken: 95%-betrouwbaarheidsinterval",
        }
    }
}

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

/// The n of a figure label: the published count, or "·" where it is not
/// published (the n of a suppressed estimate is suppressed with it).
fn n_label(n: Option<u64>) -> String {
    n.map_or("·".to_string(), |v| v.to_string())
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

/// A white figure with the caption in a strip at the bottom; returns the
/// area above the strip.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    caption: &str,
    scale: f64,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let err = draw_error(title);
    let px = |v: f64| (v * scale) as u32;
    root.fill(&WHITE).map_err(&err)?;
    let (body, strip) = root.split_vertically(root.dim_in_pixel().1 - px(28.0));
    let style = (FAMILY, 10.0 * scale).into_font().color(&BLACK.mix(0.7));
    strip
        .draw(&Text::new(
            caption.to_string(),
            (px(10.0) as i32, px(6.0) as i32),
            style,
        ))
        .map_err(&err)?;
    Ok(body)
}

/// The label of a category axis at position `x`: the label at a whole
/// number, nothing between.
fn category_label(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < labels.len() {
        labels[i as usize].clone()
    } else {
        String::new()
    }
}

/// A figure that draws itself on any backend, at a scale (1 = 96 dpi);
/// SVG and PNG output follow from it.
trait Drawable {
    /// Size in pixels at 96 dpi.
    fn size(&self) -> (u32, u32) {
        BASE
    }

    /// Draws the figure.
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), PlotError>;
}

/// The figure as an SVG document.
fn to_svg<F: Drawable>(f: &F) -> Result<String, PlotError> {
    register();
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, f.size()).into_drawing_area();
        draw_or_note(f, &root, 1.0)?;
    }
    Ok(s)
}

/// What a figure with no value to draw says instead.
pub const NOTHING_TO_SHOW: &str =
    "No value to show: every value is suppressed (too few units) or cannot be estimated.";

/// Draws the figure; one with no value to draw becomes its title over a
/// frame with [`NOTHING_TO_SHOW`], so that a report always completes.
fn draw_or_note<F: Drawable, DB: DrawingBackend>(
    f: &F,
    root: &DrawingArea<DB, Shift>,
    scale: f64,
) -> Result<(), PlotError> {
    match f.draw_on(root, scale) {
        Err(PlotError::Empty(title)) => {
            let err = draw_error(&title);
            let px = |v: f64| (v * scale) as i32;
            root.fill(&WHITE).map_err(&err)?;
            let (w, h) = root.dim_in_pixel();
            root.draw(&Text::new(
                title.clone(),
                (px(16.0), px(16.0)),
                (FAMILY, 16.0 * scale).into_font().color(&BLACK),
            ))
            .map_err(&err)?;
            root.draw(&Rectangle::new(
                [
                    (px(16.0), px(48.0)),
                    (w as i32 - px(16.0), h as i32 - px(16.0)),
                ],
                BLACK.mix(0.4).stroke_width((scale.max(1.0)) as u32),
            ))
            .map_err(&err)?;
            root.draw(&Text::new(
                NOTHING_TO_SHOW.to_string(),
                (px(32.0), h as i32 / 2),
                (FAMILY, 13.0 * scale).into_font().color(&BLACK.mix(0.8)),
            ))
            .map_err(&err)?;
            root.present().map_err(&err)
        }
        other => other,
    }
}

/// The figure as a PNG file at 300 dpi.
fn to_png<F: Drawable>(f: &F, path: &Path) -> Result<(), PlotError> {
    register();
    let scale = 300.0 / 96.0;
    let (w, h) = f.size();
    let size = ((w as f64 * scale) as u32, (h as f64 * scale) as u32);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw_or_note(f, &root, scale)
}

macro_rules! drawable {
    ($t:ty) => {
        impl Drawable for $t {
            fn draw_on<DB: DrawingBackend>(
                &self,
                root: &DrawingArea<DB, Shift>,
                scale: f64,
            ) -> Result<(), PlotError> {
                self.draw(root, scale)
            }
        }
    };
}

drawable!(WaveFigure);
drawable!(BarFigure);
drawable!(BoxFigure);

impl Drawable for ForestFigure {
    /// Taller with more rows.
    fn size(&self) -> (u32, u32) {
        (BASE.0, BASE.1.max(80 + 28 * self.rows.len() as u32))
    }

    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), PlotError> {
        self.draw(root, scale)
    }
}

/// The pieces of a series' line: a wave without an estimate (suppressed,
/// not estimable) breaks it, as joining across it would suggest a value.
fn line_runs(points: &[WavePoint], offset: f64, y: impl Fn(f64) -> f64) -> Vec<Vec<(f64, f64)>> {
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

/// Size of a figure in pixels at 96 dpi (6.5 x 4 inches).
const BASE: (u32, u32) = (624, 384);

fn draw_error<E: std::fmt::Debug>(figure: &str) -> impl Fn(E) -> PlotError + '_ {
    move |e| PlotError::Draw {
        figure: figure.to_string(),
        message: format!("{e:?}"),
    }
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
        // The legend has its own panel to the right, so it never covers data.
        let legend_width = if self.series.len() > 1 || !same_n {
            px(230.0)
        } else {
            px(150.0)
        };
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
        for (si, s) in self.series.iter().enumerate() {
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

    /// The figure as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        to_svg(self)
    }

    /// The figure as a PNG file at 300 dpi.
    pub fn png(&self, path: &Path) -> Result<(), PlotError> {
        to_png(self, path)
    }
}

/// One row of a forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    /// Label (measure).
    pub label: String,
    /// The estimate; `None` is drawn as an empty row.
    pub estimate: Option<f64>,
    /// Its 95% interval.
    pub ci95: Option<[f64; 2]>,
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
        let mut chart = ChartBuilder::on(&body)
            .caption(&self.title, font(16.0))
            .margin(px(10.0))
            .x_label_area_size(px(36.0))
            .y_label_area_size(px(200.0))
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5f64..(n as f64 - 0.5))
            .map_err(&err)?;
        let lang = self.lang;
        chart
            .configure_mesh()
            .y_labels(n)
            .y_label_formatter(&|y: &f64| category_label(&labels, *y))
            .x_label_formatter(&|x: &f64| lang.number(*x, 2))
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
            if let Some(e) = r.estimate {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (e, y),
                        px(4.0),
                        colour.filled(),
                    )))
                    .map_err(&err)?;
            }
        }
        root.present().map_err(&err)?;
        Ok(())
    }

    /// The figure as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        to_svg(self)
    }

    /// The figure as a PNG file at 300 dpi.
    pub fn png(&self, path: &Path) -> Result<(), PlotError> {
        to_png(self, path)
    }
}

/// Draws a legend of coloured entries in its own panel.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor)],
    scale: f64,
    err: &dyn Fn(DrawingAreaErrorKind<DB::ErrorType>) -> PlotError,
) -> Result<(), PlotError> {
    let px = |v: f64| (v * scale) as i32;
    for (i, (label, colour)) in entries.iter().enumerate() {
        let y = px(48.0) + i as i32 * px(34.0);
        area.draw(&Rectangle::new(
            [(px(8.0), y - px(6.0)), (px(24.0), y + px(6.0))],
            colour.filled(),
        ))
        .map_err(err)?;
        for (k, line) in label.lines().enumerate() {
            area.draw(&Text::new(
                line.to_string(),
                (px(30.0), y - px(7.0) + k as i32 * px(13.0)),
                (FAMILY, 10.5 * scale).into_font(),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}

/// One bar of a [`BarFigure`]: the segments stack from the bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Units in the bar; `None` when not published.
    pub n: Option<u64>,
    /// Value of each segment (shares or counts); `None` when suppressed.
    pub segments: Vec<Option<f64>>,
}

/// Stacked bars: transitions between waves (shares), or response per wave
/// (counts).
#[derive(Debug, Clone, PartialEq)]
pub struct BarFigure {
    /// Title.
    pub title: String,
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
            .map(|b| b.segments.iter().flatten().sum::<f64>())
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
            .y_desc(&self.y_label)
            .label_style(font(11.0))
            .axis_desc_style(font(12.0))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(&err)?;
        for (i, bar) in self.bars.iter().enumerate() {
            let mut base = 0.0;
            for (k, seg) in bar.segments.iter().enumerate() {
                // A suppressed segment is left out: the bar shows a gap
                // rather than a guessed value.
                let Some(v) = seg else { continue };
                let colour = PALETTE[k % PALETTE.len()];
                let x = i as f64;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.3, base), (x + 0.3, base + v)],
                        colour.filled(),
                    )))
                    .map_err(&err)?;
                base += v;
            }
        }
        let entries: Vec<(String, RGBColor)> = self
            .segment_labels
            .iter()
            .enumerate()
            .map(|(k, l)| (l.clone(), PALETTE[k % PALETTE.len()]))
            .collect();
        draw_legend(&legend_area, &entries, scale, &err)?;
        root.present().map_err(&err)?;
        Ok(())
    }

    /// The figure as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        to_svg(self)
    }

    /// The figure as a PNG file at 300 dpi.
    pub fn png(&self, path: &Path) -> Result<(), PlotError> {
        to_png(self, path)
    }
}

/// Quartiles of a distribution at one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStat {
    /// Wave label.
    pub label: String,
    /// Units; `None` when not published.
    pub n: Option<u64>,
    /// First quartile, median, third quartile; `None` when suppressed.
    pub quartiles: Option<[f64; 3]>,
}

/// The distribution per wave as boxes from the first to the third
/// quartile with the median (no whiskers: extremes are single
/// respondents' values and are not published).
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
            .filter_map(|b| b.quartiles.map(|q| q[2]))
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
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0.0..(hi * 1.1).max(1.0))
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

    /// The figure as an SVG document.
    pub fn svg(&self) -> Result<String, PlotError> {
        to_svg(self)
    }

    /// The figure as a PNG file at 300 dpi.
    pub fn png(&self, path: &Path) -> Result<(), PlotError> {
        to_png(self, path)
    }
}

/// The interval note for captions, in the figure's language.
pub fn interval_note(lang: Lang) -> &'static str {
    lang.interval_note()
}

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
