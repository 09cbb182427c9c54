//! TEA as a Calx analysis: the `analyses: tea:` block of a flowsheet, declared as a parameter
//! schema and turned into a checked [`TeaConfig`] by [`TeaAnalysisType::create`].
//!
//! ```yaml
//! analyses:
//!   tea:
//!     currency: KRW
//!     discount_rate: 7 %
//!     lifetime: 30 yr
//!     total_capex: 330,429,847 KRW             # or equipment_cost / equipment_correlation + capex_method
//!     utility_prices: { electricity: 70 KRW/kWh, cooling: "excluded: closed loop" }
//!     feed_prices: { process_water: 1,200 KRW/t, raw_ash: 0 KRW/t }
//!     labor: 95,000,000 KRW/yr
//!     administration: 20 %                      # of labor
//!     product_price: 13,000 KRW/t
//!     carbon_price: 20,000 KRW/t
//!     carbon_credits: lca                       # or "800 t/yr", "lca:NAME", "co2_fixed"
//! ```
//!
//! Money is written as text with its currency code (`70 KRW/kWh`) and parsed here, so that a
//! value in another currency is refused with the parameter's name (the flowsheet layer's
//! quantity conversion would drop the code). Every other problem this module can see without
//! the flowsheet is reported here too, as [`UnitError::Parameter`]; what needs the converged
//! flowsheet (an unknown unit or stream, a size a unit does not report, an unpriced utility)
//! is reported by [`crate::assess()`], also naming the parameter.

use std::collections::BTreeMap;

use calx_core::result::FlowsheetResult;
use calx_core::{
    Analysis, AnalysisDescriptor, AnalysisError, AnalysisOutput, AnalysisType, Dimension, Metric, ParamKind, ParamSpec,
    ParamValue, Params, UnitError, UnitTable, Utility,
};

use crate::config::{CapexMethod, Charge, Credits, EquipmentCost, PlantType, Priced, ShareBasis, TeaConfig};

/// Seconds in the 365-day year of annual plant figures (the quantity parser's `yr`).
pub use calx_core::SECONDS_PER_YEAR;

/// CEPCI by year shipped as the default `cost_index` (docs/sources.md §Cost indices, from BioSTEAM
/// `biosteam/units/design_tools/cost_index.py`).
pub const CEPCI: [(i64, f64); 5] = [(2001, 394.0), (2010, 551.0), (2015, 542.0), (2016, 568.0), (2018, 603.0)];

/// The `tea` analysis type.
pub struct TeaAnalysisType;

/// A configured TEA.
struct TeaAnalysis {
    name: String,
    config: TeaConfig,
}

fn text_map(name: &str, doc: &str) -> ParamSpec {
    ParamSpec::optional(name, ParamKind::map(ParamKind::Text), doc)
}

fn fraction(name: &str, default: f64, doc: &str, source: &str) -> ParamSpec {
    ParamSpec::with_default(name, ParamKind::Fraction, ParamValue::Number(default), doc, source)
}

