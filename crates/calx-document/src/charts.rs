//! Charts drawn with `plotters` (SVG backend only; no font files are read: the browser or
//! image viewer lays out the text). Horizontal bar charts (contributions, cost breakdowns,
//! Spearman correlations), tornado charts, histograms, the cumulative cash-flow line, x-y
//! charts (fits: measured points against model curves, parity and residual plots) and
//! waterfalls (a figure walked through its additions and deductions to a result).
//!
//! A chart that cannot be drawn (plotters reports an error) becomes a small SVG saying so;
//! nothing here panics on data. Values that are not finite are left out.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::format::{esc, group, sig, sig_short};
use crate::svg::{FONT_STACK, MUTED, PALETTE, Svg};

/// Chart width in px (the HTML scales it to the page).
pub const WIDTH: u32 = 620;
const AXIS: RGBColor = RGBColor(0x5f, 0x6b, 0x7a);
const GRID: RGBColor = RGBColor(0xe4, 0xe8, 0xee);
const TEXT: RGBColor = RGBColor(0x1f, 0x29, 0x33);

/// A drawn chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Standalone SVG.
    pub svg: String,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
}

fn colour(hex: &str) -> RGBColor {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x4e79a7);
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// Plotters writes `font-family="sans-serif"` on every text: use the report's font stack
/// once, on the root element, and let the texts inherit it.
fn finish(buf: String, label: &str, size: (u32, u32)) -> Chart {
    let svg = buf.trim_end().replace(" font-family=\"sans-serif\"", "").replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" font-family=\"{}\" ", esc(label), esc(FONT_STACK)),
        1,
    );
    Chart { svg, width: f64::from(size.0), height: f64::from(size.1) }
}

fn failed(message: &str) -> Chart {
    let mut svg = Svg::new(f64::from(WIDTH), 60.0);
    svg.text(16.0, 34.0, &format!("This chart could not be drawn: {message}"), 13.0, "start", "normal", MUTED);
    Chart { svg: svg.finish("chart not drawn"), width: f64::from(WIDTH), height: 60.0 }
}

fn font(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&TEXT)
}

