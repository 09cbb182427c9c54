//! A small SVG writer for the figures this crate draws itself (flowsheet diagram, Sankey),
//! and the colours and font every figure shares.
//!
//! Output is deterministic: coordinates are rounded to 0.1 px by [`crate::format::px`] and
//! elements are written in the order they are added. No `<style>` elements (an inline SVG's
//! style sheet would apply to the whole HTML page) and no external references: markers and
//! gradients get ids prefixed with the figure's id, so several figures share one page.

use std::fmt::Write as _;

use crate::format::{esc, px};

/// The system font stack of the whole report (no web fonts: nothing to download).
pub const FONT_STACK: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Liberation Sans', sans-serif";

/// Series colours (Tableau 10: distinguishable, and readable in grey print).
pub const PALETTE: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/// Text colour.
pub const INK: &str = "#1f2933";
/// Secondary text colour.
pub const MUTED: &str = "#5f6b7a";
/// Accent (feeds, highlights).
pub const ACCENT: &str = "#2f6f9f";
/// Recycle streams.
pub const RECYCLE: &str = "#c2410c";

/// An SVG being written.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    /// A canvas of `width` x `height` px.
    pub fn new(width: f64, height: f64) -> Svg {
        Svg { width, height, body: String::new() }
    }

    /// The body, to append raw (already escaped) markup.
    pub fn body_mut(&mut self) -> &mut String {
        &mut self.body
    }

    /// A rectangle; `extra` is appended inside the tag (already escaped attributes).
    #[allow(clippy::too_many_arguments)]
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, rx: f64, fill: &str, stroke: &str, extra: &str) {
        let _ = write!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{fill}" stroke="{stroke}"{extra}/>"#,
            px(x),
            px(y),
            px(w),
            px(h),
            px(rx)
        );
    }

    /// One line of text; `anchor` is `start`, `middle` or `end`.
    #[allow(clippy::too_many_arguments)]
    pub fn text(&mut self, x: f64, y: f64, text: &str, size: f64, anchor: &str, weight: &str, fill: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" font-weight="{weight}" fill="{fill}">{}</text>"#,
            px(x),
            px(y),
            px(size),
            esc(text)
        );
    }

    /// Finish: a standalone SVG document (`xmlns`, system font, an accessible label).
    pub fn finish(self, label: &str) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{}" font-family="{}">{}</svg>"#,
            esc(label),
            esc(FONT_STACK),
            self.body,
            w = px(self.width),
            h = px(self.height),
        )
    }
}

/// `<title>` text for hover tooltips.
pub fn title(text: &str) -> String {
    format!("<title>{}</title>", esc(text))
}

/// Estimated width in px of `text` at `size` px in a proportional sans-serif font (0.58 em
/// per character on average: wide enough for digits and most names).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.58
}
