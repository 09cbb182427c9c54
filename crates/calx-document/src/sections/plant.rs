//! The plant sections: summary (the figures a reader looks for first), flowsheet diagram,
//! Sankey diagram, stream table, balance closure and solver summary.

use calx_core::result::{EnergyBalance, FlowsheetResult, StreamResult, StreamRole};
use calx_core::{Dimension, Utility};

use super::Ctx;
use crate::SankeyBasis;
use crate::diagram::{self, Edge, Graph, Node, NodeKind};
use crate::doc::{Block, Figure, KeyFigure, Section, Table};
use crate::format::{sig, sig_short};
use crate::sankey;

/// Streams per block of the stream table at most, so the table stays readable.
const STREAMS_PER_TABLE: usize = 6;

fn figure(id: &str, title: &str, svg: String, width: f64, height: f64) -> Figure {
    Figure { id: id.into(), title: title.into(), svg, width, height }
}

/// Headline numbers, the ones a reader looks for first leading (each analysis's `lead`
/// figures: net CO2 reduction per functional unit, B/C, IRR, NPV, unit production cost), then
/// what they rest on; a second analysis of a type adds its own headline, named.
pub(super) fn summary(ctx: &Ctx<'_>) -> Section {
    let mut first = Vec::new();
    let mut then = Vec::new();
    for group in ctx.parts_by_type() {
        for (k, (_, part)) in group.iter().enumerate() {
            if k == 0 {
                first.extend(part.summary.lead.iter().cloned());
                then.extend(part.summary.more.iter().cloned());
            } else {
                then.extend(part.summary.if_not_first.iter().cloned());
            }
        }
    }
    let power = ctx.result.utility_total(Utility::Electricity);
    if power > 0.0 {
        let unit = ctx.model.display.power.first().cloned().unwrap_or_else(|| "kW".into());
        then.push(KeyFigure::new("Electricity", sig(ctx.to(power, &unit), 4), unit, "all units, simulated"));
    }
    let economics = ctx.analyses.iter().any(|a| a.report.as_ref().is_some_and(|p| p.summary.replaces_plant_figures));
    if !economics {
        then.extend(plant_figures(ctx));
    }
    first.extend(then);
    let mut blocks = vec![Block::KeyFigures(first)];
    blocks.extend(absent_analyses(ctx).into_iter().map(Block::Note));
    Section { id: "summary".into(), title: "Summary".into(), blocks }
}

/// Without an analysis that says what the plant makes and costs: what goes in, what leaves
/// the plant, and how it solved.
fn plant_figures(ctx: &Ctx<'_>) -> Vec<KeyFigure> {
    let mut out = Vec::new();
    let fed: f64 =
        ctx.result.streams.iter().filter(|s| s.role == StreamRole::Feed).map(|s| s.stream.total_mass()).sum();
    out.push(KeyFigure::new("Fed", sig(ctx.to(fed, &ctx.flow_unit), 4), ctx.flow_unit.clone(), "all feed streams"));
    let loops = &ctx.result.solver.loops;
    if !loops.is_empty() {
        let iterations: usize = loops.iter().map(|l| l.iterations).sum();
        out.push(KeyFigure::new(
            "Recycle loops",
            loops.len().to_string(),
            format!("converged in {iterations} iterations"),
            "solver",
        ));
    }
    for s in ctx.result.streams.iter().filter(|s| s.role == StreamRole::Product) {
        out.push(KeyFigure::new(
            format!("Leaving: {}", s.name),
            sig(ctx.to(s.stream.total_mass(), &ctx.flow_unit), 4),
            ctx.flow_unit.clone(),
            "simulated",
        ));
    }
    out
}

/// The notes of the registered analysis types the flowsheet does not use ("No life-cycle
/// assessment: ..."), in registration order.
fn absent_analyses(ctx: &Ctx<'_>) -> Vec<String> {
    let Some(registry) = ctx.registry else { return Vec::new() };
    registry
        .analyses()
        .filter(|t| !ctx.analyses.iter().any(|a| a.type_name == t.descriptor.type_name))
        .filter_map(|t| t.descriptor.when_absent.clone())
        .collect()
}

