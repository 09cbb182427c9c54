//! The assessment of a converged flowsheet: inventory, mapping, matrix solve, CO2 uptake and
//! contributions.
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

use calx_core::result::{FlowsheetResult, StreamRole};
use calx_core::suggest::nearest;
use calx_core::{Dimension, Phase, Utility};
use serde::Serialize;

use crate::config::{FunctionalUnit, LcaConfig, Mapping};
use std::borrow::Cow;
use std::sync::OnceLock;

use crate::database::{Database, Matrices};
use crate::error::{LcaError, Result};
use crate::sparse::SolveReport;

/// Seconds in the assessment's year (365 days, Calx's `yr`).
pub use calx_core::SECONDS_PER_YEAR;
/// Molar mass of CO2, kg/mol (C 12.011 + 2 x O 15.999).
pub const CO2_MOLAR_MASS: f64 = 44.009e-3;
/// The elementary flow whose factor converts fixed CO2 into the impact category.
pub const CO2_FLOW: &str = "CO2, fossil";

/// A figure per functional unit and per year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Amount {
    /// Per functional unit.
    pub per_functional_unit: f64,
    /// Per year of operation.
    pub per_year: f64,
}

/// One aggregated contribution (a unit, or a flow such as electricity).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contribution {
    /// Unit name, or flow label.
    pub name: String,
    /// Impact in the headline category.
    pub impact: Amount,
    /// Fraction of the total emissions (0..1; 0 when emissions are zero).
    pub share: f64,
}

/// One line of the foreground inventory that counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InventoryLine {
    /// Unit that causes it.
    pub unit: String,
    /// Flow label: `electricity`, `cooling`, a component name, a stream name, `direct CO2`.
    pub flow: String,
    /// What for (utility purpose, stream, material purpose).
    pub purpose: String,
    /// Background process, or elementary flow for a direct emission.
    pub process: String,
    /// Amount per FU in SI (J or kg).
    pub amount: f64,
    /// SI unit of `amount` (`J` or `kg`).
    pub amount_unit: String,
    /// Impact in the headline category.
    pub impact: Amount,
    /// Fraction of total emissions.
    pub share: f64,
}

/// An inventory item left outside the boundary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exclusion {
    /// Unit concerned.
    pub unit: String,
    /// Flow label.
    pub flow: String,
    /// What for.
    pub purpose: String,
    /// Amount per FU in SI.
    pub amount: f64,
    /// SI unit of `amount`.
    pub amount_unit: String,
    /// Why it is excluded.
    pub reason: String,
}

/// A credited avoided burden.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AvoidedLine {
    /// Product stream.
    pub stream: String,
    /// Displaced process.
    pub process: String,
    /// Displaced amount per FU (SI).
    pub amount: f64,
    /// Credit in the headline category (positive = avoided emissions).
    pub credit: Amount,
    /// Source of the substitution.
    pub source: String,
}

/// A background process used, with its data source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessUse {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Source (or `override: ...`).
    pub source: String,
    /// Cradle-to-gate impact per SI unit of its product (headline category).
    pub impact_per_si_unit: f64,
    /// Amount demanded per FU (SI), excluding avoided burdens.
    pub amount: f64,
}

/// Total of one impact category.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryTotal {
    /// Category name.
    pub name: String,
    /// Indicator unit.
    pub unit: String,
    /// Emissions (background and direct, without credits).
    pub emissions: Amount,
}

/// One elementary flow of the life-cycle inventory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowTotal {
    /// Flow name.
    pub name: String,
    /// kg.
    pub amount: Amount,
}

