//! The foreground inventory of a converged flowsheet, with the mapping the configuration gives
//! each item, and the CO2 fixed in solids from the carbon balance (conventions on
//! [`crate::assess`]).
//!
//! Items borrow their names from the flowsheet result and the configuration: a study builds
//! them for every sample, and only reports and error messages need their words. A compiled
//! plan builds none: it reads a sample's rates by the [`Shape`] of the inventory it was made
//! from.

use std::borrow::Cow;
use std::sync::Arc;

use calx_core::result::{Endpoint, FlowsheetResult, StreamResult, StreamRole};
use calx_core::{Component, ComponentSet, Dimension, Phase, Utility, text};

use crate::assess::CO2_MOLAR_MASS;
use crate::config::{LcaConfig, Mapping};
use crate::error::{LcaError, Refusal};

/// One foreground inventory item.
pub(crate) struct Item<'a> {
    /// Unit that causes it.
    pub(crate) unit: &'a str,
    /// Flow label: `electricity`, a component name, a stream name, `direct CO2`.
    pub(crate) flow: Cow<'a, str>,
    /// Why it is in the inventory.
    pub(crate) purpose: Purpose<'a>,
    /// SI per second.
    pub(crate) rate: f64,
    /// What `rate` measures per second: energy or mass.
    pub(crate) dimension: Dimension,
    /// Where the configuration sends it (`None`: nowhere, an error).
    pub(crate) mapping: Option<&'a Mapping>,
    /// Where its rate is read.
    pub(crate) source: Source,
}

impl Item<'_> {
    /// A gas generated in the process, counted as an elementary flow rather than a process.
    pub(crate) fn is_emission(&self) -> bool {
        matches!(self.purpose, Purpose::Generated { .. })
    }

    /// SI unit of the item's amounts.
    pub(crate) fn si_unit(&self) -> &'static str {
        if self.dimension == Dimension::ENERGY { "J" } else { "kg" }
    }
}

/// Why an item is in the inventory, rendered only for reports and messages.
#[derive(Clone, Copy)]
pub(crate) enum Purpose<'a> {
    /// A utility, with the unit's own words.
    Utility(&'a str),
    /// A make-up material, with the unit's own words.
    MakeUp(&'a str),
    /// A component of a feed stream.
    Feed(&'a str),
    /// A whole feed stream, mapped as one (`streams`).
    FeedStream(&'a str),
    /// A gas generated in the process and leaving in a product stream.
    Generated { component: &'a str, stream: &'a str },
}

impl Purpose<'_> {
    /// The `analyses:` parameter that maps items of this kind.
    pub(crate) fn param(self) -> &'static str {
        match self {
            Purpose::Utility(_) => "utilities",
            Purpose::MakeUp(_) | Purpose::Feed(_) => "components",
            Purpose::FeedStream(_) => "streams",
            Purpose::Generated { .. } => "emissions",
        }
    }

    /// What an unmapped item of this kind is called, and how to map it.
    fn kind_and_fix(self) -> (&'static str, &'static str) {
        match self {
            Purpose::Generated { .. } => ("direct emission", "map the component in `direct_emissions`"),
            Purpose::Feed(_) | Purpose::FeedStream(_) => {
                ("feed", "map the component in `components` or the stream in `streams`")
            }
            Purpose::MakeUp(_) => ("make-up material", "map the component in `components`"),
            Purpose::Utility(_) => ("utility", "map the utility in `utilities`"),
        }
    }
}

impl std::fmt::Display for Purpose<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Purpose::Utility(p) => f.write_str(p),
            Purpose::MakeUp(p) => write!(f, "make-up: {p}"),
            Purpose::Feed(s) | Purpose::FeedStream(s) => write!(f, "feed stream {s}"),
            Purpose::Generated { component, stream } => write!(f, "generated {component} in stream {stream}"),
        }
    }
}

/// Where an item's rate is read in a flowsheet result, and by what the configuration maps
/// it: what a compiled plan ([`crate::plan`]) checks each sample's inventory against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Source {
    /// `units[unit].report.utilities[k]`.
    Utility { unit: usize, k: usize },
    /// `units[unit].report.materials[k]`.
    Material { unit: usize, k: usize },
    /// The whole feed stream `streams[stream]`.
    FeedStream { stream: usize },
    /// One component of the feed stream `streams[stream]`.
    FeedComponent { stream: usize, component: usize },
    /// Gas `component` generated and leaving in the product stream `streams[stream]`.
    Generated { component: usize, stream: usize },
}