/// A range covering `values` and zero, padded on the sides that have data.
fn range_with_zero(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo == hi {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.12;
    (if lo < 0.0 { lo - pad } else { lo }, if hi > 0.0 { hi + pad } else { hi })
}

/// A range plotters can draw: finite, within +-1e15, and not narrower than 1e-9 of its
/// magnitude or 1e-12 (plotters panics or overflows on ranges that are not, and no chart of
/// a plant needs them). Values outside are drawn clipped.
fn drawable(lo: f64, hi: f64) -> (f64, f64) {
    const LIMIT: f64 = 1e15;
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let (lo, hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
    let magnitude = lo.abs().max(hi.abs());
    if hi - lo >= (magnitude * 1e-9).max(1e-12) {
        return (lo, hi);
    }
    let (mid, d) = ((lo + hi) / 2.0, (magnitude * 0.05).max(1.0));
    (mid - d, mid + d)
}

/// A value in axis units (divided by `div`), clipped to a little beyond `lo..hi`: plotters
/// overflows on coordinates far outside its range.
fn clip(v: f64, div: f64, (lo, hi): (f64, f64)) -> f64 {
    let span = hi - lo;
    (v / div).clamp((lo - span) / div, (hi + span) / div)
}

/// Scale for an axis in money or large numbers: (divisor, suffix).
fn scale(max_abs: f64) -> (f64, &'static str) {
    match max_abs {
        x if x >= 5e9 => (1e9, " billion"),
        x if x >= 5e6 => (1e6, " million"),
        x if x >= 5e4 => (1e3, " thousand"),
        _ => (1.0, ""),
    }
}

/// Axis title: the unit, and the scale when values are divided (`KRW (million)`).
fn axis_desc(unit: &str, suffix: &str) -> String {
    if suffix.is_empty() { unit.to_string() } else { format!("{unit} ({})", suffix.trim()) }
}

/// Tick label: few digits, grouped.
fn tick(x: f64) -> String {
    if x == 0.0 { "0".into() } else { sig_short(x, 3) }
}

fn truncate(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

/// Width of a label area for `labels` at 12 px.
fn label_area(labels: &[String]) -> u32 {
    let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4);
    (chars as f64 * 8.0 + 18.0).clamp(60.0, 300.0) as u32
}

/// One bar: label, value and the text at its end (the analyses' chart data).
pub use calx_core::report::Bar;

/// Widen `(lo, hi)` so texts of `chars` characters fit beside the bar ends in a plot
/// `plot_px` wide: bar ends on the right side need room on the right, negative ones on the
/// left.
fn room_for_text(lo: f64, hi: f64, chars: usize, plot_px: f64, negative: bool, positive: bool) -> (f64, f64) {
    let frac = ((chars as f64 * 7.5 + 12.0) / plot_px.max(1.0)).min(0.45);
    let extra = (hi - lo) * frac / (1.0 - frac);
    (if negative { lo - extra } else { lo }, if positive { hi + extra } else { hi })
}

/// The drawing area of a chart.
type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A chart with a numeric x axis and one row per category.
type CategoryChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordusize>>>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Draw a chart of `size` with `draw` on a white canvas; plotters' errors become a chart that
/// says so.
fn render(label: &str, size: (u32, u32), draw: impl FnOnce(&Root<'_>) -> Drawn) -> Chart {
    let mut buf = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let drawn = root.fill(&WHITE).map_err(|e| e.to_string()).and_then(|()| draw(&root).map_err(|e| e.to_string()));
        drawn.and_then(|()| root.present().map_err(|e| e.to_string()))
    };
    match result {
        Ok(()) => finish(buf, label, size),
        Err(e) => failed(&e),
    }
}

/// Rows of categories (the first at the top) against `lo..hi`, with the axes, labels and
/// grid every category chart shares.
fn category_chart<'a, 'b>(
    root: &'a Root<'b>,
    labels: &[String],
    (lo, hi): (f64, f64),
    top: u32,
    desc: &str,
) -> Result<CategoryChart<'a, 'b>, Box<dyn std::error::Error>> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .margin_right(24)
        .margin_top(top)
        .x_label_area_size(40)
        .y_label_area_size(label_area(labels))
        .build_cartesian_2d(lo..hi, (0..n).into_segmented())?;
    let name = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if *i < n => labels.get(n - 1 - *i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(AXIS)
        .y_labels(n)
        .x_labels(7)
        .y_label_formatter(&name)
        .x_label_formatter(&|x| tick(*x))
        .x_desc(desc)
        .set_tick_mark_size(LabelAreaPosition::Left, 0)
        .label_style(font(16.0))
        .axis_desc_style(font(15.0))
        .draw()?;
    Ok(chart)
}

/// A bar of a category chart, in row `row` counted from the top of `n`.
fn bar(row: usize, n: usize, from: f64, to: f64, style: ShapeStyle) -> Rectangle<(f64, SegmentValue<usize>)> {
    let r = n - 1 - row;
    let mut rect = Rectangle::new([(from, SegmentValue::Exact(r)), (to, SegmentValue::Exact(r + 1))], style);
    rect.set_margin(5, 5, 0, 0);
    rect
}

/// Horizontal bars, first bar at the top; `unit` labels the value axis, which covers the
/// bars and zero.
pub fn bars(title: &str, bars: &[Bar], unit: &str) -> Chart {
    let (lo, hi) = bars
        .iter()
        .filter(|b| b.value.is_finite())
        .fold((0.0f64, 0.0f64), |(a, b), x| (a.min(x.value), b.max(x.value)));
    bars_over(title, bars, unit, (lo, hi))
}

/// Horizontal bars over a fixed value range (e.g. -1 to 1 for correlations), so that charts
/// side by side compare.
pub fn bars_over(title: &str, bars: &[Bar], unit: &str, (lo, hi): (f64, f64)) -> Chart {
    let bars: Vec<&Bar> = bars.iter().filter(|b| b.value.is_finite()).collect();
    let n = bars.len().max(1);
    let labels: Vec<String> = bars.iter().map(|b| truncate(&b.label, 36)).collect();
    let (lo, hi) = drawable(lo, hi);
    let chars = bars.iter().map(|b| b.text.chars().count()).max().unwrap_or(0);
    let plot_px = f64::from(WIDTH) - f64::from(label_area(&labels)) - 40.0;
    let (lo, hi) =
        room_for_text(lo, hi, chars, plot_px, bars.iter().any(|b| b.value < 0.0), bars.iter().any(|b| b.value >= 0.0));
    let (div, suffix) = scale(lo.abs().max(hi.abs()));
    render(title, (WIDTH, (64 + 30 * n) as u32), |root| {
        let mut chart = category_chart(root, &labels, (lo / div, hi / div), 10, &axis_desc(unit, suffix))?;
        let at = |v: f64| clip(v, div, (lo, hi));
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            bar(i, n, 0.0, at(b.value), colour(if b.value < 0.0 { PALETTE[2] } else { PALETTE[0] }).filled())
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let (anchor, dx) = if b.value < 0.0 { (HPos::Right, -4) } else { (HPos::Left, 4) };
            let style = font(15.0).pos(Pos::new(anchor, VPos::Center));
            EmptyElement::at((at(b.value), SegmentValue::CenterOf(n - 1 - i)))
                + plotters::element::Text::new(b.text.clone(), (dx, 0), style)
        }))?;
        chart
            .plotting_area()
            .draw(&PathElement::new(vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n))], AXIS))?;
        Ok(())
    })
}

