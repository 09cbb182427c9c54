//! Building the [`Document`]: one function per section, all reading one [`Ctx`].
//!
//! Section ids are stable (tests and links use them): `summary`, `flowsheet`, `sankey`,
//! `streams`, `balance`, `solver`, then `lca` and `tea` when the flowsheet has those
//! analyses, `analysis-NAME` for any other analysis, and `study` when study results are
//! given.

mod analyses;
mod plant;
mod studies;

use calx_core::report::{Basis, ReportPart};
use calx_core::result::FlowsheetResult;
use calx_core::{AnalysisOutput, Dimension, Registry, UnitTable};
use calx_flowsheet::Model;

use crate::doc::Document;
use crate::format::sig;
use crate::{Input, Options, SankeyBasis};

/// Everything the sections read.
pub(crate) struct Ctx<'a> {
    pub model: &'a Model,
    pub result: &'a FlowsheetResult,
    pub analyses: &'a [AnalysisOutput],
    /// The types the flowsheet was decoded against (their notes when absent), if known.
    pub registry: Option<&'a Registry>,
    /// The first display flow unit (`kg/t_product`, `kg/h`).
    pub flow_unit: String,
    /// The units of measure of the displays: a basis that follows a stream at its solved rate
    /// ([`Model::display_units`]).
    pub units: std::borrow::Cow<'a, UnitTable>,
}

impl<'a> Ctx<'a> {
    fn new(input: &Input<'a>) -> Ctx<'a> {
        Ctx {
            model: input.model,
            result: input.result,
            analyses: input.analyses,
            registry: input.registry,
            flow_unit: input.model.display.flows.first().cloned().unwrap_or_else(|| "kg/h".into()),
            units: input.model.display_units(input.result),
        }
    }

    /// The analyses that gave a report part, grouped by type in the order each type first
    /// ran (LCA before TEA, which reads it), each group in run order.
    pub fn parts_by_type(&self) -> Vec<Vec<(&'a AnalysisOutput, &'a ReportPart)>> {
        let mut groups: Vec<Vec<(&AnalysisOutput, &ReportPart)>> = Vec::new();
        for a in self.analyses {
            let Some(part) = &a.report else { continue };
            match groups.iter_mut().find(|g| g[0].0.type_name == a.type_name) {
                Some(g) => g.push((a, part)),
                None => groups.push(vec![(a, part)]),
            }
        }
        groups
    }

    /// The first analysis that reports per a functional unit, with that unit.
    pub fn basis(&self) -> Option<(&'a AnalysisOutput, &'a Basis)> {
        self.analyses.iter().find_map(|a| {
            let b = a.report.as_ref()?.basis.as_ref()?;
            (b.seconds > 0.0).then_some((a, b))
        })
    }

    /// `x` (SI) in `unit`, NaN when the unit does not fit.
    pub fn to(&self, x: f64, unit: &str) -> f64 {
        self.units.to_unit(x, unit).unwrap_or(f64::NAN)
    }

    /// A mass flow (kg/s) in the main display unit, with the unit.
    pub fn flow(&self, kg_s: f64) -> String {
        format!("{} {}", sig(self.to(kg_s, &self.flow_unit), 4), self.flow_unit)
    }

    /// The flowsheet's production basis as its display units use it: the first display
    /// flow unit whose symbol the flowsheet defined under `basis:` (`kg/t_product`).
    pub fn basis_unit(&self) -> Option<String> {
        let builtin = UnitTable::builtin();
        self.model
            .display
            .flows
            .iter()
            .find(|u| builtin.unit(u).is_err() && self.units.unit(u).is_ok_and(|x| x.dimension == Dimension::MASS_FLOW))
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
                    let follows =
                        self.model.basis.iter().find_map(|b| {
                            b.follows.as_ref().filter(|_| u.rsplit('/').next() == Some(b.symbol.as_str()))
                        });
                    let why = match follows {
                        Some(s) => {
                            format!("per unit of production, in `{u}` (the flowsheet's `basis:`, at `{s}` as solved)")
                        }
                        None => format!("per unit of production, in `{u}` (the flowsheet's `basis:`)"),
                    };
                    return (u.clone(), f, why);
                }
                if let Some((a, b)) = self.basis() {
                    let unit = format!("kg/{}", b.per);
                    let kind = a.type_name.to_uppercase();
                    let why = format!("per functional unit of the {kind} `{}` ({})", a.name, b.description);
                    return (unit, b.seconds, why);
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
#[cfg(test)]
pub(crate) fn graph_of(input: &Input<'_>) -> crate::diagram::Graph {
    plant::graph(&Ctx::new(input))
}

/// The flowsheet diagram of `input`.
#[cfg(test)]
pub(crate) fn diagram(input: &Input<'_>) -> crate::diagram::Diagram {
    crate::diagram::draw(&graph_of(input), "flowsheet-diagram")
}

/// The Sankey diagram of `input`.
#[cfg(test)]
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
    sections.extend(analyses::sections(&ctx));
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
