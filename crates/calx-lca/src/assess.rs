//! The assessment of a converged flowsheet, in stages over one `Assessment` context: the
//! names the configuration uses, the foreground inventory (module `inventory`), the CO2
//! fixed, the functional unit, where each item is counted and at what impact per SI unit;
//! then either the figures behind the metrics ([`figures`], what a study asks for every
//! sample) or the full result with every line, exclusion, process, category and elementary
//! flow ([`assess_with`], for reports). The full result is built from the same figures.
//!
//! # Conventions
//!
//! * **Inventory.** Per unit: utilities (`report.utilities`, W or kg/s) and make-up materials
//!   (`report.materials`, kg/s, counted as feeds); per feed stream: each component, or the
//!   whole stream if [`LcaConfig::streams`] maps it. A feed stream is attributed to the unit it
//!   enters. Zero rates are not inventory items.
//! * **CO2 uptake** comes from the carbon balance: moles of carbon in solid-phase components
//!   of product streams minus those in solid-phase components of feed streams and make-up
//!   materials, times 44.009 g/mol. It is floored at zero: carbon that solids lose (a
//!   calcination) leaves as gas and is counted as a direct emission instead, never twice.
//! * **Direct emissions** are only gas-phase species *generated* in the process: per species,
//!   what leaves in product streams minus what enters in feeds and make-up, when positive,
//!   attributed to the units whose product streams carry it. Flue-gas CO2 that passes through
//!   unfixed and leaves in the vent is the power plant's emission, not this system's.
//! * **Net CO2 reduction** = CO2 fixed x the category's factor for `CO2, fossil` + avoided
//!   burdens - emissions (background and direct).
//! * **Per year** = per FU x FUs per year, with the flowsheet's rates over 365 days.

use std::borrow::Cow;

use calx_core::result::{FlowsheetResult, StreamRole};
use calx_core::suggest::nearest;

use crate::background::Background;
use crate::config::{AvoidedBurden, FunctionalUnit, LcaConfig, Mapping};
use crate::database::Database;
use crate::error::{LcaError, Refusal, Result};
use crate::inventory::{self, Item};
use crate::result::{
    Amount, AvoidedLine, CategoryFigures, CategoryTotal, Contribution, Exclusion, FlowTotal, InventoryLine, LcaFigures,
    LcaResult, Part, ProcessUse, UnknownAmount,
};
use crate::sparse::SolveReport;

/// Seconds in the assessment's year (365 days, Calx's `yr`).
pub use calx_core::SECONDS_PER_YEAR;
/// Molar mass of CO2, kg/mol (C 12.011 + 2 x O 15.999).
pub const CO2_MOLAR_MASS: f64 = 44.009e-3;
/// The elementary flow whose factor converts fixed CO2 into the impact category.
pub const CO2_FLOW: &str = "CO2, fossil";

/// Assess a converged flowsheet against a background database.
pub fn assess(result: &FlowsheetResult, database: &Database, config: &LcaConfig) -> Result<LcaResult> {
    assess_with(result, &Background::new(database.clone(), config.clone())?)
}

/// Assess against a prepared background: the full result, for reports.
pub fn assess_with(result: &FlowsheetResult, background: &Background) -> Result<LcaResult> {
    Assessment::new(result, background).map_err(|r| r.error)?.full()
}

/// The figures behind the metrics only, against a prepared background: no total inventory
/// solve and no report words. They equal the full result's ([`LcaResult::figures`]) bit for
/// bit.
pub fn figures<'a>(result: &'a FlowsheetResult, background: &'a Background) -> Result<LcaFigures<'a>> {
    Ok(Assessment::new(result, background).map_err(|r| r.error)?.figures())
}

/// The life-cycle inventory of a total demand (non-zero flows with their database index),
/// the scaling of every process, and how the solve went.
type Totals = (Vec<(usize, FlowTotal)>, Vec<f64>, SolveReport);

/// Where an inventory item is counted.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    /// Demand on a background process.
    Process(usize),
    /// A direct emission of an elementary flow.
    Flow(usize),
}