impl AnalysisType for TeaAnalysisType {
    fn descriptor(&self) -> AnalysisDescriptor {
        let cepci = CEPCI.iter().map(|(y, i)| (y.to_string(), ParamValue::Number(*i))).collect();
        AnalysisDescriptor {
            type_name: "tea".into(),
            summary: "Techno-economic analysis: CAPEX (given, factorial or Towler & Sinnott from unit sizes), OPEX, revenue with carbon credits, CRF, NPV, IRR, B/C, payback, minimum selling price and a yearly cash-flow table.".into(),
            params: vec![
                ParamSpec::required("currency", ParamKind::Text, "Currency code every money value is written in (KRW, USD, EUR, JPY, CNY, GBP); no exchange rates are applied"),
                ParamSpec::optional("base_year", ParamKind::Integer, "Year of the money; equipment correlations with another cost year are escalated to it with `cost_index`"),
                ParamSpec::with_default("cost_index", ParamKind::map(ParamKind::Number), ParamValue::Map(cepci),
                    "Cost index by year (CEPCI), for escalating correlation costs to the base year",
                    "CEPCI 2001 394, 2010 551, 2015 542, 2016 568, 2018 603 (docs/sources.md §Cost indices, from BioSTEAM cost_index.py [S]; later years not retrieved)"),
                ParamSpec::optional("capex_method", ParamKind::choice(&["given", "factorial", "towler_sinnott"]),
                    "How total CAPEX is found: `given` (total_capex), `factorial` (the KIGAM 2022 build-up, as printed) or `towler_sinnott` (installation factors) from the equipment costs"),
                ParamSpec::optional("total_capex", ParamKind::Text, "Total capital given directly, e.g. `330,429,847 KRW`"),
                text_map("equipment_cost", "Unit -> purchased (installed, for `factorial`) equipment cost in base-year money, e.g. `120,000,000 KRW`"),
                text_map("equipment_correlation", "Unit -> `cost: C0; at: S0; size: NAME; exponent: n[; year: Y]`: C = C0 (S/S0)^n x index(base_year)/index(Y), S the size figure NAME the unit reports (e.g. `cost: 150,000,000 KRW; at: 100 m3; size: volume; exponent: 0.6; year: 2016`)"),
                ParamSpec::optional("isbl_factor", ParamKind::Number, "Factorial method: ISBL = sum(equipment) x this (default 2.9, KIGAM 2022 Table 6)"),
                ParamSpec::optional("design_engineering", ParamKind::Number, "Design and engineering DE (factorial: default 0.3, KIGAM 2022 Table 6; towler_sinnott: table value)"),
                ParamSpec::optional("contingency", ParamKind::Number, "Contingency X (factorial: default 0.1, KIGAM 2022 Table 6; towler_sinnott: 0.1)"),
                ParamSpec::optional("working_capital", ParamKind::Number, "Working capital Y: factorial, share of FIE (default 0.05, KIGAM 2022 Table 6); towler_sinnott, share of fixed capital (default 0.05, Sinnott's worked example, docs/sources.md §Indirect costs)"),
                ParamSpec::optional("offsite", ParamKind::Number, "Offsites OS, share of ISBL (factorial: default 0.3, KIGAM 2022 Table 6; towler_sinnott: table value)"),
                ParamSpec::with_default("plant_type", ParamKind::choice(&["fluids", "fluids_solids", "solids"]), ParamValue::Text("solids".into()),
                    "Towler & Sinnott factor column", "a mineralization plant handles mainly solids and slurries; factor table recalled, not verified [U] (docs/sources.md §Towler and Sinnott factorial method)"),
                ParamSpec::with_default("material_factor", ParamKind::Number, ParamValue::Number(1.0),
                    "Towler & Sinnott material factor fm", "1 = carbon steel (Towler & Sinnott, via docs/sources.md §Towler and Sinnott factorial method)"),
                ParamSpec::required("discount_rate", ParamKind::Number, "Discount rate r, e.g. `7 %` (above -100 %)"),
                ParamSpec::required("lifetime", ParamKind::quantity(Dimension::TIME, "yr"), "Operating life n, whole years, e.g. `30 yr`"),
                ParamSpec::with_default("construction_period", ParamKind::quantity(Dimension::TIME, "yr"), ParamValue::Number(SECONDS_PER_YEAR),
                    "Whole years of construction: capital is spent in equal parts in years 0 .. C-1 and operation runs in years C .. C+n-1",
                    "1 yr: all capital at year 0, operation from year 1, the schedule that reproduces KIGAM 2022's IRR (derived)"),
                fraction("startup_output", 1.0, "Share of design output (sales, credits and operation cost) in the first operating year", "100 %: no start-up derating (KIGAM 2022 assumes full output from year 1)"),
                ParamSpec::optional("depreciation_period", ParamKind::quantity(Dimension::TIME, "yr"), "Straight-line depreciation of total CAPEX over this many whole years (default: the lifetime); matters only with a tax rate"),
                fraction("tax_rate", 0.0, "Income tax on positive taxable income (revenue - OPEX - depreciation); no loss carry-forward", "0 %: KIGAM 2022 states no tax"),
                ParamSpec::with_default("operating_hours", ParamKind::quantity(Dimension::TIME, "h"), ParamValue::Number(8760.0 * 3600.0),
                    "Operating time per year: flowsheet rates (kg/s, W) times this are annual amounts",
                    "8760 h = 365 d, continuous operation, the 365-day year of annual plant figures [U]"),
                text_map("utility_prices", "Utility (electricity, heating, cooling, water) -> price (`70 KRW/kWh`, `1,200 KRW/t`) or `excluded: REASON`"),
                text_map("feed_prices", "Feed stream -> price per mass (`1,200 KRW/t`, `0 KRW/t`) or `excluded: REASON`"),
                text_map("material_prices", "Component of make-up material units draw -> price per mass or `excluded: REASON`"),
                text_map("disposal_prices", "Leaving stream -> disposal cost per mass"),
                ParamSpec::optional("operation_cost", ParamKind::Text, "Operation (variable) cost given directly, e.g. `81,608,890 KRW/yr`; the figure rebuilt from prices is still reported beside it when prices are given"),
                ParamSpec::optional("labor", ParamKind::Text, "Labor cost per year, e.g. `95,000,000 KRW/yr` (none if left out)"),
                fraction("administration", 0.0, "Administration, share of labor", "0 %: none unless stated (KIGAM 2022: 20 %)"),
                fraction("overhead", 0.0, "Overhead, share of labor", "0 %: none unless stated (KIGAM 2022: 10 %)"),
                ParamSpec::optional("research", ParamKind::Text, "Research: per year (`2,533,000 KRW/yr`) or `P % of BASIS`, BASIS one of labor, revenue, sales, total_capex, operation_cost"),
                fraction("maintenance", 0.0, "Maintenance per year, share of total CAPEX", "0 %: none unless stated (KIGAM 2022 charges none; Sinnott's worked example: 5 % of fixed capital)"),
                fraction("insurance", 0.0, "Insurance per year, share of total CAPEX", "0 %: none unless stated (KIGAM 2022 charges none)"),
                ParamSpec::with_default("product", ParamKind::Text, ParamValue::Text("product".into()), "Product stream sold", "the stream named `product`"),
                ParamSpec::optional("product_price", ParamKind::Text, "Product price per mass, e.g. `13,000 KRW/t`"),
                ParamSpec::optional("annual_production", ParamKind::quantity(Dimension::MASS_FLOW, "t/yr"), "Amount sold per year when it is not the simulated product stream (e.g. a paper's nameplate figure)"),
                ParamSpec::optional("carbon_price", ParamKind::Text, "Carbon credit price per mass of CO2, e.g. `20,000 KRW/t`"),
                ParamSpec::optional("carbon_credits", ParamKind::Text, "CO2 credited: `lca` (net_reduction_per_year of the LCA), `lca:NAME`, `co2_fixed` (CO2 in feeds minus CO2 in products) or an amount such as `800 t/yr`"),
            ],
            reads: vec!["lca".into()],
            when_absent: Some("No techno-economic analysis: the flowsheet has no `tea` analysis.".into()),
        }
    }

