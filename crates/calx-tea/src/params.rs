//! Decoding the `analyses: tea:` block into a checked [`TeaConfig`], stage by stage: the
//! currency, the capital (cost index, equipment, CAPEX method), the finance schedule, the
//! prices, the other operating costs, and the sales and carbon credits. Each stage reads its
//! parameters into a small typed struct; [`configure`] puts them together.
//!
//! Every problem is a [`UnitError::Parameter`] naming the parameter, so the flowsheet layer
//! can point at it. What needs the converged flowsheet is checked later, by [`crate::assess()`].

use std::collections::BTreeMap;

use calx_core::{Dimension, Params, UnitError, UnitTable, Utility};

use crate::analysis::{CEPCI, SECONDS_PER_YEAR};
use crate::config::{CapexMethod, Charge, Credits, EquipmentCost, PlantType, Priced, ShareBasis, TeaConfig};

/// The capital: how equipment is costed and how total CAPEX is built.
struct Capital {
    base_year: Option<i64>,
    cost_index: BTreeMap<i64, f64>,
    equipment: BTreeMap<String, EquipmentCost>,
    capex: CapexMethod,
}

/// The schedule of the cash-flow table and the discounting.
struct Finance {
    discount_rate: f64,
    lifetime: u32,
    construction_years: u32,
    startup_output: f64,
    depreciation_years: u32,
    tax_rate: f64,
    operating_time: f64,
}

/// Prices of what the flowsheet uses and leaves.
struct Prices {
    utility_prices: BTreeMap<Utility, Priced>,
    feed_prices: BTreeMap<String, Priced>,
    material_prices: BTreeMap<String, Priced>,
    disposal_prices: BTreeMap<String, f64>,
}

/// Operating costs other than the priced flows.
struct Costs {
    operation_cost: Option<f64>,
    labor: f64,
    administration: f64,
    overhead: f64,
    research: Charge,
    maintenance: f64,
    insurance: f64,
}

/// What is sold: the product and the carbon credits.
struct Sales {
    product: String,
    product_price: f64,
    annual_production: Option<f64>,
    carbon_price: f64,
    credits: Option<Credits>,
}

/// Check every parameter and build the configuration.
pub fn configure(p: &Params) -> Result<TeaConfig, UnitError> {
    let units = builtin_units();
    let money = Money { currency: currency(p, units)?, units };
    let Capital { base_year, cost_index, equipment, capex } = capital(p, &money)?;
    let Finance {
        discount_rate,
        lifetime,
        construction_years,
        startup_output,
        depreciation_years,
        tax_rate,
        operating_time,
    } = finance(p)?;
    let Prices { utility_prices, feed_prices, material_prices, disposal_prices } = prices(p, &money)?;
    let Costs { operation_cost, labor, administration, overhead, research, maintenance, insurance } = costs(p, &money)?;
    let Sales { product, product_price, annual_production, carbon_price, credits } = sales(p, &money)?;
    Ok(TeaConfig {
        currency: money.currency,
        base_year,
        cost_index,
        equipment,
        capex,
        discount_rate,
        lifetime,
        construction_years,
        startup_output,
        depreciation_years,
        tax_rate,
        operating_time,
        utility_prices,
        feed_prices,
        material_prices,
        disposal_prices,
        operation_cost,
        labor,
        administration,
        overhead,
        research,
        maintenance,
        insurance,
        product,
        product_price,
        annual_production,
        carbon_price,
        credits,
    })
}

/// `currency`: a known currency code.
fn currency(p: &Params, units: &UnitTable) -> Result<String, UnitError> {
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
    match units.unit(&currency) {
        Ok(u) if u.currency.as_deref() == Some(currency.as_str()) && u.dimension == Dimension::MONEY => Ok(currency),
        _ => Err(UnitError::param(
            "currency",
            format!("`{currency}` is not a known currency code (KRW, USD, EUR, JPY, CNY, GBP)"),
        )),
    }
}

