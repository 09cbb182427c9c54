//! `calx schema`: a JSON Schema of the flowsheet format, so editors can complete and check
//! flowsheets. It is generated from the same field lists the decoder accepts and from the
//! registered unit types' parameter schemas, so it cannot drift from what Calx reads.

use calx_core::ParamKind;
use calx_core::registry::Registry;
use calx_core::unit::PortDirection;
use serde_json::{Value, json};

use crate::options::{DISPLAY_FIELDS, SOLVER_FIELDS, SPEC_FIELDS};
use crate::{SCHEMA_VERSION, TOP_FIELDS};

fn quantity(doc: &str) -> Value {
    json!({ "type": ["string", "number"], "description": doc })
}

fn kind_schema(kind: &ParamKind) -> Value {
    match kind {
        ParamKind::Quantity { unit, .. } => {
            quantity(&format!("{} — a number with its unit, e.g. \"10 {unit}\"", kind.describe()))
        }
        ParamKind::Fraction => quantity("fraction: 0-1 or a percentage such as \"70 %\""),
        ParamKind::Number => json!({ "type": ["number", "string"] }),
        ParamKind::Integer => json!({ "type": "integer", "minimum": 1 }),
        ParamKind::Bool => json!({ "type": "boolean" }),
        ParamKind::Text => json!({ "type": "string" }),
        ParamKind::Choice { options } => json!({ "enum": options }),
        ParamKind::PerComponent { value } | ParamKind::PerOutlet { value } => {
            json!({ "type": "object", "additionalProperties": kind_schema(value) })
        }
        ParamKind::Map { value } => json!({ "type": "object", "additionalProperties": kind_schema(value) }),
        ParamKind::List { item } => json!({ "type": "array", "items": kind_schema(item) }),
    }
}

/// JSON Schema properties of declared parameters, each described with its kind.
fn param_properties(params: &[calx_core::ParamSpec]) -> serde_json::Map<String, Value> {
    params
        .iter()
        .map(|p| {
            let mut s = kind_schema(&p.kind);
            s["description"] = json!(format!("{} ({})", p.doc, p.kind.describe()));
            (p.name.clone(), s)
        })
        .collect()
}

/// The `calculate:` section: a list of `{ set, to }`.
fn calculate() -> Value {
    json!({
        "type": "array",
        "description": "calculators: set a unit or feed parameter from an expression over parameters and results",
        "items": closed(names(crate::calculate::FIELDS, |_| json!({ "type": "string" })), crate::calculate::FIELDS),
    })
}

fn closed(properties: serde_json::Map<String, Value>, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}

fn names(fields: &[&str], each: impl Fn(&str) -> Value) -> serde_json::Map<String, Value> {
    fields.iter().map(|f| (f.to_string(), each(f))).collect()
}

