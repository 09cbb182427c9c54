//! The Calx flowsheet file format.
//!
//! This is the only crate that reads YAML (through `serde-saphyr`, kept private here). A
//! file is parsed into a tree that remembers positions, then decoded section by section
//! against the component library and the unit types' parameter schemas. Every problem is
//! collected — with file, line, column, field, what was found, what is allowed and the
//! nearest valid name — and returned together as [`Diagnostics`]. Quantities are written
//! with units of measure ("16000 t/yr") and converted to SI here, at the edge.

mod analyses;
mod aqueous;
mod basis;
mod calculate;
mod components;
mod decode;
mod design;
mod diagnostic;
mod fit;
mod located;
mod node;
mod optimize;
mod options;
mod schema;
mod streams;
mod units;

use calx_core::aqueous::AqueousSettings;
use calx_core::registry::Registry;
use calx_core::{Params, UnitError, UnitTable};
use calx_engine::{BuildError, EngineError, Flowsheet, FlowsheetDef, SolveOptions, UnitDef};

pub use crate::analyses::ConfiguredAnalysis;
pub use crate::basis::Basis;
use crate::decode::{Decoder, SourceMap, get};
pub use crate::design::{
    AnalysisSpec, DesignInput, DesignOutput, ExprRead, MetricExpr, QuantityError, Written, evaluate_metric_expression,
    is_expression, metric_expression, metric_si, reads_metrics, result_expression,
};
pub use crate::diagnostic::{Diagnostic, Diagnostics};
pub use crate::fit::{
    FIT_FIELDS, FitModel, FitParameter, FitSpec, Measured, ParameterKind, RATE_LAWS, law_parameters, parameter_domain,
    parse_fit,
};
pub use crate::located::{Located, LocatedValue, parse_located};
pub use crate::node::Loc;
pub use crate::optimize::{
    Comparison, Constraint, Goal, OptimizeDef, OptimizeMethod, OptimizeOutput, OptimizeVariable,
};
pub use crate::options::Display;
pub use crate::schema::json_schema;

/// The schema version this Calx reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Top-level fields of a flowsheet file.
pub const TOP_FIELDS: &[&str] = &[
    "schema_version",
    "name",
    "description",
    "plugins",
    "basis",
    "components",
    "streams",
    "units",
    "solver",
    "design_specs",
    "display",
    "analyses",
    "aqueous",
    "calculate",
    "optimize",
];

/// One entry of the top-level `plugins:` list, as written, with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginEntry {
    /// A library file or a directory, relative to the flowsheet's directory, or a bare
    /// library name (`calx_cyclone`) searched for in the plugin search path.
    pub path: String,
    /// Where it is written.
    pub loc: Loc,
}

fn plugin_entries(dec: &mut Decoder, node: &node::Node) -> Vec<PluginEntry> {
    let mut out = Vec::new();
    for (i, item) in dec.list(node, "plugins").unwrap_or_default().into_iter().enumerate() {
        if let Some(path) = dec.text(item, &format!("plugins[{i}]")) {
            out.push(PluginEntry { path: path.to_string(), loc: item.loc });
        }
    }
    out
}

/// A decoded flowsheet: what to build, how to show it, and where everything was written.
pub struct Model {
    /// File name as given (for messages).
    pub file: String,
    /// Source text.
    pub source: String,
    /// The flowsheet's description.
    pub description: Option<String>,
    /// What the engine builds.
    pub def: FlowsheetDef,
    /// Display units.
    pub display: Display,
    /// Analyses to run after convergence, in declaration order.
    pub analyses: Vec<ConfiguredAnalysis>,
    /// Units of measure, including the flowsheet's `basis` symbols that have a written rate
    /// (the displays use [`Model::display_units`]).
    pub units_of_measure: UnitTable,
    /// The `basis:` section.
    pub basis: Vec<Basis>,
    /// The `aqueous:` section, when given: stream aqueous properties are computed.
    pub aqueous: Option<AqueousSettings>,
    /// Design specifications that adjust an analysis parameter or target an analysis metric,
    /// outermost first: solved by the façade around the engine's solve (whose own
    /// specifications are in `def`).
    pub analysis_specs: Vec<AnalysisSpec>,
    /// The `optimize:` section, when given.
    pub optimize: Option<OptimizeDef>,
    map: SourceMap,
}

