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
//! ([`Background::keep_plan`]). A later sample is first checked against it: the same items from the
//! same places, under the same names, no lists built. With the plan's very component set,
//! its [`Shape`] resolved the names once (a utility's label is its kind's, a component's its
//! index's, a feed's mapping is its name's, which is compared once per stream) and knows the
//! gases, the carbon solids and the streams of each role, so the sample's units, streams and
//! sums are read by index; with another set, its entries are compared by name
//! ([`inventory::each_entry`]). When it matches, its metrics are written straight from its
//! rates, with the very sums and products of [`Assessment`] in the same order, so the bits
//! are the same. A sample whose inventory has another shape (an item whose rate falls to
//! zero, another flowsheet) is assessed in full, as before: the plan is a cache, never a
//! second source of numbers.

use calx_core::result::{FlowsheetResult, StreamRole};
use calx_core::{LayoutKey, MetricWriter, text};

use crate::assess::{self, Assessment, CO2_FLOW, SECONDS_PER_YEAR, Target};
use crate::background::{Background, UnitImpacts, metric_units};
use crate::config::FunctionalUnit;
use crate::inventory::{self, Shape, Source};

/// Inventory items a plan's samples hold on the stack; a larger inventory is assessed in full.
pub(crate) const MAX_ITEMS: usize = 128;

/// Inventory items of a small plan, whose samples hold (and zero) arrays of this length only.
const SMALL: usize = 16;

