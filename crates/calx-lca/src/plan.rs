//! A compiled assessment: what an LCA's metrics need from one background and one inventory
//! shape, resolved once, so that a study's samples only multiply numbers.
//!
//! The first assessment a [`Background`] makes for a study's figures leaves a [`Plan`]: every
//! inventory item with where its rate is read ([`Source`]), the background process or
//! elementary flow each counted one goes to, the groups of lines each contribution by unit
//! and by flow sums, the other categories with their metric units, and the streams the
//! configuration names. It holds no impact: those are read from the background for every
//! sample (each process's solved once and remembered there), so a plan stays true when a
//! study replaces an emission factor, which changes numbers, never indices or names
//! ([`Background::keep_plan`]). A later sample is first checked against it (the same items from the
//! same places, under the same names, no lists built: [`inventory::each_entry`]); when it
//! matches, its metrics are written straight from its rates, with the very sums and products
//! of [`Assessment`] in the same order, so the bits are the same. A sample whose inventory has
//! another shape (an item whose rate falls to zero, another flowsheet) is assessed in full, as
//! before: the plan is a cache, never a second source of numbers.

use std::sync::Arc;

use calx_core::result::{FlowsheetResult, StreamRole};
use calx_core::{ComponentSet, LayoutKey, MetricWriter, text};

use crate::assess::{self, Assessment, CO2_FLOW, SECONDS_PER_YEAR, Target};
use crate::background::{Background, UnitImpacts, metric_units};
use crate::config::FunctionalUnit;
use crate::inventory::{self, CarbonSolid, Source};

/// Inventory items a plan's samples hold on the stack; a larger inventory is assessed in full.
pub(crate) const MAX_ITEMS: usize = 128;

/// One background's assessment of one inventory shape, resolved.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Every inventory item, in inventory order.
    items: Vec<PlannedItem>,
    /// The counted items, in inventory order.
    lines: Vec<PlannedLine>,
    /// Names of the flowsheet's units, in order (the order of the contributions by unit).
    unit_names: Vec<String>,
    /// Streams the configuration names: index, name and role.
    streams: Vec<(usize, String, StreamRole)>,
    /// Contributions by unit: name and the lines it sums, in [`Assessment`]'s order.
    by_unit: Vec<Group>,
    /// Contributions by flow, likewise.
    by_flow: Vec<Group>,
    /// The other categories, which get metrics when they characterise the whole inventory.
    categories: Vec<PlannedCategory>,
    /// Per avoided burden: its stream's index, the amount displaced per kg, the displaced
    /// process.
    avoided: Vec<(usize, f64, usize)>,
    /// The elementary flow whose factor converts fixed CO2.
    co2_flow: usize,
    /// The component set of the plan's flowsheet (held, so that a result whose set is this
    /// very one has these components), and its solids with carbon for the CO2 uptake.
    components: Arc<ComponentSet>,
    carbon_solids: Vec<CarbonSolid>,
    /// The plan's number as a writer of metric layouts ([`LayoutKey`]): its metrics' names
    /// and units are its own (the background's metric units, which a kept plan's new
    /// background shares: the same database and category), so that one of its layouts is
    /// told by which categories it writes.
    writer: u64,
}

/// An inventory item: where its rate is read, and the names it goes by.
#[derive(Debug)]
struct PlannedItem {
    source: Source,
    unit: String,
    flow: String,
}

/// A counted item: which, and where it is counted.
#[derive(Debug)]
struct PlannedLine {
    item: usize,
    target: Target,
}

/// A contribution: its metric's name (`emissions_by_unit.hydration`) and the lines (indices
/// into [`Plan::lines`]) it sums.
#[derive(Debug)]
struct Group {
    metric: String,
    lines: Vec<usize>,
}

/// A category other than the headline one that characterises the whole inventory.
#[derive(Debug)]
struct PlannedCategory {
    index: usize,
    /// Its metrics' names, whole (written once here, so that a sample compares each with its
    /// slot in one piece): emissions per functional unit and per year, then one per
    /// contribution by unit and by flow, in the order of [`Plan::by_unit`] and
    /// [`Plan::by_flow`].
    totals: (String, String),
    contributions: Vec<String>,
    /// Metric units per functional unit and per year.
    units: (String, String),
}

