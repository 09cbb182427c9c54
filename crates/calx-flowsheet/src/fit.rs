//! Fit files: which rate law to fit to which lab data (`calx fit`).
//!
//! ```yaml
//! fit: Ca(OH)2 slurry carbonation                # name (required)
//! data: ../data/kinetics/lime-slurry.csv         # the experiments, relative to this file (required)
//! measured: conversion                           # or co2_uptake (then `capacity:` is required)
//! capacity: 594 g/kg                             # CO2 uptake at full conversion (co2_uptake only)
//! reactant: Ca(OH)2                              # whose kinetics the fitted block sets (default Ca(OH)2)
//! unit: carbonation                              # the flowsheet unit the study block's paths name (optional)
//! model:
//!   rate_law: shrinking_core_reaction            # see docs/kinetics.md
//!   reference_temperature: 60 degC               # T_ref of the Arrhenius term (default: the data's)
//!   reference_pco2: 1 bar                        # c_ref of the CO2 order (default 1 bar)
//!   reference_particle_size: 10 um               # d_ref of the size dependence (default 10 um)
//!   temperature: 30 degC                         # conditions for data files without the column
//!   pco2: 1 bar
//!   particle_size: 10 um
//! parameters:                                    # a value (fixed) or {start, min, max, scale}
//!   rate_constant: { start: 1 1/h, min: 1e-4 1/h, max: 1e4 1/h }
//!   activation_energy: { start: 40 kJ/mol, min: 0 kJ/mol, max: 200 kJ/mol }
//!   ultimate_conversion: { start: 0.9, min: 0.05, max: 1 }
//!   co2_order: 0
//! starts: 8                                      # multi-start count (default 8)
//! seed: 1                                        # for the extra starts (default 1)
//! ```
//!
//! Everything is decoded to SI here, with every problem reported at once at its line and
//! column; the numerics (rate laws, least squares) live in `calx-kinetics` and `calx-fit`.

use calx_core::Dimension;

use crate::decode::{Decoder, get, join};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::node::{self, Loc, Node, Value};

/// Top-level fields of a fit file.
pub const FIT_FIELDS: &[&str] = &[
    "fit",
    "description",
    "data",
    "measured",
    "capacity",
    "reactant",
    "unit",
    "model",
    "parameters",
    "starts",
    "seed",
];

/// Fields of `model:`.
const MODEL_FIELDS: &[&str] = &[
    "rate_law",
    "reference_temperature",
    "reference_pco2",
    "reference_particle_size",
    "temperature",
    "pco2",
    "particle_size",
];

/// The rate laws a fit file may name (`calx_kinetics::RateForm`, docs/kinetics.md).
pub const RATE_LAWS: &[&str] =
    &["shrinking_core_reaction", "shrinking_core_diffusion", "shrinking_core_mixed", "avrami", "power_law"];

/// A rate-law parameter: its name, its dimension, a unit for messages, and whether it is
/// positive by nature (fitted on a log scale unless told otherwise).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParameterKind {
    /// Name as written.
    pub name: &'static str,
    /// Dimension of its values.
    pub dimension: Dimension,
    /// A unit to show in messages and to print fitted values in.
    pub unit: &'static str,
    /// Fitted on a log scale by default (rate constants span decades).
    pub log_scale: bool,
}

const RATE_CONSTANT: ParameterKind =
    ParameterKind { name: "rate_constant", dimension: Dimension::PER_TIME, unit: "1/h", log_scale: true };
const COMMON: [ParameterKind; 5] = [
    RATE_CONSTANT,
    ParameterKind { name: "activation_energy", dimension: Dimension::MOLAR_ENERGY, unit: "kJ/mol", log_scale: false },
    ParameterKind { name: "co2_order", dimension: Dimension::DIMENSIONLESS, unit: "", log_scale: false },
    ParameterKind { name: "size_exponent", dimension: Dimension::DIMENSIONLESS, unit: "", log_scale: false },
    ParameterKind { name: "ultimate_conversion", dimension: Dimension::DIMENSIONLESS, unit: "", log_scale: false },
];

/// The parameters of `law`: the common five, then the law's own shape parameter if it has one.
pub fn law_parameters(law: &str) -> Vec<ParameterKind> {
    let own = match law {
        "shrinking_core_mixed" => Some("diffusion_ratio"),
        "avrami" => Some("avrami_exponent"),
        "power_law" => Some("reaction_order"),
        _ => None,
    };
    let mut all = COMMON.to_vec();
    all.extend(own.map(|name| ParameterKind {
        name,
        dimension: Dimension::DIMENSIONLESS,
        unit: "",
        log_scale: name == "diffusion_ratio",
    }));
    all
}

