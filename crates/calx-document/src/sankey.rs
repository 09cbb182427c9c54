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
    let (mut links, empty) = drawable_links(input);
    let mut nodes = input.nodes.clone();
    close_balances(input, &mut links, &mut nodes);
    if links.is_empty() {
        return nothing_to_draw(empty);
    }
    let layout = Layout::new(&input.unit, nodes, links);
    let mut svg = Svg::new(layout.width, layout.height);
    let _ = write!(svg.body_mut(), r#"<g transform="translate(0 {})">"#, px(TOP_MARGIN));
    for li in 0..layout.links.len() {
        layout.draw_link(&mut svg, li);
    }
    for i in (0..layout.nodes.len()).filter(|&i| layout.visible(i)) {
        layout.draw_node(&mut svg, i);
    }
    svg.body_mut().push_str("</g>");
    layout.draw_legend(&mut svg);
    let label = format!("Sankey diagram of mass flows in {}", input.unit);
    let nodes = layout.placed_nodes();
    Sankey {
        svg: svg.finish(&label),
        width: layout.width,
        height: layout.height,
        nodes,
        links: layout.links,
        recycle: layout.back,
        empty,
    }
}

/// The links to draw, and the names of those left out because they carry nothing (or
/// nothing drawable: a NaN, a negative layer). Links to nodes that do not exist are dropped.
fn drawable_links(input: &Input) -> (Vec<Link>, Vec<String>) {
    let n = input.nodes.len();
    let mut links = Vec::new();
    let mut empty = Vec::new();
    for l in &input.links {
        if l.from >= n || l.to >= n {
            continue;
        }
        let v = l.value();
        if v.is_finite() && v > 0.0 && l.parts.iter().all(|p| p.is_finite() && *p >= 0.0) {
            links.push(l.clone());
        } else {
            empty.push(l.name.clone());
        }
    }
    (links, empty)
}

/// The figure when no link carries anything: a note, not an empty frame.
fn nothing_to_draw(empty: Vec<String>) -> Sankey {
    let mut svg = Svg::new(360.0, 60.0);
    svg.text(16.0, 34.0, "No mass flows to draw.", 13.0, "start", "normal", MUTED);
    Sankey {
        svg: svg.finish("empty Sankey diagram"),
        width: 360.0,
        height: 60.0,
        nodes: Vec::new(),
        links: Vec::new(),
        recycle: Vec::new(),
        empty,
    }
}

/// Top margin (px): room for the labels above the highest node of a middle column.
const TOP_MARGIN: f64 = 36.0;

/// Where a recycle band runs (px): down at `down` right of its source column, along its lane
/// at `lane` under the plot, up at `up` left of its destination column (centre lines).
#[derive(Clone, Copy, Debug, Default)]
struct Route {
    down: f64,
    lane: f64,
    up: f64,
}

/// The diagram being laid out. [`Layout::new`] runs the stages in order, each one filling in
/// its fields from those of the stages before; the `draw_` methods only read them.
struct Layout<'a> {
    /// Unit of every value, for labels.
    unit: &'a str,
    /// Input nodes, then gap nodes.
    nodes: Vec<Node>,
    /// Links drawn: input links that carry something, then gap links.
    links: Vec<Link>,
    /// Per link: to or from a gap node, so drawn in the gap colour whatever its phases.
    gap_link: Vec<bool>,
    /// Per link: drawn as a recycle (under the plot, backwards).
    back: Vec<bool>,
    /// Per node: sum of the entering links.
    inflow: Vec<f64>,
    /// Per node: sum of the leaving links.
    outflow: Vec<f64>,
    /// Per node: throughput, max(in, out), which its height shows.
    value: Vec<f64>,
    /// Per node: its column.
    column: Vec<usize>,
    /// The visible nodes of each column, top to bottom.
    by_column: Vec<Vec<usize>>,
    /// Height of the plot (px) without the recycle lanes under it.
    plot_h: f64,
    /// Px per unit of flow: one scale for every node and band.
    scale: f64,
    /// Per node: top (px, in plot coordinates: below the top margin).
    y: Vec<f64>,
    /// Left margin (px), for the first column's labels.
    left: f64,
    /// Per column: its left edge (px).
    xs: Vec<f64>,
    /// Per link: top of its band where it leaves its source node.
    source_top: Vec<f64>,
    /// Per link: top of its band where it enters its destination node.
    target_top: Vec<f64>,
    /// Per link: its route if it is a recycle (default otherwise).
    routes: Vec<Route>,
    /// Size of the whole figure (px).
    width: f64,
    /// Height.
    height: f64,
}