    fn create(&self, name: &str, p: &Params) -> Result<Box<dyn Analysis>, UnitError> {
        Ok(Box::new(TeaAnalysis { name: name.to_string(), config: configure(p)? }))
    }
}

/// Money parsing that keeps the currency and refuses mixed ones.
struct Money {
    units: UnitTable,
    currency: String,
}

impl Money {
    fn parse(
        &self,
        param: &str,
        key: Option<&str>,
        text: &str,
        expected: Dimension,
        example: &str,
    ) -> Result<f64, UnitError> {
        let at = key.map(|k| format!("{k}: ")).unwrap_or_default();
        let q = self.units.parse(text).map_err(|e| UnitError::param(param, format!("{at}{e}")))?;
        let Some(c) = &q.currency else {
            return Err(UnitError::param(
                param,
                format!("{at}{text:?} has no currency; write it in {}, e.g. `{example}`", self.currency),
            ));
        };
        if *c != self.currency {
            return Err(UnitError::param(
                param,
                format!(
                    "{at}{text:?} is in {c} but `currency` is {}: Calx applies no exchange rates, so convert it at a stated rate and write it in {}",
                    self.currency, self.currency
                ),
            ));
        }
        if q.dimension != expected {
            return Err(UnitError::param(
                param,
                format!(
                    "{at}{text:?} is {}, expected {} (write e.g. `{example}`)",
                    q.dimension.describe(),
                    expected.describe()
                ),
            ));
        }
        if q.value < 0.0 {
            return Err(UnitError::param(
                param,
                format!("{at}{text:?} is negative; prices and costs must be zero or more"),
            ));
        }
        Ok(q.value)
    }

    fn priced(
        &self,
        param: &str,
        key: &str,
        text: &str,
        expected: Dimension,
        example: &str,
    ) -> Result<Priced, UnitError> {
        match text.trim().strip_prefix("excluded:") {
            Some(reason) if reason.trim().is_empty() => {
                Err(UnitError::param(param, format!("{key}: `excluded:` needs a reason")))
            }
            Some(reason) => Ok(Priced::Excluded(reason.trim().to_string())),
            None => self.parse(param, Some(key), text, expected, example).map(Priced::Price),
        }
    }
}

