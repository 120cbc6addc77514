//! `report.md`: the same document in Markdown, every label escaped.

use std::fmt::Write as _;

use crate::document::{Block, Document};
use crate::html::escape;
use crate::table::Table;

/// Escapes text for Markdown: the characters Markdown would read as markup
/// are backslash-escaped and HTML is escaped (as [`escape`]); line breaks
/// become spaces, so a label stays on its line.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    escape(&out)
}

impl Table {
    pub(crate) fn markdown(&self) -> String {
        let cell = |c: &str| escape_markdown(c);
        let mut s = format!(
            "| {} |\n",
            self.header
                .iter()
                .map(|h| cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(s, "|{}", " --- |".repeat(self.header.len()));
        for r in &self.rows {
            let _ = writeln!(
                s,
                "| {} |",
                r.iter()
                    .map(|c| cell(&c.shown))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        s
    }
}

/// The document as Markdown.
pub(crate) fn markdown(doc: &Document) -> String {
    let mut md = format!("# {}\n\n", escape_markdown(doc.title));
    let _ = writeln!(md, "_{}_\n", escape_markdown(&doc.meta));
    for s in &doc.sections {
        let _ = writeln!(md, "## {}\n", s.title);
        for b in &s.blocks {
            match b {
                Block::Paragraph(p) => {
                    let _ = writeln!(md, "{}\n", escape_markdown(p));
                }
                Block::Figure { name, .. } => {
                    let _ = writeln!(md, "![{name}](figures/{name}.svg)\n");
                }
                Block::Table {
                    caption,
                    csv,
                    table,
                } => {
                    let _ = write!(
                        md,
                        "### {}\n\n{}",
                        escape_markdown(caption),
                        table.markdown()
                    );
                    match csv {
                        Some(n) => {
                            let _ = writeln!(md, "\n(tables/{n}.csv)\n");
                        }
                        None => md.push('\n'),
                    }
                }
                Block::OwnTable { caption, table } => {
                    let _ = writeln!(md, "### {caption}\n\n{}", table.markdown());
                }
            }
        }
    }
    md
}
