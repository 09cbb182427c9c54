//! A Sankey diagram of mass flows: own code, because no maintained Rust crate draws Sankey
//! diagrams (the JavaScript ones would have to be vendored into every report).
//!
//! Layout, in the manner of d3-sankey but for flowsheets:
//!
//! 1. **Columns** follow the flowsheet's graph order: after breaking recycles (the streams
//!    that return material, as in the diagram, see [`crate::graph`]), each unit's column
//!    is its longest path from the sources. What enters the plant (feeds, make-up) is in the
//!    first column and what leaves it in the last, so the figure reads "in, through, out" —
//!    unless that band would cross more than four columns (large plants), then the node
//!    sits next to its unit.
//! 2. **Node heights** are proportional to throughput, max(in, out); one scale for the
//!    whole figure, chosen so the fullest column fits.
//! 3. **Order in a column** by the barycentre of the neighbours' positions (alternating
//!    left-to-right and right-to-left sweeps), which removes most crossings.
//! 4. **Links** are filled bands whose vertical thickness is proportional to mass flow,
//!    stacked at each node in the order of the other end, and split into gas, liquid and
//!    solid layers, so a reaction that moves CO2 from a gas into a solid shows as a change
//!    of colour, not of width. Recycle links leave on the right, run under the diagram and
//!    enter their destination from the left.
//!
//! **Mass conservation**: at every unit, what enters equals what leaves (a unit's make-up
//! materials enter as links of their own). Any difference beyond 1e-6 of the throughput —
//! which the engine's balance check already forbids beyond 1e-9 — is drawn explicitly as a
//! red "unbalanced" link to or from a node of that name, never hidden.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::format::{esc, px, sig};
use crate::svg::{INK, MUTED, Svg, text_width, title};

/// Layer colours: gas, liquid, solid.
pub const PHASE_COLOURS: [&str; 3] = ["#aab4bf", "#4f8fcf", "#d29f6a"];
/// Layer names, in the order of [`Link::parts`].
pub const PHASE_NAMES: [&str; 3] = ["gas", "liquid", "solid"];
const GAP_COLOUR: &str = "#d62728";

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Material entering the flowsheet (a feed, a unit's make-up).
    Source,
    /// A unit operation.
    Unit,
    /// Material leaving (a product stream).
    Sink,
    /// The explicit imbalance of a unit.
    Gap,
}

/// A node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Label.
    pub name: String,
    /// Kind.
    pub kind: Kind,
}

/// A link (a stream, or a make-up material).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Source node.
    pub from: usize,
    /// Destination node.
    pub to: usize,
    /// Stream name.
    pub name: String,
    /// Mass flow in the figure's unit: gas, liquid, solid (sum = the stream).
    pub parts: [f64; 3],
}

impl Link {
    /// Total mass flow.
    pub fn value(&self) -> f64 {
        self.parts.iter().sum()
    }
}

/// What to draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Links.
    pub links: Vec<Link>,
    /// Unit of every value (`kg/t_product`, `t/yr`).
    pub unit: String,
}

/// A placed node.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedNode {
    /// Label.
    pub name: String,
    /// Kind.
    pub kind: Kind,
    /// Column.
    pub column: usize,
    /// Sum of entering links (after gap links are added).
    pub inflow: f64,
    /// Sum of leaving links.
    pub outflow: f64,
    /// Left, top, height (px).
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Height.
    pub h: f64,
}

/// The laid-out Sankey diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Sankey {
    /// Standalone SVG.
    pub svg: String,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
    /// Nodes (input nodes, then gap nodes).
    pub nodes: Vec<PlacedNode>,
    /// Links drawn (input links with a positive value, then gap links).
    pub links: Vec<Link>,
    /// For each link drawn: whether it is drawn as a recycle (under the diagram, backwards).
    pub recycle: Vec<bool>,
    /// Names of links left out because they carry nothing.
    pub empty: Vec<String>,
}