/// The JSON Schema (draft 2020-12) of flowsheet files, for the unit types in `registry`.
pub fn json_schema(registry: &Registry) -> Value {
    let stream = closed(
        names(crate::streams::FIELDS, |f| match f {
            "composition" | "flows" => {
                json!({ "type": "object", "additionalProperties": { "type": ["string", "number"] } })
            }
            "note" => json!({ "type": "string" }),
            _ => quantity(f),
        }),
        &[],
    );
    let ports = json!({ "type": "object", "additionalProperties": { "type": ["string", "array"], "items": { "type": "string" } } });
    let unit_variants: Vec<Value> = registry
        .iter()
        .map(|r| {
            let d = &r.descriptor;
            let params = param_properties(&d.params);
            let port_names = |dir| d.ports.iter().filter(|p| p.direction == dir).map(|p| p.name.clone()).collect::<Vec<_>>();
            let mut props = serde_json::Map::new();
            props.insert("type".into(), json!({ "const": d.type_name, "description": d.summary }));
            props.insert("in".into(), json!({ "type": "object", "propertyNames": { "enum": port_names(PortDirection::In) }, "additionalProperties": ports["additionalProperties"] }));
            props.insert("out".into(), json!({ "type": "object", "propertyNames": { "enum": port_names(PortDirection::Out) }, "additionalProperties": ports["additionalProperties"] }));
            props.insert("params".into(), json!({ "type": "object", "properties": params, "additionalProperties": false }));
            props.insert("note".into(), json!({ "type": "string" }));
            closed(props, &["type"])
        })
        .collect();
    let solver = closed(
        names(SOLVER_FIELDS, |f| match f {
            "method" => json!({ "enum": ["direct_substitution", "wegstein", "broyden"] }),
            "design_specs" => json!({ "enum": ["simultaneous", "nested"] }),
            "tears" => json!({ "type": "array", "items": { "type": "string" } }),
            "initial_guesses" => json!({ "type": "object", "additionalProperties": stream }),
            "max_iterations" => json!({ "type": "integer", "minimum": 1 }),
            _ => json!({ "type": ["number", "string"] }),
        }),
        &[],
    );
    let spec = closed(
        names(SPEC_FIELDS, |f| match f {
            "between" => {
                json!({ "type": "array", "items": { "type": ["string", "number"] }, "minItems": 2, "maxItems": 2 })
            }
            "max_iterations" => json!({ "type": "integer", "minimum": 1 }),
            _ => json!({ "type": ["string", "number"] }),
        }),
        &["adjust", "until", "between"],
    );
    let display = closed(names(DISPLAY_FIELDS, |_| json!({ "type": ["string", "array"] })), &[]);
    let component = json!({ "type": "object", "additionalProperties": true });
    let top = names(TOP_FIELDS, |f| match f {
        "schema_version" => json!({ "const": SCHEMA_VERSION }),
        "name" | "description" => json!({ "type": "string" }),
        "plugins" => json!({
            "type": "array",
            "items": { "type": "string" },
            "description": "plugin libraries (files or directories relative to this file, or bare library names searched in CALX_PLUGIN_PATH)"
        }),
        "basis" => json!({
            "type": "object",
            "additionalProperties": { "oneOf": [
                { "type": "string", "description": "a fixed rate (17585 t/yr) or the stream it follows (streams.product.total)" },
                closed(names(crate::basis::FIELDS, |_| json!({ "type": "string" })), &[]),
            ] },
        }),
        "components" => closed(
            names(&["use", "define", "override"], |g| match g {
                "use" => json!({ "type": "array", "items": { "type": "string" } }),
                _ => json!({ "type": "object", "additionalProperties": component }),
            }),
            &[],
        ),
        "streams" => json!({ "type": "object", "additionalProperties": stream }),
        "units" => json!({ "type": "object", "additionalProperties": { "oneOf": unit_variants } }),
        "solver" => solver.clone(),
        "design_specs" => json!({ "type": "array", "items": spec }),
        "calculate" => calculate(),
        "analyses" => {
            let mut by_type = serde_json::Map::new();
            for a in registry.analyses() {
                let mut props = param_properties(&a.descriptor.params);
                props.insert(
                    "type".into(),
                    json!({ "const": a.descriptor.type_name, "description": a.descriptor.summary }),
                );
                by_type.insert(a.descriptor.type_name.clone(), closed(props, &[]));
            }
            json!({ "type": "object", "additionalProperties": { "anyOf": by_type.values().cloned().collect::<Vec<_>>() }, "properties": by_type })
        }
        "optimize" => optimize(),
        "aqueous" => closed(
            names(crate::aqueous::FIELDS, |g| match g {
                "activity_model" => json!({ "enum": ["davies", "extended_debye_huckel"] }),
                _ => json!({ "type": "object", "additionalProperties": { "type": "string" } }),
            }),
            &[],
        ),
        _ => display.clone(),
    });
    let mut schema = closed(top, &["schema_version", "components", "units"]);
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    schema["title"] = json!("Calx flowsheet");
    schema
}

/// The `optimize:` section: exactly one of `minimize` and `maximize`, bounded variables,
/// constraints written as text.
fn optimize() -> Value {
    let variable = closed(
        names(crate::optimize::VARIABLE_FIELDS, |g| match g {
            "between" => {
                json!({ "type": "array", "items": { "type": ["string", "number"] }, "minItems": 2, "maxItems": 2 })
            }
            _ => json!({ "type": "string" }),
        }),
        crate::optimize::VARIABLE_FIELDS,
    );
    let mut o = closed(
        names(crate::optimize::OPTIMIZE_FIELDS, |g| match g {
            "minimize" | "maximize" => {
                json!({ "type": "string", "description": "a result path: streams, unit utilities and sizes, or analyses.A.METRIC" })
            }
            "variables" => json!({ "type": "array", "items": variable, "minItems": 1 }),
            "constraints" => {
                json!({ "type": "array", "items": { "type": "string", "description": "PATH <= VALUE, PATH >= VALUE or PATH = VALUE" } })
            }
            "method" => json!({ "enum": ["nelder_mead"] }),
            "max_evaluations" | "starts" | "seed" => json!({ "type": "integer", "minimum": 0 }),
            _ => json!({ "type": ["number", "string"] }),
        }),
        &["variables"],
    );
    o["oneOf"] = json!([{ "required": ["minimize"] }, { "required": ["maximize"] }]);
    o
}