/// One row of a tornado chart: the metric at a parameter's low and high values.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoRow {
    /// Parameter (with its range).
    pub label: String,
    /// Metric at the parameter's low value.
    pub at_low: f64,
    /// Metric at the parameter's high value.
    pub at_high: f64,
}

/// Tornado chart around `base`: bars from the base to the metric at each parameter's low
/// (one colour) and high (another) value, widest swing at the top.
pub fn tornado(title: &str, base: f64, rows: &[TornadoRow], unit: &str) -> Chart {
    let rows: Vec<&TornadoRow> = rows.iter().filter(|r| r.at_low.is_finite() && r.at_high.is_finite()).collect();
    let n = rows.len().max(1);
    let labels: Vec<String> = rows.iter().map(|r| truncate(&r.label, 44)).collect();
    let all = rows.iter().flat_map(|r| [r.at_low, r.at_high]).chain([base]).filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = drawable(lo, hi);
    let pad = (hi - lo) * 0.18;
    let (lo, hi) = (lo - pad, hi + pad);
    let (div, suffix) = scale(lo.abs().max(hi.abs()));
    let (c_low, c_high) = (colour(PALETTE[0]), colour(PALETTE[1]));
    render(title, (WIDTH, (96 + 30 * n) as u32), |root| {
        let mut chart = category_chart(root, &labels, (lo / div, hi / div), 34, &axis_desc(unit, suffix))?;
        let at = |v: f64| clip(v, div, (lo, hi));
        if base.is_finite() {
            for (i, r) in rows.iter().enumerate() {
                chart.draw_series([
                    bar(i, n, at(base), at(r.at_low), c_low.mix(0.85).filled()),
                    bar(i, n, at(base), at(r.at_high), c_high.mix(0.85).filled()),
                ])?;
            }
            chart.plotting_area().draw(&PathElement::new(
                vec![(at(base), SegmentValue::Exact(0)), (at(base), SegmentValue::Exact(n))],
                TEXT.stroke_width(2),
            ))?;
        }
        // Legend above the plot.
        let mut x = 12;
        for (c, text) in [(c_low, "parameter at its low value"), (c_high, "parameter at its high value")] {
            root.draw(&Rectangle::new([(x, 12), (x + 14, 24)], c.filled()))?;
            root.draw(&plotters::element::Text::new(text, (x + 20, 11), font(15.0)))?;
            x += 34 + (text.len() as i32) * 7;
        }
        root.draw(&plotters::element::Text::new(format!("base {}", sig(base, 4)), (x, 11), font(15.0)))?;
        Ok(())
    })
}

/// Summary lines drawn on a histogram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marks {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Bin counts: `bins` equal bins over [min, max] (one bin when all values are equal).
pub fn bin(values: &[f64], bins: usize) -> (f64, f64, Vec<usize>) {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if v.is_empty() {
        return (0.0, 1.0, Vec::new());
    }
    if lo == hi {
        return (lo - 0.5, hi + 0.5, vec![v.len()]);
    }
    let bins = bins.max(1);
    let mut counts = vec![0usize; bins];
    for x in v {
        let k = (((x - lo) / (hi - lo)) * bins as f64).floor() as usize;
        counts[k.min(bins - 1)] += 1;
    }
    (lo, hi, counts)
}

/// Histogram of `values` with the 5th, 50th and 95th percentiles marked.
pub fn histogram(title: &str, values: &[f64], unit: &str, marks: Option<Marks>) -> Chart {
    let finite = values.iter().filter(|x| x.is_finite()).count();
    let bins = ((finite as f64).sqrt().round() as usize).clamp(5, 40);
    let (lo, hi, counts) = bin(values, bins);
    let (lo, hi) = drawable(lo, hi);
    let size = (WIDTH / 2 + 10, 260);
    let (div, suffix) = scale(lo.abs().max(hi.abs()));
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.15;
    let width = (hi - lo) / counts.len().max(1) as f64;
    render(title, size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_top(24)
            .margin_right(18)
            .x_label_area_size(40)
            .y_label_area_size(44)
            .build_cartesian_2d(lo / div..hi / div, 0.0..top)?;
        let at = |v: f64| clip(v, div, (lo, hi));
        let desc = axis_desc(unit, suffix);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(4)
            .y_labels(4)
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| group(*y, 0))
            .x_desc(desc)
            .y_desc("samples")
            .label_style(font(15.0))
            .axis_desc_style(font(15.0))
            .draw()?;
        chart.draw_series(counts.iter().enumerate().map(|(k, c)| {
            let x0 = lo + k as f64 * width;
            let mut r =
                Rectangle::new([(at(x0), 0.0), (at(x0 + width), *c as f64)], colour(PALETTE[0]).mix(0.8).filled());
            r.set_margin(0, 0, 1, 1);
            r
        }))?;
        if let Some(m) = marks {
            for (v, name) in [(m.p5, "p5"), (m.p50, "p50"), (m.p95, "p95")] {
                if !v.is_finite() {
                    continue;
                }
                let c = if name == "p50" { TEXT } else { colour(PALETTE[1]) };
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(at(v), 0.0), (at(v), top)],
                    c.stroke_width(2),
                )))?;
                let style = font(12.0).pos(Pos::new(HPos::Center, VPos::Bottom));
                chart.draw_series(std::iter::once(
                    EmptyElement::at((at(v), top)) + plotters::element::Text::new(name, (0, 0), style),
                ))?;
            }
        }
        Ok(())
    })
}