impl<'a> Layout<'a> {
    /// Lay out `links` between `nodes` (gap links and nodes included).
    fn new(unit: &'a str, nodes: Vec<Node>, links: Vec<Link>) -> Self {
        let n = nodes.len();
        let gap_link = links.iter().map(|l| nodes[l.from].kind == Kind::Gap || nodes[l.to].kind == Kind::Gap).collect();
        let inflow: Vec<f64> = (0..n).map(|i| links.iter().filter(|l| l.to == i).map(Link::value).sum()).collect();
        let outflow: Vec<f64> = (0..n).map(|i| links.iter().filter(|l| l.from == i).map(Link::value).sum()).collect();
        let value = (0..n).map(|i| inflow[i].max(outflow[i])).collect();
        let back = recycles(n, &links);
        let column = columns(&nodes, &links, &back);
        let mut layout = Layout {
            unit,
            nodes,
            links,
            gap_link,
            back,
            inflow,
            outflow,
            value,
            column,
            by_column: Vec::new(),
            plot_h: 0.0,
            scale: 0.0,
            y: vec![0.0; n],
            left: 0.0,
            xs: Vec::new(),
            source_top: Vec::new(),
            target_top: Vec::new(),
            routes: Vec::new(),
            width: 0.0,
            height: 0.0,
        };
        layout.group_by_column();
        layout.fit_fullest_column();
        layout.order_columns();
        layout.place_columns();
        layout.stack_ports();
        layout.route_recycles();
        layout
    }

    /// Whether a node is drawn: nodes that carry nothing are left out of the picture.
    fn visible(&self, i: usize) -> bool {
        self.inflow[i] + self.outflow[i] > 0.0
    }

    /// The visible nodes of each column, in declaration order.
    fn group_by_column(&mut self) {
        let n = self.nodes.len();
        let ncols = (0..n).filter(|&i| self.visible(i)).map(|i| self.column[i] + 1).max().unwrap_or(1);
        let mut by_column: Vec<Vec<usize>> = vec![Vec::new(); ncols];
        for i in (0..n).filter(|&i| self.visible(i)) {
            by_column[self.column[i]].push(i);
        }
        self.by_column = by_column;
    }

