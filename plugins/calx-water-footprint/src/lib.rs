//! A water footprint: water withdrawal and consumption per tonne of product, from the
//! converged streams and the units' utilities. Written only against `calx-plugin-sdk`, as an
//! outside author would, and loaded from its dynamic library (`plugins:
//! [calx_water_footprint]`); tests and benchmarks also link it statically to show that both
//! paths give the same figures bit for bit.
//!
//! Inventory (the volumetric water accounting of ISO 14046:2014 and the Water Footprint
//! Assessment Manual, Hoekstra et al. 2011, ch. 3: withdrawal is what is taken from the
//! source, consumption what is not returned to it — evaporated, incorporated into products
//! or reacted, or discharged elsewhere):
//! - withdrawal = water in the feed streams + water make-up drawn by units + utility water
//!   + cooling-tower make-up;
//! - cooling-tower make-up = evaporation + blowdown; evaporation E = Q_cooling · share / h_e,
//!   with h_e = 2.736 MJ of heat rejected per kg evaporated: the evaporation rule
//!   E = 0.00085 · 1.8 · circulation · range attributed to Perry's Chemical Engineers'
//!   Handbook (cooling towers; quoted by secondary sources) divided by the heat the circulating water carries,
//!   4.186 kJ/(kg K) · range; blowdown B = E / (C − 1) for C cycles of concentration
//!   (drift, below 0.05 % of circulation with drift eliminators, is neglected);
//! - returned = water in the product streams listed as `returned` (discharged to the
//!   source) + blowdown (discharged as wastewater); consumption = withdrawal − returned.
//!
//! Volumes at 1000 kg/m3, so that kg of water per kg of product is m3 per t. When an LCA ran
//! first (`reads: [lca]`), the consumption per tonne of the LCA's net CO2-eq reduction too.
//! Sources: docs/sources.md §Water footprint.

use std::sync::Arc;

use calx_plugin_sdk::calx_core::SECONDS_PER_YEAR;
use calx_plugin_sdk::calx_core::result::StreamRole;
use calx_plugin_sdk::report::{Bar, Block, Chart, KeyFigure, Plot, ReportPart, Table};
use calx_plugin_sdk::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, CsvTable, Dimension, FlowsheetResult,
    Metric, ParamKind, ParamSpec, ParamValue, Params, UnitError, Utility,
};

/// Provider name.
pub const PROVIDER: &str = "calx-water-footprint";

/// Heat rejected per kg of water evaporated in an open cooling tower, J/kg: Perry's
/// evaporation rule (0.00085 · 1.8 = 0.00153 kg per kg circulated per K of range) over the
/// heat the circulating water carries, 4186 J/(kg K): 4186 / 0.00153.
pub const HEAT_PER_KG_EVAPORATED: f64 = 4186.0 / (0.00085 * 1.8);

/// Cycles of concentration of the cooling water assumed by default (typical of open
/// recirculating towers: 3 to 7).
pub const CYCLES_OF_CONCENTRATION: f64 = 5.0;

/// The water-footprint analysis type.
pub struct WaterFootprint;

/// The plugin's analysis types.
pub fn analysis_types() -> Vec<Arc<dyn AnalysisType>> {
    vec![Arc::new(WaterFootprint)]
}