/// Why a value given outside the file ([`Model::decode_value`]) does not decode: every
/// problem on one line, with field, found and allowed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

/// A YAML document as plain data, for other Calx file formats (study files) that must not
/// parse YAML themselves: mappings keep their written order; scalars are text.
#[derive(Clone, Debug, PartialEq)]
pub enum YamlValue {
    /// Empty value.
    Null,
    /// A scalar as written (numbers and booleans too).
    Scalar(String),
    /// A sequence.
    List(Vec<YamlValue>),
    /// A mapping in written order.
    Map(Vec<(String, YamlValue)>),
}

fn map_entries(n: &node::Node) -> Option<&[(node::Key, node::Node)]> {
    match &n.value {
        node::Value::Map(entries) => Some(entries),
        _ => None,
    }
}

fn lookup<'a>(entries: &'a [(node::Key, node::Node)], name: &str) -> Option<&'a node::Node> {
    entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v)
}

fn scalar(n: &node::Node) -> Option<&str> {
    match &n.value {
        node::Value::Scalar(s) => Some(s),
        _ => None,
    }
}

/// Parse YAML text with the same parser and rules as flowsheets (YAML 1.2 booleans, duplicate
/// keys refused); a syntax error comes back with its line, column and message.
pub fn parse_yaml(text: &str) -> Result<YamlValue, (Loc, String)> {
    fn plain(n: node::Node) -> YamlValue {
        match n.value {
            node::Value::Null => YamlValue::Null,
            node::Value::Scalar(s) => YamlValue::Scalar(s),
            node::Value::Seq(items) => YamlValue::List(items.into_iter().map(plain).collect()),
            node::Value::Map(entries) => YamlValue::Map(entries.into_iter().map(|(k, v)| (k.name, plain(v))).collect()),
        }
    }
    node::parse(text).map(plain).map_err(|e| (e.loc, e.message))
}

/// Decode flowsheet text against the unit and analysis types of `registry`; `file` names
/// it in messages. A flowsheet that lists plugin libraries needs them registered first:
/// parse a [`Source`], load its [`Source::plugins`], then [`Source::decode`].
pub fn parse(text: &str, file: &str, registry: &Registry) -> Result<Model, Diagnostics> {
    Source::parse(text, file)?.decode(registry)
}

/// Flowsheet text parsed once into a tree that remembers positions, decoded in two passes:
/// [`Source::plugins`] (the libraries to load before the unit types are known), then
/// [`Source::decode`] (everything else). Studies change values on the tree with
/// [`Source::set`] before decoding.
#[derive(Clone, Debug)]
pub struct Source {
    file: String,
    text: String,
    root: node::Node,
}

/// Why [`Source::set`] could not set a value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{path}`: {message}")]
pub struct SetError {
    /// The dotted key path as given.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Source {
    /// Parse flowsheet text; `file` names it in messages. Only YAML syntax is checked here.
    pub fn parse(text: &str, file: &str) -> Result<Source, Diagnostics> {
        match node::parse(text) {
            Ok(root) => Ok(Source { file: file.to_string(), text: text.to_string(), root }),
            Err(e) => Err(Diagnostics::of(file, text, vec![Diagnostic::new(e.loc, "(syntax)", e.message)])),
        }
    }