/// A stream as an edge between nodes: units are nodes `0..units.len()` (result order); a
/// stream that leaves the plant gets the next free node index, in stream order.
struct StreamEdge<'r> {
    stream: &'r StreamResult,
    from: usize,
    to: usize,
    /// The destination is a terminal of its own (the stream leaves the plant).
    leaves: bool,
    tear: bool,
}

/// Every stream that has a source unit, as an edge.
fn stream_edges<'r>(ctx: &Ctx<'r>) -> Vec<StreamEdge<'r>> {
    let r = ctx.result;
    let index = |name: &str| r.units.iter().position(|u| u.name == name);
    let tears: Vec<&str> = r.solver.loops.iter().flat_map(|l| l.tears.iter().map(String::as_str)).collect();
    let mut next = r.units.len();
    let mut out = Vec::new();
    for s in &r.streams {
        let to = match &s.destination {
            Some(e) => index(&e.unit),
            None => {
                next += 1;
                Some(next - 1)
            }
        };
        if let (Some(from), Some(to)) = (s.source.as_ref().and_then(|e| index(&e.unit)), to) {
            out.push(StreamEdge {
                stream: s,
                from,
                to,
                leaves: s.destination.is_none(),
                tear: tears.contains(&s.name.as_str()),
            });
        }
    }
    out
}

/// The diagram's graph: units, feed terminals, product terminals, streams.
pub(crate) fn graph(ctx: &Ctx<'_>) -> Graph {
    let mut g = Graph { unit: ctx.flow_unit.clone(), ..Graph::default() };
    for u in &ctx.result.units {
        let (kind, detail) =
            if u.type_name == "feed" { (NodeKind::Feed, String::new()) } else { (NodeKind::Unit, u.type_name.clone()) };
        g.nodes.push(Node { name: u.name.clone(), detail, kind });
    }
    for e in stream_edges(ctx) {
        if e.leaves {
            g.nodes.push(Node { name: e.stream.name.clone(), detail: String::new(), kind: NodeKind::Product });
        }
        let flow = sig(ctx.to(e.stream.stream.total_mass(), &ctx.flow_unit), 4);
        g.edges.push(Edge { from: e.from, to: e.to, name: e.stream.name.clone(), flow, tear: e.tear });
    }
    g
}

pub(super) fn flowsheet(ctx: &Ctx<'_>) -> Section {
    let g = graph(ctx);
    let d = diagram::draw(&g, "flowsheet-diagram");
    let mut blocks = vec![
        Block::Paragraph(format!(
            "Units are boxes (name and type); feeds are green, what leaves the plant orange. Arrows are streams, labelled with their name and total flow in {}.{}",
            ctx.flow_unit,
            if d.recycles > 0 {
                " Dashed orange arrows return material upstream: they close recycle loops."
            } else {
                ""
            }
        )),
        Block::Figure(figure("flowsheet-diagram", "Flowsheet diagram", d.svg, d.width, d.height)),
    ];
    if ctx.result.streams.iter().any(|s| s.source.is_none()) {
        blocks.push(Block::Note("Streams without a source unit are not drawn.".into()));
    }
    Section { id: "flowsheet".into(), title: "Flowsheet".into(), blocks }
}

/// Index of a phase in [`sankey::PHASE_NAMES`].
fn phase_index(p: calx_core::Phase) -> usize {
    match p {
        calx_core::Phase::Gas => 0,
        calx_core::Phase::Liquid => 1,
        calx_core::Phase::Solid => 2,
    }
}

/// Mass flow of a stream split into gas, liquid and solid (kg/s).
fn phases(ctx: &Ctx<'_>, s: &StreamResult) -> [f64; 3] {
    let mut parts = [0.0; 3];
    for (c, w) in ctx.result.components.iter().zip(&s.stream.flows) {
        parts[phase_index(c.phase)] += w.max(0.0);
    }
    parts
}