impl AnalysisType for WaterFootprint {
    fn descriptor(&self) -> AnalysisDescriptor {
        let text_list = ParamKind::List { item: Box::new(ParamKind::Text) };
        AnalysisDescriptor {
            type_name: "water_footprint".into(),
            summary: "Water withdrawal and consumption per t of product, cooling-tower make-up included.".into(),
            params: vec![
                ParamSpec::required(
                    "product",
                    ParamKind::Text,
                    "The product stream: the functional unit is 1 t of it.",
                ),
                ParamSpec::with_default(
                    "water",
                    ParamKind::Text,
                    ParamValue::Text("H2O".into()),
                    "The water component.",
                    "Calx's component library names water H2O.",
                ),
                ParamSpec::with_default(
                    "returned",
                    text_list,
                    ParamValue::List(Vec::new()),
                    "Product streams discharged back to the water source: their water is returned, not consumed.",
                    "None by default: every product's water counts as consumed (conservative).",
                ),
                ParamSpec::with_default(
                    "evaporation_heat",
                    ParamKind::quantity(Dimension::SPECIFIC_ENERGY, "MJ/kg"),
                    ParamValue::Number(HEAT_PER_KG_EVAPORATED),
                    "Cooling duty rejected per kg of water the cooling tower evaporates.",
                    "[D] cooling-tower evaporation rule 0.00085·1.8 kg per kg circulated per K of range (attributed to Perry's Handbook), over 4.186 kJ/(kg K): docs/sources.md §Water footprint.",
                ),
                ParamSpec::with_default(
                    "cycles_of_concentration",
                    ParamKind::Number,
                    ParamValue::Number(CYCLES_OF_CONCENTRATION),
                    "Cycles of concentration of the cooling water: blowdown = evaporation / (cycles - 1).",
                    "[U] open recirculating towers run at about 3 to 7 cycles: docs/sources.md §Water footprint.",
                ),
                ParamSpec::with_default(
                    "tower_share",
                    ParamKind::Fraction,
                    ParamValue::Number(1.0),
                    "Share of the units' cooling duty rejected by an evaporative cooling tower (the rest needs no water).",
                    "[U] all of it: docs/sources.md §Water footprint.",
                ),
            ],
            reads: vec!["lca".into()],
            when_absent: None,
        }
    }

    fn create(&self, name: &str, params: &Params) -> Result<Box<dyn Analysis>, UnitError> {
        let cycles = params.number("cycles_of_concentration")?;
        let heat = params.number("evaporation_heat")?;
        for (param, value) in [("cycles_of_concentration", cycles), ("evaporation_heat", heat)] {
            if let Some(message) = refused(param, value) {
                return Err(UnitError::Parameter { param: param.into(), message });
            }
        }
        let created = (cycles, params.number("tower_share")?, heat);
        Ok(Box::new(Configured {
            created,
            name: name.to_string(),
            product: params.text_opt("product")?.unwrap_or_default().to_string(),
            water: params.text_opt("water")?.unwrap_or("H2O").to_string(),
            returned: params.text_list("returned")?.into_iter().map(str::to_string).collect(),
            evaporation_heat: heat,
            cycles,
            tower_share: params.number("tower_share")?,
        }))
    }
}

/// Why a value of a numeric parameter is refused, if it is.
fn refused(param: &str, value: f64) -> Option<String> {
    match param {
        "cycles_of_concentration" if !(value > 1.0 && value.is_finite()) => {
            Some(format!("must be a number above 1 (blowdown = evaporation / (cycles - 1)), found {value}"))
        }
        "evaporation_heat" if !(value > 0.0 && value.is_finite()) => {
            Some(format!("must be above zero, found {value} J/kg"))
        }
        "tower_share" if !(0.0..=1.0).contains(&value) => Some(format!("must be between 0 and 1, found {value}")),
        _ => None,
    }
}

/// A configured water footprint.
struct Configured {
    /// Cycles of concentration, tower share and evaporation heat as created (`reset_number`).
    created: (f64, f64, f64),
    name: String,
    product: String,
    water: String,
    returned: Vec<String>,
    evaporation_heat: f64,
    cycles: f64,
    tower_share: f64,
}

/// The water balance, kg/s, and the product rate it is per.
struct Balance {
    feeds: f64,
    makeup: f64,
    utility: f64,
    evaporation: f64,
    blowdown: f64,
    returned_streams: f64,
    product: f64,
}

impl Balance {
    fn tower(&self) -> f64 {
        self.evaporation + self.blowdown
    }
    fn withdrawal(&self) -> f64 {
        self.feeds + self.makeup + self.utility + self.tower()
    }
    fn returned(&self) -> f64 {
        self.returned_streams + self.blowdown
    }
    fn consumption(&self) -> f64 {
        self.withdrawal() - self.returned()
    }
    /// kg per kg of product: m3 per t at 1000 kg/m3.
    fn per_t(&self, rate: f64) -> f64 {
        rate / self.product
    }
}