    /// The file name as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The flowsheet's `plugins:` list: the libraries whose unit types its `units:` may use.
    /// Loading them is the caller's job (this crate does no dynamic loading); the caller then
    /// registers their types and calls [`Source::decode`]. A file without the list gives an
    /// empty one; problems with the list itself are diagnostics like any other.
    pub fn plugins(&self) -> Result<Vec<PluginEntry>, Diagnostics> {
        let mut dec = Decoder::new();
        let Some(top) = dec.mapping(&self.root, "flowsheet") else { return Err(self.fail(dec.diags)) };
        let out = get(top, "plugins").map(|n| plugin_entries(&mut dec, n)).unwrap_or_default();
        if dec.diags.is_empty() { Ok(out) } else { Err(self.fail(dec.diags)) }
    }

    /// Diagnostics about `plugins:` entries (libraries that could not be loaded), for callers
    /// that load the libraries listed by [`Source::plugins`].
    pub fn plugin_diagnostics(&self, problems: Vec<(Loc, String)>) -> Diagnostics {
        self.fail(problems.into_iter().map(|(loc, message)| Diagnostic::new(loc, "plugins", message)).collect())
    }

    /// Set the value at a dotted key path of the file (`analyses.lca.sources.grid`) to the
    /// scalar `value`, as if it were written there; missing keys are added. The value is
    /// decoded with everything else, so it is checked like a written one (its position is
    /// that of the value it replaces, or of the mapping it was added to).
    pub fn set(&mut self, path: &str, value: &str) -> Result<(), SetError> {
        node::set(&mut self.root, path, value)
    }

    /// The entries of the mapping at a dotted key path of the file, each key with its value
    /// as written, if every value there is a scalar (`streams.raw_ash.flows`: `CaO` and
    /// `442.00 kg/t_product`, ...); `None` when the path names no such mapping.
    pub fn scalar_mapping(&self, path: &str) -> Option<Vec<(&str, &str)>> {
        let mut node = &self.root;
        for key in path.split('.') {
            node = lookup(map_entries(node)?, key)?;
        }
        map_entries(node)?.iter().map(|(k, v)| scalar(v).map(|text| (k.name.as_str(), text))).collect()
    }

    /// Replace whatever is at a dotted key path of the file (a section, a value, or nothing
    /// yet) by a mapping of the scalar `entries`, in their order, as if it were written
    /// there (`streams.raw_ash.composition` with every component's fraction). Decoded with
    /// everything else, like [`Source::set`]'s value.
    pub fn set_mapping(&mut self, path: &str, entries: &[(&str, String)]) -> Result<(), SetError> {
        node::set_mapping(&mut self.root, path, entries)
    }

    /// Diagnostics about this file (problems a caller finds with what it names, such as a
    /// data file that cannot be read).
    pub fn diagnostics(&self, items: Vec<Diagnostic>) -> Diagnostics {
        self.fail(items)
    }

    fn fail(&self, items: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics::of(&self.file, &self.text, items)
    }