/// `base_year`, `cost_index`, the equipment costs and the CAPEX method.
fn capital(p: &Params, money: &Money) -> Result<Capital, UnitError> {
    let base_year = p.number_opt("base_year")?.map(|y| y as i64);
    let cost_index = cost_index(p)?;
    let equipment = equipment(p, money, base_year, &cost_index)?;
    let capex = capex_method(p, money, &equipment)?;
    Ok(Capital { base_year, cost_index, equipment, capex })
}

/// `cost_index`: the given table, or CEPCI.
fn cost_index(p: &Params) -> Result<BTreeMap<i64, f64>, UnitError> {
    let index_pairs: Vec<(String, f64)> = if p.has("cost_index") {
        p.number_map("cost_index")?.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    } else {
        CEPCI.iter().map(|(y, i)| (y.to_string(), *i)).collect()
    };
    let mut cost_index = BTreeMap::new();
    for (k, v) in index_pairs {
        let year: i64 = k.trim().parse().map_err(|_| UnitError::param("cost_index", format!("`{k}` is not a year")))?;
        if !(v.is_finite() && v > 0.0) {
            return Err(UnitError::param("cost_index", format!("{k}: an index must be positive, found {v}")));
        }
        cost_index.insert(year, v);
    }
    Ok(cost_index)
}

/// `equipment_cost` and `equipment_correlation`, each unit under one of them.
fn equipment(
    p: &Params,
    money: &Money,
    base_year: Option<i64>,
    cost_index: &BTreeMap<i64, f64>,
) -> Result<BTreeMap<String, EquipmentCost>, UnitError> {
    let mut equipment = BTreeMap::new();
    for (unit, text) in p.text_map("equipment_cost")? {
        let example = format!("120,000,000 {}", money.currency);
        let cost = money.parse("equipment_cost", Some(unit), text, Dimension::MONEY, &example)?;
        equipment.insert(unit.to_string(), EquipmentCost::Given(cost));
    }
    for (unit, text) in p.text_map("equipment_correlation")? {
        if equipment.contains_key(unit) {
            return Err(UnitError::param(
                "equipment_correlation",
                format!("{unit}: also under `equipment_cost`; give one or the other"),
            ));
        }
        let c = correlation(money, unit, text)?;
        if let EquipmentCost::Correlation { year: Some(y), .. } = &c {
            escalation(unit, *y, base_year, cost_index)?;
        }
        equipment.insert(unit.to_string(), c);
    }
    for (unit, name) in p.text_map("equipment_published")? {
        if equipment.contains_key(unit) {
            return Err(UnitError::param(
                "equipment_published",
                format!("{unit}: also under `equipment_cost` or `equipment_correlation`; give one of them"),
            ));
        }
        equipment.insert(unit.to_string(), published(money, unit, name.trim(), base_year, cost_index)?);
    }
    Ok(equipment)
}

/// A published correlation by name: known, in the TEA's currency, and escalable to the base
/// year (no exchange rates are applied, and the correlation's index is a CEPCI value).
fn published(
    money: &Money,
    unit: &str,
    name: &str,
    base_year: Option<i64>,
    cost_index: &BTreeMap<i64, f64>,
) -> Result<EquipmentCost, UnitError> {
    const P: &str = "equipment_published";
    let Some(c) = crate::correlations::find(name) else {
        return Err(UnitError::param(
            P,
            format!(
                "{unit}: `{name}` is not a published correlation (known: {})",
                crate::correlations::names().join(", ")
            ),
        ));
    };
    if c.currency != money.currency {
        return Err(UnitError::param(
            P,
            format!(
                "{unit}: `{name}` gives {} and the TEA's currency is {}; no exchange rates are applied",
                c.currency, money.currency
            ),
        ));
    }
    let Some(b) = base_year else {
        return Err(UnitError::param(
            P,
            format!("{unit}: `{name}` is at CEPCI {} and needs `base_year` to escalate to", c.cost_index),
        ));
    };
    if !cost_index.contains_key(&b) {
        let years: Vec<String> = cost_index.keys().map(|k| k.to_string()).collect();
        return Err(UnitError::param(
            P,
            format!("{unit}: `cost_index` has no value for the base year {b} (it has {})", years.join(", ")),
        ));
    }
    Ok(EquipmentCost::Published { correlation: name.to_string() })
}