fn whole_years(param: &str, seconds: f64, min: u32) -> Result<u32, UnitError> {
    let y = seconds / SECONDS_PER_YEAR;
    let r = y.round();
    if !y.is_finite() || (y - r).abs() > 1e-6 || r < f64::from(min) || r > 1000.0 {
        return Err(UnitError::param(param, format!("must be a whole number of years, at least {min}, found {y} yr")));
    }
    Ok(r as u32)
}

fn share(p: &Params, name: &str, default: f64) -> Result<f64, UnitError> {
    let v = p.number_opt(name)?.unwrap_or(default);
    if !(0.0..=1.0).contains(&v) {
        return Err(UnitError::param(name, format!("must be between 0 and 100 %, found {} %", v * 100.0)));
    }
    Ok(v)
}

fn factor(p: &Params, name: &str, default: f64) -> Result<f64, UnitError> {
    let v = p.number_opt(name)?.unwrap_or(default);
    if !(v.is_finite() && v >= 0.0) {
        return Err(UnitError::param(name, format!("must be zero or more, found {v}")));
    }
    Ok(v)
}

/// Check every parameter and build the configuration.
pub fn configure(p: &Params) -> Result<TeaConfig, UnitError> {
    let currency = p
        .text_opt("currency")?
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            UnitError::param(
                "currency",
                "is required: the currency code every price and cost is written in (KRW, USD, EUR, JPY, CNY, GBP)",
            )
        })?
        .to_string();
    let units = UnitTable::builtin();
    match units.unit(&currency) {
        Ok(u) if u.currency.as_deref() == Some(currency.as_str()) && u.dimension == Dimension::MONEY => {}
        _ => {
            return Err(UnitError::param(
                "currency",
                format!("`{currency}` is not a known currency code (KRW, USD, EUR, JPY, CNY, GBP)"),
            ));
        }
    }
    let money = Money { units, currency: currency.clone() };
    let cur = currency.as_str();

    let base_year = p.number_opt("base_year")?.map(|y| y as i64);
    let mut cost_index = BTreeMap::new();
    let given_index = p.number_map("cost_index")?;
    let index_pairs: Vec<(String, f64)> = if p.has("cost_index") {
        given_index.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    } else {
        CEPCI.iter().map(|(y, i)| (y.to_string(), *i)).collect()
    };
    for (k, v) in index_pairs {
        let year: i64 = k.trim().parse().map_err(|_| UnitError::param("cost_index", format!("`{k}` is not a year")))?;
        if !(v.is_finite() && v > 0.0) {
            return Err(UnitError::param("cost_index", format!("{k}: an index must be positive, found {v}")));
        }
        cost_index.insert(year, v);
    }

    // Equipment.
    let mut equipment = BTreeMap::new();
    for (unit, text) in p.text_map("equipment_cost")? {
        equipment.insert(
            unit.to_string(),
            EquipmentCost::Given(money.parse(
                "equipment_cost",
                Some(unit),
                text,
                Dimension::MONEY,
                &format!("120,000,000 {cur}"),
            )?),
        );
    }
    for (unit, text) in p.text_map("equipment_correlation")? {
        if equipment.contains_key(unit) {
            return Err(UnitError::param(
                "equipment_correlation",
                format!("{unit}: also under `equipment_cost`; give one or the other"),
            ));
        }
        let c = correlation(&money, unit, text)?;
        if let EquipmentCost::Correlation { year: Some(y), .. } = &c {
            let Some(b) = base_year else {
                return Err(UnitError::param(
                    "equipment_correlation",
                    format!("{unit}: a cost year ({y}) needs `base_year` to escalate to"),
                ));
            };
            for yr in [*y, b] {
                if !cost_index.contains_key(&yr) {
                    let years: Vec<String> = cost_index.keys().map(|k| k.to_string()).collect();
                    return Err(UnitError::param(
                        "equipment_correlation",
                        format!("{unit}: `cost_index` has no value for {yr} (it has {})", years.join(", ")),
                    ));
                }
            }
        }
        equipment.insert(unit.to_string(), c);
    }

    // CAPEX method.
    let total = p
        .text_opt("total_capex")?
        .map(|t| money.parse("total_capex", None, t, Dimension::MONEY, &format!("330,429,847 {cur}")))
        .transpose()?;
    let method = p.text_opt("capex_method")?;
    let capex = match (method, total) {
        (None | Some("given"), Some(t)) => {
            if !equipment.is_empty() {
                return Err(UnitError::param(
                    "total_capex",
                    "is given, so equipment costs would be ignored: leave out `equipment_cost`/`equipment_correlation` or `total_capex`",
                ));
            }
            CapexMethod::Given(t)
        }
        (Some("given"), None) => return Err(UnitError::param("total_capex", "is required with `capex_method: given`")),
        (Some(m), Some(_)) => {
            return Err(UnitError::param(
                "capex_method",
                format!("`{m}` builds CAPEX from equipment costs, but `total_capex` is also given; use one"),
            ));
        }
        (None, None) => {
            return Err(UnitError::param(
                "total_capex",
                "or `capex_method` (factorial, towler_sinnott) with equipment costs is required",
            ));
        }
        (Some(m), None) => {
            if equipment.is_empty() {
                return Err(UnitError::param(
                    "capex_method",
                    format!("`{m}` needs equipment costs under `equipment_cost` or `equipment_correlation`"),
                ));
            }
            match m {
                "factorial" => CapexMethod::Factorial {
                    isbl_factor: factor(p, "isbl_factor", 2.9)?,
                    de: factor(p, "design_engineering", 0.3)?,
                    x: factor(p, "contingency", 0.1)?,
                    y: factor(p, "working_capital", 0.05)?,
                    os: factor(p, "offsite", 0.3)?,
                },
                "towler_sinnott" => {
                    let plant_type = match p.text_opt("plant_type")?.unwrap_or("solids") {
                        "fluids" => PlantType::Fluids,
                        "fluids_solids" => PlantType::FluidsSolids,
                        "solids" => PlantType::Solids,
                        other => {
                            return Err(UnitError::param(
                                "plant_type",
                                format!("`{other}`: expected fluids, fluids_solids or solids"),
                            ));
                        }
                    };
                    let mut factors = plant_type.factors();
                    factors.os = factor(p, "offsite", factors.os)?;
                    factors.de = factor(p, "design_engineering", factors.de)?;
                    factors.x = factor(p, "contingency", factors.x)?;
                    if p.has("isbl_factor") {
                        return Err(UnitError::param(
                            "isbl_factor",
                            "belongs to `capex_method: factorial`; towler_sinnott builds ISBL from its installation factors",
                        ));
                    }
                    CapexMethod::TowlerSinnott {
                        plant_type,
                        factors,
                        fm: factor(p, "material_factor", 1.0)?,
                        y: factor(p, "working_capital", 0.05)?,
                    }
                }
                other => {
                    return Err(UnitError::param(
                        "capex_method",
                        format!("`{other}`: expected given, factorial or towler_sinnott"),
                    ));
                }
            }
        }
    };

    // Finance.
    let discount_rate = p.number("discount_rate")?;
    if !discount_rate.is_finite() || discount_rate <= -1.0 {
        return Err(UnitError::param(
            "discount_rate",
            format!("must be above -100 %, found {} %", discount_rate * 100.0),
        ));
    }
    let lifetime = whole_years("lifetime", p.number("lifetime")?, 1)?;
    let construction_years =
        whole_years("construction_period", p.number_opt("construction_period")?.unwrap_or(SECONDS_PER_YEAR), 1)?;
    let depreciation_years = match p.number_opt("depreciation_period")? {
        Some(s) => whole_years("depreciation_period", s, 1)?,
        None => lifetime,
    };
    let operating_time = p.number_opt("operating_hours")?.unwrap_or(SECONDS_PER_YEAR);
    if !(operating_time > 0.0 && operating_time <= SECONDS_PER_YEAR * (1.0 + 1e-9)) {
        return Err(UnitError::param(
            "operating_hours",
            format!("must be more than 0 and at most 8760 h, found {} h", operating_time / 3600.0),
        ));
    }

    // OPEX.
    let mut utility_prices = BTreeMap::new();
    for (k, v) in p.text_map("utility_prices")? {
        let u = Utility::ALL.into_iter().find(|u| u.name() == k).ok_or_else(|| {
            UnitError::param("utility_prices", format!("`{k}` is not a utility (electricity, heating, cooling, water)"))
        })?;
        let (dim, example) = match u {
            Utility::Water => (Dimension::PRICE_PER_MASS, format!("1,200 {cur}/t")),
            _ => (Dimension::PRICE_PER_ENERGY, format!("70 {cur}/kWh")),
        };
        utility_prices.insert(u, money.priced("utility_prices", k, v, dim, &example)?);
    }
    let per_mass = |param: &str| -> Result<BTreeMap<String, Priced>, UnitError> {
        p.text_map(param)?
            .into_iter()
            .map(|(k, v)| {
                Ok((k.to_string(), money.priced(param, k, v, Dimension::PRICE_PER_MASS, &format!("1,200 {cur}/t"))?))
            })
            .collect()
    };
    let feed_prices = per_mass("feed_prices")?;
    let material_prices = per_mass("material_prices")?;
    let mut disposal_prices = BTreeMap::new();
    for (k, v) in p.text_map("disposal_prices")? {
        disposal_prices.insert(
            k.to_string(),
            money.parse("disposal_prices", Some(k), v, Dimension::PRICE_PER_MASS, &format!("5,000 {cur}/t"))?,
        );
    }
    let per_year = |param: &str, example: &str| -> Result<Option<f64>, UnitError> {
        p.text_opt(param)?.map(|t| money.parse(param, None, t, Dimension::MONEY_FLOW, example)).transpose()
    };
    let operation_cost = per_year("operation_cost", &format!("81,608,890 {cur}/yr"))?;
    let labor = per_year("labor", &format!("95,000,000 {cur}/yr"))?.unwrap_or(0.0);
    let research = match p.text_opt("research")? {
        None => Charge::Given(0.0),
        Some(t) => match t.split_once(" of ") {
            Some((pct, basis)) => {
                let f = money.units.parse(pct).map_err(|e| UnitError::param("research", e.to_string()))?;
                if f.dimension != Dimension::DIMENSIONLESS || !(0.0..=1.0).contains(&f.value) {
                    return Err(UnitError::param(
                        "research",
                        format!("{t:?}: write `P % of BASIS` with P between 0 and 100 %"),
                    ));
                }
                let b =
                    ShareBasis::WORDS.iter().find(|(w, _)| *w == basis.trim()).map(|(_, b)| *b).ok_or_else(|| {
                        let words: Vec<&str> = ShareBasis::WORDS.iter().map(|(w, _)| *w).collect();
                        UnitError::param(
                            "research",
                            format!("{t:?}: unknown basis `{}` (allowed: {})", basis.trim(), words.join(", ")),
                        )
                    })?;
                Charge::Share(f.value, b)
            }
            None => Charge::Given(money.parse(
                "research",
                None,
                t,
                Dimension::MONEY_FLOW,
                &format!("2,533,000 {cur}/yr or 2 % of labor"),
            )?),
        },
    };

    // Revenue.
    let product = p.text_opt("product")?.unwrap_or("product").to_string();
    let product_price = p
        .text_opt("product_price")?
        .map(|t| money.parse("product_price", None, t, Dimension::PRICE_PER_MASS, &format!("13,000 {cur}/t")))
        .transpose()?
        .unwrap_or(0.0);
    let annual_production = p.number_opt("annual_production")?;
    if let Some(a) = annual_production
        && !(a.is_finite() && a > 0.0)
    {
        return Err(UnitError::param("annual_production", "must be positive"));
    }
    let carbon_price = p
        .text_opt("carbon_price")?
        .map(|t| money.parse("carbon_price", None, t, Dimension::PRICE_PER_MASS, &format!("20,000 {cur}/t")))
        .transpose()?;
    let credits = match p.text_opt("carbon_credits")?.map(str::trim) {
        None => None,
        Some("lca") => Some(Credits::Lca(None)),
        Some("co2_fixed") => Some(Credits::Co2Fixed),
        Some(t) if t.starts_with("lca:") => Some(Credits::Lca(Some(t["lca:".len()..].trim().to_string()))),
        Some(t) => {
            let v = money.units.parse_as(t, Dimension::MASS_FLOW).map_err(|e| {
                UnitError::param(
                    "carbon_credits",
                    format!("{t:?}: write `lca`, `lca:NAME`, `co2_fixed` or an amount such as `800 t/yr` ({e})"),
                )
            })?;
            if v < 0.0 {
                return Err(UnitError::param("carbon_credits", format!("{t:?} is negative")));
            }
            Some(Credits::Given(v))
        }
    };
    match (&credits, carbon_price) {
        (Some(_), None) => return Err(UnitError::param("carbon_price", "is required when `carbon_credits` is given")),
        (None, Some(_)) => {
            return Err(UnitError::param(
                "carbon_credits",
                "is required when `carbon_price` is given: `lca`, `lca:NAME`, `co2_fixed` or an amount such as `800 t/yr`",
            ));
        }
        _ => {}
    }

    Ok(TeaConfig {
        currency,
        base_year,
        cost_index,
        equipment,
        capex,
        discount_rate,
        lifetime,
        construction_years,
        startup_output: share(p, "startup_output", 1.0)?,
        depreciation_years,
        tax_rate: share(p, "tax_rate", 0.0)?,
        operating_time,
        utility_prices,
        feed_prices,
        material_prices,
        disposal_prices,
        operation_cost,
        labor,
        administration: share(p, "administration", 0.0)?,
        overhead: share(p, "overhead", 0.0)?,
        research,
        maintenance: share(p, "maintenance", 0.0)?,
        insurance: share(p, "insurance", 0.0)?,
        product,
        product_price,
        annual_production,
        carbon_price: carbon_price.unwrap_or(0.0),
        credits,
    })
}