/// An item's flow label, borrowed: a name, or a gas generated in the process
/// (`direct {component}`, written only for reports).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Flow<'a> {
    Name(&'a str),
    Direct(&'a str),
}

impl<'a> Flow<'a> {
    /// The label as text.
    pub(crate) fn to_cow(self) -> Cow<'a, str> {
        match self {
            Flow::Name(name) => Cow::Borrowed(name),
            Flow::Direct(component) => Cow::Owned(format!("direct {component}")),
        }
    }

    /// Whether the label reads `text`.
    pub(crate) fn reads(self, text: &str) -> bool {
        match self {
            Flow::Name(name) => calx_core::text::same(name, text),
            Flow::Direct(component) => {
                text.strip_prefix("direct ").is_some_and(|c| calx_core::text::same(c, component))
            }
        }
    }
}

/// What the configuration maps an item by.
#[derive(Clone, Copy)]
enum Key<'a> {
    Utility(Utility),
    Component(&'a str),
    Stream(&'a str),
    Emission(&'a str),
}

/// One item as the walk over a flowsheet finds it, before its mapping is looked up.
pub(crate) struct Entry<'a> {
    pub(crate) unit: &'a str,
    pub(crate) flow: Flow<'a>,
    purpose: Purpose<'a>,
    pub(crate) rate: f64,
    dimension: Dimension,
    key: Key<'a>,
    pub(crate) source: Source,
}

/// The foreground inventory in flowsheet order: per unit its utilities and make-up materials,
/// then the feed streams, then the gases generated in the process. Zero rates are not items.
pub(crate) fn foreground<'a>(result: &'a FlowsheetResult, config: &'a LcaConfig) -> Vec<Item<'a>> {
    let mut items = Vec::new();
    each_entry(result, config, |e| {
        let mapping = match e.key {
            Key::Utility(u) => config.utilities.get(&u),
            Key::Component(name) => config.components.get(name),
            Key::Stream(name) => config.streams.get(name),
            Key::Emission(name) => config.direct_emissions.get(name),
        };
        items.push(Item {
            unit: e.unit,
            flow: e.flow.to_cow(),
            purpose: e.purpose,
            rate: e.rate,
            dimension: e.dimension,
            mapping,
            source: e.source,
        });
    });
    items
}

/// [`foreground`] item by item, without a list or a lookup of mappings: what a compiled
/// plan reads a sample's rates with when the sample's component set is not the plan's very
/// one (else its [`Shape`] reads them by index).
pub(crate) fn each_entry<'a>(result: &'a FlowsheetResult, config: &LcaConfig, mut visit: impl FnMut(Entry<'a>)) {
    unit_items(result, &mut visit);
    feed_items(result, config, &mut visit);
    generated_gases(result, &mut visit);
}

/// Utilities and make-up materials of every unit.
fn unit_items<'a>(result: &'a FlowsheetResult, visit: &mut impl FnMut(Entry<'a>)) {
    for (i, u) in result.units.iter().enumerate() {
        for (k, use_) in u.report.utilities.iter().enumerate().filter(|(_, x)| x.rate > 0.0) {
            visit(Entry {
                unit: &u.name,
                flow: Flow::Name(use_.utility.name()),
                purpose: Purpose::Utility(&use_.purpose),
                rate: use_.rate,
                dimension: if use_.utility == Utility::Water { Dimension::MASS } else { Dimension::ENERGY },
                key: Key::Utility(use_.utility),
                source: Source::Utility { unit: i, k },
            });
        }
        for (k, m) in u.report.materials.iter().enumerate().filter(|(_, x)| x.rate > 0.0) {
            let name = result.components.get(m.component).map_or("?", |c| c.name.as_str());
            visit(Entry {
                unit: &u.name,
                flow: Flow::Name(name),
                purpose: Purpose::MakeUp(&m.purpose),
                rate: m.rate,
                dimension: Dimension::MASS,
                key: Key::Component(name),
                source: Source::Material { unit: i, k },
            });
        }
    }
}

/// Feed streams, attributed to the unit they enter: whole if `streams` maps them, else by
/// component.
fn feed_items<'a>(result: &'a FlowsheetResult, config: &LcaConfig, visit: &mut impl FnMut(Entry<'a>)) {
    for (i, s) in result.streams.iter().enumerate().filter(|(_, s)| s.role == StreamRole::Feed) {
        let unit = s.destination.as_ref().map_or(s.name.as_str(), |d| d.unit.as_str());
        if config.streams.contains_key(&s.name) {
            let rate = s.stream.total_mass();
            if rate > 0.0 {
                visit(Entry {
                    unit,
                    flow: Flow::Name(&s.name),
                    purpose: Purpose::FeedStream(&s.name),
                    rate,
                    dimension: Dimension::MASS,
                    key: Key::Stream(&s.name),
                    source: Source::FeedStream { stream: i },
                });
            }
            continue;
        }
        for (j, (c, &w)) in result.components.iter().zip(&s.stream.flows).enumerate() {
            if w > 0.0 {
                visit(Entry {
                    unit,
                    flow: Flow::Name(&c.name),
                    purpose: Purpose::Feed(&s.name),
                    rate: w,
                    dimension: Dimension::MASS,
                    key: Key::Component(&c.name),
                    source: Source::FeedComponent { stream: i, component: j },
                });
            }
        }
    }
}

/// Gas-phase species leaving in product streams beyond what feeds and make-up bring in,
/// attributed to the units whose product streams carry them.
fn generated_gases<'a>(result: &'a FlowsheetResult, visit: &mut impl FnMut(Entry<'a>)) {
    for (i, c) in result.components.iter().enumerate().filter(|(_, c)| c.phase == Phase::Gas) {
        let out = role_sum(result, StreamRole::Product, i);
        let inflow = role_sum(result, StreamRole::Feed, i) + makeup(result, i);
        let generated = out - inflow;
        if generated.is_nan() || generated <= 1e-9 * out.max(inflow) || out <= 0.0 {
            continue;
        }
        let leaving = result.streams.iter().enumerate();
        for (j, s) in leaving.filter(|(_, s)| s.role == StreamRole::Product && s.stream.flows[i] > 0.0) {
            visit(Entry {
                unit: s.source.as_ref().map_or(s.name.as_str(), |e| e.unit.as_str()),
                flow: Flow::Direct(&c.name),
                purpose: Purpose::Generated { component: &c.name, stream: &s.name },
                rate: generated * s.stream.flows[i] / out,
                dimension: Dimension::MASS,
                key: Key::Emission(&c.name),
                source: Source::Generated { component: i, stream: j },
            });
        }
    }
}

/// An inventory shape resolved against its flowsheet's component set, stream roles and unit
/// names: what a compiled plan ([`crate::plan`]) reads every sample's rates with. It visits the
/// sources [`each_entry`] visits, in the same order and with the same sums, but compares kinds
/// and indices where [`each_entry`] builds names; it reads a result with the very component set
/// it was made for, whose streams have its streams' roles and whose units have its units' names.
#[derive(Debug)]
pub(crate) struct Shape {
    /// The items, in inventory order.
    items: Vec<Expected>,
    /// Names of the units, in order: a unit item's unit is its unit's name.
    unit_names: Vec<String>,
    /// Per stream: its name, its role, and whether `streams` maps it whole.
    streams: Vec<(String, StreamRole, bool)>,
    /// Indices of the feed and the product streams, in stream order.
    feeds: Vec<usize>,
    products: Vec<usize>,
    /// Indices of the gas-phase components, in component order.
    gases: Vec<usize>,
    /// The solids with carbon, for the CO2 uptake.
    carbon_solids: Vec<CarbonSolid>,
    /// The component set it was made for (held, so that a result whose set is this very one
    /// has these components, phases and names).
    components: Arc<ComponentSet>,
}

/// An item as a sample must show it: where its rate is read, and what its entry's names
/// depend on besides that place and the names the shape checks as a whole.
#[derive(Debug)]
struct Expected {
    source: Source,
    what: What,
}

/// What an item's names depend on in a sample.
#[derive(Debug)]
enum What {
    /// A utility: its kind gives its flow label.
    Utility(Utility),
    /// A make-up material: its component (whose name is its flow label) and that name.
    Material { component: usize, flow: String },
    /// A feed or a generated gas: the unit it is attributed to (an endpoint's unit, or its
    /// stream's name).
    At(String),
}

/// The unit a feed (the destination's) or a product stream (the source's) is attributed to.
fn unit_at<'a>(s: &'a StreamResult, endpoint: &'a Option<Endpoint>) -> &'a str {
    endpoint.as_ref().map_or(s.name.as_str(), |e| e.unit.as_str())
}

impl Shape {
    /// The shape of `result`'s inventory under `config`, whose entries are `entries` (what
    /// [`each_entry`] visits, by source, unit and flow label).
    pub(crate) fn of<'a>(
        result: &FlowsheetResult,
        config: &LcaConfig,
        entries: impl Iterator<Item = (Source, &'a str, &'a str)>,
    ) -> Shape {
        let expected = |(source, unit, flow): (Source, &str, &str)| Expected {
            source,
            what: match source {
                Source::Utility { unit: i, k } => What::Utility(result.units[i].report.utilities[k].utility),
                Source::Material { unit: i, k } => {
                    What::Material { component: result.units[i].report.materials[k].component, flow: flow.into() }
                }
                Source::FeedStream { .. } | Source::FeedComponent { .. } | Source::Generated { .. } => {
                    What::At(unit.into())
                }
            },
        };
        let with_role = |role: StreamRole| (0..result.streams.len()).filter(move |&j| result.streams[j].role == role);
        let components = Arc::clone(&result.components);
        Shape {
            items: entries.map(expected).collect(),
            unit_names: result.units.iter().map(|u| u.name.clone()).collect(),
            streams: (result.streams.iter())
                .map(|s| (s.name.clone(), s.role, config.streams.contains_key(&s.name)))
                .collect(),
            feeds: with_role(StreamRole::Feed).collect(),
            products: with_role(StreamRole::Product).collect(),
            gases: (components.iter().enumerate()).filter(|(_, c)| c.phase == Phase::Gas).map(|(i, _)| i).collect(),
            carbon_solids: carbon_solids(&components),
            components,
        }
    }

    /// Whether `result`'s component set is the very one the shape was made for.
    pub(crate) fn is_for(&self, result: &FlowsheetResult) -> bool {
        Arc::ptr_eq(&result.components, &self.components)
    }

    /// Whether `result`'s units have the shape's names, in order.
    pub(crate) fn has_units_of(&self, result: &FlowsheetResult) -> bool {
        let same = result.units.iter().zip(&self.unit_names).all(|(u, name)| text::same(&u.name, name));
        result.units.len() == self.unit_names.len() && same
    }

    /// When `result`'s inventory under `config` has this shape: its items' rates, into `rates`
    /// (at least as long as the items), and its CO2 uptake rate ([`co2_uptake_rate`]). `None`
    /// when it has another shape, or when the shape cannot tell: another component set, other
    /// stream roles or unit names, a stream `streams` mapped under another name.
    pub(crate) fn read(&self, result: &FlowsheetResult, config: &LcaConfig, rates: &mut [f64]) -> Option<f64> {
        let same_roles = result.streams.iter().zip(&self.streams).all(|(s, &(_, role, _))| s.role == role);
        if !self.is_for(result)
            || !self.has_units_of(result)
            || result.streams.len() != self.streams.len()
            || !same_roles
        {
            return None;
        }
        let mut next = Cursor { items: &self.items, rates, k: 0 };
        self.read_units(result, &mut next)?;
        self.read_feeds(result, config, &mut next)?;
        let makeup = Makeup::of(result);
        self.read_generated(result, makeup, &mut next)?;
        (next.k == self.items.len()).then(|| self.uptake_rate(result, makeup))
    }

    /// [`unit_items`]: a unit's name is the shape's (checked), a utility's label its kind's,
    /// a material's its component's.
    fn read_units(&self, result: &FlowsheetResult, next: &mut Cursor<'_>) -> Option<()> {
        for (i, u) in result.units.iter().enumerate() {
            for (k, x) in u.report.utilities.iter().enumerate().filter(|(_, x)| x.rate > 0.0) {
                next.take(
                    Source::Utility { unit: i, k },
                    x.rate,
                    |w| matches!(*w, What::Utility(y) if y == x.utility),
                )?;
            }
            for (k, m) in u.report.materials.iter().enumerate().filter(|(_, x)| x.rate > 0.0) {
                // Another index of the same name (`?` for any index out of the set) reads the same.
                let reads = |w: &What| match w {
                    What::Material { component, flow } => {
                        *component == m.component
                            || text::same(self.components.get(m.component).map_or("?", |c| c.name.as_str()), flow)
                    }
                    _ => false,
                };
                next.take(Source::Material { unit: i, k }, m.rate, reads)?;
            }
        }
        Some(())
    }

    /// [`feed_items`]: a whole feed stream's label is its name, a component's its component's.
    fn read_feeds(&self, result: &FlowsheetResult, config: &LcaConfig, next: &mut Cursor<'_>) -> Option<()> {
        for &i in &self.feeds {
            let s = &result.streams[i];
            let unit = unit_at(s, &s.destination);
            let at = |w: &What| matches!(w, What::At(u) if text::same(u, unit));
            // Under the shape's name, `streams` maps it as it did. A stream it mapped keeps its
            // name (the plan checks no other way that the streams `streams` names are there).
            // Under another name, `streams` is asked, and a whole stream's label (its name) is
            // not the shape's.
            let (name, _, whole) = &self.streams[i];
            let (named, whole) = if text::same(&s.name, name) {
                (true, *whole)
            } else if *whole {
                return None;
            } else {
                (false, config.streams.contains_key(&s.name))
            };
            if whole {
                let rate = s.stream.total_mass();
                if rate > 0.0 {
                    next.take(Source::FeedStream { stream: i }, rate, |w| named && at(w))?;
                }
                continue;
            }
            for (j, &w) in s.stream.flows.iter().take(self.components.len()).enumerate() {
                if w > 0.0 {
                    next.take(Source::FeedComponent { stream: i, component: j }, w, at)?;
                }
            }
        }
        Some(())
    }

    /// [`generated_gases`], over the shape's gases and its product and feed streams.
    fn read_generated(&self, result: &FlowsheetResult, makeup: Makeup, next: &mut Cursor<'_>) -> Option<()> {
        for &i in &self.gases {
            let out = self.sum(result, &self.products, i);
            let inflow = self.sum(result, &self.feeds, i) + makeup.of_component(result, i);
            let generated = out - inflow;
            if generated.is_nan() || generated <= 1e-9 * out.max(inflow) || out <= 0.0 {
                continue;
            }
            for &j in &self.products {
                let s = &result.streams[j];
                if s.stream.flows[i] > 0.0 {
                    let unit = unit_at(s, &s.source);
                    let at = |w: &What| matches!(w, What::At(u) if text::same(u, unit));
                    next.take(Source::Generated { component: i, stream: j }, generated * s.stream.flows[i] / out, at)?;
                }
            }
        }
        Some(())
    }

    /// [`role_sum`] over `streams`, the streams of one role.
    fn sum(&self, result: &FlowsheetResult, streams: &[usize], i: usize) -> f64 {
        streams.iter().map(|&j| result.streams[j].stream.flows[i]).sum()
    }

    /// [`co2_uptake_rate_of`] over the shape's product and feed streams.
    fn uptake_rate(&self, result: &FlowsheetResult, makeup: Makeup) -> f64 {
        let mut carbon = 0.0; // mol/s into solids
        for &CarbonSolid { index: i, molar_mass: m, carbon: n_c } in &self.carbon_solids {
            let (out, inflow) = (self.sum(result, &self.products, i), self.sum(result, &self.feeds, i));
            carbon += (out - inflow - makeup.of_component(result, i)) / m * n_c;
        }
        (carbon * CO2_MOLAR_MASS).max(0.0)
    }
}

