//! Machine-readable output: JSON and CSV, in SI units (files are written by [`crate::files`]).

use std::fmt::Write as _;

use calx_core::result::FlowsheetResult;

/// The converged flowsheet and its analyses as pretty JSON (SI units; f64 values round-trip
/// exactly): `{ "flowsheet": ..., "analyses": { NAME: ... } }`. Stream flows and make-up
/// materials are keyed by component name (`"flows": { "CaO": 0.27, ... }`), not by position.
pub(crate) fn json(
    result: &FlowsheetResult,
    analyses: &[calx_core::AnalysisOutput],
) -> Result<String, serde_json::Error> {
    let mut by_name = serde_json::Map::new();
    for a in analyses {
        by_name.insert(a.name.clone(), serde_json::from_str(&a.json)?);
    }
    let mut flowsheet = serde_json::to_value(result)?;
    let names: Vec<String> = result.components.iter().map(|c| c.name.clone()).collect();
    key_flows_by_component(&mut flowsheet, &names);
    serde_json::to_string_pretty(&serde_json::json!({ "flowsheet": flowsheet, "analyses": by_name }))
}

/// Replace each stream's positional `flows` array with an object keyed by component name, and
/// each make-up material's component index with its name.
fn key_flows_by_component(flowsheet: &mut serde_json::Value, names: &[String]) {
    use serde_json::Value;
    for s in flowsheet.get_mut("streams").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(flows) = s.pointer_mut("/stream/flows")
            && let Some(list) = flows.as_array()
        {
            let keyed: serde_json::Map<String, Value> = names.iter().cloned().zip(list.iter().cloned()).collect();
            *flows = Value::Object(keyed);
        }
    }
    for u in flowsheet.get_mut("units").and_then(Value::as_array_mut).into_iter().flatten() {
        for m in u.pointer_mut("/report/materials").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(c) = m.get_mut("component")
                && let Some(name) = c.as_u64().and_then(|i| names.get(i as usize))
            {
                *c = Value::String(name.clone());
            }
        }
    }
}

/// `streams.csv` (long format) and `units.csv`.
pub(crate) fn csv(result: &FlowsheetResult) -> Vec<(&'static str, String)> {
    let mut streams = String::from("stream,role,quantity,value,unit\n");
    for s in &result.streams {
        let role = format!("{:?}", s.role).to_lowercase();
        let _ = writeln!(streams, "{},{role},T,{},K", s.name, s.stream.temperature);
        let _ = writeln!(streams, "{},{role},P,{},Pa", s.name, s.stream.pressure);
        let _ = writeln!(streams, "{},{role},total,{},kg/s", s.name, s.stream.total_mass());
        for (c, w) in result.components.iter().zip(&s.stream.flows) {
            let _ = writeln!(streams, "{},{role},{},{w},kg/s", s.name, quote(&c.name));
        }
    }
    let mut units = String::from("unit,type,kind,name,value,unit_of_measure\n");
    for u in &result.units {
        for x in &u.report.utilities {
            let uom = if x.utility == calx_core::Utility::Water { "kg/s" } else { "W" };
            let _ = writeln!(
                units,
                "{},{},utility,{} ({}),{},{uom}",
                u.name,
                u.type_name,
                x.utility.name(),
                quote(&x.purpose),
                x.rate
            );
        }
        for m in &u.report.materials {
            let c = result.components.get(m.component).map_or("?", |c| c.name.as_str());
            let _ = writeln!(
                units,
                "{},{},material,{} ({}),{},kg/s",
                u.name,
                u.type_name,
                quote(c),
                quote(&m.purpose),
                m.rate
            );
        }
        for w in &u.report.work {
            let _ = writeln!(units, "{},{},work,shaft work ({}),{},W", u.name, u.type_name, quote(&w.purpose), w.power);
        }
        for s in &u.report.sizes {
            let _ = writeln!(units, "{},{},size,{},{},{}", u.name, u.type_name, s.name, s.value, s.dimension);
        }
    }
    vec![("streams.csv", streams), ("units.csv", units)]
}

/// Quote a CSV field if it needs it.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