/// The Sankey diagram's input: feeds and make-up materials as sources, units, product
/// sinks; values in the chosen basis.
pub(crate) fn sankey_input(ctx: &Ctx<'_>, factor: f64, unit: &str) -> sankey::Input {
    let r = ctx.result;
    let mut input = sankey::Input { unit: unit.into(), ..sankey::Input::default() };
    for u in &r.units {
        let kind = if u.type_name == "feed" { sankey::Kind::Source } else { sankey::Kind::Unit };
        input.nodes.push(sankey::Node { name: u.name.clone(), kind });
    }
    for e in stream_edges(ctx) {
        if e.leaves {
            input.nodes.push(sankey::Node { name: e.stream.name.clone(), kind: sankey::Kind::Sink });
        }
        let parts = phases(ctx, e.stream).map(|p| p * factor);
        input.links.push(sankey::Link { from: e.from, to: e.to, name: e.stream.name.clone(), parts });
    }
    for (i, u) in r.units.iter().enumerate() {
        for m in &u.report.materials {
            let Some(c) = r.components.get(m.component) else { continue };
            input.nodes.push(sankey::Node { name: format!("{} ({})", c.name, m.purpose), kind: sankey::Kind::Source });
            let mut parts = [0.0; 3];
            parts[phase_index(c.phase)] = m.rate * factor;
            input.links.push(sankey::Link {
                from: input.nodes.len() - 1,
                to: i,
                name: format!("{} to {}", c.name, u.name),
                parts,
            });
        }
    }
    input
}

pub(super) fn sankey(ctx: &Ctx<'_>, basis: SankeyBasis) -> Section {
    let (unit, factor, explained) = ctx.sankey_basis(basis);
    let s = sankey::draw(&sankey_input(ctx, factor, &unit));
    let mut blocks = vec![
        Block::Paragraph(format!(
            "Mass flows {explained}. Band widths are proportional to mass flow and split into gas, liquid and solid, so a reaction that moves CO2 from gas into solids shows as a change of colour; mass is conserved at every unit. Make-up materials enter as sources of their own."
        )),
        Block::Figure(figure("sankey", &format!("Sankey diagram of mass flows ({unit})"), s.svg, s.width, s.height)),
    ];
    if !s.empty.is_empty() {
        blocks.push(Block::Note(format!("Streams with no flow, not drawn: {}.", s.empty.join(", "))));
    }
    if s.nodes.iter().any(|n| n.kind == sankey::Kind::Gap) {
        blocks.push(Block::Note(
            "Red bands mark where a unit's inflow and outflow differ by more than 1e-6 of its throughput.".into(),
        ));
    }
    Section { id: "sankey".into(), title: "Mass flows (Sankey)".into(), blocks }
}

/// Stream tables in `flow_unit`, in blocks of at most [`STREAMS_PER_TABLE`] streams of
/// about equal size.
fn stream_tables(ctx: &Ctx<'_>, flow_unit: &str) -> Vec<Block> {
    let r = ctx.result;
    let d = &ctx.model.display;
    let blocks_n = r.streams.len().div_ceil(STREAMS_PER_TABLE).max(1);
    let per = r.streams.len().div_ceil(blocks_n).max(1);
    let mut out = Vec::new();
    for (k, chunk) in r.streams.chunks(per).enumerate() {
        let mut header = vec![String::new()];
        header.extend(chunk.iter().map(|s| s.name.clone()));
        let caption = if blocks_n > 1 {
            format!("Streams in {flow_unit} ({} of {blocks_n})", k + 1)
        } else {
            format!("Streams in {flow_unit}")
        };
        let mut t = Table {
            caption,
            header,
            numeric: std::iter::once(false).chain(chunk.iter().map(|_| true)).collect(),
            sticky_first: true,
            ..Table::default()
        };
        let row = |label: &str, f: &dyn Fn(&StreamResult) -> String| {
            std::iter::once(label.to_string()).chain(chunk.iter().map(f)).collect::<Vec<_>>()
        };
        t.row(row("from", &|s| s.source.as_ref().map_or("-".into(), |e| e.unit.clone())));
        t.row(row("to", &|s| s.destination.as_ref().map_or("-".into(), |e| e.unit.clone())));
        t.row(row(&format!("T [{}]", d.temperature), &|s| sig_short(ctx.to(s.stream.temperature, &d.temperature), 4)));
        t.row(row(&format!("P [{}]", d.pressure), &|s| sig_short(ctx.to(s.stream.pressure, &d.pressure), 4)));
        t.row(row(&format!("total [{flow_unit}]"), &|s| sig_short(ctx.to(s.stream.total_mass(), flow_unit), 5)));
        for (i, c) in r.components.iter().enumerate() {
            if chunk.iter().all(|s| s.stream.flows.get(i).copied().unwrap_or(0.0) == 0.0) {
                continue;
            }
            t.row(row(&c.name, &|s| {
                let w = s.stream.flows.get(i).copied().unwrap_or(0.0);
                if w == 0.0 { "-".into() } else { sig_short(ctx.to(w, flow_unit), 5) }
            }));
        }
        for (label, cells) in crate::aqueous::rows(chunk) {
            t.row(std::iter::once(label).chain(cells).collect());
        }
        out.push(Block::Table(t));
    }
    out
}