impl Plan {
    /// The plan of `a`'s inventory shape; `None` when it is larger than [`MAX_ITEMS`].
    pub(crate) fn of(a: &Assessment<'_>) -> Option<Plan> {
        if a.items.len() > MAX_ITEMS {
            return None;
        }
        let (result, bg) = (a.result, a.background);
        let items =
            a.items.iter().map(|it| PlannedItem { source: it.source, unit: it.unit.into(), flow: it.flow.to_string() });
        let counted = a.items.iter().zip(&a.counted).enumerate().filter_map(|(k, (_, c))| Some((k, c.as_ref()?)));
        let lines: Vec<PlannedLine> = counted.map(|(item, c)| PlannedLine { item, target: c.target }).collect();
        let unit_names: Vec<String> = result.units.iter().map(|u| u.name.clone()).collect();
        let items: Vec<PlannedItem> = items.collect();
        let unit_of = |l: &PlannedLine| items[l.item].unit.as_str();
        let flow_of = |l: &PlannedLine| items[l.item].flow.as_str();
        let by_unit = groups("emissions_by_unit.", unit_names.iter().map(String::as_str), &lines, unit_of);
        let by_flow = groups("emissions_by_flow.", std::iter::empty(), &lines, flow_of);
        let categories = (0..bg.db.categories().len())
            .filter(|&c| c != bg.category)
            .map(|c| {
                let category = &bg.db.categories()[c];
                let name = &category.name;
                PlannedCategory {
                    index: c,
                    totals: (
                        format!("category.{name}.emissions_per_functional_unit"),
                        format!("category.{name}.emissions_per_year"),
                    ),
                    contributions: by_unit
                        .iter()
                        .chain(&by_flow)
                        .map(|g| format!("category.{name}.{}", g.metric))
                        .collect(),
                    units: metric_units(&category.unit),
                }
            })
            .collect();
        let config = &bg.config;
        let named = |name: &str, role: StreamRole| {
            let i = result.streams.iter().position(|s| s.name == name)?;
            Some((i, name.to_string(), role))
        };
        let fu = match &config.functional_unit {
            FunctionalUnit::Product { stream, .. } => Some(named(stream, StreamRole::Product)?),
            FunctionalUnit::Co2Fixed { .. } => None,
        };
        let feeds = config.streams.keys().map(|name| named(name, StreamRole::Feed));
        let products = config.avoided.iter().map(|b| named(&b.stream, StreamRole::Product));
        let streams: Vec<_> = fu.into_iter().map(Some).chain(feeds).chain(products).collect::<Option<_>>()?;
        let avoided = config
            .avoided
            .iter()
            .zip(&a.avoided)
            .map(|(b, &(p, _))| Some((result.streams.iter().position(|s| s.name == b.stream)?, b.amount, p)))
            .collect::<Option<_>>()?;
        let co2_flow = bg.db.require_flow(CO2_FLOW, "the CO2 uptake").ok()?;
        let components = Arc::clone(&result.components);
        let carbon_solids = inventory::carbon_solids(&components);
        Some(Plan {
            items,
            lines,
            unit_names,
            streams,
            by_unit,
            by_flow,
            categories,
            avoided,
            co2_flow,
            components,
            carbon_solids,
            writer: LayoutKey::new_writer(),
        })
    }

    /// Write the metrics of `result` in `units` (per functional unit, per year) when its
    /// inventory has the plan's shape; `None` (nothing to keep) when it does not, or when
    /// the functional unit cannot be made.
    pub(crate) fn write(
        &self,
        result: &FlowsheetResult,
        bg: &Background,
        units: &(String, String),
        w: &mut MetricWriter<'_>,
    ) -> Option<()> {
        let mut rates = [0.0; MAX_ITEMS];
        self.read_rates(result, bg, &mut rates)?;
        // The same set (the very one, which the plan holds): its carbon solids are known.
        let uptake_rate = if Arc::ptr_eq(&result.components, &self.components) {
            inventory::co2_uptake_rate_of(result, &self.carbon_solids)
        } else {
            inventory::co2_uptake_rate(result)
        };
        let spf = assess::seconds_per_functional_unit(result, &bg.config.functional_unit, uptake_rate).ok()?;
        let fu_per_year = SECONDS_PER_YEAR / spf;
        let (mut amounts, mut impacts) = ([0.0; MAX_ITEMS], [None; MAX_ITEMS]);
        for ((a, u), l) in amounts.iter_mut().zip(&mut impacts).zip(&self.lines) {
            *a = rates[l.item] * spf;
            *u = Some(match l.target {
                Target::Process(p) => bg.unit_impacts_of(p).ok()?,
                Target::Flow(f) => bg.flow_impacts_of(f),
            });
        }
        let n = self.lines.len();
        let (amounts, impacts) = (&amounts[..n], &impacts[..n]);
        let per_si = |j: usize| impacts[j].map_or(f64::NAN, |u| u.impacts[bg.category]);
        let impact = |j: usize| amounts[j] * per_si(j);
        // `+ 0.0` as in `Assessment::figures_with`: an empty sum's -0.0 becomes 0.0.
        let emissions = (0..amounts.len()).map(impact).sum::<f64>() + 0.0;
        let mut avoided: f64 = std::iter::empty::<f64>().sum();
        for &(stream, amount, p) in &self.avoided {
            avoided += amount * result.streams[stream].stream.total_mass() * spf * bg.unit_impact(p).ok()?;
        }
        let avoided = avoided + 0.0;
        let fixed = uptake_rate * spf;
        let net = fixed * bg.flow_factor(self.co2_flow) + avoided - emissions;
        let complete = |c: &PlannedCategory| impacts.iter().flatten().all(|u| u.complete[c.index]);
        if let Some(key) = self.layout_of(complete) {
            w.layout(key);
        }
        let (per_fu, per_yr) = units;
        for (fu_name, yr_name, x) in [
            ("emissions_per_functional_unit", "emissions_per_year", emissions),
            ("co2_fixed_per_functional_unit", "co2_fixed_per_year", fixed),
            ("avoided_per_functional_unit", "avoided_per_year", avoided),
            ("net_reduction_per_functional_unit", "net_reduction_per_year", net),
        ] {
            w.put(fu_name, x, per_fu);
            w.put(yr_name, x * fu_per_year, per_yr);
        }
        for g in self.by_unit.iter().chain(&self.by_flow) {
            w.put(&g.metric, g.lines.iter().map(|&j| impact(j)).sum(), per_fu);
        }
        for c in self.categories.iter().filter(|c| complete(c)) {
            self.write_category(c, amounts, impacts, fu_per_year, w);
        }
        Some(())
    }

