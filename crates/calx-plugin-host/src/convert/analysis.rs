//! The host's side of the analysis messages (ABI 1.1): what it receives (analysis
//! descriptors, results, errors) from wire to calx-core, what it sends (an analysis's
//! configuration, the view of the converged flowsheet) from calx-core to wire. The SDK's
//! `convert::analysis` holds the opposite directions.
//!
//! The report part crosses through its serde form, which `calx_core::report` and
//! `wire::ReportPart` share (the golden file `report_part.json` pins both).

use calx_core::report::ReportPart;
use calx_core::result::{Closure, Endpoint, EnergyBalance, FlowsheetResult, StreamRole};
use calx_core::unit::Utility;
use calx_core::{AnalysisDescriptor, AnalysisOutput, CsvTable, Metric, Params};
use calx_plugin_abi::wire;

use super::{param_spec_from_wire, params_to_wire};

/// An analysis type's descriptor as received in a manifest.
pub fn analysis_descriptor_from_wire(d: &wire::AnalysisDescriptor) -> AnalysisDescriptor {
    let wire::AnalysisDescriptor { type_name, summary, params, reads, when_absent } = d;
    AnalysisDescriptor {
        type_name: type_name.clone(),
        summary: summary.clone(),
        params: params.iter().map(param_spec_from_wire).collect(),
        reads: reads.clone(),
        when_absent: when_absent.clone(),
    }
}

/// The message that creates the analysis `name` of type `type_name`.
pub fn analysis_config_to_wire(type_name: &str, name: &str, params: &Params) -> wire::AnalysisConfigMessage {
    wire::AnalysisConfigMessage { type_name: type_name.into(), name: name.into(), params: params_to_wire(params) }
}

/// A metric as received.
pub fn metric_from_wire(m: wire::Metric) -> Metric {
    let wire::Metric { name, value, unit } = m;
    Metric { name, value, unit }
}

fn metric_to_wire(m: &Metric) -> wire::Metric {
    let Metric { name, value, unit } = m;
    wire::Metric { name: name.clone(), value: *value, unit: unit.clone() }
}

/// Why a report part received cannot be read as calx-core's.
#[derive(Debug, thiserror::Error)]
#[error("the report part does not fit this Calx's report format: {0}")]
pub struct ReportFormatError(String);

/// A report part as received.
pub fn report_part_from_wire(part: &wire::ReportPart) -> Result<ReportPart, ReportFormatError> {
    let value = serde_json::to_value(part).map_err(|e| ReportFormatError(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| ReportFormatError(e.to_string()))
}

/// An analysis's output as received, named by the host.
pub fn analysis_output_from_wire(
    name: &str,
    type_name: &str,
    r: wire::AnalysisResult,
) -> Result<AnalysisOutput, ReportFormatError> {
    let wire::AnalysisResult { metrics, text, csv, json, report } = r;
    Ok(AnalysisOutput {
        name: name.into(),
        type_name: type_name.into(),
        metrics: metrics.into_iter().map(metric_from_wire).collect(),
        text,
        csv: csv.into_iter().map(|wire::CsvTable { part, text }| CsvTable { part, text }).collect(),
        json,
        report: report.as_ref().map(report_part_from_wire).transpose()?,
    })
}

fn closure_to_wire(c: &Closure) -> wire::ClosureView {
    let Closure { quantity, inflow, outflow, relative_error } = c;
    wire::ClosureView {
        quantity: quantity.to_string(),
        inflow: *inflow,
        outflow: *outflow,
        relative_error: *relative_error,
    }
}

fn energy_to_wire(e: &EnergyBalance) -> Option<wire::ClosureView> {
    e.closure().map(closure_to_wire)
}

fn endpoint_to_wire(e: &Option<Endpoint>) -> Option<wire::Endpoint> {
    e.as_ref().map(|Endpoint { unit, port }| wire::Endpoint { unit: unit.clone(), port: port.clone() })
}

fn utility_to_wire(u: Utility) -> wire::Utility {
    match u {
        Utility::Electricity => wire::Utility::Electricity,
        Utility::Heating => wire::Utility::Heating,
        Utility::Cooling => wire::Utility::Cooling,
        Utility::Water => wire::Utility::Water,
    }
}

fn unit_to_wire(u: &calx_core::result::UnitResult) -> wire::UnitView {
    let r = &u.report;
    wire::UnitView {
        name: u.name.clone(),
        type_name: u.type_name.clone(),
        utilities: r
            .utilities
            .iter()
            .map(|x| wire::UtilityView {
                utility: utility_to_wire(x.utility),
                purpose: x.purpose.to_string(),
                rate: x.rate,
            })
            .collect(),
        materials: r
            .materials
            .iter()
            .map(|m| wire::MaterialView { purpose: m.purpose.to_string(), component: m.component, rate: m.rate })
            .collect(),
        sizes: r
            .sizes
            .iter()
            .map(|s| {
                let d = s.dimension;
                let dimension = wire::Dimension {
                    mass: d.mass,
                    length: d.length,
                    time: d.time,
                    temperature: d.temperature,
                    amount: d.amount,
                    money: d.money,
                };
                wire::SizeView { name: s.name.to_string(), value: s.value, dimension }
            })
            .collect(),
        notes: r.notes.clone(),
        balance: u.balance.iter().map(closure_to_wire).collect(),
        energy: energy_to_wire(&u.energy),
    }
}

/// The read-only view of a converged flowsheet and of `earlier` analyses' metrics, as sent.
pub fn flowsheet_view<'a>(
    result: &FlowsheetResult,
    earlier: impl IntoIterator<Item = &'a AnalysisOutput>,
) -> wire::FlowsheetView {
    let streams = result.streams.iter().map(|s| wire::StreamView {
        name: s.name.clone(),
        role: match s.role {
            StreamRole::Feed => wire::StreamRole::Feed,
            StreamRole::Internal => wire::StreamRole::Internal,
            StreamRole::Product => wire::StreamRole::Product,
        },
        source: endpoint_to_wire(&s.source),
        destination: endpoint_to_wire(&s.destination),
        flows: s.stream.flows.clone(),
        temperature: s.stream.temperature,
        pressure: s.stream.pressure,
    });
    let earlier = earlier.into_iter().map(|a| wire::EarlierAnalysis {
        name: a.name.clone(),
        type_name: a.type_name.clone(),
        metrics: a.metrics.iter().map(metric_to_wire).collect(),
    });
    wire::FlowsheetView {
        name: result.name.clone(),
        components: result.components.names().map(str::to_string).collect(),
        streams: streams.collect(),
        units: result.units.iter().map(unit_to_wire).collect(),
        balance: result.balance.iter().map(closure_to_wire).collect(),
        energy: energy_to_wire(&result.energy),
        earlier: earlier.collect(),
    }
}