impl Configured {
    fn balance(&self, f: &FlowsheetResult) -> Result<Balance, AnalysisError> {
        let w = f.components.index_of(&self.water).ok_or_else(|| {
            AnalysisError::parameter("water", format!("no component `{}` in this flowsheet", self.water))
        })?;
        let product = f
            .stream(&self.product)
            .ok_or_else(|| AnalysisError::parameter("product", format!("no stream `{}`", self.product)))?;
        let product_rate: f64 = product.stream.flows.iter().sum();
        if product_rate <= 0.0 || product_rate.is_nan() {
            return Err(AnalysisError::parameter("product", format!("stream `{}` carries no mass", self.product)));
        }
        let mut returned_streams = 0.0;
        for name in &self.returned {
            match f.stream(name) {
                Some(s) if s.role == StreamRole::Product => returned_streams += s.stream.flows[w],
                Some(_) => {
                    return Err(AnalysisError::parameter("returned", format!("stream `{name}` is not a product")));
                }
                None => return Err(AnalysisError::parameter("returned", format!("no stream `{name}`"))),
            }
        }
        let feeds = f.streams.iter().filter(|s| s.role == StreamRole::Feed).map(|s| s.stream.flows[w]).sum();
        let makeup =
            f.units.iter().flat_map(|u| &u.report.materials).filter(|m| m.component == w).map(|m| m.rate).sum();
        let evaporation = f.utility_total(Utility::Cooling) * self.tower_share / self.evaporation_heat;
        Ok(Balance {
            feeds,
            makeup,
            utility: f.utility_total(Utility::Water),
            evaporation,
            blowdown: evaporation / (self.cycles - 1.0),
            returned_streams,
            product: product_rate,
        })
    }

    fn metrics(&self, b: &Balance, earlier: &[AnalysisOutput]) -> Vec<Metric> {
        let per_t = format!("m3/t {}", self.product);
        let metric = |name: &str, value: f64, unit: &str| Metric { name: name.into(), value, unit: unit.into() };
        let mut out = vec![
            metric("withdrawal", b.per_t(b.withdrawal()), &per_t),
            metric("consumption", b.per_t(b.consumption()), &per_t),
            metric("process_water", b.per_t(b.feeds + b.makeup + b.utility), &per_t),
            metric("cooling_makeup", b.per_t(b.tower()), &per_t),
            metric("evaporation", b.per_t(b.evaporation), &per_t),
            metric("returned", b.per_t(b.returned()), &per_t),
            metric("withdrawal_rate", b.withdrawal() * 3.6, "m3/h"),
        ];
        if let Some(net) = net_reduction_t_per_year(earlier) {
            let m3_per_year = b.consumption() * SECONDS_PER_YEAR / 1000.0;
            out.push(metric("consumption_per_net_co2", m3_per_year / net, "m3/t CO2-eq"));
        }
        out
    }
}

/// The net CO2-eq reduction of the LCA that ran before, t/yr, when there is one and it is
/// positive.
fn net_reduction_t_per_year(earlier: &[AnalysisOutput]) -> Option<f64> {
    let lca = AnalysisOutput::earlier(earlier, "lca", None).ok()?;
    let m = lca.metrics.iter().find(|m| m.name == "net_reduction_per_year")?;
    let t = if m.unit.starts_with("t ") {
        m.value
    } else if m.unit.starts_with("kg ") {
        m.value / 1000.0
    } else {
        return None;
    };
    (t > 0.0).then_some(t)
}

impl Analysis for Configured {
    fn figures(&self, f: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        Ok(self.metrics(&self.balance(f)?, earlier))
    }

    /// The three numbers in SI (an empty `unit`), with `create`'s checks; a value with a unit
    /// of measure is left to `create`, which reads units.
    fn set_number(&mut self, param: &str, key: Option<&str>, value: f64, unit: &str) -> Result<bool, AnalysisError> {
        if key.is_some() || !unit.is_empty() {
            return Ok(false);
        }
        if let Some(message) = refused(param, value) {
            return Err(AnalysisError::parameter(param, message));
        }
        let slot = match param {
            "cycles_of_concentration" => &mut self.cycles,
            "tower_share" => &mut self.tower_share,
            "evaporation_heat" => &mut self.evaporation_heat,
            _ => return Ok(false),
        };
        *slot = value;
        Ok(true)
    }

