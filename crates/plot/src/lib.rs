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

/// Makes a figure with a `draw` method drawable (`size` when it is not
/// the base size) and gives it its `svg` and `png` outputs.
macro_rules! drawable {
    ($t:ty $(, size = $size:expr)?) => {
        impl $crate::render::Drawable for $t {
            $(
                fn size(&self) -> (u32, u32) {
                    ($size)(self)
                }
            )?

            fn draw_on<DB: DrawingBackend>(
                &self,
                root: &DrawingArea<DB, Shift>,
                scale: f64,
            ) -> Result<(), PlotError> {
                self.draw(root, scale)
            }
        }

        impl $t {
            /// The figure as an SVG document.
            pub fn svg(&self) -> Result<String, PlotError> {
                $crate::render::to_svg(self)
            }

            /// The figure as a PNG file at 300 dpi.
            pub fn png(&self, path: &std::path::Path) -> Result<(), PlotError> {
                $crate::render::to_png(self, path)
            }
        }
    };
}

mod bars;
mod boxes;
mod forest;
mod render;
mod waves;

use plotters::prelude::RGBColor;

pub use bars::{Bar, BarFigure};
pub use boxes::{BoxFigure, BoxStat};
pub use forest::{ForestFigure, ForestRow};
pub use render::NOTHING_TO_SHOW;
pub use waves::{WaveFigure, WavePoint, WaveSeries};

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

/// The interval note for captions, in the figure's language.
pub fn interval_note(lang: Lang) -> &'static str {
    lang.interval_note()
}