    /// The scalar values of parameter `param` in every `analyses:` block of type `type_name`
    /// (the key, or its `type:`), with their positions, before anything is decoded: the
    /// façade reads the data files they name (a carbon ledger's methodology profile) and
    /// registers them before [`Source::decode`].
    pub fn analysis_values(&self, type_name: &str, param: &str) -> Vec<(String, Loc)> {
        let Some(analyses) = map_entries(&self.root).and_then(|top| lookup(top, "analyses")).and_then(map_entries)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, block) in analyses {
            let Some(entries) = map_entries(block) else { continue };
            let written_type = lookup(entries, "type").and_then(scalar);
            if written_type.unwrap_or(&k.name) != type_name {
                continue;
            }
            if let Some(v) = lookup(entries, param)
                && let Some(text) = scalar(v)
            {
                out.push((text.to_string(), v.loc));
            }
        }
        out
    }

    /// The scalar items of list parameter `param` in every `analyses:` block of type
    /// `type_name`, one list per block that has it (with the block's name), each item with
    /// its position, before
    /// anything is decoded: the façade reads the files they name (an LCA's background data)
    /// and checks what they hold at their positions. A scalar in place of a list counts as a
    /// list of one (the decoder says what is wrong with it).
    pub fn analysis_lists(&self, type_name: &str, param: &str) -> Vec<(String, Vec<(String, Loc)>)> {
        let Some(analyses) = map_entries(&self.root).and_then(|top| lookup(top, "analyses")).and_then(map_entries)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, block) in analyses {
            let Some(entries) = map_entries(block) else { continue };
            if lookup(entries, "type").and_then(scalar).unwrap_or(&k.name) != type_name {
                continue;
            }
            let Some(v) = lookup(entries, param) else { continue };
            let items = match &v.value {
                node::Value::Seq(items) => {
                    items.iter().filter_map(|n| scalar(n).map(|t| (t.to_string(), n.loc))).collect()
                }
                node::Value::Scalar(t) => vec![(t.clone(), v.loc)],
                _ => Vec::new(),
            };
            out.push((k.name.clone(), items));
        }
        out
    }

    /// Decode the flowsheet against the unit and analysis types of `registry`.
    pub fn decode(&self, registry: &Registry) -> Result<Model, Diagnostics> {
        let (file, text, root) = (self.file.as_str(), self.text.as_str(), &self.root);
        let fail = |items: Vec<Diagnostic>| self.fail(items);
        let mut dec = Decoder::new();
        let Some(top) = dec.mapping(root, "flowsheet") else { return Err(fail(dec.diags)) };
        // Study files sit beside the flowsheets they vary; say what they are instead of listing
        // every field as unknown.
        if let Some((k, _)) = top.iter().find(|(k, _)| k.name == "study") {
            return Err(fail(vec![Diagnostic::new(
                k.loc,
                "study",
                "this is a study file, not a flowsheet: run it with `calx study FILE -o DIR`",
            )]));
        }
        dec.only(top, TOP_FIELDS, "");
        match get(top, "schema_version") {
            None => dec.error(Diagnostic::new(
                root.loc,
                "schema_version",
                format!("the file must start with `schema_version: {SCHEMA_VERSION}`"),
            )),
            Some(n) => {
                if let Some(v) = dec.text(n, "schema_version")
                    && v != SCHEMA_VERSION.to_string()
                {
                    dec.error(
                        Diagnostic::new(
                            n.loc,
                            "schema_version",
                            "this version of Calx cannot read this schema version",
                        )
                        .found(v.to_string())
                        .allowed(SCHEMA_VERSION.to_string()),
                    );
                }
            }
        }
        let name = get(top, "name").and_then(|n| dec.text(n, "name")).unwrap_or("flowsheet").to_string();
        let description = get(top, "description").and_then(|n| dec.text(n, "description")).map(str::to_string);
        // The libraries are loaded by the caller before parsing (see `plugins`); here the list
        // is only checked, so its mistakes are reported with everything else.
        if let Some(n) = get(top, "plugins") {
            plugin_entries(&mut dec, n);
        }
        let bases = get(top, "basis").map(|n| basis::decode(&mut dec, n)).unwrap_or_default();
        let Some(set) = dec.required(top, "components", "", root.loc).and_then(|n| components::decode(&mut dec, n))
        else {
            return Err(fail(dec.diags));
        };
        let set = std::sync::Arc::new(set);
        let mut unit_defs: Vec<UnitDef> = Vec::new();
        if let Some(n) = get(top, "streams") {
            feeds(&mut dec, n, registry, &set, &mut unit_defs);
        }
        match get(top, "units") {
            Some(n) => units::decode(&mut dec, n, registry, &set, &mut unit_defs),
            None => dec.error(Diagnostic::new(root.loc, "units", "the flowsheet has no `units:` section")),
        }
        check_names_and_feeds(&mut dec, &unit_defs);
        basis::check_streams(&mut dec, &bases, &unit_defs);
        let options = match get(top, "solver") {
            Some(n) => options::solver(&mut dec, n, &set),
            None => SolveOptions::default(),
        };
        let file_units = std::mem::replace(&mut dec.units, UnitTable::builtin());
        dec.units = basis::for_display(&file_units, &bases);
        let display = get(top, "display").map(|n| options::display(&mut dec, n)).unwrap_or_default();
        dec.units = file_units;
        let analyses = get(top, "analyses").map(|n| analyses::decode(&mut dec, n, registry, &set)).unwrap_or_default();
        let (design_specs, analysis_specs) = get(top, "design_specs")
            .map(|n| options::design_specs(&mut dec, (n, text), (&unit_defs, &set), (&analyses, registry)))
            .unwrap_or_default();
        let optimize =
            get(top, "optimize").map(|n| optimize::decode(&mut dec, n, (&unit_defs, &set), (&analyses, registry)));
        let calculators =
            get(top, "calculate").map(|n| calculate::decode(&mut dec, n, text, &unit_defs, &set)).unwrap_or_default();
        options::check_adjusted(&mut dec, (&design_specs, &analysis_specs), &calculators);
        let aqueous = get(top, "aqueous").map(|n| aqueous::decode(&mut dec, n, &set));
        if let Some(settings) = &aqueous {
            aqueous::default_unit_models(settings, &mut unit_defs);
        }
        basis::explain_unknown(&mut dec, &bases);
        if !dec.diags.is_empty() {
            return Err(fail(dec.diags));
        }
        Ok(Model {
            file: file.to_string(),
            source: text.to_string(),
            description,
            def: FlowsheetDef { name, components: set, units: unit_defs, options, design_specs, calculators },
            display,
            units_of_measure: dec.units,
            basis: bases,
            analyses,
            aqueous,
            analysis_specs,
            optimize: optimize.flatten(),
            map: dec.map,
        })
    }
}