/// Whether a result's units draw make-up material: most draw none, and then every
/// component's [`makeup`] is the empty sum, found without a walk over the units.
#[derive(Clone, Copy)]
struct Makeup {
    none: bool,
}

impl Makeup {
    /// Whether `result`'s units draw any.
    fn of(result: &FlowsheetResult) -> Makeup {
        Makeup { none: result.units.iter().all(|u| u.report.materials.is_empty()) }
    }

    /// [`makeup`] of component `i`.
    fn of_component(self, result: &FlowsheetResult, i: usize) -> f64 {
        if self.none { std::iter::empty::<f64>().sum() } else { makeup(result, i) }
    }
}

/// A walk through a shape's items: the next one a sample's entry must be.
struct Cursor<'s> {
    items: &'s [Expected],
    rates: &'s mut [f64],
    k: usize,
}

impl Cursor<'_> {
    /// The entry at `source` with `rate` is the next item when that item is read there and
    /// `reads` holds of it; its rate is kept. `None` when it is not.
    fn take(&mut self, source: Source, rate: f64, reads: impl FnOnce(&What) -> bool) -> Option<()> {
        self.items.get(self.k).filter(|e| e.source == source && reads(&e.what))?;
        self.rates[self.k] = rate;
        self.k += 1;
        Some(())
    }
}