/// The result of an assessment. Impacts are in the headline category's unit (kg CO2-eq for
/// the shipped sets).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LcaResult {
    /// Flowsheet name.
    pub flowsheet: String,
    /// The functional unit, as text.
    pub functional_unit: String,
    /// Seconds of operation that make one FU.
    pub seconds_per_functional_unit: f64,
    /// FUs per year of operation.
    pub functional_units_per_year: f64,
    /// Reference year (from the configuration).
    pub reference_year: String,
    /// Headline category.
    pub category: String,
    /// Its unit.
    pub impact_unit: String,
    /// Emissions, background and direct.
    pub emissions: Amount,
    /// CO2 fixed in solids, kg CO2.
    pub co2_fixed: Amount,
    /// Credits from avoided burdens.
    pub avoided: Amount,
    /// CO2 fixed (characterised) + avoided - emissions.
    pub net_reduction: Amount,
    /// Emissions by unit (flowsheet order).
    pub by_unit: Vec<Contribution>,
    /// Emissions by flow (electricity, water, a material, direct CO2, ...).
    pub by_flow: Vec<Contribution>,
    /// Every counted inventory line.
    pub lines: Vec<InventoryLine>,
    /// Every excluded item, with its reason (empty from a metrics-only assessment).
    pub excluded: Vec<Exclusion>,
    /// Avoided burdens.
    pub avoided_lines: Vec<AvoidedLine>,
    /// Background processes used (empty from a metrics-only assessment).
    pub processes: Vec<ProcessUse>,
    /// Every category of the database (emissions only; empty from a metrics-only assessment).
    pub categories: Vec<CategoryTotal>,
    /// Life-cycle inventory of elementary flows (emissions only, non-zero; empty from a
    /// metrics-only assessment).
    pub inventory: Vec<FlowTotal>,
    /// How the background system was solved (the total-demand solve; `none (metrics only)`
    /// when it was skipped).
    pub solver: SolveReport,
}

enum Target {
    Process(usize),
    Flow(usize),
}

/// One foreground inventory item, borrowing its names from the flowsheet result and the
/// configuration (a study builds these for every sample).
struct Item<'a> {
    unit: &'a str,
    flow: Cow<'a, str>,
    purpose: Purpose<'a>,
    /// SI per second.
    rate: f64,
    dimension: Dimension,
    mapping: Option<&'a Mapping>,
    emission: bool,
}

/// Why an item is in the inventory, rendered only for reports and messages.
#[derive(Clone, Copy)]
enum Purpose<'a> {
    /// A utility, with the unit's own words.
    Utility(&'a str),
    /// A make-up material, with the unit's own words.
    MakeUp(&'a str),
    /// Material of a feed stream.
    Feed(&'a str),
    /// A gas generated in the process and leaving in a product stream.
    Generated { component: &'a str, stream: &'a str },
}

impl std::fmt::Display for Purpose<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Purpose::Utility(p) => f.write_str(p),
            Purpose::MakeUp(p) => write!(f, "make-up: {p}"),
            Purpose::Feed(s) => write!(f, "feed stream {s}"),
            Purpose::Generated { component, stream } => write!(f, "generated {component} in stream {stream}"),
        }
    }
}

fn si_unit(d: Dimension) -> &'static str {
    if d == Dimension::ENERGY { "J" } else { "kg" }
}

/// One LCA configuration with its background database, ready for many assessments: factor
/// overrides applied, the matrices compiled once, and each process's impact per SI unit of
/// its product remembered after its first solve (a parameter study assesses thousands of
/// flowsheets against the same background).
#[derive(Debug)]
pub struct Background {
    config: LcaConfig,
    db: Database,
    matrices: Matrices,
    /// The configuration's impact category.
    category: usize,
    /// Per process, its impact in `category` per SI unit, once solved. A `OnceLock` per
    /// process: threads read without contending and may at worst solve one twice.
    unit_impacts: Vec<OnceLock<f64>>,
}

impl Background {
    /// Apply the configuration's factor overrides to `database` and compile it.
    pub fn new(mut database: Database, config: LcaConfig) -> Result<Background> {
        for o in &config.overrides {
            database.override_process(&o.process, o.value, &o.source)?;
        }
        let matrices = database.matrices();
        let category = database.require_category(&config.characterization)?;
        let unit_impacts = database.processes().iter().map(|_| OnceLock::new()).collect();
        Ok(Background { config, db: database, matrices, category, unit_impacts })
    }

