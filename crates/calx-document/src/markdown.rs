//! The Markdown rendering: headings, key figures and tables as GitHub-flavoured Markdown,
//! and every figure as an SVG file (returned as an [`Asset`]) linked as an image from a
//! directory beside the Markdown file.

use std::fmt::Write as _;

use crate::doc::{Block, Document, Figure, Table};
use crate::format::{md, md_text};

/// A file to write beside the Markdown.
#[derive(Clone, Debug, PartialEq)]
pub struct Asset {
    /// File name inside the asset directory (`sankey.svg`).
    pub name: String,
    /// Its content (a standalone SVG).
    pub text: String,
}

/// A rendered Markdown report.
#[derive(Clone, Debug, PartialEq)]
pub struct Markdown {
    /// The Markdown text.
    pub text: String,
    /// The SVG files it links to, each linked exactly once, in document order.
    pub assets: Vec<Asset>,
}

fn table(t: &Table, out: &mut String) {
    if !t.caption.is_empty() {
        let _ = writeln!(out, "**{}**\n", md(&t.caption));
    }
    let cells = |row: &[String]| {
        row.iter().map(|c| if c.is_empty() { " ".to_string() } else { md_text(c) }).collect::<Vec<_>>().join(" | ")
    };
    let _ = writeln!(out, "| {} |", cells(&t.header));
    let align: Vec<&str> =
        (0..t.header.len()).map(|i| if t.numeric.get(i).copied().unwrap_or(false) { "---:" } else { "---" }).collect();
    let _ = writeln!(out, "| {} |", align.join(" | "));
    for r in &t.rows {
        let _ = writeln!(out, "| {} |", cells(r));
    }
    out.push('\n');
}

fn blocks(list: &[Block], dir: &str, out: &mut String, assets: &mut Vec<Asset>) {
    for b in list {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(out, "### {}\n", md_text(h));
            }
            Block::Paragraph(p) => {
                let _ = writeln!(out, "{}\n", md_text(p));
            }
            Block::Note(n) => {
                let _ = writeln!(out, "> **Note.** {}\n", md_text(n));
            }
            Block::KeyFigures(list) => {
                let mut t = Table::new("", &["", "value", "unit", "source"], &[false, true, false, false]);
                for k in list {
                    t.row(vec![k.label.clone(), k.value.clone(), k.unit.clone(), k.source.clone()]);
                }
                table(&t, out);
            }
            Block::Table(t) => table(t, out),
            Block::Figure(f) => figure(f, dir, out, assets),
            Block::Grid(figs) => figs.iter().for_each(|f| figure(f, dir, out, assets)),
            Block::Split(f, t) => {
                figure(f, dir, out, assets);
                table(t, out);
            }
            Block::Collapsed { summary, blocks: inner } => {
                let _ = writeln!(out, "#### {}\n", md(summary));
                blocks(inner, dir, out, assets);
            }
            Block::Code(text) => {
                let _ = writeln!(out, "```yaml\n{}\n```\n", text.trim_end());
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {}", md_text(i));
                }
                out.push('\n');
            }
        }
    }
}

fn figure(f: &Figure, dir: &str, out: &mut String, assets: &mut Vec<Asset>) {
    let name = format!("{}.svg", f.id);
    let _ = writeln!(out, "![{}]({dir}/{name})\n", md(&f.title));
    assets.push(Asset { name, text: f.svg.clone() });
}

/// Render a document as Markdown; figures are linked as `DIR/ID.svg` with `asset_dir` as
/// DIR (a path relative to the Markdown file, such as `report-files`).
pub fn markdown(doc: &Document, asset_dir: &str) -> Markdown {
    let dir = asset_dir.trim_end_matches('/');
    let mut out = String::new();
    let mut assets = Vec::new();
    let _ = writeln!(out, "# {}\n", md(&doc.title));
    for line in &doc.subtitle {
        let _ = writeln!(out, "{}\n", md(line));
    }
    let contents: Vec<String> = doc.sections.iter().map(|s| format!("[{}](#{})", md(&s.title), s.id)).collect();
    let _ = writeln!(out, "Contents: {}\n", contents.join(" · "));
    for s in &doc.sections {
        let _ = writeln!(out, "<a id=\"{}\"></a>\n\n## {}\n", s.id, md(&s.title));
        blocks(&s.blocks, dir, &mut out, &mut assets);
    }
    let _ = writeln!(out, "---\n\n{}", md(&doc.footer));
    Markdown { text: out, assets }
}