/// kg/s of component `i` in streams of `role`.
fn role_sum(result: &FlowsheetResult, role: StreamRole, i: usize) -> f64 {
    result.streams.iter().filter(|s| s.role == role).map(|s| s.stream.flows[i]).sum()
}

/// kg/s of component `i` drawn as make-up material by all units.
fn makeup(result: &FlowsheetResult, i: usize) -> f64 {
    result.units.iter().flat_map(|u| &u.report.materials).filter(|m| m.component == i).map(|m| m.rate).sum()
}

/// CO2 fixed in solids, kg/s: carbon in solid components of product streams minus that of
/// feeds and make-up, as CO2, floored at zero (carbon that solids lose leaves as a gas and
/// is counted as a direct emission instead).
pub(crate) fn co2_uptake_rate(result: &FlowsheetResult) -> f64 {
    co2_uptake_rate_of(result, &carbon_solids(&result.components))
}

/// A solid component with carbon in its formula: what [`co2_uptake_rate`] counts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CarbonSolid {
    /// Its index in the component set.
    index: usize,
    /// kg/mol.
    molar_mass: f64,
    /// Carbon atoms per formula unit.
    carbon: f64,
}

/// The solids of `components` with carbon (and a molar mass), in component order: looked
/// up once per component set, by a compiled plan, rather than for every sample.
pub(crate) fn carbon_solids(components: &ComponentSet) -> Vec<CarbonSolid> {
    let with_carbon = |(index, c): (usize, &Component)| {
        if c.phase != Phase::Solid {
            return None;
        }
        let carbon = *c.elements.as_ref()?.get("C")?;
        Some(CarbonSolid { index, molar_mass: c.molar_mass?, carbon })
    };
    components.iter().enumerate().filter_map(with_carbon).collect()
}