/// One series of an x-y chart: markers, a line, or both, in one colour with a legend entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Points (x, y); those that are not finite are left out.
    pub points: Vec<(f64, f64)>,
    /// Draw markers at the points.
    pub markers: bool,
    /// Join the points with a line.
    pub line: bool,
    /// Palette index of its colour (series may share one: a model curve and its points).
    pub colour: usize,
}

/// Padded range of finite values (at least a unit wide when they are all equal).
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { (hi - lo) * 0.05 } else { lo.abs().max(1.0) * 0.5 };
    drawable(lo - pad, hi + pad)
}

/// An x-y chart (measured points against model curves, parity plots, residuals): every
/// series in its palette colour, with a legend of the series that have a label.
pub fn xy(title: &str, series: &[Series], x_desc: &str, y_desc: &str) -> Chart {
    let size = (WIDTH, 380);
    let xs = padded(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let ys = padded(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    render(title, size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(24)
            .margin_top(20)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(font(15.0))
            .axis_desc_style(font(15.0))
            .draw()?;
        for s in series {
            let c = colour(PALETTE[s.colour % PALETTE.len()]);
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|&(x, y)| (clip(x, 1.0, xs), clip(y, 1.0, ys)))
                .collect();
            let legend = move |(x, y): (i32, i32)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(3));
            let labelled = !s.label.is_empty();
            if s.line {
                let drawn = chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?;
                if labelled {
                    drawn.label(s.label.clone()).legend(legend);
                }
            }
            if s.markers {
                let drawn = chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, c.filled())))?;
                if labelled && !s.line {
                    drawn.label(s.label.clone()).legend(legend);
                }
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(GRID)
            .label_font(font(13.0))
            .draw()?;
        Ok(())
    })
}

/// The cumulative cash-flow chart: discounted (solid) and undiscounted (dashed) cumulative
/// cash flow by year, the zero line, and the discounted payback point marked.
pub fn cash_flow(
    title: &str,
    years: &[f64],
    discounted: &[f64],
    undiscounted: &[f64],
    payback: Option<f64>,
    currency: &str,
) -> Chart {
    let size = (WIDTH, 340);
    let values = discounted.iter().chain(undiscounted).copied().filter(|v| v.is_finite());
    let (lo, hi) = range_with_zero(values);
    let (lo, hi) = drawable(lo, hi);
    let (div, suffix) = scale(lo.abs().max(hi.abs()));
    let x_hi = years.iter().copied().fold(1.0, f64::max);
    render(title, size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(24)
            .margin_top(34)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_hi, lo / div..hi / div)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(12)
            .x_label_formatter(&|x| group(*x, 0))
            .y_label_formatter(&|y| tick(*y))
            .x_desc("year")
            .y_desc(format!(
                "cumulative cash flow ({}{currency})",
                if suffix.is_empty() { String::new() } else { format!("{} ", suffix.trim()) }
            ))
            .label_style(font(15.0))
            .axis_desc_style(font(15.0))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (x_hi, 0.0)], AXIS.stroke_width(1))))?;
        let blue = colour(PALETTE[0]);
        let grey = colour(PALETTE[9]);
        let pts = |v: &[f64]| {
            years
                .iter()
                .zip(v)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(x, y)| (x.clamp(0.0, x_hi), clip(*y, div, (lo, hi))))
                .collect::<Vec<_>>()
        };
        // Dashes as short segments (plotters' dashed series needs another feature).
        let und = pts(undiscounted);
        for w in und.windows(2) {
            let (a, b) = (w[0], w[1]);
            for k in 0..4 {
                let (t0, t1) = (k as f64 / 4.0, (k as f64 + 0.5) / 4.0);
                let p = |t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                chart.draw_series(std::iter::once(PathElement::new(vec![p(t0), p(t1)], grey.stroke_width(2))))?;
            }
        }
        chart.draw_series(LineSeries::new(pts(discounted), blue.stroke_width(3)))?;
        chart.draw_series(pts(discounted).into_iter().map(|p| Circle::new(p, 2, blue.filled())))?;
        if let Some(t) = payback.filter(|t| (0.0..=x_hi).contains(t)) {
            let red = colour(PALETTE[2]);
            chart.draw_series(std::iter::once(Circle::new((t, 0.0), 6, red.stroke_width(3))))?;
            // Below and to the right of the point: the rising line is above it there.
            let right = t > x_hi * 0.6;
            let style = font(15.0).pos(Pos::new(if right { HPos::Right } else { HPos::Left }, VPos::Top));
            chart.draw_series(std::iter::once(
                EmptyElement::at((t, 0.0))
                    + plotters::element::Text::new(
                        format!("discounted payback {} yr", sig(t, 3)),
                        (if right { -12 } else { 12 }, 10),
                        style,
                    ),
            ))?;
        }
        // Legend above the plot.
        root.draw(&PathElement::new(vec![(80, 18), (104, 18)], blue.stroke_width(3)))?;
        root.draw(&plotters::element::Text::new("discounted", (110, 11), font(15.0)))?;
        root.draw(&PathElement::new(vec![(210, 18), (218, 18)], grey.stroke_width(2)))?;
        root.draw(&PathElement::new(vec![(224, 18), (232, 18)], grey.stroke_width(2)))?;
        root.draw(&plotters::element::Text::new("undiscounted", (238, 11), font(15.0)))?;
        Ok(())
    })
}