/// A name must not be both a feed and a unit, and every feed must enter a unit: a feed that
/// goes nowhere would count as fed but never as leaving, and the plant's balance would not close.
fn check_names_and_feeds(dec: &mut Decoder, unit_defs: &[UnitDef]) {
    let mut seen = std::collections::BTreeSet::new();
    for u in unit_defs {
        if !seen.insert(u.name.as_str()) {
            dec.error(Diagnostic::new(
                dec.map.get(&format!("units.{}", u.name)),
                &format!("units.{}", u.name),
                format!("`{}` names both a feed stream and a unit; rename one", u.name),
            ));
        }
    }
    if !dec.diags.is_empty() {
        // A unit that did not decode is missing from `unit_defs`; its feeds would look unused.
        return;
    }
    let consumed = |stream: &str| unit_defs.iter().any(|u| u.inlets.iter().any(|(_, s)| s.iter().any(|s| s == stream)));
    for feed in unit_defs.iter().filter(|u| u.inlets.is_empty() && u.unit_type.descriptor().type_name == "feed") {
        if !consumed(&feed.name) {
            let field = format!("streams.{}", feed.name);
            dec.error(Diagnostic::new(
                dec.map.get(&field),
                &field,
                format!("feed `{}` enters no unit: name it in a unit's `in:`, or remove it", feed.name),
            ));
        }
    }
}

fn feeds(
    dec: &mut Decoder,
    node: &node::Node,
    registry: &Registry,
    set: &std::sync::Arc<calx_core::ComponentSet>,
    out: &mut Vec<UnitDef>,
) {
    let Some(entries) = dec.mapping(node, "streams") else { return };
    let Some(feed) = registry.get("feed") else {
        dec.error(Diagnostic::new(
            node.loc,
            "streams",
            "no `feed` unit type is registered, so feed streams cannot be built",
        ));
        return;
    };
    for (k, v) in entries {
        let field = format!("streams.{}", k.name);
        dec.map.put(&field, k.loc);
        if let Some(spec) = streams::stream_spec(dec, v, &field, set) {
            out.push(UnitDef {
                name: k.name.clone(),
                unit_type: feed.unit_type.clone(),
                params: Params::new(spec.feed_params(set)),
                inlets: vec![],
                outlets: vec![("out".into(), vec![k.name.clone()])],
            });
        }
    }
}

impl Model {
    /// Where a dotted field was written (`analyses.tea`, `units.mixer`); line 1 if nowhere.
    pub fn loc(&self, field: &str) -> Loc {
        self.map.get(field)
    }