    /// Impact in the configuration's category per SI unit of process `p`'s reference product.
    fn unit_impact(&self, p: usize) -> Result<f64> {
        if let Some(x) = self.unit_impacts[p].get() {
            return Ok(*x);
        }
        let x = self.db.solve(&self.matrices, &[(p, 1.0)], &self.config.solver)?.impacts[self.category];
        // The solve is deterministic: whichever thread sets the cell sets the same value.
        let _ = self.unit_impacts[p].set(x);
        Ok(x)
    }
}

/// Assess a converged flowsheet against a background database.
pub fn assess(result: &FlowsheetResult, database: &Database, config: &LcaConfig) -> Result<LcaResult> {
    assess_with(result, &Background::new(database.clone(), config.clone())?, true)
}

/// Assess against a prepared background. With `full` false only the figures behind the
/// metrics are computed: the total inventory solve is skipped, and `categories`,
/// `inventory`, `excluded` and `processes` are left empty.
pub fn assess_with(result: &FlowsheetResult, background: &Background, full: bool) -> Result<LcaResult> {
    let (config, db, matrices, category) =
        (&background.config, &background.db, &background.matrices, background.category);
    let set = &result.components;

    // Every name in the configuration must exist (typos are errors, not silent zeros).
    let stream_names =
        |role: StreamRole| result.streams.iter().filter(move |s| s.role == role).map(|s| s.name.as_str());
    let require_stream = |name: &str, role: StreamRole, what: &str| -> Result<()> {
        match result.stream(name) {
            Some(s) if s.role == role => Ok(()),
            Some(_) => Err(LcaError::Stream {
                name: name.into(),
                problem: format!("is not a {what} stream"),
                suggestion: nearest(name, stream_names(role)).map(str::to_string),
            }),
            None => Err(LcaError::Stream {
                name: name.into(),
                problem: "is not in the flowsheet".into(),
                suggestion: nearest(name, stream_names(role)).map(str::to_string),
            }),
        }
    };
    if let FunctionalUnit::Product { stream, .. } = &config.functional_unit {
        require_stream(stream, StreamRole::Product, "product")?;
    }
    for name in config.streams.keys() {
        require_stream(name, StreamRole::Feed, "feed")?;
    }
    for a in &config.avoided {
        require_stream(&a.stream, StreamRole::Product, "product")?;
        db.require_process(&a.process, &format!("the avoided burden of `{}`", a.stream))?;
    }
    for (u, m) in &config.utilities {
        if let Mapping::To(p) = m {
            db.require_process(p, &format!("utility {}", u.name()))?;
        }
    }
    for (what, map) in [("stream", &config.streams), ("component", &config.components)] {
        for (k, m) in map {
            if let Mapping::To(p) = m {
                db.require_process(p, &format!("{what} {k}"))?;
            }
        }
    }
    for (k, m) in &config.direct_emissions {
        if let Mapping::To(f) = m {
            db.require_flow(f, &format!("direct emissions of {k}"))?;
        }
    }

    // Foreground inventory, in flowsheet order.
    let mut items: Vec<Item> = Vec::new();
    for u in &result.units {
        for use_ in u.report.utilities.iter().filter(|x| x.rate > 0.0) {
            items.push(Item {
                unit: &u.name,
                flow: Cow::Borrowed(use_.utility.name()),
                purpose: Purpose::Utility(&use_.purpose),
                rate: use_.rate,
                dimension: if use_.utility == Utility::Water { Dimension::MASS } else { Dimension::ENERGY },
                mapping: config.utilities.get(&use_.utility),
                emission: false,
            });
        }
        for m in u.report.materials.iter().filter(|x| x.rate > 0.0) {
            let name = set.get(m.component).map_or("?", |c| c.name.as_str());
            items.push(Item {
                unit: &u.name,
                flow: Cow::Borrowed(name),
                purpose: Purpose::MakeUp(&m.purpose),
                rate: m.rate,
                dimension: Dimension::MASS,
                mapping: config.components.get(name),
                emission: false,
            });
        }
    }
    for s in result.streams.iter().filter(|s| s.role == StreamRole::Feed) {
        let unit = s.destination.as_ref().map_or(s.name.as_str(), |d| d.unit.as_str());
        if let Some(m) = config.streams.get(&s.name) {
            let rate = s.stream.total_mass();
            if rate > 0.0 {
                items.push(Item {
                    unit,
                    flow: Cow::Borrowed(&s.name),
                    purpose: Purpose::Feed(&s.name),
                    rate,
                    dimension: Dimension::MASS,
                    mapping: Some(m),
                    emission: false,
                });
            }
            continue;
        }
        for (c, &w) in set.iter().zip(&s.stream.flows) {
            if w > 0.0 {
                items.push(Item {
                    unit,
                    flow: Cow::Borrowed(&c.name),
                    purpose: Purpose::Feed(&s.name),
                    rate: w,
                    dimension: Dimension::MASS,
                    mapping: config.components.get(&c.name),
                    emission: false,
                });
            }
        }
    }

    // Carbon balance over solids, and gas generated.
    let makeup = |i: usize| -> f64 {
        result.units.iter().flat_map(|u| &u.report.materials).filter(|m| m.component == i).map(|m| m.rate).sum()
    };
    let role_sum = |role: StreamRole, i: usize| -> f64 {
        result.streams.iter().filter(|s| s.role == role).map(|s| s.stream.flows[i]).sum()
    };
    let mut carbon = 0.0; // mol/s into solids
    for (i, c) in set.iter().enumerate() {
        if c.phase == Phase::Solid
            && let (Some(atoms), Some(m)) = (&c.elements, c.molar_mass)
            && let Some(&n_c) = atoms.get("C")
        {
            carbon += (role_sum(StreamRole::Product, i) - role_sum(StreamRole::Feed, i) - makeup(i)) / m * n_c;
        }
    }
    let uptake_rate = (carbon * CO2_MOLAR_MASS).max(0.0); // kg CO2/s
    for (i, c) in set.iter().enumerate().filter(|(_, c)| c.phase == Phase::Gas) {
        let out = role_sum(StreamRole::Product, i);
        let inflow = role_sum(StreamRole::Feed, i) + makeup(i);
        let generated = out - inflow;
        if generated.is_nan() || generated <= 1e-9 * out.max(inflow) || out <= 0.0 {
            continue;
        }
        for s in result.streams.iter().filter(|s| s.role == StreamRole::Product && s.stream.flows[i] > 0.0) {
            items.push(Item {
                unit: s.source.as_ref().map_or(s.name.as_str(), |e| e.unit.as_str()),
                flow: Cow::Owned(format!("direct {}", c.name)),
                purpose: Purpose::Generated { component: &c.name, stream: &s.name },
                rate: generated * s.stream.flows[i] / out,
                dimension: Dimension::MASS,
                mapping: config.direct_emissions.get(&c.name),
                emission: true,
            });
        }
    }

    // Nothing unmapped.
    let missing: Vec<String> = items
        .iter()
        .filter(|it| it.mapping.is_none())
        .map(|it| {
            let (kind, fix) = match it.purpose {
                Purpose::Generated { .. } => ("direct emission", "map the component in `direct_emissions`"),
                Purpose::Feed(_) => ("feed", "map the component in `components` or the stream in `streams`"),
                Purpose::MakeUp(_) => ("make-up material", "map the component in `components`"),
                Purpose::Utility(_) => ("utility", "map the utility in `utilities`"),
            };
            format!(
                "{kind} `{}` of unit `{}` ({}): {:.6e} {}/s; {fix}, or exclude it with a reason",
                it.flow,
                it.unit,
                it.purpose,
                it.rate,
                si_unit(it.dimension)
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(LcaError::Unmapped { items: missing });
    }

    // Functional unit.
    let seconds_per_fu = match &config.functional_unit {
        FunctionalUnit::Product { stream, amount } => {
            let rate = result.stream(stream).map_or(0.0, |s| s.stream.total_mass());
            if !(amount.is_finite() && *amount > 0.0) {
                return Err(LcaError::FunctionalUnit(format!("the amount must be above zero, found {amount} kg")));
            }
            if rate.is_nan() || rate <= 0.0 {
                return Err(LcaError::FunctionalUnit(format!("product stream `{stream}` has no flow")));
            }
            amount / rate
        }
        FunctionalUnit::Co2Fixed { amount } => {
            if !(amount.is_finite() && *amount > 0.0) {
                return Err(LcaError::FunctionalUnit(format!("the amount must be above zero, found {amount} kg")));
            }
            if uptake_rate.is_nan() || uptake_rate <= 0.0 {
                return Err(LcaError::FunctionalUnit("the flowsheet fixes no CO2 in solids".into()));
            }
            amount / uptake_rate
        }
    };
    let fu_per_year = SECONDS_PER_YEAR / seconds_per_fu;
    let amount = |per_fu: f64| Amount { per_functional_unit: per_fu, per_year: per_fu * fu_per_year };

    // Resolve targets and check dimensions.
    let mut targets: Vec<Option<Target>> = Vec::with_capacity(items.len());
    for it in &items {
        let t = match &it.mapping {
            Some(Mapping::To(name)) if it.emission => {
                Some(Target::Flow(db.require_flow(name, &format!("direct emissions of {}", it.flow))?))
            }
            Some(Mapping::To(name)) => {
                let p = db.require_process(name, &format!("{} of unit {}", it.flow, it.unit))?;
                let dim = db.processes()[p].dimension;
                if dim != it.dimension {
                    return Err(LcaError::Dimension {
                        item: format!("`{}` of unit `{}`", it.flow, it.unit),
                        process: name.clone(),
                        expected: dim.describe(),
                        found: it.dimension.describe(),
                    });
                }
                Some(Target::Process(p))
            }
            _ => None,
        };
        targets.push(t);
    }

    // Unit impacts of every process demanded (one solve per distinct process), then the
    // total-demand solve for the inventory and all categories.
    let mut demanded: Vec<usize> =
        targets.iter().filter_map(|t| if let Some(Target::Process(p)) = t { Some(*p) } else { None }).collect();
    let mut avoided_processes = Vec::new();
    for a in &config.avoided {
        avoided_processes.push(db.require_process(&a.process, "an avoided burden")?);
    }
    demanded.extend(&avoided_processes);
    demanded.sort_unstable();
    demanded.dedup();
    let mut unit_impact = vec![0.0; db.processes().len()];
    for &p in &demanded {
        unit_impact[p] = background.unit_impact(p)?;
    }
    let demand: Vec<(usize, f64)> = items
        .iter()
        .zip(&targets)
        .filter_map(
            |(it, t)| {
                if let Some(Target::Process(p)) = t { Some((*p, it.rate * seconds_per_fu)) } else { None }
            },
        )
        .collect();
    let (mut inventory, solver) = if full {
        let total = db.solve(matrices, &demand, &config.solver)?;
        (total.inventory, total.report)
    } else {
        let skipped = SolveReport { method: "none (metrics only)".into(), iterations: 0, relative_residual: 0.0 };
        (vec![0.0; db.flows().len()], skipped)
    };

    let mut lines = Vec::new();
    let mut excluded = Vec::new();
    for (it, t) in items.iter().zip(&targets) {
        let amount_fu = it.rate * seconds_per_fu;
        match (t, it.mapping) {
            (Some(Target::Process(p)), _) => {
                lines.push((it, db.processes()[*p].name.clone(), amount_fu, amount_fu * unit_impact[*p]))
            }
            (Some(Target::Flow(f)), _) => {
                inventory[*f] += amount_fu;
                lines.push((it, db.flows()[*f].name.clone(), amount_fu, amount_fu * db.factor(category, *f)));
            }
            // The list of exclusions is for reports; metrics do not need it.
            (None, Some(Mapping::Excluded { reason })) if full => excluded.push(Exclusion {
                unit: it.unit.to_string(),
                flow: it.flow.to_string(),
                purpose: it.purpose.to_string(),
                amount: amount_fu,
                amount_unit: si_unit(it.dimension).into(),
                reason: reason.clone(),
            }),
            _ => {}
        }
    }
    // `+ 0.0` turns the -0.0 of an empty f64 sum into 0.0 for reports.
    let emissions: f64 = lines.iter().map(|l| l.3).sum::<f64>() + 0.0;
    let share = |x: f64| if emissions != 0.0 { x / emissions } else { 0.0 };
    let lines: Vec<InventoryLine> = lines
        .into_iter()
        .map(|(it, process, a, impact)| InventoryLine {
            unit: it.unit.to_string(),
            flow: it.flow.to_string(),
            purpose: it.purpose.to_string(),
            process,
            amount: a,
            amount_unit: si_unit(it.dimension).into(),
            impact: amount(impact),
            share: share(impact),
        })
        .collect();

    let aggregate = |key: &dyn Fn(&InventoryLine) -> &str, order: Vec<String>| -> Vec<Contribution> {
        let mut names = order;
        for l in &lines {
            if !names.iter().any(|n| n == key(l)) {
                names.push(key(l).to_string());
            }
        }
        names
            .into_iter()
            .filter_map(|name| {
                let mine: Vec<&InventoryLine> = lines.iter().filter(|l| key(l) == name).collect();
                if mine.is_empty() {
                    return None;
                }
                let x: f64 = mine.iter().map(|l| l.impact.per_functional_unit).sum();
                Some(Contribution { name, impact: amount(x), share: share(x) })
            })
            .collect()
    };
    let by_unit = aggregate(&|l| &l.unit, result.units.iter().map(|u| u.name.clone()).collect());
    let by_flow = aggregate(&|l| &l.flow, Vec::new());

    let mut avoided_lines = Vec::new();
    for (a, &p) in config.avoided.iter().zip(&avoided_processes) {
        let rate = result.stream(&a.stream).map_or(0.0, |s| s.stream.total_mass());
        let displaced = a.amount * rate * seconds_per_fu;
        avoided_lines.push(AvoidedLine {
            stream: a.stream.clone(),
            process: a.process.clone(),
            amount: displaced,
            credit: amount(displaced * unit_impact[p]),
            source: a.source.clone(),
        });
    }
    let avoided: f64 = avoided_lines.iter().map(|a| a.credit.per_functional_unit).sum::<f64>() + 0.0;
    let co2_factor = db.factor(category, db.require_flow(CO2_FLOW, "the CO2 uptake")?);
    let fixed = uptake_rate * seconds_per_fu;

    let impacts = if full { matrices.c.mul_vec(&inventory) } else { Vec::new() };
    let categories = db
        .categories()
        .iter()
        .zip(&impacts)
        .map(|(c, &h)| CategoryTotal { name: c.name.clone(), unit: c.unit.clone(), emissions: amount(h) })
        .collect();
    let inventory = db
        .flows()
        .iter()
        .zip(&inventory)
        .filter(|_| full)
        .filter(|(_, g)| **g != 0.0)
        .map(|(f, &g)| FlowTotal { name: f.name.clone(), amount: amount(g) })
        .collect();
    let processes = demanded
        .iter()
        .filter(|_| full)
        .map(|&p| {
            let pr = &db.processes()[p];
            ProcessUse {
                name: pr.name.clone(),
                description: pr.description.clone(),
                source: pr.source.clone(),
                impact_per_si_unit: unit_impact[p],
                amount: demand.iter().filter(|d| d.0 == p).map(|d| d.1).sum(),
            }
        })
        .collect();

    Ok(LcaResult {
        flowsheet: result.name.clone(),
        functional_unit: config.functional_unit.describe(),
        seconds_per_functional_unit: seconds_per_fu,
        functional_units_per_year: fu_per_year,
        reference_year: config.reference_year.clone(),
        category: db.categories()[category].name.clone(),
        impact_unit: db.categories()[category].unit.clone(),
        emissions: amount(emissions),
        co2_fixed: amount(fixed),
        avoided: amount(avoided),
        net_reduction: amount(fixed * co2_factor + avoided - emissions),
        by_unit,
        by_flow,
        lines,
        excluded,
        avoided_lines,
        processes,
        categories,
        inventory,
        solver,
    })
}