/// One step of a waterfall (the analyses' chart data).
pub use calx_core::report::WaterfallStep;

/// Waterfall fills: increases blue, decreases orange, totals near-black. They differ in hue
/// (also for red-green colour blindness) and in lightness, so they stay apart in grey print.
const RISE: &str = PALETTE[0];
const FALL: &str = PALETTE[1];
const TOTAL: &str = "#3b4754";

/// A waterfall that cannot be drawn: the step whose value, or the level it leads to, is not
/// finite.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WaterfallError {
    /// The step's value is NaN or infinite.
    #[error("the value of \u{201c}{0}\u{201d} is not a finite number")]
    NotFinite(String),
    /// The running level overflows at this step.
    #[error("the running level overflows at \u{201c}{0}\u{201d}")]
    Overflow(String),
}

/// Where each waterfall bar starts and ends, in the values' unit: a total from zero to its
/// value, a change from the running level to the running level plus its value (a first step
/// that is a change starts at zero). The error names the step that is not finite.
pub fn waterfall_spans(steps: &[WaterfallStep]) -> Result<Vec<(f64, f64)>, WaterfallError> {
    let mut level = 0.0f64;
    let mut spans = Vec::with_capacity(steps.len());
    for s in steps {
        if !s.value.is_finite() {
            return Err(WaterfallError::NotFinite(s.label.clone()));
        }
        let span = if s.total { (0.0, s.value) } else { (level, level + s.value) };
        if !span.1.is_finite() {
            return Err(WaterfallError::Overflow(s.label.clone()));
        }
        level = span.1;
        spans.push(span);
    }
    Ok(spans)
}

/// `label` in lines of at most `width` characters, broken at spaces (a longer word is cut),
/// and at most `max_lines` lines: the last ends in `…` when text is left over.
fn wrap(label: &str, width: usize, max_lines: usize) -> Vec<String> {
    let (width, max_lines) = (width.max(2), max_lines.max(1));
    let mut lines: Vec<String> = Vec::new();
    let mut line: Vec<char> = Vec::new();
    for word in label.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while !word.is_empty() {
            let sep = usize::from(!line.is_empty());
            if line.len() + sep + word.len() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.append(&mut word);
            } else if !line.is_empty() {
                lines.push(std::mem::take(&mut line).into_iter().collect());
            } else {
                let rest = word.split_off(width);
                lines.push(std::mem::replace(&mut word, rest).into_iter().collect());
            }
        }
    }
    if !line.is_empty() {
        lines.push(line.into_iter().collect());
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = &mut lines[max_lines - 1];
        *last = format!("{}…", last.chars().take(width - 1).collect::<String>());
    }
    lines
}

