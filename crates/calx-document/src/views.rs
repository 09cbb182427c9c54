//! What the report reads from analysis outputs: the LCA and TEA results, decoded from the
//! JSON each analysis publishes ([`calx_core::AnalysisOutput::json`]).
//!
//! Reading the published JSON rather than the analysis crates' Rust types keeps this crate
//! independent of them (a third-party analysis of the same shape would be shown too).
//! Fields the report does not use are ignored; fields added later do no harm; optional
//! figures default to "absent", and anything that does not decode becomes a note in the
//! report, never a panic.

use serde::Deserialize;

/// A figure per functional unit and per year.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
pub struct Amount {
    /// Per functional unit.
    #[serde(default)]
    pub per_functional_unit: f64,
    /// Per year.
    #[serde(default)]
    pub per_year: f64,
}

/// A contribution (by unit or by flow).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Contribution {
    /// Unit or flow.
    pub name: String,
    /// Impact.
    pub impact: Amount,
    /// Share of total emissions (0..1).
    #[serde(default)]
    pub share: f64,
}

/// An inventory item left out, with its reason.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Exclusion {
    /// Unit.
    #[serde(default)]
    pub unit: String,
    /// Flow.
    #[serde(default)]
    pub flow: String,
    /// Amount per FU (SI).
    #[serde(default)]
    pub amount: f64,
    /// SI unit of the amount (`J`, `kg`).
    #[serde(default)]
    pub amount_unit: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// A background process used.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ProcessUse {
    /// Name.
    pub name: String,
    /// Data source.
    #[serde(default)]
    pub source: String,
    /// Amount per FU (SI).
    #[serde(default)]
    pub amount: f64,
}

/// An LCA result.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Lca {
    /// Functional unit as text (`1000 kg of stream `product``).
    pub functional_unit: String,
    /// Seconds of operation per functional unit.
    #[serde(default)]
    pub seconds_per_functional_unit: f64,
    /// Reference year.
    #[serde(default)]
    pub reference_year: String,
    /// Impact category.
    #[serde(default)]
    pub category: String,
    /// Unit of impacts (`kg CO2-eq`).
    pub impact_unit: String,
    /// Emissions.
    pub emissions: Amount,
    /// CO2 fixed (kg CO2).
    #[serde(default)]
    pub co2_fixed: Amount,
    /// Avoided burdens.
    #[serde(default)]
    pub avoided: Amount,
    /// Net reduction.
    pub net_reduction: Amount,
    /// By unit.
    #[serde(default)]
    pub by_unit: Vec<Contribution>,
    /// By flow.
    #[serde(default)]
    pub by_flow: Vec<Contribution>,
    /// Exclusions.
    #[serde(default)]
    pub excluded: Vec<Exclusion>,
    /// Background processes.
    #[serde(default)]
    pub processes: Vec<ProcessUse>,
}

impl Lca {
    /// The functional unit in short (`t product`, `t CO2 fixed`) for units such as
    /// `kg CO2-eq/t product`.
    pub fn per(&self) -> String {
        let text = self.functional_unit.trim();
        let Some((amount, what)) = text.split_once(" kg of ") else { return format!("FU ({text})") };
        let what = what.trim().strip_prefix("stream ").unwrap_or(what).trim_matches('`');
        let kg = amount.trim().parse::<f64>().unwrap_or(f64::NAN);
        if kg == 1000.0 {
            format!("t {what}")
        } else if kg == 1.0 {
            format!("kg {what}")
        } else if kg > 0.0 && (kg / 1000.0).fract() == 0.0 {
            format!("({} t {what})", kg / 1000.0)
        } else {
            format!("({} kg {what})", amount.trim())
        }
    }
}

/// One line of a cost breakdown.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Line {
    /// What.
    pub name: String,
    /// Amount (when price x amount).
    #[serde(default)]
    pub amount: Option<f64>,
    /// Unit of the amount.
    #[serde(default)]
    pub unit: String,
    /// Price.
    #[serde(default)]
    pub price: Option<f64>,
    /// Unit of the price.
    #[serde(default)]
    pub price_unit: String,
    /// Money.
    pub value: f64,
    /// How it was found.
    #[serde(default)]
    pub note: String,
}

/// One year of the cash-flow table.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CashFlowYear {
    /// Year (0 = start of construction).
    pub year: u32,
    /// Net cash flow.
    #[serde(default)]
    pub net: f64,
    /// Net, discounted to year 0.
    #[serde(default)]
    pub discounted: f64,
    /// Running sum of net.
    #[serde(default)]
    pub cumulative: f64,
}