/// A unit's size figure in the display units where the flowsheet has one for its dimension.
fn size(ctx: &Ctx<'_>, value: f64, dim: Dimension) -> String {
    let power = ctx.model.display.power.first().cloned().unwrap_or_else(|| "kW".into());
    match dim {
        x if x == Dimension::MASS_FLOW => ctx.flow(value),
        x if x == Dimension::POWER => format!("{} {power}", sig(ctx.to(value, &power), 4)),
        x if x == Dimension::VOLUME_FLOW => format!("{} m3/h", sig(ctx.to(value, "m3/h"), 4)),
        x if x == Dimension::DIMENSIONLESS => sig(value, 4),
        x if x == Dimension::MOLALITY => format!("{} mol/kg", sig(value, 4)),
        _ => format!("{} {dim}", sig(value, 4)),
    }
}

pub(super) fn streams(ctx: &Ctx<'_>) -> Section {
    let r = ctx.result;
    let d = &ctx.model.display;
    let mut blocks = Vec::new();
    for (k, flow_unit) in d.flows.iter().enumerate() {
        let tables = stream_tables(ctx, flow_unit);
        if k == 0 {
            blocks.extend(tables);
        } else {
            blocks.push(Block::Collapsed { summary: format!("Streams in {flow_unit}"), blocks: tables });
        }
    }
    // Utilities, make-up and sizes by unit.
    let power_unit = d.power.first().cloned().unwrap_or_else(|| "kW".into());
    let mut t = Table::new(
        "Utilities, make-up materials and sizes by unit",
        &["unit", "type", "what", "amount"],
        &[false, false, false, true],
    );
    for u in &r.units {
        let mut first = true;
        let mut push = |what: String, amount: String| {
            let (a, b) = if first { (u.name.clone(), u.type_name.clone()) } else { (String::new(), String::new()) };
            first = false;
            t.row(vec![a, b, what, amount]);
        };
        for x in &u.report.utilities {
            let amount = match x.utility {
                Utility::Water => ctx.flow(x.rate),
                _ => format!("{} {power_unit}", sig(ctx.to(x.rate, &power_unit), 4)),
            };
            push(format!("{} ({})", x.utility.name(), x.purpose), amount);
        }
        for m in &u.report.materials {
            let c = r.components.get(m.component).map_or("?", |c| c.name.as_str());
            push(format!("{c} drawn ({})", m.purpose), ctx.flow(m.rate));
        }
        for w in &u.report.work {
            push(
                format!("shaft work ({})", w.purpose),
                format!("{} {power_unit}", sig(ctx.to(w.power, &power_unit), 4)),
            );
        }
        for z in &u.report.sizes {
            push(format!("size: {}", z.name), size(ctx, z.value, z.dimension));
        }
    }
    if !t.rows.is_empty() {
        blocks.push(Block::Heading("Units".into()));
        blocks.push(Block::Table(t));
    }
    let power = r.utility_total(Utility::Electricity);
    let totals: Vec<String> = d.power.iter().map(|p| format!("{} {p}", sig(ctx.to(power, p), 4))).collect();
    blocks.push(Block::Paragraph(format!("Electricity, all units: {}.", totals.join(" = "))));
    Section { id: "streams".into(), title: "Streams".into(), blocks }
}

/// A relative closure error: `0` when exact.
fn closure(x: f64) -> String {
    if x == 0.0 { "0".into() } else { format!("{x:.1e}") }
}