    /// The layout of a sample that writes the categories `complete` admits: one bit per
    /// category; `None` (no layout declared) when there are more than a key's bits.
    fn layout_of(&self, complete: impl Fn(&PlannedCategory) -> bool) -> Option<LayoutKey> {
        let bits = u64::BITS as usize;
        (self.categories.len() <= bits).then(|| {
            let variant = (self.categories.iter().enumerate()).fold(0, |v, (i, c)| v | (u64::from(complete(c)) << i));
            LayoutKey::new(self.writer, variant)
        })
    }

    /// Check `result`'s inventory against the plan's items and read their rates into
    /// `rates`; `None` when it has another shape.
    fn read_rates(&self, result: &FlowsheetResult, bg: &Background, rates: &mut [f64; MAX_ITEMS]) -> Option<()> {
        let same_units = result.units.iter().zip(&self.unit_names).all(|(u, name)| text::same(&u.name, name));
        if result.units.len() != self.unit_names.len() || !same_units {
            return None;
        }
        let named = |&(i, ref name, role): &(usize, String, StreamRole)| {
            result.streams.get(i).is_some_and(|s| text::same(&s.name, name) && s.role == role)
        };
        if !self.streams.iter().all(named) {
            return None;
        }
        let (mut k, mut same) = (0, true);
        inventory::each_entry(result, &bg.config, |e| {
            match self.items.get(k) {
                Some(p) if same && p.source == e.source && text::same(&p.unit, e.unit) && e.flow.reads(&p.flow) => {
                    rates[k] = e.rate;
                }
                _ => same = false,
            }
            k += 1;
        });
        (same && k == self.items.len()).then_some(())
    }

    /// One other category's metrics, as `analysis::metrics_into` writes them.
    fn write_category(
        &self,
        c: &PlannedCategory,
        amounts: &[f64],
        impacts: &[Option<&UnitImpacts>],
        fu_per_year: f64,
        w: &mut MetricWriter<'_>,
    ) {
        let x = |j: usize| amounts[j] * impacts[j].map_or(f64::NAN, |u| u.impacts[c.index]);
        let emissions = (0..amounts.len()).map(x).sum::<f64>() + 0.0;
        let (fu, yr) = &c.units;
        w.put(&c.totals.0, emissions, fu);
        w.put(&c.totals.1, emissions * fu_per_year, yr);
        for (g, metric) in self.by_unit.iter().chain(&self.by_flow).zip(&c.contributions) {
            w.put(metric, g.lines.iter().map(|&j| x(j)).sum(), fu);
        }
    }
}

/// The groups `assess::aggregate` sums: the names of `order` first, then the others in the
/// order they first appear among `lines` (named by `name_of`); names without lines left out.
/// Each group's metric is its name after `prefix`.
fn groups<'n>(
    prefix: &str,
    order: impl Iterator<Item = &'n str>,
    lines: &'n [PlannedLine],
    name_of: impl Fn(&PlannedLine) -> &'n str,
) -> Vec<Group> {
    let mut names: Vec<&str> = order.collect();
    for l in lines {
        if !names.contains(&name_of(l)) {
            names.push(name_of(l));
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let mine: Vec<usize> = (0..lines.len()).filter(|&j| name_of(&lines[j]) == name).collect();
            (!mine.is_empty()).then(|| Group { metric: format!("{prefix}{name}"), lines: mine })
        })
        .collect()
}
