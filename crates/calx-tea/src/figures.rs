//! The TEA's metrics straight from the stages' numbers, what a study asks for every sample:
//! the same stages as [`crate::assess()`] (the same functions, so the same bits), but no
//! [`crate::Line`], no name or note, no cash-flow table: the per-year columns the indicators
//! need live on the stack, the unit texts are written in parts (`KRW`, `/yr`), and each
//! metric goes through the [`MetricWriter`] as it is found, in the order of
//! [`crate::render::metrics_into`].
//!
//! A study's TEA declares the layout of its metrics up to the credits each LCA would give
//! ([`MetricWriter::layout_texts`]): its key counts the equipment items, operating-cost
//! lines and LCAs and says which CAPEX method and operation cost it has, and its texts are
//! the currency and the names those parts take from the configuration and the flowsheet, so
//! that a sample with the same ones writes those metrics' values alone. The indicators after
//! them, which come and go with the cash flows, are compared by name.
//!
//! It gives up (`None`) wherever the full computation would have words to say: a missing
//! price, a name that fits nothing, a refused rate; [`crate::assess::figures_into`] then runs
//! the full computation, which gives the error (or, for a table longer than
//! [`STACK_YEARS`], the metrics).

use calx_core::result::StreamRole;
use calx_core::{LayoutKey, MetricWriter, Utility};

use crate::analysis::SECONDS_PER_YEAR;
use crate::assess::{self, BuildUp, Ctx, Kind, Revenue, YearColumns, YearlyCosts};
use crate::config::{CapexMethod, Priced};
use crate::finance;
use crate::render::{CapexKey, Key};

/// Years of a cash-flow table (construction and operation) held on the stack; a longer one
/// is computed in full.
pub(crate) const STACK_YEARS: usize = 128;

/// Write the metrics of `x`; `None` where the full computation must run instead. A study's
/// TEA passes `laid`: its number as a writer of layouts, and the numbers it kept from its
/// last sample, whose indicators it reuses when their inputs are the same.
pub(crate) fn write(x: &Ctx<'_>, laid: Option<(u64, &mut Vec<f64>)>, w: &mut MetricWriter<'_>) -> Option<()> {
    let c = x.c;
    let cur = c.currency.as_str();
    let (simulated, production) = assess::production(x).ok()?;
    let crf = finance::crf(c.discount_rate, f64::from(c.lifetime)).ok()?;
    // What the names depend on, found before the first metric.
    let mut lines = OperationLines::new();
    let rebuilt = rebuilt_operation(x, &mut lines)?;
    let revenue = assess::revenue(x, production).ok()?;
    let credits = LcaCredits::of(x);
    let kept = laid.map(|(writer, kept)| {
        declare_layout(x, writer, (rebuilt.is_some(), &lines, &credits), w);
        kept
    });
    w.put("annual_production", production, "t/yr");
    w.put("simulated_production", simulated, "t/yr");
    w.put("discount_rate", c.discount_rate * 100.0, "%");
    w.put("crf", crf, "1");
    // The same sum as `.sum()` over the equipment lines: from the empty sum, in order.
    let mut equipment: f64 = std::iter::empty::<f64>().sum();
    for (unit, cost) in &c.equipment {
        let value = assess::equipment_cost(x, unit, cost).ok()?.1;
        w.put_parts(&["equipment.", unit], value, &[cur]);
        equipment += value;
    }
    let build_up = BuildUp::of(&c.capex, equipment);
    for &(name, value) in build_up.lines().iter().filter(|l| l.0 != "total CAPEX") {
        if name.contains([' ', ',']) {
            w.put_fmt(format_args!("capex.{}", CapexKey(name)), value, cur);
        } else {
            w.put_parts(&["capex.", name], value, &[cur]);
        }
    }
    let total_capex = build_up.total();
    let annual_capex = total_capex * crf;
    let given = c.operation_cost.map(|v| v * SECONDS_PER_YEAR);
    let operation_cost = given.or(rebuilt).unwrap_or(0.0);
    let yr = [cur, "/yr"];
    w.put_in("total_capex", total_capex, &[cur]);
    w.put_in("annual_capex", annual_capex, &yr);
    w.put_in("operation_cost", operation_cost, &yr);
    if let Some(g) = given {
        w.put_in("operation_cost_given", g, &yr);
    }
    if let Some(b) = rebuilt {
        w.put_in("operation_cost_rebuilt", b, &yr);
        let mut put_line = |kind: Kind, name: &str, value: f64| {
            let word = match kind {
                Kind::Utility(_) => "",
                _ => kind.word(),
            };
            let joint = if word.is_empty() { "" } else { "_" };
            if name.contains(' ') {
                w.put_fmt_in(format_args!("variable_cost.{word}{joint}{}", Key(name)), value, &yr);
            } else {
                w.put_parts(&["variable_cost.", word, joint, name], value, &yr);
            }
        };
        match lines.held() {
            Some(held) => held.iter().for_each(|&(kind, name, value)| put_line(kind, name, value)),
            // More lines than the stack holds: walked again, which visits the same lines.
            None => each_operation_line(x, put_line)?,
        }
    }
    let fixed_costs = assess::fixed_cost_figures(c, total_capex, &revenue, operation_cost);
    for &(name, value) in &fixed_costs {
        w.put_in(name, value, &yr);
    }
    let fixed: f64 = fixed_costs.iter().map(|l| l.1).sum();
    let annual_opex = operation_cost + fixed;
    let total_annual_cost = annual_capex + annual_opex;
    write_revenue(x, &revenue, (annual_opex, total_annual_cost), &credits, w);
    w.end_layout();
    let costs = YearlyCosts { total_capex, operation: operation_cost, fixed };
    write_indicators(x, &revenue, &costs, (production, total_annual_cost), kept, w)
}