/// A counted inventory item: where, and its impact per SI unit in the headline category and
/// in every category (database order).
#[derive(Clone)]
pub(crate) struct Counted<'a> {
    pub(crate) target: Target,
    pub(crate) per_si: f64,
    /// Impact per SI unit in every category, held by the background.
    pub(crate) all: &'a [f64],
    /// Per category: it characterises every elementary flow this item brings.
    complete: &'a [bool],
}

/// A counted inventory item, per functional unit.
struct Line<'s, 'a> {
    item: &'s Item<'a>,
    target: Target,
    /// Impact per SI unit in every category.
    all: &'s [f64],
    /// Amount, SI.
    amount: f64,
    /// Impact in the headline category.
    impact: f64,
}

/// An avoided burden, per functional unit.
struct Credit<'a> {
    burden: &'a AvoidedBurden,
    /// Amount displaced, SI.
    displaced: f64,
    /// Credit in the headline category.
    credit: f64,
}

/// One assessment: what every stage reads, and what the stages before it found.
pub(crate) struct Assessment<'a> {
    pub(crate) result: &'a FlowsheetResult,
    pub(crate) background: &'a Background,
    /// The foreground inventory, in flowsheet order.
    pub(crate) items: Vec<Item<'a>>,
    /// Per item: where it is counted (`None`: excluded from the boundary).
    pub(crate) counted: Vec<Option<Counted<'a>>>,
    /// Per avoided burden of the configuration: its process and impact per SI unit.
    pub(crate) avoided: Vec<(usize, f64)>,
    /// CO2 fixed in solids, kg/s.
    uptake_rate: f64,
    /// Seconds of operation per functional unit.
    seconds_per_fu: f64,
    /// Functional units per year.
    fu_per_year: f64,
    /// Characterisation factor of fixed CO2 in the headline category.
    pub(crate) co2_factor: f64,
}

impl<'a> Assessment<'a> {
    /// Every stage up to the impacts per SI unit; the error names the parameter of a
    /// configuration entry that does not fit the flowsheet.
    pub(crate) fn new(result: &'a FlowsheetResult, background: &'a Background) -> Result<Self, Refusal> {
        let (config, db) = (&background.config, &background.db);
        check_names(result, config, db)?;
        let items = inventory::foreground(result, config);
        let uptake_rate = inventory::co2_uptake_rate(result);
        inventory::require_mapped(&items)?;
        let seconds_per_fu = seconds_per_functional_unit(result, &config.functional_unit, uptake_rate)
            .map_err(|e| e.about("functional_unit"))?;
        let counted = counting(&items, background)?;
        let avoided = config
            .avoided
            .iter()
            .map(|a| {
                let p = db.require_process(&a.process, "an avoided burden").map_err(|e| e.about("avoided"))?;
                Ok((p, background.unit_impact(p)?))
            })
            .collect::<Result<_, Refusal>>()?;
        let co2_factor = background.flow_factor(db.require_flow(CO2_FLOW, "the CO2 uptake")?);
        Ok(Assessment {
            result,
            background,
            items,
            counted,
            avoided,
            uptake_rate,
            seconds_per_fu,
            fu_per_year: SECONDS_PER_YEAR / seconds_per_fu,
            co2_factor,
        })
    }

    /// A figure per functional unit, with its value per year.
    fn amount(&self, per_fu: f64) -> Amount {
        Amount { per_functional_unit: per_fu, per_year: per_fu * self.fu_per_year }
    }

