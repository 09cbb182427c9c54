//! The HTML rendering: one self-contained file.
//!
//! Everything is inline — the style sheet, every SVG — and nothing refers outside the file:
//! no script, no web font, no image URL, not even the SVG namespace URL (inline SVG in HTML
//! does not need it). The Content-Security-Policy meta tag allows inline styles (and inline
//! scripts, for tools that inspect the page) and nothing else, so a fetch that slipped in
//! would fail loudly in the browser's console instead of leaking the report.

use std::fmt::Write as _;

use crate::doc::{Block, Document, Figure, KeyFigure, Table};
use crate::format::{esc, html_text};
use crate::svg::FONT_STACK;

/// The Content-Security-Policy of every report.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// Figures wider than this (px) keep their natural size and scroll sideways; narrower ones
/// are scaled to the page.
const WIDE: f64 = crate::diagram::WIDE;

const STYLE: &str = r#"
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#e1e6ed;--bg:#f3f5f8;--card:#fff;--accent:#2f6f9f}
*{box-sizing:border-box}
body{margin:0;font-family:FONTS;color:var(--ink);background:var(--bg);line-height:1.5;font-size:15px}
.wrap{max-width:1200px;margin:0 auto;padding:0 24px}
header.top{background:#17324d;color:#fff;padding:26px 0 18px}
header.top h1{margin:0 0 6px;font-size:26px;font-weight:650;line-height:1.25}
header.top p{margin:3px 0;color:#c9d6e3;font-size:14px;max-width:940px}
nav.toc{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);box-shadow:0 1px 3px rgba(0,0,0,.04)}
nav.toc .wrap{display:flex;flex-wrap:wrap;gap:2px 18px;padding-top:9px;padding-bottom:9px}
nav.toc a{color:var(--accent);text-decoration:none;font-size:14px;font-weight:500}
nav.toc a:hover{text-decoration:underline}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 24px 20px;margin:18px 0;scroll-margin-top:52px}
h2{margin:0 0 10px;font-size:20px;font-weight:650}
h3{margin:22px 0 6px;font-size:16px;font-weight:600}
p{margin:8px 0;max-width:980px}
.kf{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px;margin:10px 0 14px}
.kf>div{border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:8px;padding:9px 14px 10px;background:#fbfcfe}
.kf .l{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
.kf .v{font-size:25px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.3}
.kf .u{font-size:13px;color:var(--ink)}
.kf .s{font-size:12px;color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:.9em;background:#eef2f6;padding:0 3px;border-radius:3px}
.note{background:#fff8e6;border-left:4px solid #d99a00;padding:7px 12px;border-radius:6px;font-size:14px;margin:10px 0;max-width:980px}
ul{margin:8px 0;padding-left:22px;font-size:14px}
.tw{overflow-x:auto;margin:10px 0 14px}
pre{background:#f5f7f9;border:1px solid #e4e8ee;padding:.6em .8em;overflow-x:auto;font-size:12.5px}
table{border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums}
caption{caption-side:top;text-align:left;font-weight:600;padding:2px 0 6px;color:var(--ink);white-space:nowrap}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef2f6;text-align:left;font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;white-space:nowrap}
tbody tr:nth-child(even) td{background:#f8fafc}
table.sticky th:first-child,table.sticky td:first-child{position:sticky;left:0;background:#fff;box-shadow:1px 0 0 var(--line);white-space:nowrap}
table.sticky th:first-child{background:#eef2f6}
figure{margin:12px 0 16px}
figure .fig{overflow-x:auto}
figure svg{display:block;max-width:100%;height:auto}
figure.wide svg{max-width:none}
figcaption{font-size:13px;color:var(--muted);margin-top:4px}
.split{display:flex;flex-wrap:wrap;gap:0 28px;align-items:flex-start}
.split>figure{flex:0 1 620px;min-width:0}
.split>.tw{flex:1 1 320px;margin-top:14px}
details{margin:10px 0}
summary{cursor:pointer;color:var(--accent);font-weight:600;font-size:14px;padding:4px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:8px 20px}
footer{color:var(--muted);font-size:13px;padding:6px 24px 40px}
@media print{nav.toc{display:none}body{background:#fff}section{border:none;break-inside:avoid-page}figure.wide svg{max-width:100%}}
"#;

fn table(t: &Table, out: &mut String) {
    let class = if t.sticky_first { r#" class="sticky""# } else { "" };
    let _ = write!(out, r#"<div class="tw"><table{class}>"#);
    if !t.caption.is_empty() {
        let _ = write!(out, "<caption>{}</caption>", esc(&t.caption));
    }
    let num = |i: usize| if t.numeric.get(i).copied().unwrap_or(false) { r#" class="n""# } else { "" };
    out.push_str("<thead><tr>");
    for (i, h) in t.header.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", num(i), html_text(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", num(i), html_text(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>\n");
}

/// The SVG as it goes inline: without the namespace attribute, so the page holds no URL.
fn inline_svg(svg: &str) -> String {
    svg.replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1)
}

fn figure(f: &Figure, out: &mut String) {
    let class = if f.width > WIDE { r#" class="wide""# } else { "" };
    let _ = write!(
        out,
        r#"<figure id="{}"{class}><div class="fig">{}</div><figcaption>{}</figcaption></figure>"#,
        esc(&f.id),
        inline_svg(&f.svg),
        esc(&f.title)
    );
    out.push('\n');
}

fn key_figures(list: &[KeyFigure], out: &mut String) {
    out.push_str(r#"<div class="kf">"#);
    for k in list {
        let _ = write!(
            out,
            r#"<div><div class="l">{}</div><div class="v">{}</div><div class="u">{}</div><div class="s">{}</div></div>"#,
            esc(&k.label),
            esc(&k.value),
            esc(&k.unit),
            html_text(&k.source)
        );
    }
    out.push_str("</div>\n");
}

fn block(b: &Block, out: &mut String) {
    match b {
        Block::Heading(h) => {
            let _ = writeln!(out, "<h3>{}</h3>", html_text(h));
        }
        Block::Paragraph(p) => {
            let _ = writeln!(out, "<p>{}</p>", html_text(p));
        }
        Block::Note(n) => {
            let _ = writeln!(out, r#"<p class="note">{}</p>"#, html_text(n));
        }
        Block::KeyFigures(k) => key_figures(k, out),
        Block::Table(t) => table(t, out),
        Block::Figure(f) => figure(f, out),
        Block::Grid(figs) => {
            out.push_str(r#"<div class="grid">"#);
            for f in figs {
                figure(f, out);
            }
            out.push_str("</div>\n");
        }
        Block::Split(f, t) => {
            out.push_str(r#"<div class="split">"#);
            figure(f, out);
            table(t, out);
            out.push_str("</div>\n");
        }
        Block::Collapsed { summary, blocks } => {
            let _ = write!(out, "<details><summary>{}</summary>", esc(summary));
            for b in blocks {
                block(b, out);
            }
            out.push_str("</details>\n");
        }
        Block::Code(text) => {
            let _ = writeln!(out, "<pre><code>{}</code></pre>", esc(text.trim_end()));
        }
        Block::List(items) => {
            out.push_str("<ul>");
            for i in items {
                let _ = write!(out, "<li>{}</li>", html_text(i));
            }
            out.push_str("</ul>\n");
        }
    }
}

/// Render a document as one self-contained HTML page.
pub fn html(doc: &Document) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"Calx {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&doc.title),
        STYLE.replace("FONTS", FONT_STACK)
    );
    let _ = write!(out, r#"<header class="top"><div class="wrap"><h1>{}</h1>"#, esc(&doc.title));
    for line in &doc.subtitle {
        let _ = write!(out, "<p>{}</p>", esc(line));
    }
    out.push_str("</div></header>\n<nav class=\"toc\"><div class=\"wrap\">");
    for s in &doc.sections {
        let _ = write!(out, r##"<a href="#{}">{}</a>"##, esc(&s.id), esc(&s.title));
    }
    out.push_str("</div></nav>\n<main class=\"wrap\">\n");
    for s in &doc.sections {
        let _ = writeln!(out, r#"<section id="{}"><h2>{}</h2>"#, esc(&s.id), esc(&s.title));
        for b in &s.blocks {
            block(b, &mut out);
        }
        out.push_str("</section>\n");
    }
    let _ = write!(out, "</main>\n<footer class=\"wrap\">{}</footer>\n</body>\n</html>\n", esc(&doc.footer));
    out
}