/// Declare the layout of the metrics up to the credits each LCA would give: the CAPEX
/// method, whether the operation cost is given and rebuilt, and how many equipment items,
/// operating-cost lines and LCAs there are, in the key; the currency and the names of those
/// items, lines (with their kind) and LCAs as its texts. None when a list did not fit on
/// the stack or a count does not fit the key.
fn declare_layout(
    x: &Ctx<'_>,
    writer: u64,
    (rebuilt, lines, credits): (bool, &OperationLines<'_>, &LcaCredits<'_>),
    w: &mut MetricWriter<'_>,
) {
    let c = x.c;
    let (Some(lines), Some(credits)) = (lines.held(), credits.held()) else { return };
    let counts = [c.equipment.len(), lines.len(), credits.len()].map(u16::try_from);
    let [Ok(equipment_count), Ok(line_count), Ok(lca_count)] = counts else { return };
    let capex = match c.capex {
        CapexMethod::Given(_) => 0,
        CapexMethod::Factorial { .. } => 1,
        CapexMethod::TowlerSinnott { .. } => 2,
    };
    let flags = capex | u64::from(c.operation_cost.is_some()) << 2 | u64::from(rebuilt) << 3;
    let variant = flags | u64::from(equipment_count) << 8 | u64::from(line_count) << 24 | u64::from(lca_count) << 40;
    w.layout_texts(LayoutKey::new(writer, variant));
    w.layout_text(&c.currency);
    c.equipment.keys().for_each(|unit| w.layout_text(unit));
    for &(kind, name, _) in lines {
        w.layout_text(kind.word());
        w.layout_text(name);
    }
    credits.iter().for_each(|&(name, ..)| w.layout_text(name));
    w.layout_texts_end();
}

/// LCAs whose credits the metrics of a sample hold on the stack; more are walked again for
/// their metrics, and the layout is not declared.
const STACK_LCAS: usize = 8;