/// A TEA result.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Tea {
    /// Currency code.
    pub currency: String,
    /// Base year.
    #[serde(default)]
    pub base_year: Option<i64>,
    /// Discount rate (fraction).
    #[serde(default)]
    pub discount_rate: f64,
    /// Lifetime, years.
    #[serde(default)]
    pub lifetime: u32,
    /// Capital recovery factor.
    #[serde(default)]
    pub crf: f64,
    /// Product sold, t/yr.
    #[serde(default)]
    pub annual_production: f64,
    /// Equipment costs.
    #[serde(default)]
    pub equipment: Vec<Line>,
    /// CAPEX build-up (ends with the total).
    #[serde(default)]
    pub capex: Vec<Line>,
    /// Total CAPEX.
    pub total_capex: f64,
    /// Annualized CAPEX.
    #[serde(default)]
    pub annual_capex: f64,
    /// Operation cost used.
    #[serde(default)]
    pub operation_cost: f64,
    /// Operation cost as given.
    #[serde(default)]
    pub operation_cost_given: Option<f64>,
    /// Operation cost rebuilt from prices.
    #[serde(default)]
    pub operation_cost_rebuilt: Option<f64>,
    /// Lines of the rebuilt operation cost.
    #[serde(default)]
    pub variable_costs: Vec<Line>,
    /// Items left out of the rebuilt operation cost.
    #[serde(default)]
    pub excluded: Vec<String>,
    /// Fixed costs per year.
    #[serde(default)]
    pub fixed_costs: Vec<Line>,
    /// Annual OPEX.
    #[serde(default)]
    pub annual_opex: f64,
    /// Annual CAPEX + OPEX.
    #[serde(default)]
    pub total_annual_cost: f64,
    /// Product sales per year.
    #[serde(default)]
    pub product_revenue: f64,
    /// CO2 credited, t/yr.
    #[serde(default)]
    pub carbon_credits: f64,
    /// Where the credits come from.
    #[serde(default)]
    pub carbon_credit_basis: String,
    /// Credit revenue per year.
    #[serde(default)]
    pub carbon_credit_revenue: f64,
    /// Total revenue per year.
    #[serde(default)]
    pub total_revenue: f64,
    /// Cash-flow table.
    #[serde(default)]
    pub cash_flows: Vec<CashFlowYear>,
    /// NPV.
    pub npv: f64,
    /// B/C.
    pub benefit_cost_ratio: f64,
    /// IRR (fraction).
    #[serde(default)]
    pub irr: Option<f64>,
    /// Why the IRR is undefined.
    #[serde(default)]
    pub irr_note: Option<String>,
    /// Simple payback, years.
    #[serde(default)]
    pub simple_payback: Option<f64>,
    /// Unit production cost per t.
    #[serde(default)]
    pub unit_production_cost: f64,
    /// Minimum selling price per t.
    #[serde(default)]
    pub minimum_selling_price: Option<f64>,
    /// Cost per t CO2.
    #[serde(default)]
    pub cost_per_t_co2: Option<f64>,
    /// Net cost per t CO2.
    #[serde(default)]
    pub net_cost_per_t_co2: Option<f64>,
    /// Notes.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Tea {
    /// Years at which the cumulative discounted cash flow first turns from negative to zero
    /// or above, interpolated linearly within the year; `None` if it never does.
    pub fn discounted_payback(&self) -> Option<f64> {
        let mut cumulative = 0.0;
        let mut previous: Option<(f64, f64)> = None;
        for y in &self.cash_flows {
            let next = cumulative + y.discounted;
            if let Some((year, before)) = previous
                && before < 0.0
                && next >= 0.0
            {
                return Some(year + (-before) / (next - before) * (f64::from(y.year) - year));
            }
            cumulative = next;
            previous = Some((f64::from(y.year), cumulative));
        }
        None
    }

    /// Cumulative discounted cash flow, year by year.
    pub fn cumulative_discounted(&self) -> Vec<f64> {
        let mut sum = 0.0;
        self.cash_flows
            .iter()
            .map(|y| {
                sum += y.discounted;
                sum
            })
            .collect()
    }
}

/// Decode an analysis output's JSON as `T`.
pub fn decode<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_functional_unit_is_shortened_for_units() {
        let mut l: Lca = decode(r#"{"functional_unit":"1000 kg of stream `product`","impact_unit":"kg CO2-eq","emissions":{},"net_reduction":{}}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.per(), "t product");
        l.functional_unit = "1000 kg of CO2 fixed".into();
        assert_eq!(l.per(), "t CO2 fixed");
        l.functional_unit = "2000 kg of stream `x`".into();
        assert_eq!(l.per(), "(2 t x)");
        l.functional_unit = "odd".into();
        assert_eq!(l.per(), "FU (odd)");
    }

    #[test]
    fn discounted_payback_is_interpolated() {
        let year = |year, discounted| CashFlowYear { year, net: 0.0, discounted, cumulative: 0.0 };
        let mut t: Tea = decode(r#"{"currency":"KRW","total_capex":1,"npv":0,"benefit_cost_ratio":1}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        t.cash_flows = vec![year(0, -10.0), year(1, 4.0), year(2, 4.0), year(3, 4.0)];
        assert_eq!(t.discounted_payback(), Some(2.5));
        assert_eq!(t.cumulative_discounted(), vec![-10.0, -6.0, -2.0, 2.0]);
        t.cash_flows.truncate(2);
        assert_eq!(t.discounted_payback(), None);
    }
}