/// The values a parameter of `name` may take (inclusive; `calx_kinetics::RateLaw::validate`):
/// rate constants, CO2 and reaction orders and diffusion ratios not negative, an Avrami
/// exponent above 0, an ultimate conversion in (0, 1]. Bounds of a fitted parameter are
/// intersected with it.
pub fn parameter_domain(name: &str) -> (f64, f64) {
    match name {
        "rate_constant" | "co2_order" | "reaction_order" | "diffusion_ratio" => (0.0, f64::INFINITY),
        "avrami_exponent" => (1e-6, f64::INFINITY),
        "ultimate_conversion" => (1e-6, 1.0),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// What the data's measured column is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measured {
    /// Conversion of the reactant, 0..1.
    Conversion,
    /// CO2 taken up per mass of solid; `capacity` (kg CO2/kg solid) is the uptake at full
    /// conversion, so conversion = uptake / capacity.
    Co2Uptake {
        /// Uptake at full conversion, kg/kg.
        capacity: f64,
    },
}

/// One parameter of the fit: fixed at a value, or fitted from a start within bounds (SI).
#[derive(Clone, Debug, PartialEq)]
pub struct FitParameter {
    /// What it is.
    pub kind: ParameterKind,
    /// Fixed value, or the start of the search.
    pub value: f64,
    /// Whether it is fitted.
    pub free: bool,
    /// Lower bound (fitted only; -inf when not given).
    pub min: f64,
    /// Upper bound (fitted only; +inf when not given).
    pub max: f64,
    /// Fitted on a log scale.
    pub log_scale: bool,
    /// Where it is written (or the `parameters:` section for a default).
    pub loc: Loc,
}

impl FitParameter {
    /// A parameter held at `value` (written at `loc`).
    pub fn fixed(kind: ParameterKind, value: f64, loc: Loc) -> FitParameter {
        FitParameter { kind, value, free: false, min: f64::NEG_INFINITY, max: f64::INFINITY, log_scale: false, loc }
    }
}

/// Conditions of experiments whose data file lacks the column (SI), and the reference
/// conditions of the rate constant.
#[derive(Clone, Debug, PartialEq)]
pub struct FitModel {
    /// One of [`RATE_LAWS`].
    pub rate_law: &'static str,
    /// Reference temperature, K, if given (else the data's own, `calx::fit`).
    pub reference_temperature: Option<f64>,
    /// Reference CO2 partial pressure, Pa.
    pub reference_pco2: f64,
    /// Reference particle size, m.
    pub reference_particle_size: f64,
    /// Temperature for data without a `T` column, K.
    pub temperature: Option<f64>,
    /// CO2 partial pressure for data without a `pCO2` column, Pa.
    pub pco2: Option<f64>,
    /// Particle size for data without a `d50` column, m.
    pub particle_size: Option<f64>,
}

/// A decoded fit file.
#[derive(Clone, Debug, PartialEq)]
pub struct FitSpec {
    /// The fit's name.
    pub name: String,
    /// The data file as written (relative to the fit file).
    pub data: String,
    /// Where `data:` is written.
    pub data_loc: Loc,
    /// What the data measure.
    pub measured: Measured,
    /// The reactant whose kinetics are fitted (for the flowsheet block).
    pub reactant: String,
    /// The flowsheet unit the study block's parameter paths name, if given.
    pub unit: Option<String>,
    /// The rate law and its reference conditions.
    pub model: FitModel,
    /// Every parameter of the law, in [`law_parameters`] order.
    pub parameters: Vec<FitParameter>,
    /// Multi-start count.
    pub starts: usize,
    /// Seed of the extra starts.
    pub seed: u64,
}

/// Decode fit-file text; `file` names it in messages.
pub fn parse_fit(text: &str, file: &str) -> Result<FitSpec, Diagnostics> {
    let root = node::parse(text)
        .map_err(|e| Diagnostics::of(file, text, vec![Diagnostic::new(e.loc, "(syntax)", e.message)]))?;
    let mut dec = Decoder::new();
    let spec = decode(&mut dec, &root);
    match spec {
        Some(spec) if dec.diags.is_empty() => Ok(spec),
        _ => Err(Diagnostics::of(file, text, dec.diags)),
    }
}

fn decode(dec: &mut Decoder, root: &Node) -> Option<FitSpec> {
    let top = dec.mapping(root, "fit file")?;
    dec.only(top, FIT_FIELDS, "");
    let at = root.loc;
    let name = dec.required(top, "fit", "", at).and_then(|n| dec.text(n, "fit")).map(str::to_string);
    let data_node = dec.required(top, "data", "", at);
    let data = data_node.and_then(|n| dec.text(n, "data")).map(str::to_string);
    let measured = measured(dec, top, at);
    let reactant = match get(top, "reactant") {
        Some(n) => dec.text(n, "reactant").map(str::to_string),
        None => Some("Ca(OH)2".to_string()),
    };
    let unit = match get(top, "unit") {
        Some(n) => dec.text(n, "unit").map(|u| Some(u.to_string())),
        None => Some(None),
    };
    let model = dec.required(top, "model", "", at).and_then(|n| model(dec, n));
    let parameters = model.as_ref().and_then(|m| parameters(dec, get(top, "parameters"), m.rate_law, at));
    let starts = get(top, "starts").map_or(Some(8), |n| dec.count(n, "starts"));
    let seed = get(top, "seed").map_or(Some(1), |n| seed(dec, n));
    Some(FitSpec {
        name: name?,
        data: data?,
        data_loc: data_node?.loc,
        measured: measured?,
        reactant: reactant?,
        unit: unit?,
        model: model?,
        parameters: parameters?,
        starts: starts?,
        seed: seed?,
    })
}

fn measured(dec: &mut Decoder, top: &[(node::Key, Node)], at: Loc) -> Option<Measured> {
    let kind = match get(top, "measured") {
        Some(n) => dec.choice(n, "measured", &["conversion", "co2_uptake"])?,
        None => "conversion",
    };
    let capacity = get(top, "capacity");
    match (kind, capacity) {
        ("conversion", None) => Some(Measured::Conversion),
        ("conversion", Some(n)) => {
            dec.error(Diagnostic::new(n.loc, "capacity", "`capacity` is only for `measured: co2_uptake`"));
            None
        }
        (_, None) => {
            dec.error(Diagnostic::new(
                at,
                "capacity",
                "`measured: co2_uptake` needs `capacity`: the uptake at full conversion (e.g. \"594 g/kg\" for pure Ca(OH)2)",
            ));
            None
        }
        (_, Some(n)) => {
            let c = dec.quantity(n, "capacity", Dimension::DIMENSIONLESS, "g/kg")?;
            if c > 0.0 {
                Some(Measured::Co2Uptake { capacity: c })
            } else {
                dec.error(Diagnostic::new(n.loc, "capacity", "`capacity` must be above 0").found(node_text(n)));
                None
            }
        }
    }
}

fn model(dec: &mut Decoder, node: &Node) -> Option<FitModel> {
    let entries = dec.mapping(node, "model")?;
    dec.only(entries, MODEL_FIELDS, "model");
    let rate_law =
        dec.required(entries, "rate_law", "model", node.loc).and_then(|n| dec.choice(n, "model.rate_law", RATE_LAWS));
    let mut quantity = |name: &str, dimension: Dimension, example: &str| -> Option<Option<f64>> {
        match get(entries, name) {
            Some(n) => dec.quantity(n, &join("model", name), dimension, example).map(Some),
            None => Some(None),
        }
    };
    let t_ref = quantity("reference_temperature", Dimension::TEMPERATURE, "degC");
    let p_ref = quantity("reference_pco2", Dimension::PRESSURE, "bar");
    let d_ref = quantity("reference_particle_size", Dimension::LENGTH, "um");
    let t = quantity("temperature", Dimension::TEMPERATURE, "degC");
    let p = quantity("pco2", Dimension::PRESSURE, "bar");
    let d = quantity("particle_size", Dimension::LENGTH, "um");
    for (name, value) in
        [("reference_pco2", p_ref), ("reference_particle_size", d_ref), ("pco2", p), ("particle_size", d)]
    {
        if let Some(Some(v)) = value.filter(|v| v.is_some_and(|v| v <= 0.0)) {
            let loc = get(entries, name).map_or(node.loc, |n| n.loc);
            dec.error(Diagnostic::new(loc, &join("model", name), format!("must be above 0, found {v}")));
            return None;
        }
    }
    Some(FitModel {
        rate_law: rate_law?,
        // 1 bar and 10 um: round reference conditions near typical lab practice, so the fitted
        // rate constant reads as "the rate at 1 bar CO2, 10 um" (the temperature defaults to
        // the data's own, where the rate constant and activation energy are least correlated).
        reference_temperature: t_ref?,
        reference_pco2: p_ref?.unwrap_or(1.0e5),
        reference_particle_size: d_ref?.unwrap_or(10.0e-6),
        temperature: t?,
        pco2: p?,
        particle_size: d?,
    })
}

/// Default of a parameter the file does not list: fixed at the value that switches its
/// effect off (no temperature, CO2 or size dependence; full conversion; the law's textbook
/// shape), or `None` when it must be given.
fn default_value(kind: &ParameterKind, law: &str) -> Option<f64> {
    match kind.name {
        "activation_energy" | "co2_order" => Some(0.0),
        // Levenspiel (1999) ch. 25: tau ∝ R under reaction control, ∝ R^2 under diffusion control.
        "size_exponent" => Some(match law {
            "shrinking_core_reaction" | "shrinking_core_mixed" => 1.0,
            "shrinking_core_diffusion" => 2.0,
            _ => 0.0,
        }),
        "ultimate_conversion" => Some(1.0),
        "reaction_order" => Some(1.0),
        _ => None,
    }
}

fn parameters(dec: &mut Decoder, section: Option<&Node>, law: &'static str, at: Loc) -> Option<Vec<FitParameter>> {
    let kinds = law_parameters(law);
    let entries = match section {
        Some(n) => dec.mapping(n, "parameters")?,
        None => &[],
    };
    let names: Vec<&str> = kinds.iter().map(|k| k.name).collect();
    dec.only(entries, &names, "parameters");
    let section_loc = section.map_or(at, |n| n.loc);
    let mut out = Vec::new();
    let mut ok = true;
    for kind in kinds {
        let field = join("parameters", kind.name);
        let parameter = match get(entries, kind.name) {
            Some(n) => parameter(dec, n, &field, kind),
            None => match default_value(&kind, law) {
                Some(value) => Some(FitParameter::fixed(kind, value, section_loc)),
                None => {
                    dec.error(Diagnostic::new(
                        section_loc,
                        &field,
                        format!("`parameters` needs `{}` for `rate_law: {law}`", kind.name),
                    ));
                    None
                }
            },
        };
        match parameter {
            Some(p) => out.push(p),
            None => ok = false,
        }
    }
    if ok && !out.iter().any(|p| p.free) {
        dec.error(Diagnostic::new(section_loc, "parameters", "nothing to fit: give at least one parameter a `start`"));
        return None;
    }
    ok.then_some(out)
}

const PARAMETER_FIELDS: &[&str] = &["start", "min", "max", "scale"];

fn parameter(dec: &mut Decoder, node: &Node, field: &str, kind: ParameterKind) -> Option<FitParameter> {
    let value = |dec: &mut Decoder, n: &Node, f: &str| dec.quantity(n, f, kind.dimension, kind.unit);
    let (lo, hi) = parameter_domain(kind.name);
    let in_domain = |dec: &mut Decoder, v: f64, what: &str| {
        if (lo..=hi).contains(&v) {
            return true;
        }
        dec.error(
            Diagnostic::new(node.loc, field, format!("`{field}`: the {what} lies outside what the rate law allows"))
                .found(format!("{v} (SI)"))
                .allowed(format!("{lo} to {hi} (SI)")),
        );
        false
    };
    let entries = match &node.value {
        Value::Scalar(_) => {
            let v = value(dec, node, field)?;
            return in_domain(dec, v, "value").then(|| FitParameter::fixed(kind, v, node.loc));
        }
        _ => dec.mapping(node, field)?,
    };
    dec.only(entries, PARAMETER_FIELDS, field);
    let start = dec.required(entries, "start", field, node.loc).and_then(|n| value(dec, n, &join(field, "start")));
    let bound = |dec: &mut Decoder, name: &str, default: f64| match get(entries, name) {
        Some(n) => value(dec, n, &join(field, name)),
        None => Some(default),
    };
    let min = bound(dec, "min", f64::NEG_INFINITY);
    let max = bound(dec, "max", f64::INFINITY);
    let scale = match get(entries, "scale") {
        Some(n) => dec.choice(n, &join(field, "scale"), &["linear", "log"]).map(|s| s == "log"),
        None => Some(kind.log_scale),
    };
    let (start, min, max, log_scale) = (start?, min?.max(lo), max?.min(hi), scale?);
    if !in_domain(dec, start, "start") {
        return None;
    }
    if !(min <= start && start <= max) {
        dec.error(
            Diagnostic::new(node.loc, field, format!("`{field}`: the start must lie within min and max"))
                .found(format!("min {min}, start {start}, max {max} (SI)")),
        );
        return None;
    }
    if log_scale && start <= 0.0 {
        dec.error(
            Diagnostic::new(
                node.loc,
                field,
                format!("`{field}` is fitted on a log scale, so its start must be above 0"),
            )
            .allowed("a positive start, or `scale: linear`"),
        );
        return None;
    }
    Some(FitParameter { kind, value: start, free: true, min, max, log_scale, loc: node.loc })
}

fn seed(dec: &mut Decoder, node: &Node) -> Option<u64> {
    let text = dec.text(node, "seed")?;
    match text.trim().parse::<u64>() {
        Ok(s) => Some(s),
        Err(_) => {
            dec.error(
                Diagnostic::new(node.loc, "seed", "`seed` must be a whole number from 0 to 2^64-1")
                    .found(text.to_string()),
            );
            None
        }
    }
}

fn node_text(n: &Node) -> String {
    n.show()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "fit: lime\ndata: lime.csv\nmodel:\n  rate_law: avrami\n  temperature: 30 degC\nparameters:\n  rate_constant: { start: 2 1/h, min: 0.01 1/h, max: 100 1/h }\n  avrami_exponent: { start: 1, min: 0.3, max: 4 }\n  co2_order: 0.5\n";

    #[test]
    fn decodes_a_fit_file_to_si_with_defaults() {
        let spec = parse_fit(GOOD, "f.yaml").unwrap();
        assert_eq!(spec.model.rate_law, "avrami");
        assert_eq!(spec.model.temperature, Some(303.15));
        assert_eq!(spec.model.reference_temperature, None);
        let k = &spec.parameters[0];
        assert!(k.free && k.log_scale);
        assert!((k.value - 2.0 / 3600.0).abs() < 1e-15 && (k.max - 100.0 / 3600.0).abs() < 1e-15);
        let order = spec.parameters.iter().find(|p| p.kind.name == "co2_order").unwrap();
        assert!(!order.free && order.value == 0.5);
        let e = spec.parameters.iter().find(|p| p.kind.name == "activation_energy").unwrap();
        assert!(!e.free && e.value == 0.0);
        assert_eq!(spec.parameters.last().unwrap().kind.name, "avrami_exponent");
        assert_eq!((spec.starts, spec.seed, spec.measured), (8, 1, Measured::Conversion));
    }

    #[test]
    fn reports_every_problem_with_its_position() {
        let text = "fit: x\ndata: d.csv\nmeasured: co2_uptake\nmodel:\n  rate_law: avramy\nparameters:\n  rate_constant: { start: 2 kJ/mol }\nstarts: 0\n";
        let d = parse_fit(text, "f.yaml").unwrap_err();
        let fields: Vec<(&str, u32)> = d.items.iter().map(|i| (i.field.as_str(), i.loc.line)).collect();
        assert!(fields.contains(&("capacity", 1)), "{fields:?}");
        assert!(fields.contains(&("model.rate_law", 5)), "{fields:?}");
        assert!(fields.contains(&("starts", 8)), "{fields:?}");
        assert_eq!(d.items.iter().find(|i| i.field == "model.rate_law").unwrap().suggestion.as_deref(), Some("avrami"));
    }

    #[test]
    fn a_start_outside_its_bounds_and_a_missing_shape_parameter_are_errors() {
        let text = "fit: x\ndata: d.csv\nmodel: { rate_law: avrami }\nparameters:\n  rate_constant: { start: 2 1/h, max: 1 1/h }\n";
        let d = parse_fit(text, "f.yaml").unwrap_err();
        let fields: Vec<&str> = d.items.iter().map(|i| i.field.as_str()).collect();
        assert!(fields.contains(&"parameters.rate_constant"), "{fields:?}");
        assert!(fields.contains(&"parameters.avrami_exponent"), "{fields:?}");
    }

    #[test]
    fn values_outside_the_laws_domain_are_refused_at_their_position() {
        let text = "fit: x\ndata: d.csv\nmodel: { rate_law: avrami }\nparameters:\n  rate_constant: { start: 1 1/h }\n  avrami_exponent: 0\n  ultimate_conversion: 1.5\n  co2_order: { start: -1 }\n";
        let d = parse_fit(text, "f.yaml").unwrap_err();
        let at: Vec<(&str, u32)> = d.items.iter().map(|i| (i.field.as_str(), i.loc.line)).collect();
        for expected in
            [("parameters.avrami_exponent", 6), ("parameters.ultimate_conversion", 7), ("parameters.co2_order", 8)]
        {
            assert!(at.contains(&expected), "{expected:?} not in {at:?}");
        }
    }

    #[test]
    fn a_fit_with_nothing_free_is_refused() {
        let text =
            "fit: x\ndata: d.csv\nmodel: { rate_law: shrinking_core_reaction }\nparameters:\n  rate_constant: 1 1/h\n";
        let d = parse_fit(text, "f.yaml").unwrap_err();
        assert!(d.items.iter().any(|i| i.message.contains("nothing to fit")), "{d}");
    }
}