pub(super) fn balance(ctx: &Ctx<'_>) -> Section {
    let r = ctx.result;
    let mut overall = Table::new(
        "Flowsheet closure: feeds and make-up in, products out",
        &["quantity", "in", "out", "unit", "relative error"],
        &[false, true, true, false, true],
    );
    // Elements in kmol per the display flow unit's time basis (kmol/t_product), if it has one.
    let molar = ctx
        .flow_unit
        .split_once('/')
        .map(|(_, per)| format!("kmol/{per}"))
        .filter(|u| ctx.units.unit(u).is_ok_and(|x| x.dimension == Dimension::MOLAR_FLOW))
        .unwrap_or_else(|| "mol/s".into());
    for c in &r.balance {
        let unit = if c.quantity == "mass" { ctx.flow_unit.clone() } else { molar.clone() };
        overall.row(vec![
            c.quantity.to_string(),
            sig(ctx.to(c.inflow, &unit), 6),
            sig(ctx.to(c.outflow, &unit), 6),
            unit,
            closure(c.relative_error),
        ]);
    }
    if let Some(c) = r.energy.closure() {
        let power_unit = ctx.model.display.power.first().cloned().unwrap_or_else(|| "kW".into());
        overall.row(vec![
            "energy (enthalpy + heat)".into(),
            sig(ctx.to(c.inflow, &power_unit), 6),
            sig(ctx.to(c.outflow, &power_unit), 6),
            power_unit,
            closure(c.relative_error),
        ]);
    }
    let mut per_unit = Table::new(
        "Closure of each unit (mass; worst element; energy)",
        &["unit", "type", "mass", "worst element", "relative error", "energy"],
        &[false, false, true, false, true, true],
    );
    for u in r.units.iter().filter(|u| !u.balance.is_empty()) {
        let mass = u.balance.iter().find(|c| c.quantity == "mass").map_or("-".into(), |c| closure(c.relative_error));
        let worst = u
            .balance
            .iter()
            .filter(|c| c.quantity != "mass")
            .max_by(|a, b| a.relative_error.total_cmp(&b.relative_error));
        let (name, err) =
            worst.map_or(("-".into(), "-".into()), |c| (c.quantity.to_string(), closure(c.relative_error)));
        per_unit.row(vec![u.name.clone(), u.type_name.clone(), mass, name, err, energy_closure(&u.energy)]);
    }
    let worst = r
        .units
        .iter()
        .flat_map(|u| u.balance.iter().map(move |c| (u, c)))
        .max_by(|a, b| a.1.relative_error.total_cmp(&b.1.relative_error));
    let mut blocks = vec![Block::Paragraph(match worst {
        Some((u, c)) => format!(
            "Relative closure |in - out| / max(in, out); energy: |in - out| over the sum of the terms' magnitudes, enthalpy (formation enthalpy plus sensible heat) in plus heat supplied against enthalpy out plus heat removed. The engine refuses any unit that breaks conservation of mass, of an element or of energy; the worst mass or element closure here is {} ({}) at {}.{}",
            u.name,
            c.quantity,
            closure(c.relative_error),
            unchecked_energy(r)
        ),
        None => "No unit reports a balance.".into(),
    })];
    if !overall.rows.is_empty() {
        blocks.push(Block::Table(overall));
    }
    if !per_unit.rows.is_empty() {
        blocks.push(Block::Table(per_unit));
    }
    Section { id: "balance".into(), title: "Balance closure".into(), blocks }
}

/// A unit's energy closure for the per-unit table.
fn energy_closure(energy: &EnergyBalance) -> String {
    match energy {
        EnergyBalance::Checked(c) => closure(c.relative_error),
        EnergyBalance::NoData { component } => format!("not checked: no data for {component}"),
        EnergyBalance::NotApplicable => "-".into(),
    }
}

/// A sentence naming what kept the plant's energy closure from being checked, if anything.
fn unchecked_energy(r: &FlowsheetResult) -> String {
    match &r.energy {
        EnergyBalance::NoData { component } => format!(
            " The plant's energy closure is not checked: {component} has no formation enthalpy or heat capacity."
        ),
        _ => String::new(),
    }
}