/// The credits each LCA would give ([`assess::each_lca_credit`]): name, t CO2/yr, money/yr.
struct LcaCredits<'a> {
    credits: [(&'a str, f64, f64); STACK_LCAS],
    /// LCAs visited; more than [`STACK_LCAS`] when some were not kept.
    visited: usize,
}

impl<'a> LcaCredits<'a> {
    fn of(x: &Ctx<'a>) -> LcaCredits<'a> {
        let mut found = LcaCredits { credits: [("", 0.0, 0.0); STACK_LCAS], visited: 0 };
        assess::each_lca_credit(x, |name, t, money| {
            if let Some(slot) = found.credits.get_mut(found.visited) {
                *slot = (name, t, money);
            }
            found.visited += 1;
        });
        found
    }

    /// Every credit, in order; `None` when they did not all fit.
    fn held(&self) -> Option<&[(&'a str, f64, f64)]> {
        self.credits.get(..self.visited)
    }
}

/// Operation-cost lines the metrics of a sample hold on the stack; a longer list is walked
/// again for its metrics.
const STACK_LINES: usize = 64;

/// The lines [`each_operation_line`] visited while their sum was taken, kept for their
/// metrics so that the walk (price lookups by name, the check of the price keys) runs once.
struct OperationLines<'a> {
    lines: [(Kind, &'a str, f64); STACK_LINES],
    /// Lines visited; more than [`STACK_LINES`] when some were not kept.
    visited: usize,
}

impl<'a> OperationLines<'a> {
    fn new() -> OperationLines<'a> {
        OperationLines { lines: [(Kind::Feed, "", 0.0); STACK_LINES], visited: 0 }
    }

    fn push(&mut self, kind: Kind, name: &'a str, value: f64) {
        if let Some(slot) = self.lines.get_mut(self.visited) {
            *slot = (kind, name, value);
        }
        self.visited += 1;
    }

    /// Every line visited, in order; `None` when they did not all fit.
    fn held(&self) -> Option<&[(Kind, &'a str, f64)]> {
        self.lines.get(..self.visited)
    }
}

/// The operation cost rebuilt from prices, when it is (`Some(None)`: it is not), its lines
/// kept in `lines`; `None` where an item has no price or a key fits nothing.
fn rebuilt_operation<'a>(x: &Ctx<'a>, lines: &mut OperationLines<'a>) -> Option<Option<f64>> {
    if !assess::rebuilds_operation(x.c) {
        return Some(None);
    }
    // The lines' `.sum()`, in the lines' order.
    let mut sum: f64 = std::iter::empty::<f64>().sum();
    each_operation_line(x, |kind, name, value| {
        sum += value;
        lines.push(kind, name, value);
    })?;
    Some(Some(sum))
}

/// The priced items of the rebuilt operation cost, in the order of its lines (utilities,
/// feeds, make-up materials, disposal): kind, name and money per year. `None` when an item
/// has neither a price nor an exclusion, or a priced key names nothing.
fn each_operation_line<'a>(x: &Ctx<'a>, mut visit: impl FnMut(Kind, &'a str, f64)) -> Option<()> {
    let (f, c) = (x.f, x.c);
    let op = c.operating_time;
    let mut complete = true;
    let mut item = |kind: Kind, name: &'a str, rate: f64, priced: Option<&Priced>| match priced {
        Some(Priced::Price(p)) => visit(kind, name, kind.priced(kind.amount(rate, op), *p).1),
        Some(Priced::Excluded(_)) => {}
        None => complete = false,
    };
    for u in Utility::ALL {
        let rate = f.utility_total(u);
        if rate > 0.0 {
            item(Kind::Utility(u), u.name(), rate, c.utility_prices.get(&u));
        }
    }
    for s in f.streams.iter().filter(|s| s.role == StreamRole::Feed) {
        item(Kind::Feed, &s.name, s.stream.flows.iter().sum::<f64>(), c.feed_prices.get(&s.name));
    }
    assess::each_material(f, |name, rate| {
        if rate > 0.0 {
            item(Kind::Material, name, rate, c.material_prices.get(name));
        }
    });
    for (name, p) in &c.disposal_prices {
        let s = f.stream(name).filter(|s| s.role == StreamRole::Product)?;
        visit(Kind::Disposal, name, assess::disposal_cost(c, s, *p).1);
    }
    assess::check_price_keys(x).ok()?;
    complete.then_some(())
}

/// From the annual OPEX to the credits each LCA would give.
fn write_revenue(
    x: &Ctx<'_>,
    revenue: &Revenue<'_>,
    (annual_opex, total): (f64, f64),
    credits: &LcaCredits<'_>,
    w: &mut MetricWriter<'_>,
) {
    let yr = [x.c.currency.as_str(), "/yr"];
    w.put_in("annual_opex", annual_opex, &yr);
    w.put_in("total_annual_cost", total, &yr);
    w.put_in("product_revenue", revenue.product, &yr);
    w.put("carbon_credits", revenue.credits, "t CO2/yr");
    w.put_in("carbon_credit_revenue", revenue.credit_revenue, &yr);
    w.put_in("total_revenue", revenue.total, &yr);
    let mut put = |name: &str, t: f64, money: f64| {
        w.put_parts(&["carbon_credits_if.", name], t, &["t CO2/yr"]);
        w.put_parts(&["carbon_credit_revenue_if.", name], money, &yr);
    };
    match credits.held() {
        Some(held) => held.iter().for_each(|&(name, t, money)| put(name, t, money)),
        // More LCAs than the stack holds: walked again, which visits the same ones.
        None => assess::each_lca_credit(x, put),
    }
}

/// The indicators of the cash-flow table, its columns on the stack.
fn write_indicators(
    x: &Ctx<'_>,
    revenue: &Revenue<'_>,
    costs: &YearlyCosts,
    (production, total_annual_cost): (f64, f64),
    kept: Option<&mut Vec<f64>>,
    w: &mut MetricWriter<'_>,
) -> Option<()> {
    let c = x.c;
    let credits = (revenue.credit_revenue, revenue.period);
    let computed = || {
        let years = usize::try_from(c.construction_years + c.lifetime).ok().filter(|&n| n <= STACK_YEARS)?;
        let (mut nets, mut benefits, mut outlays) = ([0.0; STACK_YEARS], [0.0; STACK_YEARS], [0.0; STACK_YEARS]);
        let columns =
            YearColumns { nets: &mut nets[..years], benefits: &mut benefits[..years], outlays: &mut outlays[..years] };
        let ind = assess::indicators_of(c, costs, production, credits, total_annual_cost, columns).ok()?;
        Some(IndicatorFigures::of(&ind))
    };
    let ind = match kept {
        Some(kept) => {
            let inputs = assess::indicator_inputs(c, costs, production, credits, total_annual_cost);
            IndicatorFigures::kept_or(kept, &inputs, computed)?
        }
        None => computed()?,
    };
    let cur = c.currency.as_str();
    w.put("benefit_cost_ratio", ind.benefit_cost_ratio, "1");
    w.put("npv", ind.npv, cur);
    if let Some(irr) = ind.irr {
        w.put("irr", irr * 100.0, "%");
    }
    if let Some(p) = ind.simple_payback {
        w.put("simple_payback", p, "yr");
    }
    let per_t = [cur, "/t"];
    let unit_cost = if production > 0.0 { total_annual_cost / production } else { f64::NAN };
    w.put_in("unit_production_cost", unit_cost, &per_t);
    if let Some(p) = ind.minimum_selling_price {
        w.put_in("minimum_selling_price", p, &per_t);
    }
    let per_t_co2 = [cur, "/t CO2"];
    if revenue.credits > 0.0 {
        w.put_in("cost_per_t_co2", total_annual_cost / revenue.credits, &per_t_co2);
        w.put_in("net_cost_per_t_co2", (total_annual_cost - revenue.product) / revenue.credits, &per_t_co2);
    }
    Some(())
}

/// What the metrics take of [`assess::Indicators`]: the IRR as its rate (when there is one).
#[derive(Clone, Copy, Debug)]
struct IndicatorFigures {
    npv: f64,
    benefit_cost_ratio: f64,
    irr: Option<f64>,
    simple_payback: Option<f64>,
    minimum_selling_price: Option<f64>,
}

impl IndicatorFigures {
    /// Numbers one takes when kept: five values (zero where absent) and which are present.
    const KEPT: usize = 6;

    fn of(ind: &assess::Indicators) -> IndicatorFigures {
        IndicatorFigures {
            npv: ind.npv,
            benefit_cost_ratio: ind.benefit_cost_ratio,
            irr: ind.irr.as_ref().ok().map(|irr| irr.rate),
            simple_payback: ind.simple_payback,
            minimum_selling_price: ind.minimum_selling_price,
        }
    }

    /// The figures `kept` holds when they were computed from `inputs` (the same bits), else
    /// `computed`'s, kept with their inputs for the next sample. The indicators are a pure
    /// function of those inputs ([`assess::indicator_inputs`]), so a study whose samples do not
    /// change the cash flows (a TEA whose costs and prices are given) finds its IRR, NPV and
    /// minimum selling price once per worker. Debug builds compute them again on every reuse
    /// and check the bits.
    fn kept_or(
        kept: &mut Vec<f64>,
        inputs: &[f64],
        computed: impl Fn() -> Option<IndicatorFigures>,
    ) -> Option<IndicatorFigures> {
        let same =
            |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        if kept.len() == inputs.len() + Self::KEPT && same(&kept[..inputs.len()], inputs) {
            let figures = Self::from_kept(&kept[inputs.len()..]);
            debug_assert!(
                computed().is_some_and(|c| same(&c.to_kept(), &figures.to_kept())),
                "the TEA's indicators kept for these inputs differ from those computed afresh"
            );
            return Some(figures);
        }
        kept.clear();
        let figures = computed()?;
        kept.extend_from_slice(inputs);
        kept.extend_from_slice(&figures.to_kept());
        Some(figures)
    }

    fn to_kept(self) -> [f64; Self::KEPT] {
        let options = [self.irr, self.simple_payback, self.minimum_selling_price];
        let present = options.iter().enumerate().fold(0u8, |m, (i, o)| m | u8::from(o.is_some()) << i);
        let [irr, payback, price] = options.map(|o| o.unwrap_or(0.0));
        [self.npv, self.benefit_cost_ratio, irr, payback, price, f64::from(present)]
    }

    fn from_kept(k: &[f64]) -> IndicatorFigures {
        let present = k[5] as u8;
        let option = |i: usize| (present & (1 << i) != 0).then_some(k[2 + i]);
        IndicatorFigures {
            npv: k[0],
            benefit_cost_ratio: k[1],
            irr: option(0),
            simple_payback: option(1),
            minimum_selling_price: option(2),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::IndicatorFigures;

    fn figures(npv: f64) -> IndicatorFigures {
        IndicatorFigures {
            npv,
            benefit_cost_ratio: 1.5,
            irr: Some(0.1),
            simple_payback: None,
            minimum_selling_price: Some(-0.0),
        }
    }

    #[test]
    fn indicators_are_computed_again_only_for_other_inputs() {
        let count = Cell::new(0);
        let calls = &count;
        let computed = |npv: f64| {
            move || {
                calls.set(calls.get() + 1);
                Some(figures(npv))
            }
        };
        let mut kept = Vec::new();
        let bits = |f: IndicatorFigures| f.to_kept().map(f64::to_bits);
        let first = IndicatorFigures::kept_or(&mut kept, &[1.0, 2.0], computed(7.0)).unwrap();
        assert_eq!(bits(first), bits(figures(7.0)));
        // The same inputs: the kept figures, absent ones and signed zeros included (debug
        // builds compute them once more to check).
        let again = IndicatorFigures::kept_or(&mut kept, &[1.0, 2.0], computed(7.0)).unwrap();
        assert_eq!(bits(again), bits(first));
        assert_eq!(calls.get(), 1 + usize::from(cfg!(debug_assertions)));
        // Another input, by one bit (0.0 against -0.0): computed afresh and kept.
        let other = IndicatorFigures::kept_or(&mut kept, &[1.0, -0.0], computed(8.0)).unwrap();
        assert_eq!(bits(other), bits(figures(8.0)));
        assert_eq!(calls.get(), 2 + usize::from(cfg!(debug_assertions)));
        // A computation that fails keeps nothing: the next is computed again.
        assert!(IndicatorFigures::kept_or(&mut kept, &[3.0, 4.0], || None).is_none());
        assert!(kept.is_empty());
    }
}
