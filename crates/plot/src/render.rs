//! Rendering shared by every figure: the embedded font, the frame with its
//! caption strip, SVG and 300-dpi PNG output, the note a figure without
//! values shows instead, and the legend panel.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::PlotError;

/// The embedded font (DejaVu Sans; licence in `fonts/LICENSE-DejaVu.txt`).
pub(crate) static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The family name figures use; registered to the embedded font for PNG,
/// the generic sans-serif family for SVG viewers.
pub(crate) const FAMILY: &str = "sans-serif";

pub(crate) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in; failing to parse it is a build defect.
        let _ = register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// The n of a figure label: the published count, or "·" where it is not
/// published (the n of a suppressed estimate is suppressed with it).
pub(crate) fn n_label(n: Option<u64>) -> String {
    n.map_or("·".to_string(), |v| v.to_string())
}

/// A white figure with the caption in a strip at the bottom; returns the
/// area above the strip.
pub(crate) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    caption: &str,
    scale: f64,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let err = draw_error(title);
    let px = |v: f64| (v * scale) as u32;
    root.fill(&WHITE).map_err(&err)?;
    // About 5.4 px a character at 10 pt: a long caption takes more lines.
    let width = (root.dim_in_pixel().0 as f64 / scale - 20.0) / 5.4;
    let lines = wrap(caption, width as usize);
    let count = lines.lines().count().max(1) as f64;
    let (body, strip) = root.split_vertically(root.dim_in_pixel().1 - px(14.0 + 14.0 * count));
    let style = (FAMILY, 10.0 * scale).into_font().color(&BLACK.mix(0.7));
    for (k, line) in lines.lines().enumerate() {
        strip
            .draw(&Text::new(
                line.to_string(),
                (px(10.0) as i32, px(6.0 + 14.0 * k as f64) as i32),
                style.clone(),
            ))
            .map_err(&err)?;
    }
    Ok(body)
}

/// `text` broken at spaces into lines of at most `width` characters (a
/// longer word stands on its own line).
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

/// The label of a category axis at position `x`: the label at a whole
/// number, nothing between.
pub(crate) fn category_label(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < labels.len() {
        labels[i as usize].clone()
    } else {
        String::new()
    }
}

/// A figure that draws itself on any backend, at a scale (1 = 96 dpi);
/// SVG and PNG output follow from it.
pub(crate) trait Drawable {
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
pub(crate) fn to_svg<F: Drawable>(f: &F) -> Result<String, PlotError> {
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
pub(crate) fn draw_or_note<F: Drawable, DB: DrawingBackend>(
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
pub(crate) fn to_png<F: Drawable>(f: &F, path: &Path) -> Result<(), PlotError> {
    register();
    let scale = 300.0 / 96.0;
    let (w, h) = f.size();
    let size = ((w as f64 * scale) as u32, (h as f64 * scale) as u32);
    let root = BitMapBackend::new(path, size).into_drawing_area();
    draw_or_note(f, &root, scale)
}

/// Size of a figure in pixels at 96 dpi (6.5 x 4 inches).
pub(crate) const BASE: (u32, u32) = (624, 384);

pub(crate) fn draw_error<E: std::fmt::Debug>(figure: &str) -> impl Fn(E) -> PlotError + '_ {
    move |e| PlotError::Draw {
        figure: figure.to_string(),
        message: format!("{e:?}"),
    }
}

/// Draws a legend of coloured entries in its own panel.
pub(crate) fn draw_legend<DB: DrawingBackend>(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_wrap_at_spaces() {
        assert_eq!(
            wrap("any severe act, or at least 22 incidents per 12 months", 30),
            "any severe act, or at least 22\nincidents per 12 months"
        );
        assert_eq!(wrap("short", 30), "short");
    }
}