pub(super) fn solver(ctx: &Ctx<'_>) -> Section {
    let s = &ctx.result.solver;
    let mut blocks = vec![Block::Paragraph(format!("Calculation order: {}.", s.calculation_order.join(" → ")))];
    if s.loops.is_empty() {
        blocks.push(Block::Paragraph("No recycle loops: every unit was calculated once, in order.".into()));
    } else {
        let mut t = Table::new(
            "Recycle loops",
            &["units", "tear streams", "method", "iterations", "largest residual", "residual / tolerance"],
            &[false, false, false, true, true, true],
        );
        for l in &s.loops {
            t.row(vec![
                l.units.join(" → "),
                l.tears.join(", "),
                l.method.clone(),
                l.iterations.to_string(),
                format!("{:.2e}", l.max_abs_residual),
                format!("{:.2e}", l.max_scaled_residual),
            ]);
        }
        blocks.push(Block::Table(t));
    }
    if !s.design_specs.is_empty() {
        let mut t = Table::new(
            "Design specifications",
            &["adjusted", "value", "so that", "target", "achieved", "iterations", "method"],
            &[false, true, false, true, true, true, false],
        );
        let shown = |x: f64, d: Dimension, u: Option<&str>| crate::text::shown_value(ctx.model, &ctx.units, x, d, u);
        for d in &s.design_specs {
            t.row(vec![
                d.adjust.clone(),
                shown(d.value, d.adjust_dimension, d.adjust_unit.as_deref()),
                d.target_variable.clone(),
                shown(d.target, d.target_dimension, d.target_unit.as_deref()),
                shown(d.achieved, d.target_dimension, d.target_unit.as_deref()),
                d.iterations.to_string(),
                d.method.name().to_string(),
            ]);
        }
        blocks.push(Block::Table(t));
        // A simultaneous solve that fell back to nesting says why (once per reason).
        let mut reasons: Vec<&str> = s.design_specs.iter().filter_map(|d| d.fallback.as_deref()).collect();
        reasons.dedup();
        for why in reasons {
            blocks.push(Block::Note(format!(
                "The design specifications were solved together first and then nested: {why}."
            )));
        }
    }
    if let Some(o) = &s.optimization {
        blocks.extend(optimum(ctx, o));
    }
    blocks.push(Block::Paragraph(format!(
        "Unit calculations, including those inside loops and design specifications: {}.",
        s.unit_calculations
    )));
    for note in ctx.model.basis_notes(ctx.result) {
        blocks.push(Block::Note(format!("Basis: {note}.")));
    }
    Section { id: "solver".into(), title: "Solver".into(), blocks }
}

/// The optimum of an `optimize:` section: one table of the objective, the variables and the
/// constraints (with whether each is active), and one of the path of iterates.
fn optimum(ctx: &Ctx, o: &calx_core::result::OptimizationReport) -> Vec<Block> {
    use calx_core::result::ReportedValue;
    let v =
        |r: &ReportedValue| crate::text::shown_value(ctx.model, &ctx.units, r.value, r.dimension, r.unit.as_deref());
    let mut t = Table::new(
        &format!(
            "Optimum ({} {}, {}, {})",
            o.goal,
            o.objective.path,
            calx_core::format::count(o.evaluations, "evaluation"),
            calx_core::format::count(o.path.len(), "outer iteration")
        ),
        &["", "path", "value", "bound", "active"],
        &[false, false, true, true, false],
    );
    t.row(vec!["objective".into(), o.objective.path.clone(), v(&o.objective), String::new(), String::new()]);
    for x in &o.variables {
        t.row(vec!["variable".into(), x.path.clone(), v(x), String::new(), String::new()]);
    }
    for c in &o.constraints {
        let bound = ReportedValue { value: c.bound, ..c.value.clone() };
        let active = if c.active { "yes" } else { "no" };
        t.row(vec!["constraint".into(), c.constraint.clone(), v(&c.value), v(&bound), active.into()]);
    }
    let mut path = Table::new(
        "Path of iterates",
        &["iteration", "variables", "objective", "violation (of the bound)"],
        &[true, false, true, true],
    );
    for (i, it) in o.path.iter().enumerate() {
        let xs: Vec<String> =
            it.variables.iter().zip(&o.variables).map(|(&x, r)| v(&ReportedValue { value: x, ..r.clone() })).collect();
        path.row(vec![
            (i + 1).to_string(),
            xs.join(", "),
            v(&ReportedValue { value: it.objective, ..o.objective.clone() }),
            format!("{:.2e}", it.violation),
        ]);
    }
    vec![Block::Table(t), Block::Table(path)]
}