/// `cost: 150,000,000 KRW; at: 100 m3; size: volume; exponent: 0.6; year: 2016`.
fn correlation(money: &Money, unit: &str, text: &str) -> Result<EquipmentCost, UnitError> {
    const P: &str = "equipment_correlation";
    let mut fields = BTreeMap::new();
    for part in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (k, v) =
            part.split_once(':').ok_or_else(|| UnitError::param(P, format!("{unit}: `{part}` is not `key: value`")))?;
        let k = k.trim();
        if !["cost", "at", "size", "exponent", "year"].contains(&k) {
            return Err(UnitError::param(
                P,
                format!("{unit}: unknown key `{k}` (allowed: cost, at, size, exponent, year)"),
            ));
        }
        if fields.insert(k, v.trim()).is_some() {
            return Err(UnitError::param(P, format!("{unit}: `{k}` given twice")));
        }
    }
    let need = |k: &str| {
        fields.get(k).copied().ok_or_else(|| {
            UnitError::param(
                P,
                format!("{unit}: `{k}` is missing; write `cost: C0; at: S0; size: NAME; exponent: n[; year: Y]`"),
            )
        })
    };
    let c0 = money.parse(P, Some(unit), need("cost")?, Dimension::MONEY, &format!("150,000,000 {}", money.currency))?;
    let at = money.units.parse(need("at")?).map_err(|e| UnitError::param(P, format!("{unit}: at: {e}")))?;
    if at.value.is_nan() || at.value <= 0.0 || at.currency.is_some() {
        return Err(UnitError::param(P, format!("{unit}: `at` must be a positive size with its unit, e.g. `100 m3`")));
    }
    let exponent: f64 = need("exponent")?
        .parse()
        .map_err(|_| UnitError::param(P, format!("{unit}: `exponent` must be a number, e.g. 0.6")))?;
    if !(exponent.is_finite() && exponent > 0.0 && exponent <= 2.0) {
        return Err(UnitError::param(P, format!("{unit}: `exponent` must be in (0, 2], found {exponent}")));
    }
    let year = fields
        .get("year")
        .map(|y| y.parse::<i64>().map_err(|_| UnitError::param(P, format!("{unit}: `year` must be a year, e.g. 2016"))))
        .transpose()?;
    Ok(EquipmentCost::Correlation {
        c0,
        s0: at.value,
        dimension: at.dimension,
        exponent,
        size: need("size")?.to_string(),
        year,
    })
}

