//! Export of an assessed flowsheet to the tools LCA practitioners use: an olca-schema (v2)
//! JSON-LD zip package that openLCA 2 imports ([`olca_zip`]) and a Brightway data set in
//! bw2io's `BW2Package` layout ([`brightway_package`]).
//!
//! Both hold the same system, built once from the full [`LcaResult`] and its [`Background`]:
//!
//! * one **unit process per flowsheet unit** whose inventory counts, with its inputs from the
//!   background (amounts per functional unit, in SI: J or kg) and its direct emissions (kg),
//!   and one product, "operation of UNIT" (1 item per functional unit);
//! * a **functional-unit process** (the flowsheet's name) that takes 1 item of every unit's
//!   operation: its reference product is one functional unit;
//! * every **background process** the units reach (inputs followed through the background),
//!   per SI unit of its product, with its inputs linked to their providers and its emissions;
//! * every **elementary flow** and **impact category** of the database, with the
//!   characterisation factors Calx used, and a method holding the categories.
//!
//! The exported system's score in a category equals Calx's `emissions` figure in it (background
//! and direct emissions per functional unit). Credits are not exported: the CO2 fixed in solids
//! and avoided burdens stay in Calx's own `net_reduction` (docs/lca.md).
//!
//! Identifiers are stable: UUIDs are derived from names (FNV-1a, 128 bits, laid out as a
//! version-8 UUID), background entities from their names alone and foreground ones from the
//! flowsheet's name too, so exporting again replaces rather than duplicates. Units and flow
//! properties use openLCA's reference data ids (from `olca_schema/units/units.csv` of the
//! olca-schema 2.4.0 package), so they merge with a database's own.

use serde_json::{Value, json};

use crate::background::Background;
use crate::database::Database;
use crate::error::{LcaError, Result};
use crate::result::LcaResult;
use crate::zip::ZipWriter;

/// What an export records about how it was made.
#[derive(Clone, Debug)]
pub struct ExportInfo {
    /// The Calx version that wrote it.
    pub calx_version: String,
    /// The name of the `lca` analysis in the flowsheet.
    pub analysis: String,
}

/// A unit process of the foreground: a flowsheet unit's inputs and direct emissions per FU.
struct UnitProcess<'a> {
    name: &'a str,
    /// (background process, SI amount per FU, what for).
    inputs: Vec<(usize, f64, &'a str)>,
    /// (elementary flow, kg per FU, what for).
    emissions: Vec<(usize, f64, &'a str)>,
}

/// The system both formats write.
struct System<'a> {
    result: &'a LcaResult,
    db: &'a Database,
    info: &'a ExportInfo,
    /// The analysis's name and configuration (functional unit, method, mappings, factor
    /// overrides, avoided burdens), as JSON.
    parameters: Value,
    units: Vec<UnitProcess<'a>>,
    /// Background processes the units reach, database order.
    background: Vec<usize>,
}