/// A correlation's cost year `year` needs a base year, and the cost index for both years.
fn escalation(unit: &str, year: i64, base_year: Option<i64>, cost_index: &BTreeMap<i64, f64>) -> Result<(), UnitError> {
    let Some(b) = base_year else {
        return Err(UnitError::param(
            "equipment_correlation",
            format!("{unit}: a cost year ({year}) needs `base_year` to escalate to"),
        ));
    };
    for yr in [year, b] {
        if !cost_index.contains_key(&yr) {
            let years: Vec<String> = cost_index.keys().map(|k| k.to_string()).collect();
            return Err(UnitError::param(
                "equipment_correlation",
                format!("{unit}: `cost_index` has no value for {yr} (it has {})", years.join(", ")),
            ));
        }
    }
    Ok(())
}

/// `capex_method` and `total_capex`: given, or built from the equipment costs.
fn capex_method(
    p: &Params,
    money: &Money,
    equipment: &BTreeMap<String, EquipmentCost>,
) -> Result<CapexMethod, UnitError> {
    let example = format!("330,429,847 {}", money.currency);
    let total = p
        .text_opt("total_capex")?
        .map(|t| money.parse("total_capex", None, t, Dimension::MONEY, &example))
        .transpose()?;
    match (p.text_opt("capex_method")?, total) {
        (None | Some("given"), Some(t)) => {
            if !equipment.is_empty() {
                return Err(UnitError::param(
                    "total_capex",
                    "is given, so equipment costs would be ignored: leave out `equipment_cost`/`equipment_correlation` or `total_capex`",
                ));
            }
            Ok(CapexMethod::Given(t))
        }
        (Some("given"), None) => Err(UnitError::param("total_capex", "is required with `capex_method: given`")),
        (Some(m), Some(_)) => Err(UnitError::param(
            "capex_method",
            format!("`{m}` builds CAPEX from equipment costs, but `total_capex` is also given; use one"),
        )),
        (None, None) => Err(UnitError::param(
            "total_capex",
            "or `capex_method` (factorial, towler_sinnott) with equipment costs is required",
        )),
        (Some(m), None) if equipment.is_empty() => Err(UnitError::param(
            "capex_method",
            format!("`{m}` needs equipment costs under `equipment_cost` or `equipment_correlation`"),
        )),
        (Some("factorial"), None) => Ok(CapexMethod::Factorial {
            isbl_factor: factor(p, "isbl_factor", 2.9)?,
            de: factor(p, "design_engineering", 0.3)?,
            x: factor(p, "contingency", 0.1)?,
            y: factor(p, "working_capital", 0.05)?,
            os: factor(p, "offsite", 0.3)?,
        }),
        (Some("towler_sinnott"), None) => towler_sinnott(p),
        (Some(other), None) => {
            Err(UnitError::param("capex_method", format!("`{other}`: expected given, factorial or towler_sinnott")))
        }
    }
}