/// One background's assessment of one inventory shape, resolved.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Every inventory item, in inventory order, by name: what a sample whose component set
    /// is not the plan's very one is checked against.
    items: Vec<PlannedItem>,
    /// The same items by kind and index, with the units, streams and components they are
    /// read from: what a sample with the plan's component set is checked against.
    shape: Shape,
    /// The counted items, in inventory order.
    lines: Vec<PlannedLine>,
    /// Product streams the configuration names (the functional unit's, the avoided
    /// burdens'): index, name and role.
    streams: Vec<(usize, String, StreamRole)>,
    /// Feed streams the configuration maps whole, likewise: the shape checks their names
    /// and roles itself (every feed keeps its role, and one mapped whole its name).
    feeds: Vec<(usize, String, StreamRole)>,
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
        let items: Vec<PlannedItem> = items.collect();
        let unit_of = |l: &PlannedLine| items[l.item].unit.as_str();
        let flow_of = |l: &PlannedLine| items[l.item].flow.as_str();
        let by_unit = groups("emissions_by_unit.", result.units.iter().map(|u| u.name.as_str()), &lines, unit_of);
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
        let feeds = config.streams.keys().map(|name| named(name, StreamRole::Feed)).collect::<Option<_>>()?;
        let products = config.avoided.iter().map(|b| named(&b.stream, StreamRole::Product));
        let streams: Vec<_> = fu.into_iter().map(Some).chain(products).collect::<Option<_>>()?;
        let avoided = config
            .avoided
            .iter()
            .zip(&a.avoided)
            .map(|(b, &(p, _))| Some((result.streams.iter().position(|s| s.name == b.stream)?, b.amount, p)))
            .collect::<Option<_>>()?;
        let co2_flow = bg.db.require_flow(CO2_FLOW, "the CO2 uptake").ok()?;
        let entries = items.iter().map(|it| (it.source, it.unit.as_str(), it.flow.as_str()));
        let shape = Shape::of(result, config, entries);
        Some(Plan {
            items,
            shape,
            lines,
            streams,
            feeds,
            by_unit,
            by_flow,
            categories,
            avoided,
            co2_flow,
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
        // A sample's arrays live on the stack and are zeroed: a small plan's are short.
        if self.items.len() <= SMALL {
            self.write_with::<SMALL>(result, bg, units, w)
        } else {
            self.write_with::<MAX_ITEMS>(result, bg, units, w)
        }
    }

    /// [`Self::write`] with arrays of `N` items, `N` at least the plan's.
    fn write_with<const N: usize>(
        &self,
        result: &FlowsheetResult,
        bg: &Background,
        units: &(String, String),
        w: &mut MetricWriter<'_>,
    ) -> Option<()> {
        let mut rates = [0.0; N];
        let uptake_rate = self.read_rates(result, bg, &mut rates)?;
        let spf = assess::seconds_per_functional_unit(result, &bg.config.functional_unit, uptake_rate).ok()?;
        let fu_per_year = SECONDS_PER_YEAR / spf;
        let (mut amounts, mut impacts) = ([0.0; N], [None; N]);
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
        let variant = self.variant(complete);
        if let Some(variant) = variant {
            w.layout(LayoutKey::new(self.writer, variant));
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
        // The variant's bits, when it has one per category, say which are complete.
        let writes = |(i, c): &(usize, &PlannedCategory)| variant.map_or_else(|| complete(c), |v| v >> i & 1 == 1);
        for (_, c) in self.categories.iter().enumerate().filter(writes) {
            self.write_category(c, amounts, impacts, fu_per_year, w);
        }
        Some(())
    }

    /// The layout variant of a sample that writes the categories `complete` admits: bit `i`
    /// set when category `i` is complete; `None` (no layout declared) when there are more
    /// categories than a key's bits.
    fn variant(&self, complete: impl Fn(&PlannedCategory) -> bool) -> Option<u64> {
        let bits = u64::BITS as usize;
        (self.categories.len() <= bits)
            .then(|| (self.categories.iter().enumerate()).fold(0, |v, (i, c)| v | (u64::from(complete(c)) << i)))
    }

    /// Check `result`'s inventory against the plan's items, read their rates into `rates`
    /// (at least as long as the items) and return its CO2 uptake rate; `None` when it has
    /// another shape.
    fn read_rates(&self, result: &FlowsheetResult, bg: &Background, rates: &mut [f64]) -> Option<f64> {
        if !self.streams.iter().all(|s| named(result, s)) {
            return None;
        }
        if self.shape.is_for(result) {
            return self.shape.read(result, &bg.config, rates);
        }
        // Another component set, maybe an equal one: its items are compared by name.
        if !self.feeds.iter().all(|s| named(result, s)) {
            return None;
        }
        self.read_rates_by_name(result, bg, rates)?;
        Some(inventory::co2_uptake_rate(result))
    }

    /// [`Self::read_rates`] by the items' names, whatever `result`'s component set.
    fn read_rates_by_name(&self, result: &FlowsheetResult, bg: &Background, rates: &mut [f64]) -> Option<()> {
        if !self.shape.has_units_of(result) {
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

/// Whether `result`'s stream `i` is `name` and has `role`.
fn named(result: &FlowsheetResult, &(i, ref name, role): &(usize, String, StreamRole)) -> bool {
    result.streams.get(i).is_some_and(|s| text::same(&s.name, name) && s.role == role)
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

#[cfg(test)]
mod tests {
    //! A plan made from one result of the reference plant, fed results of another inventory
    //! shape: each must be refused (assessed in full), and a result of the same shape written
    //! with the full assessment's bits.

    use std::path::Path;
    use std::sync::{Arc, OnceLock};

    use calx_core::result::{FlowsheetResult, StreamRole};
    use calx_core::{MaterialUse, Metric, MetricWriter, Utility};

    use super::Plan;
    use crate::analysis::metrics_into;
    use crate::assess::Assessment;
    use crate::background::Background;
    use crate::config::{FunctionalUnit, LcaConfig, Mapping};
    use crate::database::Database;

    /// The KIGAM 2022 reference plant, solved.
    fn plant() -> &'static FlowsheetResult {
        static PLANT: OnceLock<FlowsheetResult> = OnceLock::new();
        PLANT.get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flowsheets/kigam-cfbc-2022.yaml");
            let model = calx::Project::load(&path, &calx::LoadOptions::default()).expect("the plant loads");
            model.build().expect("the plant builds").solve().expect("the plant solves")
        })
    }

    /// The plant's background with every utility counted and the feeds `whole` mapped as
    /// whole streams (the others by component: `H2O` to tap water by default, the ash's
    /// oxides excluded).
    fn background(whole: &[&str]) -> Background {
        let mut c = LcaConfig::new(FunctionalUnit::tonne_of("product"));
        c.utilities.insert(Utility::Electricity, Mapping::to("electricity_kr_2014_16"));
        c.utilities.insert(Utility::Cooling, Mapping::excluded("test"));
        c.utilities.insert(Utility::Heating, Mapping::excluded("test"));
        for name in whole {
            c.streams.insert((*name).into(), Mapping::excluded("test"));
        }
        for name in plant().components.names().filter(|&n| n != "H2O") {
            c.components.entry(name.into()).or_insert_with(|| Mapping::excluded("test"));
        }
        Background::new(Database::builtin(), c).unwrap_or_else(|e| panic!("{e}"))
    }

    type Bits = Vec<(String, u64, String)>;

    fn bits(metrics: &[Metric]) -> Bits {
        metrics.iter().map(|m| (m.name.clone(), m.value.to_bits(), m.unit.clone())).collect()
    }

    /// `result`'s metrics assessed in full, as the analysis writes them.
    fn full(result: &FlowsheetResult, bg: &Background) -> Bits {
        let a = Assessment::new(result, bg).unwrap_or_else(|e| panic!("{e:?}"));
        let mut out = Vec::new();
        metrics_into(&a.metric_figures(), &bg.metric_units, &mut MetricWriter::new(&mut out));
        bits(&out)
    }

    /// The metrics the plan of `at` writes for `result`; `None` when it refuses it.
    fn planned(at: &FlowsheetResult, result: &FlowsheetResult, bg: &Background) -> Option<Bits> {
        let plan = Plan::of(&Assessment::new(at, bg).unwrap_or_else(|e| panic!("{e:?}"))).expect("a plan");
        let mut out = Vec::new();
        let mut w = MetricWriter::new(&mut out);
        plan.write(result, bg, &bg.metric_units, &mut w)?;
        w.finish();
        Some(bits(&out))
    }

    /// `changed` refused by the plan of `at` (the shape check tells them apart), and
    /// assessable in full.
    fn refused(at: &FlowsheetResult, changed: &FlowsheetResult, bg: &Background) {
        assert_eq!(planned(at, changed, bg), None, "a result of another shape is refused");
        assert!(!full(changed, bg).is_empty());
    }

    /// `changed` written by the plan of `at` with the bits of its full assessment.
    fn written(at: &FlowsheetResult, changed: &FlowsheetResult, bg: &Background) {
        let expected = full(changed, bg);
        assert_eq!(planned(at, changed, bg), Some(expected.clone()));
        assert_ne!(expected, full(at, bg), "the numbers moved");
    }

    fn component(name: &str) -> usize {
        plant().components.index_of(name).unwrap_or_else(|| panic!("{name}"))
    }

    fn stream(r: &mut FlowsheetResult, name: &str) -> usize {
        r.streams.iter().position(|s| s.name == name).unwrap_or_else(|| panic!("{name}"))
    }

    /// Every rate moved, no item appearing or vanishing: the plan's numbers are the full
    /// assessment's, for a small plan and a large one (the ash by component).
    #[test]
    fn a_result_of_the_same_shape_is_written_with_the_full_assessments_bits() {
        let mut moved = plant().clone();
        for u in &mut moved.units {
            u.report.utilities.iter_mut().for_each(|x| x.rate *= 1.1);
        }
        // Not the flue gas: less CO2 in than leaves in the vent would be a generated gas.
        for s in moved.streams.iter_mut().filter(|s| s.role == StreamRole::Feed && s.name != "flue_gas") {
            s.stream.flows.iter_mut().for_each(|w| *w *= 0.9);
        }
        let i = stream(&mut moved, "product");
        moved.streams[i].stream.flows[component("CaCO3")] *= 1.05;
        for whole in [&["raw_ash", "flue_gas", "process_water"][..], &["flue_gas"]] {
            let bg = background(whole);
            written(plant(), &moved, &bg);
        }
        assert!(Plan::of(&Assessment::new(plant(), &background(&["flue_gas"])).unwrap()).unwrap().items.len() > 16);
    }

    /// An equal component set that is not the plan's very one: compared by name, written.
    #[test]
    fn a_result_with_an_equal_component_set_is_compared_by_name() {
        let bg = background(&["raw_ash", "flue_gas"]);
        let mut copy = plant().clone();
        copy.components = Arc::new((*plant().components).clone());
        let (u, k) = first_utility(&copy);
        copy.units[u].report.utilities[k].rate *= 1.1;
        written(plant(), &copy, &bg);
        copy.units[u].report.utilities[k].rate = 0.0;
        refused(plant(), &copy, &bg);
    }

    /// The first utility with a rate: unit and index.
    fn first_utility(r: &FlowsheetResult) -> (usize, usize) {
        let at = |(i, u): (usize, &calx_core::result::UnitResult)| {
            Some((i, u.report.utilities.iter().position(|x| x.rate > 0.0)?))
        };
        r.units.iter().enumerate().find_map(at).expect("a utility")
    }

    #[test]
    fn a_utility_that_appears_vanishes_or_changes_kind_is_refused() {
        let bg = background(&["raw_ash", "flue_gas", "process_water"]);
        let (u, k) = first_utility(plant());
        let mut without = plant().clone();
        without.units[u].report.utilities[k].rate = 0.0;
        refused(plant(), &without, &bg);
        refused(&without, plant(), &bg);
        let mut other = plant().clone();
        let x = &mut other.units[u].report.utilities[k];
        x.utility = if x.utility == Utility::Cooling { Utility::Electricity } else { Utility::Cooling };
        refused(plant(), &other, &bg);
    }

    #[test]
    fn a_material_that_appears_or_changes_component_is_refused_and_one_that_stays_is_written() {
        let bg = background(&["raw_ash", "flue_gas", "process_water"]);
        let material = |component: usize, rate: f64| MaterialUse {
            purpose: "make-up".into(),
            component,
            rate,
            temperature: 298.15,
        };
        // Make-up CO2, water and calcite: the gas sums, the water's line and the CO2 uptake
        // read them.
        let mut with = plant().clone();
        with.units[2].report.materials.push(material(component("CO2"), 0.01));
        with.units[3].report.materials.push(material(component("H2O"), 0.02));
        with.units[4].report.materials.push(material(component("CaCO3"), 0.001));
        refused(plant(), &with, &bg);
        refused(&with, plant(), &bg);
        let mut more = with.clone();
        more.units[2].report.materials[0].rate = 0.015;
        more.units[3].report.materials[0].rate = 0.03;
        more.units[4].report.materials[0].rate = 0.002;
        written(&with, &more, &bg);
        let mut other = with.clone();
        other.units[3].report.materials[0].component = component("CO2");
        refused(&with, &other, &bg);
    }

    #[test]
    fn a_feed_renamed_to_a_name_the_configuration_maps_is_refused_and_to_another_written() {
        // Process water by component (H2O to tap water): renamed, still by component.
        let bg = background(&["raw_ash", "flue_gas"]);
        let mut renamed = plant().clone();
        let i = stream(&mut renamed, "process_water");
        assert!(i > stream(&mut renamed, "flue_gas"), "the stream the configuration maps is found first");
        renamed.streams[i].name = "fresh_water".into();
        renamed.streams[i].stream.flows[component("H2O")] *= 1.01;
        written(plant(), &renamed, &bg);
        // Under the name of a stream the configuration maps whole, it is a whole stream.
        renamed.streams[i].name = "flue_gas".into();
        assert_eq!(planned(plant(), &renamed, &bg), None);
        // A second stream under a name the configuration maps whole (the first is the one
        // it names), renamed to another such name: its label is the new name.
        let mut twice = plant().clone();
        twice.streams[i].name = "flue_gas".into();
        let mut other = twice.clone();
        other.streams[i].name = "raw_ash".into();
        refused(&twice, &other, &bg);
        // A stream the configuration maps whole, renamed, even with nothing in it: the
        // configuration names a stream that is not there.
        let mut gone = plant().clone();
        let ash = stream(&mut gone, "raw_ash");
        gone.streams[ash].name = "ash".into();
        assert_eq!(planned(plant(), &gone, &bg), None);
        let mut empty = plant().clone();
        empty.streams[ash].stream.flows.iter_mut().for_each(|w| *w = 0.0);
        gone.streams[ash].stream.flows.iter_mut().for_each(|w| *w = 0.0);
        assert_eq!(planned(&empty, &gone, &bg), None);
        // The unit a feed enters is its unit.
        let mut elsewhere = plant().clone();
        let to = elsewhere.units[0].name.clone();
        let endpoint = elsewhere.streams[i].destination.as_mut().expect("a destination");
        assert_ne!(endpoint.unit, to);
        endpoint.unit = to;
        refused(plant(), &elsewhere, &bg);
    }

    #[test]
    fn a_feed_component_that_appears_or_a_whole_feed_that_vanishes_is_refused() {
        let bg = background(&["raw_ash", "flue_gas"]);
        let mut with = plant().clone();
        let i = stream(&mut with, "process_water");
        with.streams[i].stream.flows[component("CaO")] = 0.001;
        refused(plant(), &with, &bg);
        let mut without = plant().clone();
        let i = stream(&mut without, "raw_ash");
        without.streams[i].stream.flows.iter_mut().for_each(|w| *w = 0.0);
        refused(plant(), &without, &bg);
    }

    #[test]
    fn a_generated_gas_that_appears_or_leaves_in_another_stream_is_refused() {
        let bg = background(&["raw_ash", "flue_gas", "process_water"]);
        let (co2, vent) = (component("CO2"), stream(&mut plant().clone(), "vent_gas"));
        let feed: f64 =
            plant().streams.iter().filter(|s| s.role == StreamRole::Feed).map(|s| s.stream.flows[co2]).sum();
        let mut generating = plant().clone();
        generating.streams[vent].stream.flows[co2] = 1.5 * feed;
        refused(plant(), &generating, &bg);
        refused(&generating, plant(), &bg);
        let mut more = generating.clone();
        more.streams[vent].stream.flows[co2] = 1.6 * feed;
        written(&generating, &more, &bg);
        let product = stream(&mut more, "product");
        more.streams[product].stream.flows[co2] = 0.01 * feed;
        refused(&generating, &more, &bg);
    }

    #[test]
    fn a_result_whose_streams_have_other_roles_is_refused() {
        let bg = background(&["raw_ash", "flue_gas", "process_water"]);
        let mut other = plant().clone();
        let i = other.streams.iter().position(|s| s.role == StreamRole::Internal).expect("an internal stream");
        other.streams[i].role = StreamRole::Product;
        assert_eq!(planned(plant(), &other, &bg), None);
    }
}