const NODE_W: f64 = 14.0;
const COLUMN_GAP: f64 = 150.0;
/// Vertical space between nodes of a column: room for the two label lines above a node.
const NODE_PAD: f64 = 36.0;
const FONT: f64 = 12.0;
/// Room around a recycle band where it turns (px): its turns have an inner radius of about
/// half this.
const RECYCLE_PAD: f64 = 16.0;
/// Columns a feed's or a product's band may cross before its node moves next to its unit.
const MAX_SPAN: usize = 4;
/// Relative imbalance above which a gap link is drawn.
const GAP_TOLERANCE: f64 = 1e-6;

/// Recycle links (see [`crate::graph`]), and self-loops.
fn recycles(n: usize, links: &[Link]) -> Vec<bool> {
    let edges: Vec<(usize, usize)> = links.iter().map(|l| (l.from, l.to)).collect();
    crate::graph::recycles(n, &edges).into_iter().zip(links).map(|(back, l)| back || l.from == l.to).collect()
}

/// Longest-path columns over forward links; sources first, sinks last.
fn columns(nodes: &[Node], links: &[Link], back: &[bool]) -> Vec<usize> {
    let n = nodes.len();
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, l) in links.iter().enumerate() {
        if !back[i] {
            out[l.from].push(l.to);
            indegree[l.to] += 1;
        }
    }
    let mut col = vec![0usize; n];
    let mut ready: BTreeSet<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop_first() {
        for &w in &out[v] {
            col[w] = col[w].max(col[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.insert(w);
            }
        }
    }
    let last =
        nodes.iter().zip(&col).filter(|(n, _)| !matches!(n.kind, Kind::Sink)).map(|(_, c)| c + 1).max().unwrap_or(1);
    // What enters sits in the first column and what leaves in the last, unless its band would
    // then cross more than MAX_SPAN columns (large plants): then it sits next to its unit.
    let by_path = col.clone();
    let first_target =
        |i: usize| links.iter().enumerate().filter(|(k, l)| l.from == i && !back[*k]).map(|(_, l)| by_path[l.to]).min();
    let last_source =
        |i: usize| links.iter().enumerate().filter(|(k, l)| l.to == i && !back[*k]).map(|(_, l)| by_path[l.from]).max();
    for (i, node) in nodes.iter().enumerate() {
        match node.kind {
            Kind::Source => col[i] = first_target(i).filter(|&t| t > MAX_SPAN).map_or(0, |t| t - 1),
            Kind::Sink => col[i] = last_source(i).filter(|&s| s + MAX_SPAN < last).map_or(last, |s| s + 1),
            // A gap that only receives is an outlet of the plant; one that gives, an inlet.
            Kind::Gap if links.iter().any(|l| l.from == i) => col[i] = 0,
            Kind::Gap => col[i] = last,
            Kind::Unit => {}
        }
    }
    let min = col.iter().copied().min().unwrap_or(0);
    col.iter().map(|c| c - min).collect()
}

/// Add gap nodes and links where a unit's inflow and outflow differ.
fn close_balances(input: &Input, links: &mut Vec<Link>, nodes: &mut Vec<Node>) {
    for (i, node) in input.nodes.iter().enumerate() {
        if node.kind != Kind::Unit {
            continue;
        }
        let inflow: f64 = links.iter().filter(|l| l.to == i).map(Link::value).sum();
        let outflow: f64 = links.iter().filter(|l| l.from == i).map(Link::value).sum();
        let scale = inflow.max(outflow);
        let gap = inflow - outflow;
        if scale > 0.0 && gap.abs() > GAP_TOLERANCE * scale {
            let g = nodes.len();
            nodes.push(Node { name: format!("unbalanced at {}", node.name), kind: Kind::Gap });
            let name = format!(
                "{} {} {} {}",
                node.name,
                if gap > 0.0 { "loses" } else { "gains" },
                sig(gap.abs(), 4),
                input.unit
            );
            let (from, to) = if gap > 0.0 { (i, g) } else { (g, i) };
            // A gap has no phase; it is drawn in its own colour (as "solid" layer width).
            links.push(Link { from, to, name, parts: [0.0, 0.0, gap.abs()] });
        }
    }
}

