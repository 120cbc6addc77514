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
//! Colours are Okabe-Ito hues with enough contrast ([`PALETTE`]); the
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

/// Colours in order of use: the Okabe-Ito hues (told apart with every
/// common colour-vision deficiency) without its yellow and sky blue, and
/// its orange darkened to ochre, so that each has a contrast of at least
/// 3:1 against the white background (WCAG 2.1, non-text contrast):
/// blue 5.2, vermillion 3.9, bluish green 3.4, reddish purple 3.1,
/// ochre 4.1, black 21, grey 5.7 (a test computes them).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(176, 112, 0),
    RGBColor(0, 0, 0),
    RGBColor(102, 102, 102),
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

#[cfg(test)]
mod tests {
    use super::PALETTE;

    /// WCAG 2.1 relative luminance of an sRGB colour.
    fn luminance(c: plotters::prelude::RGBColor) -> f64 {
        let lin = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    }

    #[test]
    fn every_colour_stands_out_against_white() {
        for c in PALETTE {
            // Contrast ratio (L1 + 0.05) / (L2 + 0.05), white has L = 1.
            let contrast = 1.05 / (luminance(c) + 0.05);
            assert!(contrast >= 3.0, "{c:?}: {contrast:.2}");
        }
        // Worked by hand for the blue (0, 114, 178): the channels give
        // 0, ((114/255 + 0.055)/1.055)^2.4 = 0.1683 and 0.4452, so
        // L = 0.7152 * 0.1683 + 0.0722 * 0.4452 = 0.1525, contrast 5.19.
        assert!((luminance(PALETTE[0]) - 0.1525).abs() < 5e-4);
        assert!((1.05 / (luminance(PALETTE[0]) + 0.05) - 5.19).abs() < 0.01);
    }
}