impl<'a> System<'a> {
    fn new(result: &'a LcaResult, background: &'a Background, info: &'a ExportInfo) -> Result<System<'a>> {
        let db = &background.db;
        let mut units: Vec<UnitProcess<'a>> = Vec::new();
        for line in &result.lines {
            let at = match units.iter().position(|u| u.name == line.unit) {
                Some(i) => i,
                None => {
                    units.push(UnitProcess { name: &line.unit, inputs: Vec::new(), emissions: Vec::new() });
                    units.len() - 1
                }
            };
            let unit = &mut units[at];
            // Direct emissions are labelled `direct GAS` and go to an elementary flow.
            if line.flow.starts_with("direct ") {
                let f = db.require_flow(&line.process, format_args!("the export of unit `{}`", line.unit))?;
                unit.emissions.push((f, line.amount, &line.purpose));
            } else {
                let p = db.require_process(&line.process, format_args!("the export of unit `{}`", line.unit))?;
                unit.inputs.push((p, line.amount, &line.purpose));
            }
        }
        let mut reached = vec![false; db.processes().len()];
        let mut todo: Vec<usize> = units.iter().flat_map(|u| u.inputs.iter().map(|i| i.0)).collect();
        while let Some(p) = todo.pop() {
            if !std::mem::replace(&mut reached[p], true) {
                todo.extend(db.inputs_of(p).map(|(s, _)| s));
            }
        }
        let used: Vec<usize> = (0..reached.len()).filter(|&p| reached[p]).collect();
        for (what, v) in result.lines.iter().map(|l| (&l.unit, l.amount)) {
            if !v.is_finite() {
                return Err(LcaError::Value {
                    what: format!("the export of unit `{what}`"),
                    message: format!("an inventory amount is {v}"),
                });
            }
        }
        let parameters = json!({
            "analysis": info.analysis,
            "configuration": serde_json::to_value(background.config()).map_err(|e| LcaError::Value { what: "the export's parameters".into(), message: e.to_string() })?,
        });
        Ok(System { result, db, info, parameters, units, background: used })
    }

    fn flowsheet(&self) -> &str {
        &self.result.flowsheet
    }

    /// What the export says about itself: flowsheet, Calx version, parameters, boundary.
    fn description(&self) -> String {
        format!(
            "Exported by Calx {} from the flowsheet `{}`. Functional unit: {} ({} s of operation; {} per year). \
             Inventory per functional unit in SI units (J, kg). Credits (CO2 fixed, avoided burdens) are not \
             part of this system. LCA parameters: {}",
            self.info.calx_version,
            self.flowsheet(),
            self.result.functional_unit,
            self.result.seconds_per_functional_unit,
            self.result.functional_units_per_year,
            self.parameters
        )
    }
}

/// A stable UUID from a kind and a name: FNV-1a over 128 bits, with the version (8) and
/// variant bits of RFC 9562 set.
fn uuid(kind: &str, name: &str) -> String {
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in kind.bytes().chain([0u8]).chain(name.bytes()) {
        h ^= u128::from(b);
        h = h.wrapping_mul(PRIME);
    }
    let mut bytes = h.to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// openLCA reference data: (unit group, flow property, reference unit id, name) per quantity.
struct Quantity {
    group: &'static str,
    group_name: &'static str,
    property: &'static str,
    property_name: &'static str,
    /// (unit id, name, conversion factor to the reference unit); the first is the reference.
    units: &'static [(&'static str, &'static str, f64)],
    /// The unit exchanges are written in, and the Brightway unit name.
    si: (&'static str, &'static str, &'static str),
}

// Ids from olca-schema 2.4.0, olca_schema/units/units.csv (openLCA's reference data).
const MASS: Quantity = Quantity {
    group: "93a60a57-a4c8-11da-a746-0800200c9a66",
    group_name: "Units of mass",
    property: "93a60a56-a3c8-11da-a746-0800200b9a66",
    property_name: "Mass",
    units: &[
        ("20aadc24-a391-41cf-b340-3e4529f44bde", "kg", 1.0),
        ("83192ffa-5990-490b-a23a-b45ca072db6f", "t", 1000.0),
        ("e1317ffc-7f83-4a85-bc65-4fb229a25cf8", "g", 1e-3),
    ],
    si: ("20aadc24-a391-41cf-b340-3e4529f44bde", "kg", "kilogram"),
};
const ENERGY: Quantity = Quantity {
    group: "93a60a57-a3c8-11da-a746-0800200c9a66",
    group_name: "Units of energy",
    property: "f6811440-ee37-11de-8a39-0800200c9a66",
    property_name: "Energy",
    units: &[
        ("52765a6c-3896-43c2-b2f4-c679acf13efe", "MJ", 1.0),
        ("469d61f1-3bc4-4841-8adf-873825c1bc11", "J", 1e-6),
        ("86ad2244-1f0e-4912-af53-7865283103e4", "kWh", 3.6),
    ],
    si: ("469d61f1-3bc4-4841-8adf-873825c1bc11", "J", "joule"),
};
const ITEMS: Quantity = Quantity {
    group: "5beb6eed-33a9-47b8-9ede-1dfe8f679159",
    group_name: "Units of items",
    property: "01846770-4cfe-4a25-8ad9-919d8d378345",
    property_name: "Number of items",
    units: &[("6dabe201-aaac-4509-92f0-d00c26cb72ab", "Item(s)", 1.0)],
    si: ("6dabe201-aaac-4509-92f0-d00c26cb72ab", "Item(s)", "unit"),
};

fn quantity_of(db: &Database, p: usize) -> &'static Quantity {
    if db.processes()[p].dimension == calx_core::Dimension::ENERGY { &ENERGY } else { &MASS }
}

/// Ids of the foreground's entities (flowsheet-specific) and the background's (by name).
fn unit_process_id(flowsheet: &str, unit: &str) -> String {
    uuid("calx unit process", &format!("{flowsheet}\u{0}{unit}"))
}
fn unit_flow_id(flowsheet: &str, unit: &str) -> String {
    uuid("calx unit product", &format!("{flowsheet}\u{0}{unit}"))
}
fn process_id(name: &str) -> String {
    uuid("calx background process", name)
}
fn product_id(name: &str) -> String {
    uuid("calx background product", name)
}
fn flow_id(name: &str) -> String {
    uuid("calx elementary flow", name)
}
fn category_id(name: &str) -> String {
    uuid("calx impact category", name)
}

/// An exchange of `amount` of a flow measured in `q`'s SI unit; `provider` links an input.
fn exchange(id: usize, flow: Value, q: &Quantity, amount: f64, input: bool, provider: Option<Value>) -> Value {
    let mut x = json!({
        "@type": "Exchange",
        "internalId": id,
        "amount": amount,
        "isInput": input,
        "isQuantitativeReference": false,
        "flow": flow,
        "flowProperty": {"@type": "FlowProperty", "@id": q.property, "name": q.property_name},
        "unit": {"@type": "Unit", "@id": q.si.0, "name": q.si.1},
    });
    if let Some(p) = provider {
        x["defaultProvider"] = p;
    }
    x
}

fn reference(kind: &str, id: &str, name: &str) -> Value {
    json!({"@type": kind, "@id": id, "name": name})
}

/// The reference output exchange (internal id 1) of a process making 1 `q` of `flow`.
fn product_output(flow: Value, q: &Quantity) -> Value {
    let mut x = exchange(1, flow, q, 1.0, false, None);
    x["isQuantitativeReference"] = json!(true);
    x
}

/// The olca-schema (v2) JSON-LD zip package of the assessed flowsheet (see the module docs):
/// `olca-schema.json`, then `unit_groups/`, `flow_properties/`, `flows/`, `processes/`,
/// `lcia_categories/`, `lcia_methods/` and `product_systems/`, one entity per `ID.json`.
pub fn olca_zip(result: &LcaResult, background: &Background, info: &ExportInfo) -> Result<Vec<u8>> {
    let system = System::new(result, background, info)?;
    let mut entries: Vec<(String, Value)> = Vec::new();
    let mut put = |folder: &str, entity: Value| {
        let id = entity["@id"].as_str().unwrap_or_default().to_string();
        entries.push((format!("{folder}/{id}.json"), entity));
    };
    for q in [&MASS, &ENERGY, &ITEMS] {
        put("unit_groups", unit_group(q));
        put("flow_properties", flow_property(q));
    }
    for flow in olca_flows(&system) {
        put("flows", flow);
    }
    for process in olca_processes(&system) {
        put("processes", process);
    }
    let db = system.db;
    for c in 0..db.categories().len() {
        put("lcia_categories", olca_category(db, c));
    }
    put("lcia_methods", olca_method(&system));
    put("product_systems", olca_product_system(&system));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    // A zip without Zip64 counts its entries in 16 bits.
    if entries.len() >= usize::from(u16::MAX) {
        return Err(LcaError::Value {
            what: "the openLCA export".into(),
            message: format!("{} entities, more than a zip without Zip64 holds (65,534)", entries.len()),
        });
    }
    let mut zip = ZipWriter::new();
    zip.add("olca-schema.json", b"{\"version\": 2}");
    for (path, entity) in &entries {
        let text = serde_json::to_string_pretty(entity)
            .map_err(|e| LcaError::Value { what: path.clone(), message: e.to_string() })?;
        zip.add(path, text.as_bytes());
    }
    let bytes = zip.finish();
    // Sizes and offsets are 32-bit without Zip64: an archive within 4 GiB has them all right.
    if u32::try_from(bytes.len()).is_err() {
        return Err(LcaError::Value {
            what: "the openLCA export".into(),
            message: format!("{} bytes, more than a zip without Zip64 holds (4 GiB)", bytes.len()),
        });
    }
    Ok(bytes)
}

fn unit_group(q: &Quantity) -> Value {
    let units: Vec<Value> = q
        .units
        .iter()
        .enumerate()
        .map(
            |(i, (id, name, factor))| json!({"@id": id, "name": name, "conversionFactor": factor, "isRefUnit": i == 0}),
        )
        .collect();
    json!({
        "@type": "UnitGroup", "@id": q.group, "name": q.group_name, "version": "01.00.000",
        "category": "Technical unit groups",
        "defaultFlowProperty": {"@type": "FlowProperty", "@id": q.property, "name": q.property_name},
        "units": units,
    })
}

fn flow_property(q: &Quantity) -> Value {
    json!({
        "@type": "FlowProperty", "@id": q.property, "name": q.property_name, "version": "01.00.000",
        "category": "Technical flow properties",
        "flowPropertyType": "PHYSICAL_QUANTITY",
        "unitGroup": {"@type": "UnitGroup", "@id": q.group, "name": q.group_name},
    })
}

fn flow(id: &str, name: &str, kind: &str, category: &str, description: &str, q: &Quantity) -> Value {
    json!({
        "@type": "Flow", "@id": id, "name": name, "version": "01.00.000",
        "category": category, "description": description, "flowType": kind,
        "flowProperties": [{
            "@type": "FlowPropertyFactor", "conversionFactor": 1.0, "isRefFlowProperty": true,
            "flowProperty": {"@type": "FlowProperty", "@id": q.property, "name": q.property_name},
        }],
    })
}

/// Elementary flows (all of the database), background products, unit products and the
/// functional unit.
fn olca_flows(s: &System<'_>) -> Vec<Value> {
    let (db, fs) = (s.db, s.flowsheet());
    let mut out: Vec<Value> = db
        .flows()
        .iter()
        .map(|f| flow(&flow_id(&f.name), &f.name, "ELEMENTARY_FLOW", "Elementary flows/Calx", &f.description, &MASS))
        .collect();
    for &p in &s.background {
        let process = &db.processes()[p];
        out.push(flow(
            &product_id(&process.name),
            &process.name,
            "PRODUCT_FLOW",
            "Calx/background",
            &process.description,
            quantity_of(db, p),
        ));
    }
    for u in &s.units {
        let what = format!("operation of unit `{}` for one functional unit of `{fs}`", u.name);
        out.push(flow(
            &unit_flow_id(fs, u.name),
            &format!("{fs}: {}", u.name),
            "PRODUCT_FLOW",
            &category(fs),
            &what,
            &ITEMS,
        ));
    }
    out.push(flow(
        &unit_flow_id(fs, ""),
        &functional_unit_name(s),
        "PRODUCT_FLOW",
        &category(fs),
        &s.result.functional_unit,
        &ITEMS,
    ));
    out
}

fn category(flowsheet: &str) -> String {
    format!("Calx/{}", flowsheet.replace('/', "-"))
}

fn functional_unit_name(s: &System<'_>) -> String {
    format!("{}: {}", s.flowsheet(), s.result.functional_unit)
}

fn background_ref(db: &Database, p: usize) -> (Value, Value) {
    let name = &db.processes()[p].name;
    (reference("Flow", &product_id(name), name), reference("Process", &process_id(name), name))
}

/// Background processes, unit processes and the functional-unit process.
fn olca_processes(s: &System<'_>) -> Vec<Value> {
    let (db, fs) = (s.db, s.flowsheet());
    let mut out = Vec::new();
    for &p in &s.background {
        let process = &db.processes()[p];
        let (product, _) = background_ref(db, p);
        let mut exchanges = vec![product_output(product, quantity_of(db, p))];
        for (supplier, amount) in db.inputs_of(p) {
            let (f, provider) = background_ref(db, supplier);
            exchanges.push(exchange(exchanges.len() + 1, f, quantity_of(db, supplier), amount, true, Some(provider)));
        }
        for (f, amount) in db.emissions_of(p) {
            let name = &db.flows()[f].name;
            exchanges.push(exchange(
                exchanges.len() + 1,
                reference("Flow", &flow_id(name), name),
                &MASS,
                amount,
                false,
                None,
            ));
        }
        let documentation = json!({"dataTreatmentDescription": format!("Source: {}", process.source)});
        out.push(olca_process(
            &process_id(&process.name),
            &process.name,
            "Calx/background",
            &process.description,
            exchanges,
            documentation,
        ));
    }
    for u in &s.units {
        let name = format!("{fs}: {}", u.name);
        let mut exchanges = vec![product_output(reference("Flow", &unit_flow_id(fs, u.name), &name), &ITEMS)];
        for &(p, amount, purpose) in &u.inputs {
            let (f, provider) = background_ref(db, p);
            let mut x = exchange(exchanges.len() + 1, f, quantity_of(db, p), amount, true, Some(provider));
            x["description"] = json!(purpose);
            exchanges.push(x);
        }
        for &(f, amount, purpose) in &u.emissions {
            let flow_name = &db.flows()[f].name;
            let mut x = exchange(
                exchanges.len() + 1,
                reference("Flow", &flow_id(flow_name), flow_name),
                &MASS,
                amount,
                false,
                None,
            );
            x["description"] = json!(purpose);
            exchanges.push(x);
        }
        let what =
            format!("Unit `{}` of the flowsheet `{fs}`, per functional unit ({}).", u.name, s.result.functional_unit);
        let documentation = json!({"dataTreatmentDescription": s.description()});
        out.push(olca_process(&unit_process_id(fs, u.name), &name, &category(fs), &what, exchanges, documentation));
    }
    out.push(olca_root_process(s));
    out
}

fn olca_root_process(s: &System<'_>) -> Value {
    let fs = s.flowsheet();
    let fu = functional_unit_name(s);
    let mut exchanges = vec![product_output(reference("Flow", &unit_flow_id(fs, ""), &fu), &ITEMS)];
    for u in &s.units {
        let name = format!("{fs}: {}", u.name);
        let provider = reference("Process", &unit_process_id(fs, u.name), &name);
        exchanges.push(exchange(
            exchanges.len() + 1,
            reference("Flow", &unit_flow_id(fs, u.name), &name),
            &ITEMS,
            1.0,
            true,
            Some(provider),
        ));
    }
    let documentation = json!({"dataTreatmentDescription": s.description()});
    let mut root =
        olca_process(&unit_process_id(fs, ""), &fu, &category(fs), &s.description(), exchanges, documentation);
    root["parameters"] = json!([
        parameter(
            fs,
            "seconds_per_functional_unit",
            s.result.seconds_per_functional_unit,
            "seconds of operation that make one functional unit"
        ),
        parameter(
            fs,
            "functional_units_per_year",
            s.result.functional_units_per_year,
            "functional units per year of operation"
        ),
    ]);
    root
}

fn parameter(flowsheet: &str, name: &str, value: f64, what: &str) -> Value {
    json!({
        "@type": "Parameter", "@id": uuid("calx parameter", &format!("{flowsheet}\u{0}{name}")), "name": name,
        "value": value, "isInputParameter": true, "parameterScope": "PROCESS_SCOPE", "description": what,
    })
}

fn olca_process(id: &str, name: &str, category: &str, description: &str, exchanges: Vec<Value>, doc: Value) -> Value {
    json!({
        "@type": "Process", "@id": id, "name": name, "version": "01.00.000", "category": category,
        "description": description, "processType": "UNIT_PROCESS", "lastInternalId": exchanges.len(),
        "exchanges": exchanges, "processDocumentation": doc,
    })
}

fn olca_category(db: &Database, c: usize) -> Value {
    let category = &db.categories()[c];
    let factors: Vec<Value> = db
        .factors_of(c)
        .map(|(f, v)| {
            let name = &db.flows()[f].name;
            json!({
                "@type": "ImpactFactor", "value": v, "flow": reference("Flow", &flow_id(name), name),
                "flowProperty": {"@type": "FlowProperty", "@id": MASS.property, "name": MASS.property_name},
                "unit": {"@type": "Unit", "@id": MASS.si.0, "name": MASS.si.1},
            })
        })
        .collect();
    json!({
        "@type": "ImpactCategory", "@id": category_id(&category.name), "name": category.name, "version": "01.00.000",
        "category": "Calx", "refUnit": category.unit, "description": format!("Source: {}", category.source),
        "impactFactors": factors,
    })
}

fn olca_method(s: &System<'_>) -> Value {
    let categories: Vec<Value> =
        s.db.categories()
            .iter()
            .map(|c| json!({"@type": "ImpactCategory", "@id": category_id(&c.name), "name": c.name, "refUnit": c.unit}))
            .collect();
    json!({
        "@type": "ImpactMethod", "@id": uuid("calx impact method", s.flowsheet()),
        "name": format!("Calx ({})", s.flowsheet()), "version": "01.00.000", "category": "Calx",
        "description": format!("The impact categories and characterisation factors Calx used. {}", s.description()),
        "impactCategories": categories,
    })
}

/// The product system: every process of the export, every input linked to its provider.
fn olca_product_system(s: &System<'_>) -> Value {
    let (db, fs) = (s.db, s.flowsheet());
    let mut processes = vec![reference("Process", &unit_process_id(fs, ""), &functional_unit_name(s))];
    let mut links = Vec::new();
    let mut link = |process: Value, internal: usize, flow: Value, provider: Value| {
        links.push(
            json!({"process": process, "exchange": {"internalId": internal}, "flow": flow, "provider": provider}),
        );
    };
    for (i, u) in s.units.iter().enumerate() {
        let name = format!("{fs}: {}", u.name);
        let this = reference("Process", &unit_process_id(fs, u.name), &name);
        processes.push(this.clone());
        let root = reference("Process", &unit_process_id(fs, ""), &functional_unit_name(s));
        link(root, i + 2, reference("Flow", &unit_flow_id(fs, u.name), &name), this.clone());
        for (k, &(p, _, _)) in u.inputs.iter().enumerate() {
            let (f, provider) = background_ref(db, p);
            link(this.clone(), k + 2, f, provider);
        }
    }
    for &p in &s.background {
        let (_, this) = background_ref(db, p);
        processes.push(this.clone());
        for (k, (supplier, _)) in db.inputs_of(p).enumerate() {
            let (f, provider) = background_ref(db, supplier);
            link(this.clone(), k + 2, f, provider);
        }
    }
    json!({
        "@type": "ProductSystem", "@id": uuid("calx product system", fs), "name": functional_unit_name(s),
        "version": "01.00.000", "category": category(fs), "description": s.description(),
        "refProcess": reference("Process", &unit_process_id(fs, ""), &functional_unit_name(s)),
        "refExchange": {"internalId": 1},
        "targetAmount": 1.0,
        "targetFlowProperty": {"@type": "FlowProperty", "@id": ITEMS.property, "name": ITEMS.property_name},
        "targetUnit": {"@type": "Unit", "@id": ITEMS.si.0, "name": ITEMS.si.1},
        "processes": processes,
        "processLinks": links,
    })
}

/// A Brightway tuple in bw2data's JSON encoding (`JsonSanitizer`).
fn tuple(items: Vec<Value>) -> Value {
    json!({"__tuple__": true, "data": items})
}

/// `value` in bw2data's `JsonSanitizer` encoding: every JSON object that is not a tuple
/// becomes `{"__dict__": true, "keys": [...], "values": [...]}` (its loader refuses others).
fn sanitized(value: Value) -> Value {
    match value {
        Value::Object(map) if map.contains_key("__tuple__") => {
            let data = map.get("data").cloned().unwrap_or(Value::Null);
            tuple(match data {
                Value::Array(items) => items.into_iter().map(sanitized).collect(),
                other => vec![sanitized(other)],
            })
        }
        Value::Object(map) => {
            let (keys, values): (Vec<Value>, Vec<Value>) =
                map.into_iter().map(|(k, v)| (Value::String(k), sanitized(v))).unzip();
            json!({"__dict__": true, "keys": keys, "values": values})
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sanitized).collect()),
        other => other,
    }
}

/// A dict with tuple keys, in the `JsonSanitizer` encoding.
fn keyed(entries: Vec<(Value, Value)>) -> Value {
    let (keys, values): (Vec<Value>, Vec<Value>) = entries.into_iter().map(|(k, v)| (k, sanitized(v))).unzip();
    json!({"__dict__": true, "keys": keys, "values": values})
}

/// The names of the two Brightway databases of an export: processes, and elementary flows.
pub fn brightway_databases(flowsheet: &str) -> (String, String) {
    (format!("calx {flowsheet}"), format!("calx {flowsheet} biosphere"))
}

/// The Brightway code of the functional-unit activity (in the processes database).
pub const BRIGHTWAY_FUNCTIONAL_UNIT: &str = "functional unit";

/// The Brightway data set of the assessed flowsheet as the JSON of a bw2io `BW2Package` (a
/// list of objects in bw2data's `JsonSanitizer` encoding): the biosphere database (one node
/// per elementary flow), the processes database (functional unit, unit and background
/// activities with their exchanges) and one LCIA method per category, named
/// `("Calx", CATEGORY)`. [`brightway_bw2package`] is the same compressed, as bw2io reads it.
pub fn brightway_package(result: &LcaResult, background: &Background, info: &ExportInfo) -> Result<String> {
    let s = System::new(result, background, info)?;
    let (db, fs) = (s.db, s.flowsheet());
    let (tech, bio) = brightway_databases(fs);
    let key = |database: &str, code: &str| tuple(vec![json!(database), json!(code)]);
    let flows: Vec<(Value, Value)> = db
        .flows()
        .iter()
        .map(|f| {
            let node = json!({
                "name": f.name, "unit": "kilogram", "type": "emission", "categories": tuple(vec![json!("air")]),
                "comment": f.description, "database": bio, "code": f.name,
            });
            (key(&bio, &f.name), node)
        })
        .collect();
    let activity = |code: &str, name: &str, unit: &str, comment: &str, mut exchanges: Vec<Value>| {
        exchanges.insert(0, json!({"input": key(&tech, code), "amount": 1.0, "type": "production"}));
        let node = json!({
            "name": name, "reference product": name, "unit": unit, "location": "GLO", "type": "process",
            "comment": comment, "database": tech, "code": code, "exchanges": exchanges,
        });
        (key(&tech, code), node)
    };
    let technosphere = |input: Value, amount: f64, comment: &str| json!({"input": input, "amount": amount, "type": "technosphere", "comment": comment});
    let biosphere = |f: usize, amount: f64, comment: &str| json!({"input": key(&bio, &db.flows()[f].name), "amount": amount, "type": "biosphere", "comment": comment});
    let mut activities = Vec::new();
    let units: Vec<Value> =
        s.units.iter().map(|u| technosphere(key(&tech, &format!("unit {}", u.name)), 1.0, u.name)).collect();
    activities.push(activity(BRIGHTWAY_FUNCTIONAL_UNIT, &functional_unit_name(&s), "unit", &s.description(), units));
    for u in &s.units {
        let mut exchanges: Vec<Value> = u
            .inputs
            .iter()
            .map(|&(p, x, why)| technosphere(key(&tech, &format!("process {}", db.processes()[p].name)), x, why))
            .collect();
        exchanges.extend(u.emissions.iter().map(|&(f, x, why)| biosphere(f, x, why)));
        let code = format!("unit {}", u.name);
        activities.push(activity(&code, &format!("{fs}: {}", u.name), "unit", &s.description(), exchanges));
    }
    for &p in &s.background {
        let process = &db.processes()[p];
        let mut exchanges: Vec<Value> = db
            .inputs_of(p)
            .map(|(q, x)| technosphere(key(&tech, &format!("process {}", db.processes()[q].name)), x, ""))
            .collect();
        exchanges.extend(db.emissions_of(p).map(|(f, x)| biosphere(f, x, "")));
        let comment = format!("{} Source: {}", process.description, process.source);
        let unit = quantity_of(db, p).si.2;
        activities.push(activity(&format!("process {}", process.name), &process.name, unit, &comment, exchanges));
    }
    let calx = json!({
        "calx_version": info.calx_version, "flowsheet": fs, "functional_unit": result.functional_unit,
        "seconds_per_functional_unit": result.seconds_per_functional_unit,
        "functional_units_per_year": result.functional_units_per_year, "parameters": s.parameters,
    });
    let database = |name: &str, depends: Vec<Value>, data: Value| {
        json!({
            "metadata": sanitized(json!({"format": "Calx export", "depends": depends, "calx": calx})),
            "name": name,
            "class": {"__dict__": true, "keys": ["module", "name"], "values": ["bw2data.backends", "SQLiteBackend"]},
            "data": data,
        })
    };
    let mut objects = vec![database(&bio, vec![], keyed(flows)), database(&tech, vec![json!(bio)], keyed(activities))];
    for (c, category) in db.categories().iter().enumerate() {
        let factors: Vec<Value> =
            db.factors_of(c).map(|(f, v)| tuple(vec![key(&bio, &db.flows()[f].name), json!(v)])).collect();
        objects.push(json!({
            "metadata": sanitized(json!({"unit": category.unit, "description": format!("Source: {}", category.source), "calx": calx})),
            "name": tuple(vec![json!("Calx"), json!(category.name)]),
            "class": {"__dict__": true, "keys": ["module", "name"], "values": ["bw2data.method", "Method"]},
            "data": factors,
        }));
    }
    // The package's own objects are dicts too.
    let objects: Vec<Value> = objects.into_iter().map(package_object).collect();
    serde_json::to_string_pretty(&objects)
        .map_err(|e| LcaError::Value { what: "Brightway export".into(), message: e.to_string() })
}

/// The `.bw2package` file bw2io imports (`bw2io.BW2Package.import_file(path)`): the JSON of
/// [`brightway_package`], bzip2-compressed, since bw2io opens these files with `bz2.open`.
pub fn brightway_bw2package(result: &LcaResult, background: &Background, info: &ExportInfo) -> Result<Vec<u8>> {
    use std::io::Write;
    let json = brightway_package(result, background, info)?;
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    // Writing into memory fails only if the compressor itself fails.
    encoder
        .write_all(json.as_bytes())
        .and_then(|()| encoder.finish())
        .map_err(|e| LcaError::Compression { message: e.to_string() })
}

/// One object of a package, its own keys in the `__dict__` encoding (its members are encoded
/// already).
fn package_object(object: Value) -> Value {
    match object {
        Value::Object(map) => {
            let (keys, values): (Vec<Value>, Vec<Value>) = map.into_iter().map(|(k, v)| (Value::String(k), v)).unzip();
            json!({"__dict__": true, "keys": keys, "values": values})
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_distinct_and_well_formed() {
        let a = uuid("calx background process", "tap_water_kr");
        assert_eq!(a, uuid("calx background process", "tap_water_kr"));
        assert_ne!(a, uuid("calx background product", "tap_water_kr"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8", "version 8: {a}");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "RFC 9562 variant: {a}");
    }

    #[test]
    fn sanitized_encodes_every_object_but_tuples() {
        let v = sanitized(json!({"a": [tuple(vec![json!("db"), json!({"b": 1})])]}));
        assert_eq!(
            v,
            json!({"__dict__": true, "keys": ["a"], "values": [[{"__tuple__": true, "data": ["db",
                {"__dict__": true, "keys": ["b"], "values": [1]}]}]]})
        );
    }
}