    /// Where a dotted field was written, if it was.
    pub fn written(&self, field: &str) -> Option<Loc> {
        self.map.at.get(field).copied()
    }

    /// Diagnostics about this flowsheet's file.
    pub fn diagnostics(&self, items: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics::of(&self.file, &self.source, items)
    }

    /// Decode one value written as in this flowsheet (`70 KRW/kWh`, `7 %`, `0.3`) against a
    /// parameter kind, with this flowsheet's units of measure (its `basis:` symbols too).
    /// `field` names the value in messages. Studies convert their values through this, so a
    /// value means exactly what it would mean written in the file.
    pub fn decode_value(
        &self,
        kind: &calx_core::ParamKind,
        text: &str,
        field: &str,
    ) -> Result<calx_core::ParamValue, ValueError> {
        let node = node::parse(text).map_err(|e| ValueError(format!("{field}: `{text}`: {}", e.message)))?;
        let mut dec = decode::Decoder::new();
        dec.units = self.units_of_measure.clone();
        match units::value(&mut dec, &node, kind, field, &self.def.components, &[]) {
            Some(v) if dec.diags.is_empty() => Ok(v),
            _ => Err(ValueError(dec.diags.iter().map(Diagnostic::one_line).collect::<Vec<_>>().join("; "))),
        }
    }

    /// Build the engine's flowsheet; build problems come back with file positions.
    pub fn build(&self) -> Result<Flowsheet, Diagnostics> {
        match Flowsheet::build(self.def.clone()) {
            Ok(f) => Ok(f),
            Err(EngineError::Build(errors)) => {
                Err(Diagnostics::of(&self.file, &self.source, errors.iter().map(|e| self.locate(e)).collect()))
            }
            Err(other) => Err(Diagnostics {
                file: self.file.clone(),
                text: self.source.clone(),
                items: vec![Diagnostic::new(Loc { line: 1, column: 1 }, "", other.to_string())],
            }),
        }
    }