/// The Towler & Sinnott method: the plant type's factors, with overrides.
fn towler_sinnott(p: &Params) -> Result<CapexMethod, UnitError> {
    let plant_type = match p.text_opt("plant_type")?.unwrap_or("solids") {
        "fluids" => PlantType::Fluids,
        "fluids_solids" => PlantType::FluidsSolids,
        "solids" => PlantType::Solids,
        other => {
            return Err(UnitError::param("plant_type", format!("`{other}`: expected fluids, fluids_solids or solids")));
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
    Ok(CapexMethod::TowlerSinnott {
        plant_type,
        factors,
        fm: factor(p, "material_factor", 1.0)?,
        y: factor(p, "working_capital", 0.05)?,
    })
}

/// The discount rate, the schedule (lifetime, construction, start-up, depreciation), tax and
/// operating time.
/// The largest price or cost accepted, in the currency per SI unit.
const MONEY_CEILING: f64 = 1e15;

fn finance(p: &Params) -> Result<Finance, UnitError> {
    let discount_rate = check_discount_rate(p.number("discount_rate")?)?;
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
    Ok(Finance {
        discount_rate,
        lifetime,
        construction_years,
        startup_output: share(p, "startup_output", 1.0)?,
        depreciation_years,
        tax_rate: share(p, "tax_rate", 0.0)?,
        operating_time,
    })
}

/// `utility_prices`, `feed_prices`, `material_prices` and `disposal_prices`.
fn prices(p: &Params, money: &Money) -> Result<Prices, UnitError> {
    let cur = money.currency.as_str();
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
        let example = format!("5,000 {cur}/t");
        disposal_prices
            .insert(k.to_string(), money.parse("disposal_prices", Some(k), v, Dimension::PRICE_PER_MASS, &example)?);
    }
    Ok(Prices { utility_prices, feed_prices, material_prices, disposal_prices })
}

/// `operation_cost`, `labor`, the shares of labor and CAPEX, and `research`.
fn costs(p: &Params, money: &Money) -> Result<Costs, UnitError> {
    let cur = money.currency.as_str();
    let per_year = |param: &str, example: &str| -> Result<Option<f64>, UnitError> {
        p.text_opt(param)?.map(|t| money.parse(param, None, t, Dimension::MONEY_FLOW, example)).transpose()
    };
    let operation_cost = per_year("operation_cost", &format!("81,608,890 {cur}/yr"))?;
    let labor = per_year("labor", &format!("95,000,000 {cur}/yr"))?.unwrap_or(0.0);
    let research = research(p, money)?;
    Ok(Costs {
        operation_cost,
        labor,
        administration: share(p, "administration", 0.0)?,
        overhead: share(p, "overhead", 0.0)?,
        research,
        maintenance: share(p, "maintenance", 0.0)?,
        insurance: share(p, "insurance", 0.0)?,
    })
}

/// `research`: per year, or `P % of BASIS`.
fn research(p: &Params, money: &Money) -> Result<Charge, UnitError> {
    let Some(t) = p.text_opt("research")? else { return Ok(Charge::Given(0.0)) };
    let Some((pct, basis)) = t.split_once(" of ") else {
        let example = format!("2,533,000 {}/yr or 2 % of labor", money.currency);
        return Ok(Charge::Given(money.parse("research", None, t, Dimension::MONEY_FLOW, &example)?));
    };
    let f = money.units.parse(pct).map_err(|e| UnitError::param("research", e.to_string()))?;
    if f.dimension != Dimension::DIMENSIONLESS || !(0.0..=1.0).contains(&f.value) {
        return Err(UnitError::param("research", format!("{t:?}: write `P % of BASIS` with P between 0 and 100 %")));
    }
    let b = ShareBasis::WORDS.iter().find(|(w, _)| *w == basis.trim()).map(|(_, b)| *b).ok_or_else(|| {
        let words: Vec<&str> = ShareBasis::WORDS.iter().map(|(w, _)| *w).collect();
        UnitError::param("research", format!("{t:?}: unknown basis `{}` (allowed: {})", basis.trim(), words.join(", ")))
    })?;
    Ok(Charge::Share(f.value, b))
}

/// `product`, `product_price`, `annual_production`, `carbon_price` and `carbon_credits`
/// (each of the last two needs the other).
fn sales(p: &Params, money: &Money) -> Result<Sales, UnitError> {
    let cur = money.currency.as_str();
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
    let credits = credits(p, money)?;
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
    Ok(Sales { product, product_price, annual_production, carbon_price: carbon_price.unwrap_or(0.0), credits })
}

/// `carbon_credits`: `lca`, `lca:NAME`, `co2_fixed` or an amount.
fn credits(p: &Params, money: &Money) -> Result<Option<Credits>, UnitError> {
    Ok(match p.text_opt("carbon_credits")?.map(str::trim) {
        None => None,
        Some("lca") => Some(Credits::Lca(None)),
        Some("carbon") => Some(Credits::Carbon(None)),
        Some("co2_fixed") => Some(Credits::Co2Fixed),
        Some(t) if t.starts_with("lca:") => Some(Credits::Lca(Some(t["lca:".len()..].trim().to_string()))),
        Some(t) if t.starts_with("carbon:") => Some(Credits::Carbon(Some(t["carbon:".len()..].trim().to_string()))),
        Some(t) => {
            let v = money.units.parse_as(t, Dimension::MASS_FLOW).map_err(|e| {
                UnitError::param(
                    "carbon_credits",
                    format!(
                        "{t:?}: write `lca`, `lca:NAME`, `carbon`, `carbon:NAME`, `co2_fixed` or an amount such as `800 t/yr` ({e})"
                    ),
                )
            })?;
            if v < 0.0 {
                return Err(UnitError::param("carbon_credits", format!("{t:?} is negative")));
            }
            Some(Credits::Given(v))
        }
    })
}

/// Money parsing that keeps the currency and refuses mixed ones.
struct Money {
    units: &'static UnitTable,
    currency: String,
}

/// The built-in unit table, built once: a study re-creates the TEA for every sample whose
/// analysis parameters it changes, and building the table costs more than the rest of
/// [`configure`].
fn builtin_units() -> &'static UnitTable {
    UnitTable::shared()
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
        checked_money(
            &self.currency,
            (param, key),
            text,
            (q.value, q.dimension, q.currency.as_deref()),
            (expected, example),
        )
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

/// What [`Money::parse`] checks of a converted amount (`value`, its dimension and currency,
/// read from `text`): the currency, the dimension, and a price or cost from zero to
/// [`MONEY_CEILING`]. Also what a study's in-place value goes through
/// ([`money_value`]), so both refuse the same values with the same words.
fn checked_money(
    currency: &str,
    (param, key): (&str, Option<&str>),
    text: &str,
    (value, dimension, unit_currency): (f64, Dimension, Option<&str>),
    (expected, example): (Dimension, &str),
) -> Result<f64, UnitError> {
    let at = key.map(|k| format!("{k}: ")).unwrap_or_default();
    let Some(c) = unit_currency else {
        return Err(UnitError::param(
            param,
            format!("{at}{text:?} has no currency; write it in {currency}, e.g. `{example}`"),
        ));
    };
    if c != currency {
        return Err(UnitError::param(
            param,
            format!(
                "{at}{text:?} is in {c} but `currency` is {currency}: Calx applies no exchange rates, so convert it at a stated rate and write it in {currency}"
            ),
        ));
    }
    if dimension != expected {
        return Err(UnitError::param(
            param,
            format!(
                "{at}{text:?} is {}, expected {} (write e.g. `{example}`)",
                dimension.describe(),
                expected.describe()
            ),
        ));
    }
    if value < 0.0 {
        return Err(UnitError::param(
            param,
            format!("{at}{text:?} is negative; prices and costs must be zero or more"),
        ));
    }
    // No plant's price or cost reaches 1e15 in any currency (a quadrillion won is some
    // 700 billion dollars); far beyond it the yearly sums overflow to infinity (found by
    // fuzzing: 1e308 KRW/t of water).
    if value.is_nan() || value > MONEY_CEILING {
        return Err(UnitError::param(
            param,
            format!(
                "{at}{text:?} is {:e} {} per SI unit, above the {MONEY_CEILING:e} no plant's prices and costs reach",
                value, currency
            ),
        ));
    }
    Ok(value)
}

/// A price or cost given as a number in a unit (`13000`, `KRW/t`: a study's sample),
/// converted and checked exactly as [`configure`] converts and checks the text
/// `"13000 KRW/t"`: the same unit expression, the same `value x factor + offset`, the same
/// checks. `unit` is parsed once per call; the caller keeps the result for the next.
pub(crate) fn money_value(
    currency: &str,
    param: &str,
    (value, unit, expr): (f64, &str, &calx_core::UnitExpr),
    expected: Dimension,
) -> Result<f64, UnitError> {
    let si = value * expr.factor + expr.offset;
    let text = || format!("{value} {unit}");
    if !si.is_finite() {
        return Err(UnitError::param(param, format!("{:?}: the value is out of range once converted to SI", text())));
    }
    if expr.currency.as_deref() == Some(currency) && expr.dimension == expected && (0.0..=MONEY_CEILING).contains(&si) {
        return Ok(si);
    }
    let example = format!("13,000 {currency}/t");
    checked_money(
        currency,
        (param, None),
        &text(),
        (si, expr.dimension, expr.currency.as_deref()),
        (expected, &example),
    )
}

/// The unit expression of a study's unit text, read with the table [`configure`] reads
/// money with.
pub(crate) fn money_unit(param: &str, unit: &str) -> Result<calx_core::UnitExpr, UnitError> {
    builtin_units().unit(unit).map_err(|e| UnitError::param(param, e.to_string()))
}

/// A discount rate above -100 % and at most 100 %/yr.
pub(crate) fn check_discount_rate(discount_rate: f64) -> Result<f64, UnitError> {
    // Above 100 %/yr is no project's cost of capital, and far above it the annuity factors
    // overflow (found by fuzzing: 1.8e19 % gave a NaN capital recovery factor).
    if !(discount_rate > -1.0 && discount_rate <= 1.0) {
        return Err(UnitError::param(
            "discount_rate",
            format!("must be above -100 % and at most 100 %, found {} %", discount_rate * 100.0),
        ));
    }
    Ok(discount_rate)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use calx_core::{ParamValue, Params, UnitError};

    use super::configure;
    use crate::config::EquipmentCost;

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
    fn carbon_credits_name_a_carbon_ledger() {
        use crate::config::Credits;
        let credits = |t: &str| {
            configure(&params(&[
                ("currency", "KRW"),
                ("total_capex", "1 KRW"),
                ("carbon_price", "1 KRW/t"),
                ("carbon_credits", t),
            ]))
            .unwrap()
            .credits
        };
        assert_eq!(credits("carbon"), Some(Credits::Carbon(None)));
        assert_eq!(credits(" carbon:verra "), Some(Credits::Carbon(Some("verra".into()))));
        assert_eq!(credits("lca"), Some(Credits::Lca(None)));
        let (p, m) = refused(&[
            ("currency", "KRW"),
            ("total_capex", "1 KRW"),
            ("carbon_price", "1 KRW/t"),
            ("carbon_credits", "carbonated"),
        ]);
        assert_eq!(p, "carbon_credits");
        assert!(m.contains("`carbon`, `carbon:NAME`"), "{m}");
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

    #[test]
    fn published_correlations_need_their_currency_and_a_base_year() {
        let named = |t: &str| ParamValue::Map([("pump".to_string(), ParamValue::Text(t.into()))].into_iter().collect());
        let mut p = params(&[("currency", "USD"), ("capex_method", "towler_sinnott")]);
        p.set("equipment_published", named("seider_centrifugal_pump"));
        let e = configure(&p).unwrap_err().to_string();
        assert!(e.contains("needs `base_year`"), "{e}");
        p.set("base_year", ParamValue::Number(2018.0));
        let c = configure(&p).unwrap();
        let expected = EquipmentCost::Published { correlation: "seider_centrifugal_pump".into() };
        assert_eq!(c.equipment.get("pump"), Some(&expected));
        p.set("base_year", ParamValue::Number(2019.0));
        let e = configure(&p).unwrap_err().to_string();
        assert!(e.contains("no value for the base year 2019"), "{e}");
        p.set("base_year", ParamValue::Number(2018.0));
        p.set("currency", ParamValue::Text("KRW".into()));
        let e = configure(&p).unwrap_err().to_string();
        assert!(e.contains("no exchange rates"), "{e}");
        p.set("currency", ParamValue::Text("USD".into()));
        p.set("equipment_published", named("towler_pump"));
        let e = configure(&p).unwrap_err().to_string();
        assert!(e.contains("not a published correlation"), "{e}");
    }
}