impl Analysis for TeaAnalysis {
    fn report(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<AnalysisOutput, AnalysisError> {
        let r = crate::assess(flowsheet, earlier, &self.config).map_err(|e| AnalysisError::Failed(e.into()))?;
        Ok(AnalysisOutput {
            text: crate::render::to_table(&r),
            csv: crate::render::to_csv(&r),
            json: serde_json::to_string_pretty(&r).map_err(AnalysisError::failed)?,
            ..self.output(&r)
        })
    }

    fn figures(&self, flowsheet: &FlowsheetResult, earlier: &[AnalysisOutput]) -> Result<Vec<Metric>, AnalysisError> {
        let r = crate::assess::assess_with(flowsheet, earlier, &self.config, false)
            .map_err(|e| AnalysisError::Failed(e.into()))?;
        Ok(crate::render::metrics(&r))
    }
}

impl TeaAnalysis {
    /// The output with its metrics only.
    fn output(&self, r: &crate::TeaResult) -> AnalysisOutput {
        AnalysisOutput {
            name: self.name.clone(),
            type_name: "tea".into(),
            metrics: crate::render::metrics(r),
            text: String::new(),
            csv: String::new(),
            json: String::new(),
            report: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use calx_core::{ParamValue, Params, UnitError};

    use super::configure;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let mut m: BTreeMap<String, ParamValue> = BTreeMap::new();
        m.insert("discount_rate".into(), ParamValue::Number(0.07));
        m.insert("lifetime".into(), ParamValue::Number(30.0 * super::SECONDS_PER_YEAR));
        for (k, v) in pairs {
            m.insert(k.to_string(), ParamValue::Text(v.to_string()));
        }
        Params::new(m)
    }

    fn refused(pairs: &[(&str, &str)]) -> (String, String) {
        match configure(&params(pairs)) {
            Err(UnitError::Parameter { param, message }) => (param, message),
            other => panic!("expected a parameter error, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_block_configures() {
        let c = configure(&params(&[
            ("currency", "KRW"),
            ("total_capex", "330,429,847 KRW"),
            ("product_price", "13,000 KRW/t"),
        ]))
        .unwrap();
        assert_eq!(c.currency, "KRW");
        assert!((c.product_price - 13.0).abs() < 1e-12, "13,000 KRW/t is 13 KRW/kg");
        assert_eq!((c.lifetime, c.construction_years), (30, 1));
    }

    #[test]
    fn bad_inputs_name_the_parameter() {
        let (p, m) = refused(&[("total_capex", "1 KRW")]);
        assert_eq!(p, "currency");
        assert!(m.contains("required"), "{m}");
        let (p, m) = refused(&[
            ("currency", "KRW"),
            ("total_capex", "1 KRW"),
            ("carbon_price", "20 USD/t"),
            ("carbon_credits", "800 t/yr"),
        ]);
        assert_eq!(p, "carbon_price");
        assert!(m.contains("USD") && m.contains("exchange"), "{m}");
        let (p, m) = refused(&[("currency", "KRW"), ("total_capex", "1 KRW"), ("product_price", "-5 KRW/t")]);
        assert_eq!(p, "product_price");
        assert!(m.contains("negative"), "{m}");
        let (p, m) = refused(&[("currency", "KRW"), ("total_capex", "1 KRW"), ("labor", "95,000,000 KRW")]);
        assert_eq!(p, "labor");
        assert!(m.contains("money per time"), "{m}");
        let (p, _) = refused(&[("currency", "XYZ"), ("total_capex", "1 KRW")]);
        assert_eq!(p, "currency");
        let (p, m) = refused(&[("currency", "KRW")]);
        assert_eq!(p, "total_capex");
        assert!(m.contains("capex_method"), "{m}");
        let (p, m) = refused(&[("currency", "KRW"), ("capex_method", "factorial")]);
        assert_eq!(p, "capex_method", "{m}");
        let (p, m) = refused(&[("currency", "KRW"), ("total_capex", "1 KRW"), ("research", "2 % of profit")]);
        assert_eq!(p, "research");
        assert!(m.contains("labor, revenue"), "{m}");
        let (p, m) = refused(&[("currency", "KRW"), ("total_capex", "1 KRW"), ("carbon_price", "20 KRW/t")]);
        assert_eq!(p, "carbon_credits", "{m}");
    }

    #[test]
    fn correlations_are_parsed_and_checked() {
        let mut p = params(&[("currency", "KRW"), ("capex_method", "factorial")]);
        let corr =
            |t: &str| ParamValue::Map([("carbonation".to_string(), ParamValue::Text(t.into()))].into_iter().collect());
        p.set(
            "equipment_correlation",
            corr("cost: 100,000,000 KRW; at: 1 kg/s; size: throughput; exponent: 0.6; year: 2016"),
        );
        p.set("base_year", ParamValue::Number(2018.0));
        assert!(configure(&p).is_ok());
        p.set("base_year", ParamValue::Number(2021.0));
        let e = configure(&p).unwrap_err().to_string();
        assert!(e.contains("no value for 2021"), "{e}");
        p.set("equipment_correlation", corr("cost: 1 KRW; at: 1 m3; exponent: 0.6"));
        let e = configure(&p).unwrap_err().to_string();
        assert!(e.contains("`size` is missing"), "{e}");
    }
}