/// Lay out and draw.
pub fn draw(input: &Input) -> Sankey {
    let mut nodes = input.nodes.clone();
    let n0 = nodes.len();
    let mut links: Vec<Link> = Vec::new();
    let mut empty = Vec::new();
    for l in &input.links {
        if l.from >= n0 || l.to >= n0 {
            continue;
        }
        let v = l.value();
        if v.is_finite() && v > 0.0 && l.parts.iter().all(|p| p.is_finite() && *p >= 0.0) {
            links.push(l.clone());
        } else {
            empty.push(l.name.clone());
        }
    }
    close_balances(input, &mut links, &mut nodes);
    let gap_links: Vec<bool> =
        links.iter().map(|l| nodes[l.from].kind == Kind::Gap || nodes[l.to].kind == Kind::Gap).collect();
    // Nodes that carry nothing are left out of the picture.
    let n = nodes.len();
    let inflow: Vec<f64> = (0..n).map(|i| links.iter().filter(|l| l.to == i).map(Link::value).sum()).collect();
    let outflow: Vec<f64> = (0..n).map(|i| links.iter().filter(|l| l.from == i).map(Link::value).sum()).collect();
    let visible: Vec<bool> = (0..n).map(|i| inflow[i] + outflow[i] > 0.0).collect();
    if links.is_empty() {
        let mut svg = Svg::new(360.0, 60.0);
        svg.text(16.0, 34.0, "No mass flows to draw.", 13.0, "start", "normal", MUTED);
        return Sankey {
            svg: svg.finish("empty Sankey diagram"),
            width: 360.0,
            height: 60.0,
            nodes: Vec::new(),
            links,
            recycle: Vec::new(),
            empty,
        };
    }
    let back = recycles(n, &links);
    let col = columns(&nodes, &links, &back);
    let ncols = col.iter().zip(&visible).filter(|(_, v)| **v).map(|(c, _)| c + 1).max().unwrap_or(1);
    let value: Vec<f64> = (0..n).map(|i| inflow[i].max(outflow[i])).collect();

    // Order within columns: declaration order, then barycentre sweeps.
    let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); ncols];
    for i in (0..n).filter(|&i| visible[i]) {
        by_col[col[i]].push(i);
    }
    let max_nodes = by_col.iter().map(Vec::len).max().unwrap_or(1);
    let plot_h = (60.0 * max_nodes as f64).clamp(320.0, 900.0);
    let column_total = |c: &Vec<usize>| c.iter().map(|&i| value[i]).sum::<f64>();
    let k = by_col
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| (plot_h - NODE_PAD * (c.len() as f64 - 1.0)) / column_total(c).max(1e-300))
        .fold(f64::INFINITY, f64::min);
    let k = if k.is_finite() && k > 0.0 { k } else { 1.0 };
    let mut y = vec![0.0; n];
    let place = |by_col: &Vec<Vec<usize>>, y: &mut Vec<f64>| {
        for c in by_col {
            let total: f64 = c.iter().map(|&i| value[i] * k).sum::<f64>() + NODE_PAD * (c.len() as f64 - 1.0).max(0.0);
            let mut top = (plot_h - total) / 2.0;
            for &i in c {
                y[i] = top;
                top += value[i] * k + NODE_PAD;
            }
        }
    };
    place(&by_col, &mut y);
    for sweep in 0..6 {
        let forward = sweep % 2 == 0;
        for c in 0..ncols {
            let c = if forward { c } else { ncols - 1 - c };
            let centre = |i: usize, y: &Vec<f64>| y[i] + value[i] * k / 2.0;
            let mut keyed: Vec<(f64, usize, usize)> = by_col[c]
                .iter()
                .enumerate()
                .map(|(pos, &i)| {
                    let (mut sum, mut weight) = (0.0, 0.0);
                    for (li, l) in links.iter().enumerate() {
                        if back[li] {
                            continue;
                        }
                        let other = if forward && l.to == i {
                            Some(l.from)
                        } else if !forward && l.from == i {
                            Some(l.to)
                        } else {
                            None
                        };
                        if let Some(o) = other {
                            sum += centre(o, &y) * l.value();
                            weight += l.value();
                        }
                    }
                    (if weight > 0.0 { sum / weight } else { centre(i, &y) }, pos, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            by_col[c] = keyed.into_iter().map(|(_, _, i)| i).collect();
            place(&by_col, &mut y);
        }
    }

    // Margins for labels: column 0 labels on the left, the last column's on the right.
    let label = |i: usize| format!("{} {}", sig(value[i], 4), input.unit);
    let label_w = |i: usize| text_width(&nodes[i].name, FONT).max(text_width(&label(i), FONT - 1.0)) + 10.0;
    let left = by_col.first().map(|c| c.iter().map(|&i| label_w(i)).fold(0.0, f64::max)).unwrap_or(0.0) + 12.0;
    let right = by_col.last().map(|c| c.iter().map(|&i| label_w(i)).fold(0.0, f64::max)).unwrap_or(0.0) + 12.0;
    let top_margin = 36.0;
    // Column positions: a gap is wide enough for the recycle bands that turn down in it
    // (leaving the column on its left) and up (entering the column on its right).
    let turn = |li: usize| links[li].value() * k + RECYCLE_PAD;
    let mut need = vec![0.0; ncols + 1];
    for li in (0..links.len()).filter(|&li| back[li]) {
        need[col[links[li].from] + 1] += turn(li);
        need[col[links[li].to]] += turn(li);
    }
    let mut xs = vec![left; ncols];
    for c in 1..ncols {
        xs[c] = xs[c - 1] + NODE_W + (COLUMN_GAP - NODE_W).max(need[c] + 16.0);
    }
    let x_of = |c: usize| xs[c.min(ncols - 1)];

    // Link ports: stacked at each node in the order of the other end's height; recycles last.
    // `at` is the end being stacked, `other` the far end; returns each link's top there.
    let stack = |at: &dyn Fn(&Link) -> usize, other: &dyn Fn(&Link) -> usize| {
        let mut order: Vec<usize> = (0..links.len()).collect();
        order.sort_by(|&a, &b| {
            back[a].cmp(&back[b]).then(y[other(&links[a])].total_cmp(&y[other(&links[b])])).then(a.cmp(&b))
        });
        let mut offset = vec![0.0; n];
        let mut top = vec![0.0; links.len()];
        for li in order {
            let node = at(&links[li]);
            top[li] = y[node] + offset[node];
            offset[node] += links[li].value() * k;
        }
        top
    };
    let sy = stack(&|l| l.from, &|l| l.to);
    let ty = stack(&|l| l.to, &|l| l.from);

    // Recycle lanes under the plot.
    let mut lane_y = plot_h + 24.0;
    let mut lanes = vec![0.0; links.len()];
    for li in (0..links.len()).filter(|&li| back[li]) {
        let w = links[li].value() * k;
        // Low enough for both turns at each end (radius about w / 2 + 6).
        let ends = (sy[li] + w / 2.0).max(ty[li] + w / 2.0) + w + RECYCLE_PAD;
        lanes[li] = (lane_y + w / 2.0).max(ends);
        lane_y = lanes[li] + w / 2.0 + 14.0;
    }
    let width = x_of(ncols - 1) + NODE_W + right.max(need[ncols] + 16.0);
    let height = top_margin + lane_y.max(plot_h) + 40.0;
    let mut svg = Svg::new(width, height);
    let _ = write!(svg.body_mut(), r#"<g transform="translate(0 {})">"#, px(top_margin));

    let (mut used_out, mut used_in) = (vec![0.0; ncols], vec![0.0; ncols]);
    for (li, l) in links.iter().enumerate() {
        let w = l.value() * k;
        let (x0, x1) = (x_of(col[l.from]) + NODE_W, x_of(col[l.to]));
        let tip = format!("{}: {} {}{}", l.name, sig(l.value(), 4), input.unit, phase_text(l));
        let _ = write!(svg.body_mut(), r#"<g class="link" data-stream="{}">{}"#, esc(&l.name), title(&tip));
        if back[li] {
            // Out to the right, down to its lane, back left, up into the destination: a
            // stroke as wide as the band, whose turns are wide enough for its inner edge.
            let (ys, yt, yl) = (sy[li] + w / 2.0, ty[li] + w / 2.0, lanes[li]);
            let r = w / 2.0 + RECYCLE_PAD / 2.0 - 2.0;
            let down = x0 + used_out[col[l.from]] + w / 2.0 + RECYCLE_PAD / 2.0;
            let up = x1 - used_in[col[l.to]] - w / 2.0 - RECYCLE_PAD / 2.0;
            used_out[col[l.from]] += turn(li);
            used_in[col[l.to]] += turn(li);
            let d = format!(
                "M{} {} L{} {} Q{} {} {} {} L{} {} Q{} {} {} {} L{} {} Q{} {} {} {} L{} {} Q{} {} {} {} L{} {}",
                px(x0),
                px(ys),
                px(down - r),
                px(ys),
                px(down),
                px(ys),
                px(down),
                px(ys + r),
                px(down),
                px(yl - r),
                px(down),
                px(yl),
                px(down - r),
                px(yl),
                px(up + r),
                px(yl),
                px(up),
                px(yl),
                px(up),
                px(yl - r),
                px(up),
                px(yt + r),
                px(up),
                px(yt),
                px(up + r),
                px(yt),
                px(x1),
                px(yt)
            );
            let colour = if gap_links[li] { GAP_COLOUR } else { PHASE_COLOURS[dominant(l)] };
            let _ = write!(
                svg.body_mut(),
                r#"<path d="{d}" fill="none" stroke="{colour}" stroke-opacity="0.55" stroke-linejoin="round" stroke-width="{}"/>"#,
                px(w.max(0.5))
            );
        } else {
            let xm = (x0 + x1) / 2.0;
            let (mut s, mut t) = (sy[li], ty[li]);
            for (p, part) in l.parts.iter().enumerate() {
                let pw = part * k;
                if pw <= 0.0 {
                    continue;
                }
                let colour = if gap_links[li] { GAP_COLOUR } else { PHASE_COLOURS[p] };
                let d = format!(
                    "M{} {} C{} {} {} {} {} {} L{} {} C{} {} {} {} {} {} Z",
                    px(x0),
                    px(s),
                    px(xm),
                    px(s),
                    px(xm),
                    px(t),
                    px(x1),
                    px(t),
                    px(x1),
                    px(t + pw),
                    px(xm),
                    px(t + pw),
                    px(xm),
                    px(s + pw),
                    px(x0),
                    px(s + pw)
                );
                let _ = write!(
                    svg.body_mut(),
                    r#"<path d="{d}" fill="{colour}" fill-opacity="0.6" stroke="{colour}" stroke-opacity="0.35" stroke-width="0.5"/>"#
                );
                s += pw;
                t += pw;
            }
            // The stream's name in the middle of bands thick enough to carry it.
            // Only bands between neighbouring columns: longer ones pass other nodes midway.
            if w >= 14.0
                && nodes[l.from].kind == Kind::Unit
                && nodes[l.to].kind == Kind::Unit
                && col[l.to] == col[l.from] + 1
            {
                let (lx, ly) = (xm, (sy[li] + ty[li]) / 2.0 + w / 2.0 + 3.5);
                let _ = write!(
                    svg.body_mut(),
                    r##"<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="{INK}" stroke="#ffffff" stroke-width="3" stroke-opacity="0.8" paint-order="stroke">{}</text>"##,
                    px(lx),
                    px(ly),
                    esc(&l.name)
                );
            }
        }
        svg.body_mut().push_str("</g>");
    }

    let mut placed = Vec::new();
    for i in 0..n {
        let (x, h) = (x_of(col[i]), value[i] * k);
        placed.push(PlacedNode {
            name: nodes[i].name.clone(),
            kind: nodes[i].kind,
            column: col[i],
            inflow: inflow[i],
            outflow: outflow[i],
            x,
            y: y[i] + top_margin,
            h,
        });
        if !visible[i] {
            continue;
        }
        let fill = match nodes[i].kind {
            Kind::Source => "#4f8a4f",
            Kind::Unit => "#2f4858",
            Kind::Sink => "#b7791f",
            Kind::Gap => GAP_COLOUR,
        };
        let kind = format!("{:?}", nodes[i].kind).to_lowercase();
        let tip = format!("{}: in {} / out {} {}", nodes[i].name, sig(inflow[i], 6), sig(outflow[i], 6), input.unit);
        let _ = write!(svg.body_mut(), r#"<g class="node {kind}" data-name="{}">{}"#, esc(&nodes[i].name), title(&tip));
        svg.rect(x, y[i], NODE_W, h.max(1.0), 2.0, fill, "none", "");
        // Labels: left of the first column, right of the last, above the node elsewhere
        // (where bands pass on both sides).
        let (tx, anchor, y_name) = if col[i] == 0 {
            (x - 6.0, "end", y[i] + h / 2.0 - 1.0)
        } else if col[i] + 1 == ncols {
            (x + NODE_W + 6.0, "start", y[i] + h / 2.0 - 1.0)
        } else {
            (x + NODE_W / 2.0, "middle", y[i] - FONT - 6.0)
        };
        let halo = r##" stroke="#ffffff" stroke-width="3" stroke-opacity="0.85" paint-order="stroke""##;
        let _ = write!(
            svg.body_mut(),
            r#"<text x="{}" y="{}" font-size="{FONT}" font-weight="600" text-anchor="{anchor}" fill="{INK}"{halo}>{}</text>"#,
            px(tx),
            px(y_name),
            esc(&nodes[i].name)
        );
        let _ = write!(
            svg.body_mut(),
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{MUTED}"{halo}>{}</text>"#,
            px(tx),
            px(y_name + FONT),
            FONT - 1.0,
            esc(&label(i))
        );
        svg.body_mut().push_str("</g>");
    }
    svg.body_mut().push_str("</g>");
    // Legend.
    let mut lx = left;
    let ly = height - 14.0;
    for (p, name) in PHASE_NAMES.iter().enumerate() {
        svg.rect(lx, ly - 10.0, 14.0, 10.0, 2.0, PHASE_COLOURS[p], "none", r#" fill-opacity="0.6""#);
        svg.text(lx + 18.0, ly, name, 11.0, "start", "normal", MUTED);
        lx += 18.0 + text_width(name, 11.0) + 18.0;
    }
    if back.iter().any(|b| *b) {
        svg.text(lx, ly, "recycles run under the diagram", 11.0, "start", "normal", MUTED);
    }
    let label = format!("Sankey diagram of mass flows in {}", input.unit);
    Sankey { svg: svg.finish(&label), width, height, nodes: placed, links, recycle: back, empty }
}

fn dominant(l: &Link) -> usize {
    (0..3).max_by(|&a, &b| l.parts[a].total_cmp(&l.parts[b])).unwrap_or(0)
}

fn phase_text(l: &Link) -> String {
    let total = l.value();
    if total <= 0.0 {
        return String::new();
    }
    let parts: Vec<String> = (0..3)
        .filter(|&p| l.parts[p] > 0.0)
        .map(|p| format!("{} {:.1} %", PHASE_NAMES[p], l.parts[p] / total * 100.0))
        .collect();
    format!(" ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str) -> Node {
        Node { name: name.into(), kind: Kind::Unit }
    }

    fn link(from: usize, to: usize, name: &str, parts: [f64; 3]) -> Link {
        Link { from, to, name: name.into(), parts }
    }

    /// Feed -> mixer <-> separator (recycle) -> product, and a reactor that turns gas into
    /// solid: mass is conserved at every unit, layers change colour.
    fn plant() -> Input {
        Input {
            nodes: vec![
                Node { name: "ash".into(), kind: Kind::Source },
                Node { name: "gas".into(), kind: Kind::Source },
                unit("mixer"),
                unit("reactor"),
                unit("separator"),
                Node { name: "product".into(), kind: Kind::Sink },
                Node { name: "vent".into(), kind: Kind::Sink },
            ],
            links: vec![
                link(0, 2, "ash", [0.0, 0.0, 10.0]),
                link(2, 3, "mixed", [0.0, 2.0, 13.0]),
                link(1, 3, "gas", [5.0, 0.0, 0.0]),
                link(3, 4, "reacted", [1.0, 2.0, 17.0]),
                link(4, 2, "recycle", [0.0, 2.0, 3.0]),
                link(4, 5, "product", [0.0, 0.0, 14.0]),
                link(3, 6, "vent", [0.0, 0.0, 0.0]),
                link(4, 6, "offgas", [1.0, 0.0, 0.0]),
            ],
            unit: "kg/h".into(),
        }
    }

    #[test]
    fn mass_is_conserved_at_every_unit() {
        let s = draw(&plant());
        for node in s.nodes.iter().filter(|n| n.kind == Kind::Unit) {
            assert!((node.inflow - node.outflow).abs() < 1e-9 * node.inflow, "{node:?}");
        }
        assert!(s.nodes.iter().all(|n| n.kind != Kind::Gap), "balanced plant: no gap nodes");
        assert_eq!(s.empty, vec!["vent".to_string()], "the empty vent is left out");
        // Every link's band height is its value times one scale.
        let unit_heights: Vec<f64> = s.nodes.iter().filter(|n| n.kind == Kind::Unit).map(|n| n.h / n.inflow).collect();
        assert!(unit_heights.windows(2).all(|w| (w[0] - w[1]).abs() < 1e-9), "{unit_heights:?}");
    }

    #[test]
    fn an_imbalance_is_drawn_explicitly() {
        let mut p = plant();
        p.links[5].parts = [0.0, 0.0, 13.0]; // the separator now loses 1 kg/h
        let s = draw(&p);
        let gap: Vec<&PlacedNode> = s.nodes.iter().filter(|n| n.kind == Kind::Gap).collect();
        assert_eq!(gap.len(), 1);
        assert!((gap[0].inflow - 1.0).abs() < 1e-12, "{gap:?}");
        for node in s.nodes.iter().filter(|n| n.kind == Kind::Unit) {
            assert!((node.inflow - node.outflow).abs() < 1e-9, "{node:?}");
        }
        assert!(s.svg.contains("separator loses 1.000 kg/h"), "{}", s.svg);
    }

    #[test]
    fn columns_follow_the_graph_and_recycles_run_back() {
        let s = draw(&plant());
        let col = |name: &str| s.nodes.iter().find(|n| n.name == name).map(|n| n.column).unwrap_or(99);
        assert!(col("ash") < col("mixer") && col("mixer") < col("reactor") && col("reactor") < col("separator"));
        assert_eq!((col("gas"), col("ash")), (0, 0), "what enters is on the left");
        assert_eq!(col("product"), col("separator") + 1);
        assert_eq!(col("vent"), col("product"), "what leaves is on the right");
        assert!(s.svg.contains("recycles run under the diagram"));
        assert_eq!(s.svg.matches("class=\"link\"").count(), 7);
        assert_eq!(s.svg, draw(&plant()).svg, "deterministic");
    }

    /// Random plants (recycles, self-loops, parallel streams, zero flows, units fed by
    /// nothing): never a panic, and every unit balances once gaps are drawn.
    #[test]
    fn random_plants_never_panic_and_always_balance() {
        let mut next = crate::tests::random(0x9e37_79b9_7f4a_7c15);
        for case in 0..300 {
            let n = 1 + next(16);
            let kinds = [Kind::Source, Kind::Unit, Kind::Unit, Kind::Sink];
            let nodes: Vec<Node> = (0..n).map(|i| Node { name: format!("n{i}"), kind: kinds[next(4)] }).collect();
            let links: Vec<Link> = (0..next(3 * n + 1))
                .map(|k| {
                    link(
                        next(n),
                        next(n),
                        &format!("s{k}"),
                        [next(3) as f64, (next(5) * next(2)) as f64, next(1000) as f64 / 7.0],
                    )
                })
                .collect();
            let s = draw(&Input { nodes, links, unit: "t/h".into() });
            assert!(s.svg.starts_with("<svg"), "case {case}");
            for node in s.nodes.iter().filter(|n| n.kind == Kind::Unit) {
                assert!(
                    (node.inflow - node.outflow).abs() <= 1e-9 * node.inflow.max(node.outflow).max(1.0),
                    "case {case}: {node:?}"
                );
            }
            assert!(
                s.width.is_finite() && s.height.is_finite() && !s.svg.contains("NaN") && !s.svg.contains("inf"),
                "case {case}"
            );
        }
    }

    #[test]
    fn nothing_to_draw_is_a_note_not_a_panic() {
        let s = draw(&Input::default());
        assert!(s.svg.contains("No mass flows"));
        let mut p = plant();
        p.links.iter_mut().for_each(|l| l.parts = [f64::NAN, 0.0, 0.0]);
        assert!(draw(&p).svg.contains("No mass flows"));
    }
}