/// The numbers of a converged flowsheet and of `earlier` analyses' metrics, in the order of
/// the flat path ([`wire::FlowsheetView::numbers`]), written over `out`.
pub fn write_numbers<'a>(
    result: &FlowsheetResult,
    earlier: impl IntoIterator<Item = &'a AnalysisOutput>,
    out: &mut Vec<f64>,
) {
    out.clear();
    let closure = |out: &mut Vec<f64>, c: &Closure| out.extend([c.inflow, c.outflow, c.relative_error]);
    for s in &result.streams {
        out.extend(&s.stream.flows);
        out.extend([s.stream.temperature, s.stream.pressure]);
    }
    for u in &result.units {
        out.extend(u.report.utilities.iter().map(|x| x.rate));
        out.extend(u.report.materials.iter().map(|x| x.rate));
        out.extend(u.report.sizes.iter().map(|x| x.value));
        u.balance.iter().chain(u.energy.closure()).for_each(|c| closure(out, c));
    }
    result.balance.iter().chain(result.energy.closure()).for_each(|c| closure(out, c));
    for a in earlier {
        out.extend(a.metrics.iter().map(|m| m.value));
    }
}

fn same_closures(
    view: &[wire::ClosureView],
    energy: &Option<wire::ClosureView>,
    c: &[Closure],
    e: &EnergyBalance,
) -> bool {
    view.len() == c.len()
        && view.iter().zip(c).all(|(v, c)| v.quantity == *c.quantity)
        && match (energy, e.closure()) {
            (Some(v), Some(c)) => v.quantity == *c.quantity,
            (None, None) => true,
            _ => false,
        }
}

fn same_unit(v: &wire::UnitView, u: &calx_core::result::UnitResult) -> bool {
    let r = &u.report;
    v.name == u.name
        && v.type_name == u.type_name
        && v.utilities.len() == r.utilities.len()
        && v.utilities
            .iter()
            .zip(&r.utilities)
            .all(|(v, x)| v.utility == utility_to_wire(x.utility) && v.purpose == *x.purpose)
        && v.materials.len() == r.materials.len()
        && v.materials.iter().zip(&r.materials).all(|(v, x)| v.component == x.component && v.purpose == *x.purpose)
        && v.sizes.len() == r.sizes.len()
        && v.sizes.iter().zip(&r.sizes).all(|(v, x)| {
            let d = x.dimension;
            v.name == *x.name
                && [v.dimension.mass, v.dimension.length, v.dimension.time] == [d.mass, d.length, d.time]
                && [v.dimension.temperature, v.dimension.amount, v.dimension.money]
                    == [d.temperature, d.amount, d.money]
        })
        && v.notes == r.notes
        && same_closures(&v.balance, &v.energy, &u.balance, &u.energy)
}

/// Whether a flowsheet and `earlier` analyses have the layout of `view` (everything but the
/// numbers): then the flat path sends their numbers only.
pub fn same_layout<'a>(
    view: &wire::FlowsheetView,
    result: &FlowsheetResult,
    earlier: impl IntoIterator<Item = &'a AnalysisOutput>,
) -> bool {
    let same_stream = |v: &wire::StreamView, s: &calx_core::result::StreamResult| {
        v.name == s.name
            && v.flows.len() == s.stream.flows.len()
            && v.source == endpoint_to_wire(&s.source)
            && v.destination == endpoint_to_wire(&s.destination)
            && v.role
                == match s.role {
                    StreamRole::Feed => wire::StreamRole::Feed,
                    StreamRole::Internal => wire::StreamRole::Internal,
                    StreamRole::Product => wire::StreamRole::Product,
                }
    };
    let mut earlier = earlier.into_iter();
    let same_earlier = view.earlier.iter().all(|v| {
        earlier.next().is_some_and(|a| {
            v.name == a.name
                && v.type_name == a.type_name
                && v.metrics.len() == a.metrics.len()
                && v.metrics.iter().zip(&a.metrics).all(|(v, m)| v.name == m.name && v.unit == m.unit)
        })
    }) && earlier.next().is_none();
    view.name == result.name
        && view.components.len() == result.components.len()
        && view.components.iter().zip(result.components.names()).all(|(v, n)| v == n)
        && view.streams.len() == result.streams.len()
        && view.streams.iter().zip(&result.streams).all(|(v, s)| same_stream(v, s))
        && view.units.len() == result.units.len()
        && view.units.iter().zip(&result.units).all(|(v, u)| same_unit(v, u))
        && same_closures(&view.balance, &view.energy, &result.balance, &result.energy)
        && same_earlier
}
