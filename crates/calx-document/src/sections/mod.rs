//! Building the [`Document`]: one function per section, all reading one [`Ctx`].
//!
//! Section ids are stable (tests and links use them): `summary`, `flowsheet`, `sankey`,
//! `streams`, `balance`, `solver`, then `lca` and `tea` when the flowsheet has those
//! analyses, `analysis-NAME` for any other analysis, and `study` when study results are
//! given.

mod lca;
mod plant;
mod studies;
mod tea;

use calx_core::result::FlowsheetResult;
use calx_core::{AnalysisOutput, Dimension, UnitTable};
use calx_flowsheet::Model;

use crate::doc::{Block, Document, Section, Table};
use crate::format::sig;
use crate::views::{self, Lca, Tea};
use crate::{Input, Options, SankeyBasis};

/// Everything the sections read, decoded once.
pub(crate) struct Ctx<'a> {
    pub model: &'a Model,
    pub result: &'a FlowsheetResult,
    pub analyses: &'a [AnalysisOutput],
    /// The first display flow unit (`kg/t_product`, `kg/h`).
    pub flow_unit: String,
    /// LCA analyses with their decoded results.
    pub lcas: Vec<(&'a AnalysisOutput, Result<Lca, String>)>,
    /// TEA analyses with their decoded results.
    pub teas: Vec<(&'a AnalysisOutput, Result<Tea, String>)>,
}

impl<'a> Ctx<'a> {
    fn new(input: &Input<'a>) -> Ctx<'a> {
        let analyses: &'a [AnalysisOutput] = input.analyses;
        let decoded = |t: &'static str| analyses.iter().filter(move |a| a.type_name == t);
        Ctx {
            model: input.model,
            result: input.result,
            analyses: input.analyses,
            flow_unit: input.model.display.flows.first().cloned().unwrap_or_else(|| "kg/h".into()),
            lcas: decoded("lca").map(|a| (a, views::decode(&a.json))).collect(),
            teas: decoded("tea").map(|a| (a, views::decode(&a.json))).collect(),
        }
    }

    /// `x` (SI) in `unit`, NaN when the unit does not fit.
    pub fn to(&self, x: f64, unit: &str) -> f64 {
        self.model.units_of_measure.to_unit(x, unit).unwrap_or(f64::NAN)
    }

    /// A mass flow (kg/s) in the main display unit, with the unit.
    pub fn flow(&self, kg_s: f64) -> String {
        format!("{} {}", sig(self.to(kg_s, &self.flow_unit), 4), self.flow_unit)
    }

    /// The first LCA that decoded.
    pub fn lca(&self) -> Option<(&'a AnalysisOutput, &Lca)> {
        self.lcas.iter().find_map(|(a, r)| r.as_ref().ok().map(|l| (*a, l)))
    }

    /// The flowsheet's production basis as its display units use it: the first display
    /// flow unit whose symbol the flowsheet defined under `basis:` (`kg/t_product`).
    pub fn basis_unit(&self) -> Option<String> {
        let builtin = UnitTable::builtin();
        self.model
            .display
            .flows
            .iter()
            .find(|u| {
                builtin.unit(u).is_err()
                    && self.model.units_of_measure.unit(u).is_ok_and(|x| x.dimension == Dimension::MASS_FLOW)
            })
            .cloned()
    }

    /// How the Sankey diagram converts kg/s: (unit label, factor from kg/s, explanation).
    pub fn sankey_basis(&self, basis: SankeyBasis) -> (String, f64, String) {
        let factor = |unit: &str| self.to(1.0, unit);
        match basis {
            SankeyBasis::PerYear => ("t/yr".into(), factor("t/yr"), "per year of operation (8,760 h)".into()),
            SankeyBasis::PerUnit => {
                if let Some(u) = self.basis_unit() {
                    let f = factor(&u);
                    return (u.clone(), f, format!("per unit of production, in `{u}` (the flowsheet's `basis:`)"));
                }
                if let Some((a, l)) = self.lca()
                    && l.seconds_per_functional_unit > 0.0
                {
                    let unit = format!("kg/{}", l.per());
                    return (
                        unit,
                        l.seconds_per_functional_unit,
                        format!("per functional unit of the LCA `{}` ({})", a.name, l.functional_unit),
                    );
                }
                let biggest = self.result.streams.iter().map(|s| s.stream.total_mass()).fold(0.0, f64::max);
                let unit = if self.to(biggest, "kg/h") >= 10_000.0 { "t/h" } else { "kg/h" };
                (
                    unit.into(),
                    factor(unit),
                    "per hour (the flowsheet defines no production basis and no LCA functional unit)".into(),
                )
            }
        }
    }
}

/// The graph the flowsheet diagram draws.
pub(crate) fn graph_of(input: &Input<'_>) -> crate::diagram::Graph {
    plant::graph(&Ctx::new(input))
}

/// The flowsheet diagram of `input`.
pub(crate) fn diagram(input: &Input<'_>) -> crate::diagram::Diagram {
    crate::diagram::draw(&graph_of(input), "flowsheet-diagram")
}

/// The Sankey diagram of `input`.
pub(crate) fn mass_flows(input: &Input<'_>, basis: SankeyBasis) -> crate::sankey::Sankey {
    let ctx = Ctx::new(input);
    let (unit, factor, _) = ctx.sankey_basis(basis);
    crate::sankey::draw(&plant::sankey_input(&ctx, factor, &unit))
}

/// Build every section.
pub(crate) fn build(input: &Input<'_>, options: &Options) -> Document {
    let ctx = Ctx::new(input);
    let r = ctx.result;
    let mut subtitle = Vec::new();
    if let Some(d) = &ctx.model.description {
        subtitle.push(d.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let units = r.units.iter().filter(|u| u.type_name != "feed").count();
    subtitle.push(format!(
        "Flowsheet {} · {} units, {} streams, {} components · flows in {}",
        ctx.model.file,
        units,
        r.streams.len(),
        r.components.len(),
        ctx.model.display.flows.join(" and ")
    ));
    let mut sections = vec![
        plant::summary(&ctx),
        plant::flowsheet(&ctx),
        plant::sankey(&ctx, options.sankey),
        plant::streams(&ctx),
        plant::balance(&ctx),
        plant::solver(&ctx),
    ];
    if !ctx.lcas.is_empty() {
        sections.push(lca::section(&ctx));
    }
    if !ctx.teas.is_empty() {
        sections.push(tea::section(&ctx));
    }
    for a in ctx.analyses.iter().filter(|a| a.type_name != "lca" && a.type_name != "tea") {
        sections.push(other_analysis(a));
    }
    if let Some(s) = input.study {
        sections.push(studies::section(&ctx, s));
    }
    Document {
        title: r.name.clone(),
        subtitle,
        sections,
        footer: format!(
            "Made by Calx {} from {}. Every number is computed from the flowsheet; nothing is fetched.",
            env!("CARGO_PKG_VERSION"),
            ctx.model.file
        ),
    }
}

/// The blocks of a section with one part per analysis of a kind (`LCA`, `TEA`): `one` draws
/// each analysis whose output decoded; the others get a note.
fn per_analysis<T>(
    list: &[(&AnalysisOutput, Result<T, String>)],
    kind: &str,
    one: impl Fn(&str, &T, &mut Vec<Block>),
) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (a, r) in list {
        match r {
            Ok(v) => one(&a.name, v, &mut blocks),
            Err(e) => blocks.push(Block::Note(format!(
                "The output of {kind} {} could not be read, so it is not shown: {e}",
                a.name
            ))),
        }
    }
    blocks
}

/// An analysis this report has no special section for: its metrics.
fn other_analysis(a: &AnalysisOutput) -> Section {
    let mut t = Table::new(
        &format!("Metrics of `{}` ({})", a.name, a.type_name),
        &["metric", "value", "unit"],
        &[false, true, false],
    );
    for m in &a.metrics {
        t.row(vec![m.name.clone(), sig(m.value, 6), m.unit.clone()]);
    }
    let blocks = if a.metrics.is_empty() {
        vec![Block::Note(format!("The analysis `{}` reported no metrics.", a.name))]
    } else {
        vec![Block::Table(t)]
    };
    Section {
        id: format!("analysis-{}", crate::format::slug(&a.name)),
        title: format!("Analysis {} ({})", a.name, a.type_name),
        blocks,
    }
}