/// [`co2_uptake_rate`] of `result` whose carbon-holding solids are `solids`.
fn co2_uptake_rate_of(result: &FlowsheetResult, solids: &[CarbonSolid]) -> f64 {
    let mut carbon = 0.0; // mol/s into solids
    for &CarbonSolid { index: i, molar_mass: m, carbon: n_c } in solids {
        carbon +=
            (role_sum(result, StreamRole::Product, i) - role_sum(result, StreamRole::Feed, i) - makeup(result, i)) / m
                * n_c;
    }
    (carbon * CO2_MOLAR_MASS).max(0.0)
}

/// Every item has a mapping (to a process, a flow, or out of the boundary with a reason);
/// the error lists every item that has none, and names the parameter of the first.
pub(crate) fn require_mapped(items: &[Item<'_>]) -> Result<(), Refusal> {
    let mut unmapped = items.iter().filter(|it| it.mapping.is_none()).peekable();
    let Some(first) = unmapped.peek().map(|it| it.purpose.param()) else { return Ok(()) };
    let items = unmapped
        .map(|it| {
            let (kind, fix) = it.purpose.kind_and_fix();
            format!(
                "{kind} `{}` of unit `{}` ({}): {:.6e} {}/s; {fix}, or exclude it with a reason",
                it.flow,
                it.unit,
                it.purpose,
                it.rate,
                it.si_unit()
            )
        })
        .collect();
    Err(LcaError::Unmapped { items }.about(first))
}