    /// The counted items, in inventory order.
    fn lines(&self) -> impl Iterator<Item = Line<'_, 'a>> + '_ {
        self.items.iter().zip(&self.counted).filter_map(|(item, c)| {
            let c = c.as_ref()?;
            let amount = item.rate * self.seconds_per_fu;
            Some(Line { item, target: c.target, all: c.all, amount, impact: amount * c.per_si })
        })
    }

    /// The avoided burdens, in configuration order.
    fn credits(&self) -> impl Iterator<Item = Credit<'a>> + '_ {
        self.background.config.avoided.iter().zip(&self.avoided).map(|(burden, &(_, per_si))| {
            let rate = self.result.stream(&burden.stream).map_or(0.0, |s| s.stream.total_mass());
            let displaced = burden.amount * rate * self.seconds_per_fu;
            Credit { burden, displaced, credit: displaced * per_si }
        })
    }

    /// The figures behind the metrics and the report: every category.
    pub(crate) fn figures(&self) -> LcaFigures<'a> {
        self.figures_with(self.other_categories(|_| true))
    }

    /// The figures behind the metrics only: the other categories that get metrics (those
    /// that characterise the whole inventory), each equal bit for bit to its figures in
    /// [`Self::figures`].
    pub(crate) fn metric_figures(&self) -> LcaFigures<'a> {
        self.figures_with(self.other_categories(|c| self.complete_in(c)))
    }

    /// Whether category `c` characterises every flow of the counted items.
    pub(crate) fn complete_in(&self, c: usize) -> bool {
        self.counted.iter().flatten().all(|k| k.complete[c])
    }

    fn figures_with(&self, categories: Vec<CategoryFigures<'a>>) -> LcaFigures<'a> {
        let by_unit: Vec<(Cow<'a, str>, f64)> = self.lines().map(|l| (Cow::Borrowed(l.item.unit), l.impact)).collect();
        let by_flow: Vec<(Cow<'a, str>, f64)> = self.lines().map(|l| (l.item.flow.clone(), l.impact)).collect();
        // `+ 0.0` turns the -0.0 of an empty f64 sum into 0.0 for reports.
        let emissions = by_unit.iter().map(|l| l.1).sum::<f64>() + 0.0;
        let avoided = self.credits().map(|c| c.credit).sum::<f64>() + 0.0;
        let fixed = self.uptake_rate * self.seconds_per_fu;
        let bg = self.background;
        LcaFigures {
            impact_unit: &bg.db.categories()[bg.category].unit,
            emissions: self.amount(emissions),
            co2_fixed: self.amount(fixed),
            avoided: self.amount(avoided),
            net_reduction: self.amount(fixed * self.co2_factor + avoided - emissions),
            by_unit: aggregate(self.unit_names(), &by_unit),
            by_flow: aggregate(Vec::new(), &by_flow),
            categories,
        }
    }

    fn unit_names(&self) -> Vec<Cow<'a, str>> {
        self.result.units.iter().map(|u| Cow::Borrowed(u.name.as_str())).collect()
    }

    /// The figures of every category but the headline one: emissions (background and
    /// direct) with their contributions by unit and by flow.
    fn other_categories(&self, keep: impl Fn(usize) -> bool) -> Vec<CategoryFigures<'a>> {
        let bg = self.background;
        (0..bg.db.categories().len())
            .filter(|&c| c != bg.category && keep(c))
            .map(|c| {
                let lines: Vec<_> = self.lines().map(|l| (l.item, l.amount * l.all[c])).collect();
                let by_unit: Vec<(Cow<'a, str>, f64)> =
                    lines.iter().map(|(it, x)| (Cow::Borrowed(it.unit), *x)).collect();
                let by_flow: Vec<(Cow<'a, str>, f64)> = lines.iter().map(|(it, x)| (it.flow.clone(), *x)).collect();
                let category = &bg.db.categories()[c];
                let complete = self.complete_in(c);
                CategoryFigures {
                    complete,
                    name: &category.name,
                    unit: &category.unit,
                    emissions: self.amount(by_unit.iter().map(|l| l.1).sum::<f64>() + 0.0),
                    by_unit: aggregate(self.unit_names(), &by_unit),
                    by_flow: aggregate(Vec::new(), &by_flow),
                }
            })
            .collect()
    }

    /// The full result: the figures, with every line, exclusion, avoided burden, process,
    /// category and elementary flow, after one solve of the total demand.
    pub(crate) fn full(&self) -> Result<LcaResult> {
        let f = self.figures();
        let (bg, config) = (self.background, &self.background.config);
        let demand = self.demand();
        let (inventory, scaling, solver) = self.totals(&demand)?;
        let categories = self.category_totals(&f, &inventory, &scaling);
        let emissions = f.emissions.per_functional_unit;
        let share = |x: f64| if emissions != 0.0 { x / emissions } else { 0.0 };
        Ok(LcaResult {
            flowsheet: self.result.name.clone(),
            functional_unit: config.functional_unit.describe(),
            seconds_per_functional_unit: self.seconds_per_fu,
            functional_units_per_year: self.fu_per_year,
            reference_year: config.reference_year.clone(),
            category: bg.db.categories()[bg.category].name.clone(),
            impact_unit: f.impact_unit.to_string(),
            emissions: f.emissions,
            co2_fixed: f.co2_fixed,
            avoided: f.avoided,
            net_reduction: f.net_reduction,
            by_unit: self.contributions(&f.by_unit, emissions),
            by_flow: self.contributions(&f.by_flow, emissions),
            lines: self.inventory_lines(&share),
            excluded: self.exclusions(),
            avoided_lines: self.avoided_lines(),
            processes: self.process_uses(&demand)?,
            categories,
            inventory: inventory.into_iter().map(|(_, t)| t).collect(),
            solver,
        })
    }

    /// Contributions with their shares of `total`.
    fn contributions(&self, parts: &[Part<'_>], total: f64) -> Vec<Contribution> {
        parts
            .iter()
            .map(|p| Contribution {
                name: p.name.to_string(),
                impact: self.amount(p.per_functional_unit),
                share: if total != 0.0 { p.per_functional_unit / total } else { 0.0 },
            })
            .collect()
    }

    /// Every category in database order, from the figures (the headline's and the others'),
    /// each with the inventory flows it gives no factor for.
    fn category_totals(
        &self,
        f: &LcaFigures<'_>,
        inventory: &[(usize, FlowTotal)],
        scaling: &[f64],
    ) -> Vec<CategoryTotal> {
        let db = &self.background.db;
        let mut others = f.categories.iter();
        db.categories()
            .iter()
            .enumerate()
            .filter_map(|(c, category)| {
                let (emissions, by_unit, by_flow) = if c == self.background.category {
                    (f.emissions, &f.by_unit, &f.by_flow)
                } else {
                    let o = others.next()?;
                    (o.emissions, &o.by_unit, &o.by_flow)
                };
                let total = emissions.per_functional_unit;
                Some(CategoryTotal {
                    name: category.name.clone(),
                    unit: category.unit.clone(),
                    emissions,
                    by_unit: self.contributions(by_unit, total),
                    by_flow: self.contributions(by_flow, total),
                    not_characterised: inventory
                        .iter()
                        .filter(|(i, _)| db.factor_of(c, *i).is_none())
                        .map(|(_, t)| t.clone())
                        .collect(),
                    not_inventoried: db
                        .unknown_in(c, scaling)
                        .map(|(p, i, why)| UnknownAmount {
                            process: db.processes()[p].name.clone(),
                            flow: db.flows()[i].name.clone(),
                            why: why.into(),
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// The final demand on the background: (process, SI amount per FU), in inventory order.
    fn demand(&self) -> Vec<(usize, f64)> {
        self.lines()
            .filter_map(|l| if let Target::Process(p) = l.target { Some((p, l.amount)) } else { None })
            .collect()
    }

    /// The life-cycle inventory (non-zero flows, with their database index), from one solve
    /// of the total demand plus the direct emissions, the scaling of every process, and how
    /// the solve went.
    fn totals(&self, demand: &[(usize, f64)]) -> Result<Totals> {
        let (bg, db) = (self.background, &self.background.db);
        let total = db.solve(&bg.matrices, demand, &bg.config.solver)?;
        let mut inventory = total.inventory;
        for l in self.lines() {
            if let Target::Flow(f) = l.target {
                inventory[f] += l.amount;
            }
        }
        let flows = db
            .flows()
            .iter()
            .zip(&inventory)
            .enumerate()
            .filter(|(_, (_, g))| **g != 0.0)
            .map(|(i, (f, &g))| (i, FlowTotal { name: f.name.clone(), amount: self.amount(g) }))
            .collect();
        Ok((flows, total.scaling, total.report))
    }

    /// Every counted item, with its process (or elementary flow) and share of the emissions.
    fn inventory_lines(&self, share: &dyn Fn(f64) -> f64) -> Vec<InventoryLine> {
        let db = &self.background.db;
        self.lines()
            .map(|l| InventoryLine {
                unit: l.item.unit.to_string(),
                flow: l.item.flow.to_string(),
                purpose: l.item.purpose.to_string(),
                process: match l.target {
                    Target::Process(p) => db.processes()[p].name.clone(),
                    Target::Flow(f) => db.flows()[f].name.clone(),
                },
                amount: l.amount,
                amount_unit: l.item.si_unit().into(),
                impact: self.amount(l.impact),
                share: share(l.impact),
            })
            .collect()
    }

    /// Every item left out of the boundary, with its reason.
    fn exclusions(&self) -> Vec<Exclusion> {
        self.items
            .iter()
            .zip(&self.counted)
            .filter_map(|(it, c)| match (c, it.mapping) {
                (None, Some(Mapping::Excluded { reason })) => Some(Exclusion {
                    unit: it.unit.to_string(),
                    flow: it.flow.to_string(),
                    purpose: it.purpose.to_string(),
                    amount: it.rate * self.seconds_per_fu,
                    amount_unit: it.si_unit().into(),
                    reason: reason.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// Every avoided burden with its credit.
    fn avoided_lines(&self) -> Vec<AvoidedLine> {
        self.credits()
            .map(|c| AvoidedLine {
                stream: c.burden.stream.clone(),
                process: c.burden.process.clone(),
                amount: c.displaced,
                credit: self.amount(c.credit),
                source: c.burden.source.clone(),
            })
            .collect()
    }

    /// Every background process demanded or displaced, in database order, with its source.
    fn process_uses(&self, demand: &[(usize, f64)]) -> Result<Vec<ProcessUse>> {
        let mut used: Vec<usize> = demand.iter().map(|d| d.0).chain(self.avoided.iter().map(|a| a.0)).collect();
        used.sort_unstable();
        used.dedup();
        used.into_iter()
            .map(|p| {
                let pr = &self.background.db.processes()[p];
                Ok(ProcessUse {
                    name: pr.name.clone(),
                    description: pr.description.clone(),
                    source: pr.source.clone(),
                    impact_per_si_unit: self.background.unit_impact(p)?,
                    amount: demand.iter().filter(|d| d.0 == p).map(|d| d.1).sum(),
                })
            })
            .collect()
    }
}

/// Stage: every name in the configuration exists (typos are errors, not silent zeros).
fn check_names(result: &FlowsheetResult, config: &LcaConfig, db: &Database) -> Result<(), Refusal> {
    if let FunctionalUnit::Product { stream, .. } = &config.functional_unit {
        require_stream(result, stream, StreamRole::Product).map_err(|e| e.about("functional_unit"))?;
    }
    for name in config.streams.keys() {
        require_stream(result, name, StreamRole::Feed).map_err(|e| e.about("streams"))?;
    }
    for a in &config.avoided {
        require_stream(result, &a.stream, StreamRole::Product).map_err(|e| e.about("avoided"))?;
        db.require_process(&a.process, format_args!("the avoided burden of `{}`", a.stream))
            .map_err(|e| e.about("avoided"))?;
    }
    for (u, m) in &config.utilities {
        if let Mapping::To(p) = m {
            db.require_process(p, format_args!("utility {}", u.name())).map_err(|e| e.about("utilities"))?;
        }
    }
    for (what, param, map) in [("stream", "streams", &config.streams), ("component", "components", &config.components)]
    {
        for (k, m) in map {
            if let Mapping::To(p) = m {
                db.require_process(p, format_args!("{what} {k}")).map_err(|e| e.about(param))?;
            }
        }
    }
    for (k, m) in &config.direct_emissions {
        if let Mapping::To(f) = m {
            db.require_flow(f, format_args!("direct emissions of {k}")).map_err(|e| e.about("emissions"))?;
        }
    }
    Ok(())
}

/// A stream of the flowsheet with the given role.
fn require_stream(result: &FlowsheetResult, name: &str, role: StreamRole) -> Result<()> {
    let problem = match result.stream(name) {
        Some(s) if s.role == role => return Ok(()),
        Some(_) => format!("is not a {} stream", if role == StreamRole::Product { "product" } else { "feed" }),
        None => "is not in the flowsheet".into(),
    };
    let names = result.streams.iter().filter(|s| s.role == role).map(|s| s.name.as_str());
    Err(LcaError::Stream { name: name.into(), problem, suggestion: nearest(name, names).map(str::to_string) })
}

/// Stage: seconds of operation that make one functional unit.
pub(crate) fn seconds_per_functional_unit(
    result: &FlowsheetResult,
    fu: &FunctionalUnit,
    uptake_rate: f64,
) -> Result<f64> {
    let above_zero = |amount: f64| {
        if amount.is_finite() && amount > 0.0 {
            Ok(())
        } else {
            Err(LcaError::FunctionalUnit(format!("the amount must be above zero, found {amount} kg")))
        }
    };
    match fu {
        FunctionalUnit::Product { stream, amount } => {
            let rate = result.stream(stream).map_or(0.0, |s| s.stream.total_mass());
            above_zero(*amount)?;
            if rate.is_nan() || rate <= 0.0 {
                return Err(LcaError::FunctionalUnit(format!("product stream `{stream}` has no flow")));
            }
            Ok(amount / rate)
        }
        FunctionalUnit::Co2Fixed { amount } => {
            above_zero(*amount)?;
            if uptake_rate.is_nan() || uptake_rate <= 0.0 {
                return Err(LcaError::FunctionalUnit("the flowsheet fixes no CO2 in solids".into()));
            }
            Ok(amount / uptake_rate)
        }
    }
}

/// Stage: the background process of a mapped item, checked for its unit of measure, or for
/// a gas generated in the process, the elementary flow (`None`: excluded).
fn target(it: &Item<'_>, db: &Database) -> Result<Option<Target>> {
    let Some(Mapping::To(name)) = it.mapping else { return Ok(None) };
    if it.is_emission() {
        return Ok(Some(Target::Flow(db.require_flow(name, format_args!("direct emissions of {}", it.flow))?)));
    }
    let p = db.require_process(name, format_args!("{} of unit {}", it.flow, it.unit))?;
    let dim = db.processes()[p].dimension;
    if dim != it.dimension {
        return Err(LcaError::Dimension {
            item: format!("`{}` of unit `{}`", it.flow, it.unit),
            process: name.clone(),
            expected: dim.describe(),
            found: it.dimension.describe(),
        });
    }
    Ok(Some(Target::Process(p)))
}

/// Stage: where every item is counted (all checked first), then the impact per SI unit there
/// (one background solve per process, remembered by the background).
fn counting<'a>(items: &[Item<'_>], background: &'a Background) -> Result<Vec<Option<Counted<'a>>>, Refusal> {
    let targets = items
        .iter()
        .map(|it| target(it, &background.db).map_err(|e| e.about(it.purpose.param())))
        .collect::<Result<Vec<_>, Refusal>>()?;
    let counted = |target: Target| -> Result<Counted<'a>> {
        let u = match target {
            Target::Process(p) => background.unit_impacts_of(p)?,
            Target::Flow(f) => background.flow_impacts_of(f),
        };
        Ok(Counted { target, per_si: u.impacts[background.category], all: &u.impacts, complete: &u.complete })
    };
    Ok(targets.into_iter().map(|t| t.map(counted).transpose()).collect::<Result<_>>()?)
}

/// Impacts summed per name: the names of `order` first, then the others in the order they
/// first appear in `lines`; names without lines are left out.
fn aggregate<'a>(mut names: Vec<Cow<'a, str>>, lines: &[(Cow<'a, str>, f64)]) -> Vec<Part<'a>> {
    for (name, _) in lines {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let mut mine = lines.iter().filter(|(n, _)| *n == name).map(|l| l.1).peekable();
            mine.peek()?;
            let per_functional_unit = mine.sum();
            Some(Part { name, per_functional_unit })
        })
        .collect()
}