    /// Where a build error points in the file.
    fn locate(&self, e: &BuildError) -> Diagnostic {
        let m = &self.map;
        let unit_loc = |u: &str| {
            if m.at.contains_key(&format!("units.{u}")) {
                m.get(&format!("units.{u}"))
            } else {
                m.get(&format!("streams.{u}"))
            }
        };
        let stream_use = |s: &str, dir: &str, last: bool| {
            let uses: Vec<_> = m.stream_uses.get(s).into_iter().flatten().filter(|(p, _)| p.ends_with(dir)).collect();
            let pick = if last { uses.last() } else { uses.first() };
            pick.map(|(_, l)| *l).unwrap_or_else(|| m.get(&format!("streams.{s}")))
        };
        let (loc, field) = match e {
            BuildError::DuplicateUnit { unit } => (unit_loc(unit), format!("units.{unit}")),
            BuildError::UnknownPort { unit, port, .. } | BuildError::PortTakesOne { unit, port, .. } => {
                let key = [format!("units.{unit}.in.{port}"), format!("units.{unit}.out.{port}")]
                    .into_iter()
                    .find(|k| m.at.contains_key(k))
                    .unwrap_or(format!("units.{unit}"));
                (m.get(&key), key)
            }
            BuildError::MissingPort { unit, .. } => (unit_loc(unit), format!("units.{unit}")),
            BuildError::TwoSources { stream, .. } => (stream_use(stream, ":out", true), format!("streams.{stream}")),
            BuildError::TwoDestinations { stream, .. } => {
                (stream_use(stream, ":in", true), format!("streams.{stream}"))
            }
            BuildError::NoSource { stream, .. } => {
                // Most often a misspelling of a stream that does exist.
                let produced = self.def.units.iter().flat_map(|u| u.outlets.iter().flat_map(|(_, s)| s.iter()));
                let suggestion = calx_core::suggest::nearest(stream, produced.map(String::as_str));
                let d = Diagnostic::new(stream_use(stream, ":in", false), &format!("streams.{stream}"), e.to_string());
                return d.suggest(suggestion);
            }
            BuildError::Unit { unit, source, .. } => {
                let param = match source {
                    UnitError::Parameter { param, .. } => Some(format!("units.{unit}.params.{param}")),
                    _ => None,
                };
                match param.filter(|p| m.at.contains_key(p)) {
                    Some(p) => (m.get(&p), p),
                    None if m.at.contains_key(&format!("units.{unit}.type")) => {
                        (m.get(&format!("units.{unit}.type")), format!("units.{unit}"))
                    }
                    None => (unit_loc(unit), format!("streams.{unit}")),
                }
            }
            BuildError::Tear { stream, .. } => {
                let first = stream.split(", ").next().unwrap_or(stream);
                (m.get(&format!("solver.tears.{first}")), "solver.tears".to_string())
            }
            BuildError::DesignSpec { index, .. } => {
                (m.get(&format!("design_specs.{index}")), format!("design_specs[{}]", index - 1))
            }
            BuildError::Calculator { index, .. } => {
                (m.get(&format!("calculate.{index}")), format!("calculate[{}]", index - 1))
            }
        };
        Diagnostic::new(loc, &field, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "schema_version: 1\nname: a\nanalyses:\n  lca:\n    method: x   # note\n    utilities: { electricity: grid }\n";

    fn value_at(source: &Source, path: &[&str]) -> Option<String> {
        let mut node = &source.root;
        for key in path {
            let node::Value::Map(entries) = &node.value else { return None };
            node = &entries.iter().find(|(k, _)| k.name == *key)?.1;
        }
        match &node.value {
            node::Value::Scalar(s) => Some(s.clone()),
            _ => None,
        }
    }

    #[test]
    fn set_replaces_values_and_adds_missing_keys_in_block_and_flow_style() {
        let mut s = Source::parse(TEXT, "t.yaml").unwrap_or_else(|d| panic!("{d}"));
        s.set("analyses.lca.method", "GWP20").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value_at(&s, &["analyses", "lca", "method"]).as_deref(), Some("GWP20"));
        // Flow style is a mapping like any other (the old line editor refused it).
        s.set("analyses.lca.utilities.electricity", "other grid").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value_at(&s, &["analyses", "lca", "utilities", "electricity"]).as_deref(), Some("other grid"));
        s.set("analyses.lca.sources.grid", "a source: with a colon").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value_at(&s, &["analyses", "lca", "sources", "grid"]).as_deref(), Some("a source: with a colon"));
        // The text shown in diagnostics is the file as written.
        assert_eq!(s.text, TEXT);
    }

    #[test]
    fn set_refuses_sections_and_paths_through_values() {
        let mut s = Source::parse(TEXT, "t.yaml").unwrap_or_else(|d| panic!("{d}"));
        let e = s.set("analyses.lca", "1").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("is a section"), "{e}");
        let e = s.set("analyses.lca.method.deeper", "1").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("`analyses.lca.method` is not a section"), "{e}");
        assert!(s.set("analyses..x", "1").is_err());
    }

    #[test]
    fn a_scalar_mapping_reads_back_what_set_mapping_wrote() {
        let mut s = Source::parse(TEXT, "t.yaml").unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(s.scalar_mapping("analyses.lca.utilities"), Some(vec![("electricity", "grid")]));
        // Not a mapping of scalars, or nothing there.
        assert_eq!(s.scalar_mapping("analyses.lca"), None);
        assert_eq!(s.scalar_mapping("analyses.lca.method"), None);
        assert_eq!(s.scalar_mapping("streams"), None);
        let entries = [("electricity", "other grid".to_string()), ("heat", "boiler".to_string())];
        s.set_mapping("analyses.lca.utilities", &entries).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.scalar_mapping("analyses.lca.utilities"),
            Some(vec![("electricity", "other grid"), ("heat", "boiler")])
        );
    }
}
