//! The plugin's side of the analysis messages (ABI 1.1): what it sends (analysis
//! descriptors, results, errors) from calx-core to wire, what it receives (an analysis's
//! parameters, the flowsheet view) from wire to calx-core. The view becomes a
//! [`FlowsheetResult`] and the earlier analyses figures-only [`AnalysisOutput`]s, so a
//! plugin analysis implements the very `calx_core::Analysis` trait the built-ins do.
//!
//! The report part crosses through its serde form: `calx_core::report`'s types and
//! `wire::ReportPart` serialize identically (pinned by the golden file
//! `report_part.json`, which the host's tests read through both), so the conversion is a
//! serde round trip rather than a hand-written copy of every chart field.

use std::borrow::Cow;
use std::sync::Arc;

use calx_core::result::UnitResult;
use calx_core::result::{Closure, Endpoint, EnergyBalance, FlowsheetResult, SolverReport, StreamResult, StreamRole};
use calx_core::unit::{MaterialUse, SizeFigure, UnitReport, Utility, UtilityUse};
use calx_core::{AnalysisDescriptor, AnalysisError, AnalysisOutput, ComponentSet, CsvTable, Dimension, Metric, Stream};
use calx_plugin_abi::wire;

use super::param_spec_to_wire;

/// An analysis type's descriptor as sent in the manifest.
pub fn analysis_descriptor_to_wire(d: &AnalysisDescriptor) -> wire::AnalysisDescriptor {
    let AnalysisDescriptor { type_name, summary, params, reads, when_absent } = d;
    wire::AnalysisDescriptor {
        type_name: type_name.clone(),
        summary: summary.clone(),
        params: params.iter().map(param_spec_to_wire).collect(),
        reads: reads.clone(),
        when_absent: when_absent.clone(),
    }
}

/// A metric as sent.
pub fn metric_to_wire(m: &Metric) -> wire::Metric {
    let Metric { name, value, unit } = m;
    wire::Metric { name: name.clone(), value: *value, unit: unit.clone() }
}

/// An analysis's error as sent; the analysis's own error travels as its text.
pub fn analysis_error_to_wire(e: &AnalysisError) -> wire::AnalysisError {
    match e {
        AnalysisError::Parameter { param, message } => {
            wire::AnalysisError::Parameter { param: param.clone(), message: message.clone() }
        }
        AnalysisError::Missing(m) => wire::AnalysisError::Missing(m.clone()),
        e @ (AnalysisError::NotFinite { .. } | AnalysisError::Failed(_)) => wire::AnalysisError::Failed(e.to_string()),
    }
}

/// Why a report part could not be converted (a calx-core report type changed without the
/// wire mirror: the golden test fails first).
#[derive(Debug, thiserror::Error)]
#[error("the report part does not fit ABI 1.1's report format: {0}")]
pub struct ReportFormatError(String);