    /// The plot's height grows with the longest column (within bounds), and the one
    /// scale is the largest at which every column, nodes and padding, fits in it.
    fn fit_fullest_column(&mut self) {
        let max_nodes = self.by_column.iter().map(Vec::len).max().unwrap_or(1);
        let plot_h = (60.0 * max_nodes as f64).clamp(320.0, 900.0);
        let column_total = |c: &Vec<usize>| c.iter().map(|&i| self.value[i]).sum::<f64>();
        let k = self
            .by_column
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| (plot_h - NODE_PAD * (c.len() as f64 - 1.0)) / column_total(c).max(1e-300))
            .fold(f64::INFINITY, f64::min);
        self.plot_h = plot_h;
        // No scale fits when a column's padding alone fills the plot (over 25 nodes), and
        // vanishing flows give an infinite one: then 1 px per unit, so the figure still draws.
        self.scale = if k.is_finite() && k > 0.0 { k } else { 1.0 };
    }

    /// Stack every column's nodes top to bottom in their order, centred in the plot.
    fn place(&mut self) {
        for c in &self.by_column {
            let total: f64 =
                c.iter().map(|&i| self.value[i] * self.scale).sum::<f64>() + NODE_PAD * (c.len() as f64 - 1.0).max(0.0);
            let mut top = (self.plot_h - total) / 2.0;
            for &i in c {
                self.y[i] = top;
                top += self.value[i] * self.scale + NODE_PAD;
            }
        }
    }

    /// Order within columns by barycentre, six sweeps alternately left to right
    /// (by the sources' heights) and right to left (by the destinations'). Each column is
    /// placed again at once, so the next one sorts by the new positions.
    fn order_columns(&mut self) {
        self.place();
        let ncols = self.by_column.len();
        for sweep in 0..6 {
            let forward = sweep % 2 == 0;
            for c in 0..ncols {
                let c = if forward { c } else { ncols - 1 - c };
                let mut keyed: Vec<(f64, usize, usize)> = self.by_column[c]
                    .iter()
                    .enumerate()
                    .map(|(pos, &i)| (self.barycentre(i, forward), pos, i))
                    .collect();
                // Stable on ties: the current order stays where the neighbours do not decide.
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                self.by_column[c] = keyed.into_iter().map(|(_, _, i)| i).collect();
                self.place();
            }
        }
    }

    /// A node's vertical centre.
    fn centre(&self, i: usize) -> f64 {
        self.y[i] + self.value[i] * self.scale / 2.0
    }

    /// The flow-weighted mean centre of a node's neighbours on one side (its sources when
    /// `forward`, else its destinations), recycles left out; its own centre if it has none.
    fn barycentre(&self, i: usize, forward: bool) -> f64 {
        let (mut sum, mut weight) = (0.0, 0.0);
        for (li, l) in self.links.iter().enumerate() {
            if self.back[li] {
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
                sum += self.centre(o) * l.value();
                weight += l.value();
            }
        }
        if weight > 0.0 { sum / weight } else { self.centre(i) }
    }

    /// A node's second label line: its throughput.
    fn value_label(&self, i: usize) -> String {
        format!("{} {}", sig(self.value[i], 4), self.unit)
    }

    /// Width of a node's labels, name or value, whichever is longer (px).
    fn label_width(&self, i: usize) -> f64 {
        text_width(&self.nodes[i].name, FONT).max(text_width(&self.value_label(i), FONT - 1.0)) + 10.0
    }

    /// Horizontal room a recycle band takes where it turns (px).
    fn turn(&self, li: usize) -> f64 {
        self.links[li].value() * self.scale + RECYCLE_PAD
    }

    /// Margins for the labels (the first column's on the left, the last column's on
    /// the right) and the columns' x positions. A gap between columns is wide enough for the
    /// recycle bands that turn down in it (leaving the column on its left) and up (entering
    /// the column on its right); so is the right margin, for those leaving the last column.
    fn place_columns(&mut self) {
        let ncols = self.by_column.len();
        let widest = |c: Option<&Vec<usize>>| {
            c.map(|c| c.iter().map(|&i| self.label_width(i)).fold(0.0, f64::max)).unwrap_or(0.0) + 12.0
        };
        let (left, right) = (widest(self.by_column.first()), widest(self.by_column.last()));
        let mut need = vec![0.0; ncols + 1];
        for li in (0..self.links.len()).filter(|&li| self.back[li]) {
            need[self.column[self.links[li].from] + 1] += self.turn(li);
            need[self.column[self.links[li].to]] += self.turn(li);
        }
        let mut xs = vec![left; ncols];
        for c in 1..ncols {
            xs[c] = xs[c - 1] + NODE_W + (COLUMN_GAP - NODE_W).max(need[c] + 16.0);
        }
        self.left = left;
        self.xs = xs;
        self.width = self.x_of(ncols - 1) + NODE_W + right.max(need[ncols] + 16.0);
    }

    /// Left edge of a column (px). Invisible nodes may sit beyond the last visible column.
    fn x_of(&self, c: usize) -> f64 {
        self.xs[c.min(self.xs.len() - 1)]
    }

    /// Link ports. At each node the links are stacked in the order of their other
    /// end's height, so bands do not cross at the node; recycles last (they leave and enter
    /// at the bottom, towards their lanes).
    fn stack_ports(&mut self) {
        self.source_top = self.stack(|l| l.from, |l| l.to);
        self.target_top = self.stack(|l| l.to, |l| l.from);
    }

    /// Each link's top at the end `at` when stacked there by the height of the far end `other`.
    fn stack(&self, at: impl Fn(&Link) -> usize, other: impl Fn(&Link) -> usize) -> Vec<f64> {
        let links = &self.links;
        let mut order: Vec<usize> = (0..links.len()).collect();
        order.sort_by(|&a, &b| {
            self.back[a]
                .cmp(&self.back[b])
                .then(self.y[other(&links[a])].total_cmp(&self.y[other(&links[b])]))
                .then(a.cmp(&b))
        });
        let mut offset = vec![0.0; self.nodes.len()];
        let mut top = vec![0.0; links.len()];
        for li in order {
            let node = at(&links[li]);
            top[li] = self.y[node] + offset[node];
            offset[node] += links[li].value() * self.scale;
        }
        top
    }

    /// Recycle routes. Each recycle gets its own lane under the plot, below the
    /// previous one, and turns down right of its source column and up left of its destination
    /// column, outside the recycles already turning there, so recycles never overlap.
    fn route_recycles(&mut self) {
        let ncols = self.by_column.len();
        let (mut used_out, mut used_in) = (vec![0.0; ncols], vec![0.0; ncols]);
        let mut lane_y = self.plot_h + 24.0;
        self.routes = vec![Route::default(); self.links.len()];
        for li in (0..self.links.len()).filter(|&li| self.back[li]) {
            let l = &self.links[li];
            let (from, to) = (self.column[l.from], self.column[l.to]);
            let w = l.value() * self.scale;
            // Low enough for both turns at each end (radius about w / 2 + 6).
            let ends = (self.source_top[li] + w / 2.0).max(self.target_top[li] + w / 2.0) + w + RECYCLE_PAD;
            let lane = (lane_y + w / 2.0).max(ends);
            lane_y = lane + w / 2.0 + 14.0;
            let down = self.x_of(from) + NODE_W + used_out[from] + w / 2.0 + RECYCLE_PAD / 2.0;
            let up = self.x_of(to) - used_in[to] - w / 2.0 - RECYCLE_PAD / 2.0;
            used_out[from] += self.turn(li);
            used_in[to] += self.turn(li);
            self.routes[li] = Route { down, lane, up };
        }
        self.height = TOP_MARGIN + lane_y.max(self.plot_h) + 40.0;
    }

    /// A link, with its tooltip: a recycle or a band.
    fn draw_link(&self, svg: &mut Svg, li: usize) {
        let l = &self.links[li];
        let tip = format!("{}: {} {}{}", l.name, sig(l.value(), 4), self.unit, phase_text(l));
        let _ = write!(svg.body_mut(), r#"<g class="link" data-stream="{}">{}"#, esc(&l.name), title(&tip));
        if self.back[li] {
            self.draw_recycle(svg, li);
        } else {
            self.draw_band(svg, li);
        }
        svg.body_mut().push_str("</g>");
    }

    /// A recycle along its route: out to the right, down to its lane, back left, up into the
    /// destination. One stroke as wide as the band, in its dominant phase's colour (layers
    /// would not survive the turns), whose turns are wide enough for its inner edge.
    fn draw_recycle(&self, svg: &mut Svg, li: usize) {
        let l = &self.links[li];
        let w = l.value() * self.scale;
        let (x0, x1) = (self.x_of(self.column[l.from]) + NODE_W, self.x_of(self.column[l.to]));
        let (ys, yt) = (self.source_top[li] + w / 2.0, self.target_top[li] + w / 2.0);
        let Route { down, lane: yl, up } = self.routes[li];
        let r = w / 2.0 + RECYCLE_PAD / 2.0 - 2.0;
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
        let colour = if self.gap_link[li] { GAP_COLOUR } else { PHASE_COLOURS[dominant(l)] };
        let _ = write!(
            svg.body_mut(),
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-opacity="0.55" stroke-linejoin="round" stroke-width="{}"/>"#,
            px(w.max(0.5))
        );
    }

    /// A forward link: one filled band per phase layer, gas on top, then its name.
    fn draw_band(&self, svg: &mut Svg, li: usize) {
        let l = &self.links[li];
        let (x0, x1) = (self.x_of(self.column[l.from]) + NODE_W, self.x_of(self.column[l.to]));
        let xm = (x0 + x1) / 2.0;
        let (mut s, mut t) = (self.source_top[li], self.target_top[li]);
        for (p, part) in l.parts.iter().enumerate() {
            let pw = part * self.scale;
            if pw <= 0.0 {
                continue;
            }
            let colour = if self.gap_link[li] { GAP_COLOUR } else { PHASE_COLOURS[p] };
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
        self.draw_band_name(svg, li, xm);
    }

    /// The stream's name in the middle of a band (at `xm`) thick enough to carry it. Only
    /// bands between units in neighbouring columns: longer ones pass other nodes midway, and
    /// feeds and products are named by their nodes.
    fn draw_band_name(&self, svg: &mut Svg, li: usize, xm: f64) {
        let l = &self.links[li];
        let w = l.value() * self.scale;
        if w >= 14.0
            && self.nodes[l.from].kind == Kind::Unit
            && self.nodes[l.to].kind == Kind::Unit
            && self.column[l.to] == self.column[l.from] + 1
        {
            let (lx, ly) = (xm, (self.source_top[li] + self.target_top[li]) / 2.0 + w / 2.0 + 3.5);
            let _ = write!(
                svg.body_mut(),
                r##"<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="{INK}" stroke="#ffffff" stroke-width="3" stroke-opacity="0.8" paint-order="stroke">{}</text>"##,
                px(lx),
                px(ly),
                esc(&l.name)
            );
        }
    }

    /// A visible node: its box in the colour of its kind, with a tooltip and its labels.
    fn draw_node(&self, svg: &mut Svg, i: usize) {
        let node = &self.nodes[i];
        let (x, h) = (self.x_of(self.column[i]), self.value[i] * self.scale);
        let fill = match node.kind {
            Kind::Source => "#4f8a4f",
            Kind::Unit => "#2f4858",
            Kind::Sink => "#b7791f",
            Kind::Gap => GAP_COLOUR,
        };
        let kind = format!("{:?}", node.kind).to_lowercase();
        let tip =
            format!("{}: in {} / out {} {}", node.name, sig(self.inflow[i], 6), sig(self.outflow[i], 6), self.unit);
        let _ = write!(svg.body_mut(), r#"<g class="node {kind}" data-name="{}">{}"#, esc(&node.name), title(&tip));
        svg.rect(x, self.y[i], NODE_W, h.max(1.0), 2.0, fill, "none", "");
        self.draw_node_labels(svg, i, x, h);
        svg.body_mut().push_str("</g>");
    }

    /// A node's name and throughput: left of the first column, right of the last, above the
    /// node elsewhere (where bands pass on both sides). A white halo keeps them readable over
    /// bands.
    fn draw_node_labels(&self, svg: &mut Svg, i: usize, x: f64, h: f64) {
        let (y, column) = (self.y[i], self.column[i]);
        let (tx, anchor, y_name) = if column == 0 {
            (x - 6.0, "end", y + h / 2.0 - 1.0)
        } else if column + 1 == self.by_column.len() {
            (x + NODE_W + 6.0, "start", y + h / 2.0 - 1.0)
        } else {
            (x + NODE_W / 2.0, "middle", y - FONT - 6.0)
        };
        let halo = r##" stroke="#ffffff" stroke-width="3" stroke-opacity="0.85" paint-order="stroke""##;
        let _ = write!(
            svg.body_mut(),
            r#"<text x="{}" y="{}" font-size="{FONT}" font-weight="600" text-anchor="{anchor}" fill="{INK}"{halo}>{}</text>"#,
            px(tx),
            px(y_name),
            esc(&self.nodes[i].name)
        );
        let _ = write!(
            svg.body_mut(),
            r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{MUTED}"{halo}>{}</text>"#,
            px(tx),
            px(y_name + FONT),
            FONT - 1.0,
            esc(&self.value_label(i))
        );
    }

    /// The legend under the figure: the phase colours, and where the recycles are.
    fn draw_legend(&self, svg: &mut Svg) {
        let mut lx = self.left;
        let ly = self.height - 14.0;
        for (p, name) in PHASE_NAMES.iter().enumerate() {
            svg.rect(lx, ly - 10.0, 14.0, 10.0, 2.0, PHASE_COLOURS[p], "none", r#" fill-opacity="0.6""#);
            svg.text(lx + 18.0, ly, name, 11.0, "start", "normal", MUTED);
            lx += 18.0 + text_width(name, 11.0) + 18.0;
        }
        if self.back.iter().any(|b| *b) {
            svg.text(lx, ly, "recycles run under the diagram", 11.0, "start", "normal", MUTED);
        }
    }

    /// Every node (visible or not) with its place in the figure's coordinates.
    fn placed_nodes(&self) -> Vec<PlacedNode> {
        (0..self.nodes.len())
            .map(|i| PlacedNode {
                name: self.nodes[i].name.clone(),
                kind: self.nodes[i].kind,
                column: self.column[i],
                inflow: self.inflow[i],
                outflow: self.outflow[i],
                x: self.x_of(self.column[i]),
                y: self.y[i] + TOP_MARGIN,
                h: self.value[i] * self.scale,
            })
            .collect()
    }
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