/// A waterfall: vertical bars left to right, totals from zero and changes floating from the
/// running level, joined by thin connectors at each step's level; increases, decreases and
/// totals in colours of their own (legend above), each bar's text at its end, labels wrapped
/// under the bars, and the zero line. Levels below zero are drawn below it. No steps, or a
/// step that is not finite, gives a chart that says so instead (nothing non-finite is drawn).
pub fn waterfall(title: &str, steps: &[WaterfallStep], unit: &str) -> Chart {
    if steps.is_empty() {
        return failed("the waterfall has no steps");
    }
    let spans = match waterfall_spans(steps) {
        Ok(spans) => spans,
        Err(e) => return failed(&e.to_string()),
    };
    let n = steps.len();
    // At least 84 px a bar, so that texts and label words (at about 7 px a character) fit.
    let width = WIDTH.max(110 + 84 * n as u32);
    let col = f64::from(width - 110) / n as f64;
    let labels: Vec<Vec<String>> = steps.iter().map(|s| wrap(&s.label, ((col - 4.0) / 7.0) as usize, 4)).collect();
    let label_px = 16 + 16 * labels.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let height = 320 + label_px;
    let (lo, hi) = range_with_zero(spans.iter().flat_map(|&(a, b)| [a, b]));
    let (lo, hi) = drawable(lo, hi);
    // Room for a line of text beyond the highest and lowest bar ends.
    let frac = 22.0 / f64::from(height - label_px - 44);
    let extra = (hi - lo) * frac / (1.0 - 2.0 * frac);
    let (lo, hi) = (lo - extra, hi + extra);
    let (div, suffix) = scale(lo.abs().max(hi.abs()));
    // Gaps between bars; a bar is at most 120 px wide (a waterfall of one or two steps).
    let margin = ((col * 0.16).max((col - 120.0) / 2.0).round() as u32).max(2);
    render(title, (width, height), |root| {
        // Bar i spans i..i + 1 on the x axis.
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(24)
            .margin_top(34)
            .x_label_area_size(label_px)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..n as f64, lo / div..hi / div)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .x_labels(n)
            .x_label_formatter(&|_| String::new())
            .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
            .y_labels(6)
            .y_label_formatter(&|y| tick(*y))
            .y_desc(axis_desc(unit, suffix))
            .label_style(font(15.0))
            .axis_desc_style(font(15.0))
            .draw()?;
        let at = |v: f64| clip(v, div, (lo, hi));
        let centre = |i: usize| i as f64 + 0.5;
        chart.draw_series(spans.windows(2).enumerate().map(|(i, w)| {
            PathElement::new(vec![(centre(i), at(w[0].1)), (centre(i + 1), at(w[0].1))], AXIS.stroke_width(1))
        }))?;
        chart.draw_series(steps.iter().zip(&spans).enumerate().map(|(i, (s, &(from, to)))| {
            let fill = if s.total {
                TOTAL
            } else if to < from {
                FALL
            } else {
                RISE
            };
            let corners = [(i as f64, at(from)), ((i + 1) as f64, at(to))];
            let mut r = Rectangle::new(corners, colour(fill).filled());
            r.set_margin(0, 0, margin, margin);
            r
        }))?;
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (n as f64, 0.0)], TEXT.stroke_width(1))))?;
        chart.draw_series(steps.iter().zip(&spans).enumerate().map(|(i, (s, &(from, to)))| {
            let (dy, v) = if to >= from { (-4, VPos::Bottom) } else { (4, VPos::Top) };
            let style = font(13.0).pos(Pos::new(HPos::Center, v));
            EmptyElement::at((centre(i), at(to))) + plotters::element::Text::new(s.text.clone(), (0, dy), style)
        }))?;
        let style = font(13.0).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, lines) in labels.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(centre(i), lo / div));
            for (k, line) in lines.iter().enumerate() {
                root.draw(&plotters::element::Text::new(line.as_str(), (x, y + 8 + 16 * k as i32), style.clone()))?;
            }
        }
        waterfall_legend(root, steps, &spans)
    })
}