    fn reset_number(&mut self, param: &str, key: Option<&str>) -> Result<bool, AnalysisError> {
        let (cycles, share, heat) = self.created;
        match (param, key) {
            ("cycles_of_concentration", None) => self.cycles = cycles,
            ("tower_share", None) => self.tower_share = share,
            ("evaporation_heat", None) => self.evaporation_heat = heat,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn report(&self, f: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
        let b = self.balance(f)?;
        let metrics = self.metrics(&b, earlier);
        let rows = self.rows(&b);
        let mut text: String = rows
            .iter()
            .map(|(what, rate)| format!("{what}: {} m3/t {}\n", sig(b.per_t(*rate)), self.product))
            .collect();
        if let Some(m) = metrics.iter().find(|m| m.name == "consumption_per_net_co2") {
            text.push_str(&format!("Consumption per t of the LCA's net reduction: {} {}\n", sig(m.value), m.unit));
        }
        let mut csv = String::from("item,m3_per_t,kg_per_s\n");
        for (what, rate) in &rows {
            csv.push_str(&format!("{what},{},{}\n", b.per_t(*rate), rate));
        }
        let json_items: Vec<String> = metrics.iter().map(|m| format!("\"{}\": {}", m.name, m.value)).collect();
        Ok(AnalysisOutput {
            name: self.name.clone(),
            type_name: "water_footprint".into(),
            report: Some(self.report_part(&b, &rows, &metrics)),
            metrics,
            text,
            csv: vec![CsvTable::main(csv)],
            json: format!("{{{}}}", json_items.join(", ")),
        })
    }
}

/// A number to four significant figures.
fn sig(x: f64) -> String {
    calx_plugin_sdk::calx_core::format::sig(x, 4)
}

impl Configured {
    /// The balance's lines, kg/s.
    fn rows(&self, b: &Balance) -> Vec<(&'static str, f64)> {
        vec![
            ("Water in feed streams", b.feeds),
            ("Water make-up drawn by units", b.makeup),
            ("Utility water", b.utility),
            ("Cooling-tower evaporation", b.evaporation),
            ("Cooling-tower blowdown", b.blowdown),
            ("Withdrawal", b.withdrawal()),
            ("Returned to the source", b.returned()),
            ("Consumption", b.consumption()),
        ]
    }

    fn report_part(&self, b: &Balance, rows: &[(&str, f64)], metrics: &[Metric]) -> ReportPart {
        let unit = format!("m3/t {}", self.product);
        let source = format!("water footprint `{}`", self.name);
        let figure = |label: &str, value: f64| KeyFigure::new(label, sig(b.per_t(value)), unit.clone(), source.clone());
        let mut table = Table::new("Water balance", &["", &unit, "m3/h"], &[false, true, true]);
        for (what, rate) in rows {
            table.row(vec![what.to_string(), sig(b.per_t(*rate)), sig(rate * 3.6)]);
        }
        let bars = [("Feed streams", b.feeds + b.makeup), ("Utility water", b.utility), ("Cooling tower", b.tower())]
            .into_iter()
            .map(|(label, rate)| Bar { label: label.into(), value: b.per_t(rate), text: sig(b.per_t(rate)) })
            .collect();
        let chart = Chart {
            id: format!("{}-withdrawal", self.name),
            caption: "Water withdrawal by source".into(),
            plot: Plot::Bars { title: "Withdrawal by source".into(), bars, unit: unit.clone() },
        };
        let mut blocks = vec![
            Block::Paragraph(format!(
                "Volumetric water inventory of `{}` per t of stream `{}` (ISO 14046; Hoekstra et al. 2011): withdrawal is what the plant takes from the source, consumption what it does not return. Cooling-tower evaporation follows the evaporation rule attributed to Perry's Handbook, at {} MJ of duty per kg evaporated and {} cycles of concentration.",
                self.name,
                self.product,
                sig(self.evaporation_heat / 1e6),
                sig(self.cycles)
            )),
            Block::KeyFigures(vec![
                figure("Water withdrawal", b.withdrawal()),
                figure("Water consumption", b.consumption()),
            ]),
            Block::ChartWithTable(chart, table),
        ];
        if let Some(m) = metrics.iter().find(|m| m.name == "consumption_per_net_co2") {
            blocks.push(Block::Paragraph(format!(
                "Per t of the LCA's net CO2-eq reduction: {} m3 of water consumed.",
                sig(m.value)
            )));
        }
        blocks.push(Block::Note(
            "Volumes at 1000 kg/m3. Blowdown counts as returned; water leaving with products not listed under `returned` counts as consumed.".into(),
        ));
        let mut part = ReportPart {
            section: "water_footprint".into(),
            section_title: "Water footprint".into(),
            blocks,
            ..ReportPart::default()
        };
        part.summary.more = vec![figure("Water consumption", b.consumption())];
        part
    }
}

calx_plugin_sdk::export_plugin!(provider = PROVIDER, types = [], analyses = [WaterFootprint]);
