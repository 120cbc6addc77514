//! Writing a report folder: `report.html` (self-contained: inline SVG and
//! CSS, no scripts, every string escaped), `report.md`, `tables/*.csv`,
//! `results.json` and `figures/*.svg` and `*.png`.

use std::path::{Path, PathBuf};

use cohort_plot::Lang;
use cohort_results::PublishedResults;

use crate::document::{document, Rendered};
use crate::figures::figures;
use crate::html::html;
use crate::markdown::markdown;
use crate::tables::tables;

/// The report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be written.
    #[error("writing {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A figure could not be drawn.
    #[error(transparent)]
    Plot(#[from] cohort_plot::PlotError),
    /// A table could not be written as CSV.
    #[error("writing table {name}: {message}")]
    Csv {
        /// The table.
        name: String,
        /// What went wrong.
        message: String,
    },
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes the report folder, telling `progress(figures drawn, figures)`
/// as it draws (SVG and 300-dpi PNG: the slow part).
///
/// The report is written to a temporary folder beside `dir` and moved into
/// place at the end: a failed run leaves no partial report, and a report
/// already at `dir` is replaced whole.
pub fn write_report(
    dir: &Path,
    data: &PublishedResults,
    lang: Lang,
    log_counts: bool,
    progress: &dyn Fn(usize, usize),
) -> Result<(), ReportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    let name = dir
        .file_name()
        .map_or("report".into(), |n| n.to_string_lossy().into_owned());
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    if let Err(e) = write_report_into(&tmp, data, lang, log_counts, progress) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(io(dir))?;
    }
    std::fs::rename(&tmp, dir).map_err(io(dir))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

fn write_report_into(
    dir: &Path,
    data: &PublishedResults,
    lang: Lang,
    log_counts: bool,
    progress: &dyn Fn(usize, usize),
) -> Result<(), ReportError> {
    let mkdir = |p: &Path| {
        std::fs::create_dir_all(p).map_err(|source| ReportError::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    mkdir(&dir.join("figures"))?;
    mkdir(&dir.join("tables"))?;
    let figs = figures(data, lang, log_counts);
    let mut rendered = Vec::new();
    for (done, (name, f)) in figs.iter().enumerate() {
        progress(done, figs.len());
        let svg = f.svg()?;
        write(&dir.join(format!("figures/{name}.svg")), svg.as_bytes())?;
        f.png(&dir.join(format!("figures/{name}.png")))?;
        rendered.push(Rendered {
            name: name.clone(),
            svg,
            title: f.title().to_string(),
            alt: f.alt(),
            units: f.units_range(),
        });
    }
    progress(figs.len(), figs.len());
    let tables = tables(data, lang);
    for (name, _, t) in &tables {
        write(&dir.join(format!("tables/{name}.csv")), &t.csv(name)?)?;
    }
    let json = serde_json::to_string_pretty(data).map_err(|e| ReportError::Csv {
        name: "results.json".into(),
        message: e.to_string(),
    })?;
    write(&dir.join("results.json"), (json + "\n").as_bytes())?;

    let doc = document(data, &rendered, &tables, lang);
    write(&dir.join("report.html"), html(&doc, lang).as_bytes())?;
    write(&dir.join("report.md"), markdown(&doc).as_bytes())?;
    Ok(())
}

/// Re-renders the figures of a saved `results.json` into `dir/figures`;
/// returns how many were drawn.
pub fn write_figures(
    dir: &Path,
    data: &PublishedResults,
    lang: Lang,
    log_counts: bool,
) -> Result<usize, ReportError> {
    let figures_dir = dir.join("figures");
    std::fs::create_dir_all(&figures_dir).map_err(|source| ReportError::Io {
        path: figures_dir.clone(),
        source,
    })?;
    let figs = figures(data, lang, log_counts);
    for (name, f) in &figs {
        write(
            &figures_dir.join(format!("{name}.svg")),
            f.svg()?.as_bytes(),
        )?;
        f.png(&figures_dir.join(format!("{name}.png")))?;
    }
    Ok(figs.len())
}