/// The legend above a waterfall: the kinds of bar it has (increase, decrease, total), as
/// thick strokes (not rectangles: the chart's only rectangles of these fills are its bars).
fn waterfall_legend(root: &Root<'_>, steps: &[WaterfallStep], spans: &[(f64, f64)]) -> Drawn {
    let has = |total: bool, fall: bool| {
        steps.iter().zip(spans).any(|(s, &(from, to))| s.total == total && (total || (to < from) == fall))
    };
    let kinds = [
        (RISE, "increase", has(false, false)),
        (FALL, "decrease", has(false, true)),
        (TOTAL, "total", has(true, false)),
    ];
    let mut x = 80;
    for (fill, name, _) in kinds.iter().filter(|k| k.2) {
        root.draw(&PathElement::new(vec![(x, 18), (x + 16, 18)], colour(fill).stroke_width(12)))?;
        root.draw(&plotters::element::Text::new(*name, (x + 22, 11), font(15.0)))?;
        x += 40 + crate::svg::text_width(name, 15.0) as i32;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_every_value() {
        let (lo, hi, c) = bin(&[1.0, 2.0, 3.0, 4.0, f64::NAN], 3);
        assert_eq!((lo, hi), (1.0, 4.0));
        assert_eq!(c.iter().sum::<usize>(), 4);
        assert_eq!(bin(&[2.0, 2.0], 10).2, vec![2]);
        assert!(bin(&[], 10).2.is_empty());
    }

    #[test]
    fn charts_are_svg_with_the_report_font_and_no_plotters_font() {
        let c = bars(
            "t",
            &[
                Bar { label: "a".into(), value: 2.0, text: "2".into() },
                Bar { label: "b".into(), value: -1.0, text: "-1".into() },
            ],
            "kg",
        );
        assert!(c.svg.starts_with("<svg role=\"img\""), "{}", &c.svg[..80]);
        assert!(!c.svg.contains("font-family=\"sans-serif\""));
        assert!(c.svg.matches("<rect").count() >= 3);
        let t = tornado("t", 10.0, &[TornadoRow { label: "p".into(), at_low: 8.0, at_high: 13.0 }], "KRW");
        assert!(t.svg.contains("base 10.00"), "{}", t.svg);
        let h = histogram("h", &[1.0, 2.0, 2.5, 3.0], "t/yr", Some(Marks { p5: 1.1, p50: 2.2, p95: 2.9 }));
        assert!(h.svg.contains(">\np50\n<") || h.svg.contains("p50"));
        let f = cash_flow("c", &[0.0, 1.0, 2.0], &[-10.0, -4.0, 1.0], &[-10.0, -3.0, 4.0], Some(1.8), "KRW");
        assert!(f.svg.contains("discounted payback 1.80 yr"), "{}", f.svg);
        assert_eq!(f, cash_flow("c", &[0.0, 1.0, 2.0], &[-10.0, -4.0, 1.0], &[-10.0, -3.0, 4.0], Some(1.8), "KRW"));
    }

    #[test]
    fn extreme_values_never_panic() {
        let values = [
            0.0,
            -0.0,
            1e-300,
            -1e-300,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
            5e-324,
            1.0,
            1.0 + f64::EPSILON,
            123_456_789.0,
            f64::NAN,
            f64::INFINITY,
        ];
        for &a in &values {
            for &b in &values {
                let bars_ = [
                    Bar { label: "a".into(), value: a, text: "x".into() },
                    Bar { label: "b".into(), value: b, text: "y".into() },
                ];
                assert!(bars("t", &bars_, "u").svg.starts_with("<svg"));
                assert!(bars_over("t", &bars_, "u", (a, b)).svg.starts_with("<svg"));
                assert!(
                    tornado("t", a, &[TornadoRow { label: "p".into(), at_low: a, at_high: b }], "u")
                        .svg
                        .starts_with("<svg")
                );
                assert!(histogram("t", &[a, b, a], "u", Some(Marks { p5: a, p50: b, p95: a })).svg.starts_with("<svg"));
                assert!(cash_flow("t", &[0.0, 1.0], &[a, b], &[b, a], Some(b), "KRW").svg.starts_with("<svg"));
            }
        }
    }

    #[test]
    fn empty_or_odd_data_still_draws() {
        assert!(bars("t", &[], "kg").svg.starts_with("<svg"));
        assert!(tornado("t", f64::NAN, &[], "kg").svg.starts_with("<svg"));
        assert!(histogram("t", &[], "kg", None).svg.starts_with("<svg"));
        assert!(cash_flow("t", &[], &[], &[], None, "KRW").svg.starts_with("<svg"));
    }

    /// The filled rectangles of `fills` in an SVG: (x, y, width, height, fill), in order.
    fn rects(svg: &str, fills: &[&str]) -> Vec<(f64, f64, f64, f64, String)> {
        let attr = |tag: &str, name: &str| -> Option<String> {
            let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(tag[start..].split('"').next()?.to_string())
        };
        let num = |tag: &str, name: &str| attr(tag, name).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
        svg.split("<rect")
            .skip(1)
            .map(|t| &t[..t.find("/>").unwrap_or(t.len())])
            .filter_map(|t| {
                let fill = attr(t, "fill")?.to_lowercase();
                fills
                    .contains(&fill.as_str())
                    .then(|| (num(t, "x"), num(t, "y"), num(t, "width"), num(t, "height"), fill))
            })
            .collect()
    }

    fn step(label: &str, value: f64, total: bool) -> WaterfallStep {
        WaterfallStep { label: label.into(), value, total, text: sig(value, 3) }
    }

    #[test]
    fn a_waterfall_walks_its_running_level_through_zero() {
        let steps = [
            step("Gross CO2 fixed", 100.0, true),
            step("Project emissions", -30.0, false),
            step("Baseline uptake", -90.0, false),
            step("Baseline emissions avoided", 15.0, false),
            step("Credited", -5.0, true),
        ];
        // The levels by hand: 100, then 70, then below zero at -20, back up to -5; the total
        // is drawn from zero.
        let mut level = 0.0;
        let expected: Vec<(f64, f64)> = steps
            .iter()
            .map(|s| {
                let span = if s.total { (0.0, s.value) } else { (level, level + s.value) };
                level = span.1;
                span
            })
            .collect();
        assert_eq!(expected[2], (70.0, -20.0), "the third step crosses zero");
        assert_eq!(waterfall_spans(&steps), Ok(expected.clone()));

        let c = waterfall("Credits", &steps, "t CO2/yr");
        assert!(!c.svg.to_lowercase().contains("nan") && !c.svg.contains("inf"), "{}", c.svg);
        let bars = rects(&c.svg, &[RISE, FALL, TOTAL]);
        assert_eq!(bars.len(), steps.len(), "one bar per step: {bars:?}");
        // Pixel scale from the first bar, a total from zero to 100 (SVG y grows downwards).
        let zero = bars[0].1 + bars[0].3;
        let per_unit = bars[0].3 / 100.0;
        let y = |v: f64| zero - v * per_unit;
        for ((bar, s), &(from, to)) in bars.iter().zip(&steps).zip(&expected) {
            let (top, bottom) = (bar.1, bar.1 + bar.3);
            assert!((top - y(from.max(to))).abs() <= 1.5, "{} top {top} vs {}", s.label, y(from.max(to)));
            assert!((bottom - y(from.min(to))).abs() <= 1.5, "{} bottom {bottom} vs {}", s.label, y(from.min(to)));
            let fill = if s.total {
                TOTAL
            } else if s.value < 0.0 {
                FALL
            } else {
                RISE
            };
            assert_eq!(bar.4, fill, "{}", s.label);
            if s.total {
                let at_zero = if s.value >= 0.0 { bottom } else { top };
                assert!((at_zero - zero).abs() <= 1.0, "the total {} starts at zero", s.label);
            }
            assert!(c.svg.contains(&s.text), "text of {}", s.label);
        }
        assert!(bars.windows(2).all(|w| w[0].0 + w[0].2 < w[1].0), "left to right, apart: {bars:?}");
        // The zero line runs across the plot at the zero level.
        let zero_line = c.svg.split("<polyline").skip(1).find(|p| p.contains("stroke=\"#1F2933\""));
        let points = zero_line.and_then(|p| p.split("points=\"").nth(1)).and_then(|p| p.split('"').next());
        let ys: Vec<f64> = points
            .unwrap_or_else(|| panic!("no zero line: {}", c.svg))
            .split_whitespace()
            .filter_map(|xy| xy.split(',').nth(1)?.parse().ok())
            .collect();
        assert!(ys.len() == 2 && ys.iter().all(|v| (v - zero).abs() <= 1.0), "{ys:?} vs {zero}");
        // Labels are under the bars, wrapped; the legend names the three kinds.
        for word in ["Gross CO2", "Project", "Baseline", "avoided", "increase", "decrease", "total"] {
            assert!(c.svg.contains(word), "{word} missing");
        }
        assert_eq!(c, waterfall("Credits", &steps, "t CO2/yr"), "deterministic");
    }

    #[test]
    fn a_waterfall_without_steps_or_with_a_non_finite_step_says_so() {
        let empty = waterfall("t", &[], "t");
        assert!(empty.svg.starts_with("<svg") && empty.svg.contains("has no steps"), "{}", empty.svg);
        assert!(rects(&empty.svg, &[RISE, FALL, TOTAL]).is_empty());
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let steps = [step("gross", 10.0, true), step("odd", bad, false), step("net", 5.0, true)];
            assert!(waterfall_spans(&steps).is_err());
            let c = waterfall("t", &steps, "t");
            assert!(c.svg.contains("could not be drawn") && c.svg.contains("odd"), "{}", c.svg);
            assert!(!c.svg.contains("NaN") && !c.svg.contains("inf"), "{}", c.svg);
        }
        // Finite values whose running level overflows.
        let steps = [step("a", f64::MAX, false), step("b", f64::MAX, false)];
        let c = waterfall("t", &steps, "t");
        assert!(c.svg.contains("overflows at") && !c.svg.contains("NaN"), "{}", c.svg);
        // Extreme but finite values still draw, bars and all, without NaN.
        for v in [1e300, -1e300, 5e-324, 0.0, -0.0, 123_456_789.0] {
            let steps = [step("a", v, true), step("b", -v, false), step("c", v / 2.0, false), step("d", 0.0, true)];
            let c = waterfall("t", &steps, "t");
            assert_eq!(rects(&c.svg, &[RISE, FALL, TOTAL]).len(), 4, "{v}: {}", c.svg);
            assert!(!c.svg.contains("NaN"), "{v}");
        }
    }

    #[test]
    fn labels_wrap_at_spaces_and_stop_at_the_last_line() {
        assert_eq!(wrap("Baseline emissions avoided", 10, 4), ["Baseline", "emissions", "avoided"]);
        assert_eq!(wrap("abcdefghij", 4, 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one two three four five", 5, 2), ["one", "two…"]);
        assert!(wrap("", 8, 3).is_empty());
    }
}