/// A report part as sent.
pub fn report_part_to_wire(part: &calx_core::report::ReportPart) -> Result<wire::ReportPart, ReportFormatError> {
    let value = serde_json::to_value(part).map_err(|e| ReportFormatError(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| ReportFormatError(e.to_string()))
}

/// A full or figures-only output as sent (name and type stay with the host).
pub fn analysis_output_to_wire(o: &AnalysisOutput) -> Result<wire::AnalysisResult, ReportFormatError> {
    let AnalysisOutput { name: _, type_name: _, metrics, text, csv, json, report } = o;
    Ok(wire::AnalysisResult {
        metrics: metrics.iter().map(metric_to_wire).collect(),
        text: text.clone(),
        csv: csv
            .iter()
            .map(|CsvTable { part, text }| wire::CsvTable { part: part.clone(), text: text.clone() })
            .collect(),
        json: json.clone(),
        report: report.as_ref().map(report_part_to_wire).transpose()?,
    })
}

/// Figures-only outputs as sent.
pub fn metrics_to_wire(metrics: &[Metric]) -> wire::AnalysisResult {
    wire::AnalysisResult { metrics: metrics.iter().map(metric_to_wire).collect(), ..Default::default() }
}

fn closure_from_wire(c: &wire::ClosureView) -> Closure {
    let wire::ClosureView { quantity, inflow, outflow, relative_error } = c;
    Closure {
        quantity: Cow::Owned(quantity.clone()),
        inflow: *inflow,
        outflow: *outflow,
        relative_error: *relative_error,
    }
}

fn energy_from_wire(e: &Option<wire::ClosureView>) -> EnergyBalance {
    match e {
        Some(c) => EnergyBalance::Checked(closure_from_wire(c)),
        None => EnergyBalance::NotApplicable,
    }
}

fn endpoint_from_wire(e: &Option<wire::Endpoint>) -> Option<Endpoint> {
    e.as_ref().map(|wire::Endpoint { unit, port }| Endpoint { unit: unit.clone(), port: port.clone() })
}

fn stream_from_wire(s: &wire::StreamView) -> StreamResult {
    let wire::StreamView { name, role, source, destination, flows, temperature, pressure } = s;
    StreamResult {
        name: name.clone(),
        role: match role {
            wire::StreamRole::Feed => StreamRole::Feed,
            wire::StreamRole::Internal => StreamRole::Internal,
            wire::StreamRole::Product => StreamRole::Product,
        },
        source: endpoint_from_wire(source),
        destination: endpoint_from_wire(destination),
        stream: Stream { flows: flows.clone(), temperature: *temperature, pressure: *pressure },
        aqueous: None,
    }
}

fn utility_from_wire(u: wire::Utility) -> Utility {
    match u {
        wire::Utility::Electricity => Utility::Electricity,
        wire::Utility::Heating => Utility::Heating,
        wire::Utility::Cooling => Utility::Cooling,
        wire::Utility::Water => Utility::Water,
    }
}

fn dimension_from_wire(d: &wire::Dimension) -> Dimension {
    let wire::Dimension { mass, length, time, temperature, amount, money } = *d;
    Dimension { mass, length, time, temperature, amount, money }
}

fn unit_from_wire(u: &wire::UnitView) -> UnitResult {
    let wire::UnitView { name, type_name, utilities, materials, sizes, notes, balance, energy } = u;
    let report = UnitReport {
        utilities: utilities
            .iter()
            .map(|u| UtilityUse {
                utility: utility_from_wire(u.utility),
                purpose: Cow::Owned(u.purpose.clone()),
                rate: u.rate,
            })
            .collect(),
        materials: materials
            .iter()
            .map(|m| MaterialUse {
                purpose: Cow::Owned(m.purpose.clone()),
                component: m.component,
                rate: m.rate,
                temperature: calx_core::stream::STANDARD_TEMPERATURE,
            })
            .collect(),
        work: Vec::new(),
        sizes: sizes
            .iter()
            .map(|s| SizeFigure {
                name: Cow::Owned(s.name.clone()),
                value: s.value,
                dimension: dimension_from_wire(&s.dimension),
            })
            .collect(),
        notes: notes.clone(),
        state: Vec::new(),
    };
    UnitResult {
        name: name.clone(),
        type_name: type_name.clone(),
        report,
        balance: balance.iter().map(closure_from_wire).collect(),
        energy: energy_from_wire(energy),
    }
}

/// The converged flowsheet and the earlier analyses' outputs (metrics only) a view stands
/// for, over the components the host sent.
pub fn view_from_wire(
    view: &wire::FlowsheetView,
    components: &Arc<ComponentSet>,
) -> (FlowsheetResult, Vec<AnalysisOutput>) {
    let wire::FlowsheetView { name, components: _, streams, units, balance, energy, earlier } = view;
    let result = FlowsheetResult {
        name: name.clone(),
        components: components.clone(),
        streams: streams.iter().map(stream_from_wire).collect(),
        units: units.iter().map(unit_from_wire).collect(),
        balance: balance.iter().map(closure_from_wire).collect(),
        energy: energy_from_wire(energy),
        solver: SolverReport::default(),
    };
    let earlier = earlier
        .iter()
        .map(|a| {
            let metrics =
                a.metrics.iter().map(|m| Metric { name: m.name.clone(), value: m.value, unit: m.unit.clone() });
            AnalysisOutput::figures_only(&a.name, &a.type_name, metrics.collect())
        })
        .collect();
    (result, earlier)
}

/// Write the numbers of the flat path ([`wire::FlowsheetView::numbers`] order) into a result
/// and earlier outputs rebuilt from the same layout; `Err(expected count)` when `values` does
/// not fit the layout.
pub fn read_numbers(result: &mut FlowsheetResult, earlier: &mut [AnalysisOutput], values: &[f64]) -> Result<(), usize> {
    let expected = count_numbers(result, earlier);
    if values.len() != expected {
        return Err(expected);
    }
    let mut next = values.iter().copied();
    let mut take = || next.next().unwrap_or_default();
    let closure = |c: &mut Closure, take: &mut dyn FnMut() -> f64| {
        (c.inflow, c.outflow, c.relative_error) = (take(), take(), take());
    };
    for s in &mut result.streams {
        s.stream.flows.iter_mut().for_each(|x| *x = take());
        (s.stream.temperature, s.stream.pressure) = (take(), take());
    }
    for u in &mut result.units {
        u.report.utilities.iter_mut().for_each(|x| x.rate = take());
        u.report.materials.iter_mut().for_each(|x| x.rate = take());
        u.report.sizes.iter_mut().for_each(|x| x.value = take());
        u.balance.iter_mut().for_each(|c| closure(c, &mut take));
        if let EnergyBalance::Checked(c) = &mut u.energy {
            closure(c, &mut take);
        }
    }
    result.balance.iter_mut().for_each(|c| closure(c, &mut take));
    if let EnergyBalance::Checked(c) = &mut result.energy {
        closure(c, &mut take);
    }
    for a in earlier {
        a.metrics.iter_mut().for_each(|m| m.value = take());
    }
    Ok(())
}

fn count_numbers(result: &FlowsheetResult, earlier: &[AnalysisOutput]) -> usize {
    let energy = |e: &EnergyBalance| if e.closure().is_some() { 3 } else { 0 };
    let streams: usize = result.streams.iter().map(|s| s.stream.flows.len() + 2).sum();
    let units: usize = result
        .units
        .iter()
        .map(|u| {
            let r = &u.report;
            r.utilities.len() + r.materials.len() + r.sizes.len() + 3 * u.balance.len() + energy(&u.energy)
        })
        .sum();
    let metrics: usize = earlier.iter().map(|a| a.metrics.len()).sum();
    streams + units + 3 * result.balance.len() + energy(&result.energy) + metrics
}
