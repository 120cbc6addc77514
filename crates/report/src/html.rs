//! `report.html`: self-contained (inline SVG and CSS, no scripts), every
//! string escaped.

use std::fmt::Write as _;

use cohort_plot::Lang;

use crate::document::{Block, Document};
use crate::table::Table;

const CSS: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0;font-size:0.85em}th,td{border:1px solid #ccc;padding:0.25em 0.5em;text-align:right}\
th{background:#eef3f8}td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}figure svg{width:100%;height:auto}\
figcaption{font-size:0.85em;color:#555}.meta{font-size:0.85em;color:#555}";

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Table {
    pub(crate) fn html(&self) -> String {
        let mut s = String::from("<table>\n<thead><tr>");
        for h in &self.header {
            let _ = write!(s, "<th>{}</th>", escape(h));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for c in r {
                let _ = write!(s, "<td>{}</td>", escape(&c.shown));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table>\n");
        s
    }
}

/// The document as HTML: a table of contents, then each section with its
/// numbered figures (inline SVG with a text alternative) and tables.
pub(crate) fn html(doc: &Document, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        if nl { "nl" } else { "en" },
        escape(doc.title),
        escape(doc.title)
    );
    if let Some(d) = doc.description {
        let _ = writeln!(html, "<p>{}</p>", escape(d));
    }
    let _ = writeln!(html, "<p class=\"meta\">{}</p>", escape(&doc.meta));
    let _ = writeln!(html, "<nav><h2>{}</h2>\n<ol>", doc.contents);
    for s in &doc.sections {
        let _ = writeln!(
            html,
            "<li><a href=\"#{}\">{}</a></li>",
            s.id,
            escape(&s.title)
        );
    }
    html.push_str("</ol></nav>\n");
    let (figure, table) = (doc.figure, doc.table);
    for s in &doc.sections {
        let _ = writeln!(html, "<h2 id=\"{}\">{}</h2>", s.id, escape(&s.title));
        for b in &s.blocks {
            match b {
                Block::Paragraph(p) => {
                    let _ = writeln!(html, "<p>{}</p>", escape(p));
                }
                // The SVG is our own output (all its text escaped by the
                // backend), inlined so that the file stands alone; the
                // wrapper carries its text alternative.
                Block::Figure {
                    number,
                    figure: f,
                    caption,
                } => {
                    let _ = writeln!(
                        html,
                        "<figure id=\"figure-{number}\"><div role=\"img\" aria-label=\"{}\">{}</div>\
                         <figcaption><b>{figure} {number}.</b> {}</figcaption></figure>",
                        escape(&f.alt),
                        f.svg,
                        escape(caption)
                    );
                }
                table_block => {
                    if let Some((number, caption, _, t)) = table_block.as_table() {
                        let _ = writeln!(
                            html,
                            "<h3 id=\"table-{number}\">{table} {number}. {}</h3>\n{}",
                            escape(caption),
                            t.html()
                        );
                    }
                }
            }
        }
    }
    html.push_str("</body>\n</html>\n");
    html
}
