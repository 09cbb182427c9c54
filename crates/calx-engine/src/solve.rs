//! The sequential-modular driver: calculate units in sequence, converge each recycle loop on
//! its tear streams, wrap design specifications around the whole solve, check balances.
//!
//! State lives in one place: `values` holds the current value of every stream. A unit reads
//! copies of its inlets into its own buffers and writes its outlets into its own buffers;
//! the driver then publishes them, except tear streams of the loop being converged, whose
//! value stays the solver's guess until the loop has converged. Because unit calculations
//! are pure, the driver may call them as often as it needs, and does not call one again
//! while its parameters, start state and inlets (bit for bit) are those of its last
//! calculation: the unit keeps its outlets and report, and the balances keep its outlets'
//! sums and its closures.

use std::sync::Arc;

use calx_core::limits;
use calx_core::result::{
    DesignSpecReport, Endpoint, EnergyBalance, FlowsheetResult, LoopReport, SolverReport, StreamResult, StreamRole,
    TearSelection,
};
use calx_core::unit::{PortDirection, UnitConfig};
use calx_core::{ComponentSet, ParamValue, Stream, UnitDescriptor, UnitOperation, UnitReport};
use calx_solver::{FixedPointWorkspace, SolverError, solve_bracketed, solve_fixed_point_in};
use tracing::{debug, info_span};

use crate::balance::{
    BalanceScratch, BalanceSums, Direction, ElementTable, EnthalpyMemo, StreamBook, first_violation, is_open,
    same_bits, same_numbers,
};
use crate::calculate::{CalculatorDef, Plan};
use crate::def::{DesignSpecDef, FlowsheetDef, SolveOptions, UnitDef, Variable};
use crate::error::{BuildError, EngineError, ReadError};
use crate::graph::{Block, Topology, build_topology};

mod specs;

/// Where a flowsheet's iterations start (see [`Flowsheet::warm_start`]): the converged tear
/// values of its recycle loops, per calculation block, and each unit's converged inner state
/// ([`calx_core::UnitReport::state`]; empty for most units).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WarmStart {
    tears: Vec<Option<Vec<f64>>>,
    units: Vec<Vec<f64>>,
}

/// A built flowsheet, ready to solve (repeatedly: recycle tears are warm-started from the
/// previous solve).
pub struct Flowsheet {
    name: String,
    components: Arc<ComponentSet>,
    defs: Vec<UnitDef>,
    descriptors: Vec<UnitDescriptor>,
    units: Vec<Box<dyn UnitOperation>>,
    topo: Topology,
    options: SolveOptions,
    specs: Vec<DesignSpecDef>,
    values: Vec<Stream>,
    reports: Vec<UnitReport>,
    unit_in: Vec<Vec<Stream>>,
    unit_out: Vec<Vec<Stream>>,
    /// For each stream, its producer (unit, outlet slot).
    producer: Vec<Option<(usize, usize)>>,
    /// For each unit, the number of its first outlet's sums in a fill's [`StreamBook`]
    /// (every outlet's sums are taken first, unit after unit, outlet after outlet).
    first_outlet: Vec<usize>,
    /// The iterate, the scales and the solver's vectors of the recycle loop being converged,
    /// kept between solves.
    loop_buffers: (Vec<f64>, Vec<f64>, FixedPointWorkspace),
    /// For each stream, its role at the plant's boundary and whether a feed leaves at once
    /// ([`Flowsheet::role`]), found once: every result is filled with them.
    roles: Vec<(StreamRole, bool)>,
    /// Last converged tear values per block, for warm starts.
    warm: Vec<Option<Vec<f64>>>,
    /// Per unit, the inner state its calculations start from (empty: the unit's own start),
    /// set only by [`Flowsheet::set_warm_start`].
    starts: Vec<Vec<f64>>,
    /// Per unit, whether its outlets and report are what calculating it gives for its present
    /// parameters and start state from the inlets in `unit_in`. Calculations are pure, so a
    /// unit that is current and meets those inlets again, bit for bit, is not calculated
    /// again ([`Flowsheet::is_current`]). Cleared by every change of its parameters or start
    /// state, and while it calculates; set when a calculation passed every check.
    current: Vec<bool>,
    loop_reports: Vec<Option<LoopReport>>,
    calculations: usize,
    /// Total mass flow of the feeds (outlets of units without inlets) in the current solve,
    /// kg/s: the scale of every tear flow's convergence ceiling.
    feed_mass: f64,
    elements: ElementTable,
    /// The balances' buffers: the specific enthalpies met, each computed once (kept between
    /// solves: the component set never changes), the per-stream sums of a fill and the sums
    /// of the balance being checked (their vectors kept).
    balances: BalanceScratch,
    /// Calculators, as defined.
    pub(crate) calculators: Vec<CalculatorDef>,
    /// When each calculator runs.
    pub(crate) plan: Plan,
}

/// Scale of tear temperatures in the convergence ceiling, K: the order of process
/// temperatures, so the default ceiling (`scale_tol` 1e-6) allows 1 mK, far below what any
/// report shows and far above what a converged loop leaves (1e-10 x 300 K).
const TEMPERATURE_SCALE: f64 = 1000.0;

/// Scale of tear pressures in the convergence ceiling, Pa (10 bar): the default ceiling allows
/// 1 Pa, far below reported precision (kPa) and far above a converged loop's 1e-10 x 1 atm.
const PRESSURE_SCALE: f64 = 1e6;

impl Flowsheet {
    /// Validate and build. Every problem is collected into one [`EngineError::Build`].
    pub fn build(def: FlowsheetDef) -> Result<Flowsheet, EngineError> {
        let FlowsheetDef { name, components, units: defs, options, design_specs, calculators } = def;
        let descriptors: Vec<UnitDescriptor> = defs.iter().map(|u| u.unit_type.descriptor()).collect();
        let mut errors = Vec::new();
        let mut plan = crate::calculate::plan(&calculators, &defs, &design_specs, &mut errors);
        let topo = build_topology(&defs, &descriptors, &options.tears, &plan.edges, &mut errors);
        let mut units = Vec::with_capacity(defs.len());
        if let Some(topo) = &topo {
            for (i, u) in defs.iter().enumerate() {
                let config = UnitConfig {
                    name: &u.name,
                    components: &components,
                    params: &u.params,
                    connections: &topo.connections[i],
                };
                match u.unit_type.create(&config) {
                    Ok(op) => units.push(op),
                    Err(source) => errors.push(BuildError::Unit {
                        unit: u.name.clone(),
                        type_name: descriptors[i].type_name.clone(),
                        source,
                    }),
                }
            }
            check_specs((&design_specs, &calculators), &defs, topo, &components, &mut errors);
            check_calculators(&calculators, &defs, topo, &components, &mut errors);
        }
        let topo = match topo {
            Some(t) if errors.is_empty() => t,
            _ => return Err(EngineError::Build(errors)),
        };
        plan.close_loops(&topo.blocks);
        let n = components.len();
        let mut values = vec![Stream::empty(n); topo.streams.len()];
        for (name, guess) in &options.initial_guesses {
            if let Some(&s) = topo.stream_index.get(name) {
                values[s] = guess.clone();
            }
        }
        let mut producer = vec![None; topo.streams.len()];
        for (u, outs) in topo.outlets.iter().enumerate() {
            for (k, &s) in outs.iter().enumerate() {
                producer[s] = Some((u, k));
            }
        }
        let first_outlet = (topo.outlets.iter())
            .scan(0, |next, outs| {
                let first = *next;
                *next += outs.len();
                Some(first)
            })
            .collect();
        let elements = ElementTable::new(&components);
        let roles = (0..topo.streams.len()).map(|s| stream_role(&topo, &descriptors, s)).collect();
        let unit_in = topo.inlets.iter().map(|v| vec![Stream::empty(n); v.len()]).collect();
        let unit_out = topo.outlets.iter().map(|v| vec![Stream::empty(n); v.len()]).collect();
        Ok(Flowsheet {
            name,
            reports: vec![UnitReport::default(); defs.len()],
            warm: vec![None; topo.blocks.len()],
            starts: vec![Vec::new(); defs.len()],
            current: vec![false; defs.len()],
            loop_reports: vec![None; topo.blocks.len()],
            components,
            defs,
            descriptors,
            units,
            topo,
            options,
            specs: design_specs,
            values,
            unit_in,
            unit_out,
            producer,
            first_outlet,
            roles,
            loop_buffers: Default::default(),
            calculations: 0,
            feed_mass: 0.0,
            elements,
            balances: BalanceScratch::default(),
            calculators,
            plan,
        })
    }

    /// Solve: design specifications (two or more together, or nested outermost first; see
    /// [`SolveOptions::design_specs`]) around the sequence of units and recycle loops, then
    /// balance checks.
    pub fn solve(&mut self) -> Result<FlowsheetResult, EngineError> {
        self.solve_reusing(None)
    }

    /// [`Flowsheet::solve`], written over `previous` when it is a result of this flowsheet
    /// (what a study's worker keeps from its last sample): the figures are the same, bit for
    /// bit, and the names, lists and vectors already there are reused instead of allocated.
    pub fn solve_reusing(&mut self, previous: Option<FlowsheetResult>) -> Result<FlowsheetResult, EngineError> {
        let _span = info_span!("solve", flowsheet = %self.name).entered();
        self.calculations = 0;
        let spec_reports = self.solve_design_specs()?;
        let mut r = match previous {
            Some(r) if self.is_shape_of(&r) => r,
            _ => self.skeleton(),
        };
        // The balances' buffers are taken out so that `fill` can read the flowsheet while it
        // writes them.
        let mut scratch = std::mem::take(&mut self.balances);
        let filled = self.fill(&mut r, spec_reports, &mut scratch);
        self.balances = scratch;
        filled?;
        Ok(r)
    }

    /// Current value of a variable (after a solve): SI, molar quantities from the
    /// components' molar masses. A fraction of a stream without flow, a molar quantity of a
    /// stream carrying a component without molar mass, and a size the unit does not report
    /// are [`EngineError::Read`] errors naming the stream or unit.
    pub fn read(&self, v: &Variable) -> Result<f64, EngineError> {
        if let Some(name) = v.stream() {
            let s = self.topo.stream_index.get(name).ok_or_else(|| missing(name, "stream"))?;
            return self.read_stream(v, name, &self.values[*s]);
        }
        match v {
            Variable::UnitUtility { unit, utility } => Ok(self.reports[self.unit_index(unit)?].total(*utility)),
            Variable::UnitSize { unit, size } => Ok(self.size(unit, size)?.value),
            Variable::UnitParam { unit, param, key } => {
                self.param_number(self.unit_index(unit)?, param, key.as_deref())
            }
            _ => Err(EngineError::Internal(format!("{v:?} is neither a stream nor a unit variable"))),
        }
    }

    /// The numeric parameter `param` (its entry `key` of a map) of unit `u` as defined now.
    fn param_number(&self, u: usize, param: &str, key: Option<&str>) -> Result<f64, EngineError> {
        match (self.defs[u].params.get(param), key) {
            (Some(ParamValue::Number(x)), None) => Ok(*x),
            (Some(ParamValue::Map(m)), Some(k)) => match m.get(k) {
                Some(ParamValue::Number(x)) => Ok(*x),
                _ => Err(missing(&format!("{param}.{k}"), "numeric parameter")),
            },
            _ => Err(missing(param, "numeric parameter")),
        }
    }

    /// A stream result of `stream` (named `name`).
    fn read_stream(&self, v: &Variable, name: &str, stream: &Stream) -> Result<f64, EngineError> {
        let set = &self.components;
        let component = |c: &str| set.index_of(c).ok_or_else(|| missing(c, "component"));
        // Molar flows, mol/s: a component without molar mass is an error only where it flows.
        let moles = |i: usize, quantity: &str| -> Result<f64, EngineError> {
            let w = stream.flows[i];
            match set.get(i).and_then(|c| c.molar_mass) {
                Some(m) => Ok(w / m),
                None if w == 0.0 => Ok(0.0),
                None => Err(ReadError::NoMolarMass {
                    stream: name.to_string(),
                    component: set.get(i).map_or_else(|| format!("#{i}"), |c| c.name.clone()),
                    quantity: quantity.to_string(),
                }
                .into()),
            }
        };
        let molar_total = |quantity: &str| (0..set.len()).map(|i| moles(i, quantity)).sum::<Result<f64, _>>();
        let fraction = |part: f64, whole: f64, quantity: String| {
            if whole > 0.0 {
                Ok(part / whole)
            } else {
                Err(EngineError::from(ReadError::EmptyStream { stream: name.to_string(), quantity }))
            }
        };
        match v {
            Variable::StreamTotal(_) => Ok(stream.total_mass()),
            Variable::StreamTemperature(_) => Ok(stream.temperature),
            Variable::StreamPressure(_) => Ok(stream.pressure),
            Variable::StreamComponent { component: c, .. } => Ok(stream.flows[component(c)?]),
            Variable::StreamMolarTotal(_) => molar_total("molar total"),
            Variable::StreamMolarFlow { component: c, .. } => moles(component(c)?, &format!("molar flow of {c}")),
            Variable::StreamMassFraction { component: c, .. } => {
                fraction(stream.flows[component(c)?], stream.total_mass(), format!("mass fraction of {c}"))
            }
            Variable::StreamMoleFraction { component: c, .. } => {
                let quantity = format!("mole fraction of {c}");
                fraction(moles(component(c)?, &quantity)?, molar_total(&quantity)?, quantity)
            }
            _ => Err(EngineError::Internal(format!("{v:?} is not a stream variable"))),
        }
    }

    /// The size figure `size` of unit `unit` in the last solve (its value SI, with its
    /// dimension).
    pub fn size(&self, unit: &str, size: &str) -> Result<&calx_core::unit::SizeFigure, EngineError> {
        let u = self.unit_index(unit)?;
        let sizes = &self.reports[u].sizes;
        sizes.iter().find(|z| z.name == size).ok_or_else(|| {
            ReadError::NoSize {
                unit: unit.to_string(),
                type_name: self.descriptors[u].type_name.clone(),
                size: size.to_string(),
                reported: sizes.iter().map(|z| z.name.to_string()).collect(),
            }
            .into()
        })
    }

    /// The target of a design specification: read, and for a unit's size, checked against
    /// the dimension the value was written in (an expression target: evaluated, and checked
    /// the same way). A size the unit does not report and a dimension that differs are errors
    /// of the specification (whatever value it tries).
    fn read_target(&self, spec: &DesignSpecDef) -> Result<f64, EngineError> {
        if let Some(e) = &spec.target_expr {
            return self.read_target_expr(spec, e);
        }
        let Variable::UnitSize { unit, size } = &spec.target else {
            return self.read(&spec.target);
        };
        let figure = self.size(unit, size).map_err(|e| match e {
            EngineError::Read(source) => EngineError::SpecTarget {
                adjust: spec.adjust_label.clone(),
                target: spec.target_label.clone(),
                source: Box::new(source),
            },
            e => e,
        })?;
        if figure.dimension != spec.target_dimension {
            return Err(EngineError::TargetDimension {
                adjust: spec.adjust_label.clone(),
                target: spec.target_label.clone(),
                written: spec.target_dimension,
                reported: figure.dimension,
            });
        }
        Ok(figure.value)
    }

    /// Change a numeric unit parameter and rebuild that unit (design specifications, studies).
    pub fn set(&mut self, v: &Variable, value: f64) -> Result<(), EngineError> {
        let Variable::UnitParam { unit, param, key } = v else {
            return Err(EngineError::DesignSpec {
                adjust: format!("{v:?}"),
                target: String::new(),
                reason: "only unit and feed parameters can be adjusted".into(),
            });
        };
        let u = self.unit_index(unit)?;
        let key = key.as_deref();
        // The definition's value, found once: compared, and written when the unit takes the
        // new one in place.
        let def = &mut self.defs[u];
        let slot = def.params.entry_mut(param, key);
        // The same value (bit for bit) builds the same unit: nothing to do. Studies reset every
        // parameter to its base value before each sample, mostly to what it already is.
        if matches!(slot, Some(ParamValue::Number(current)) if current.to_bits() == value.to_bits()) {
            return Ok(());
        }
        self.current[u] = false;
        // A unit that takes the value in place is not created again (no parsing, no
        // allocation); its definition's parameters follow, so that a rebuild later agrees.
        let taken = self.units[u].set_number(param, key, value).map_err(|source| EngineError::Unit {
            unit: def.name.clone(),
            type_name: self.descriptors[u].type_name.clone(),
            source,
        })?;
        if taken {
            match slot {
                Some(current) => *current = ParamValue::Number(value),
                None => def.params.set_entry(param, key, ParamValue::Number(value)),
            }
            return Ok(());
        }
        let mut params = self.defs[u].params.clone();
        params.set_entry(param, key, ParamValue::Number(value));
        self.rebuild_unit(u, params)
    }

    /// Set several entries of one map parameter of a unit together (a feed's composition a
    /// study renormalises): in place where the unit takes every entry that way, else the unit
    /// is created again once with all of them.
    pub fn set_entries<'k, I>(&mut self, unit: &str, param: &str, entries: I) -> Result<(), EngineError>
    where
        I: Iterator<Item = (&'k str, f64)> + Clone,
    {
        let u = self.unit_index(unit)?;
        self.current[u] = false;
        let mut in_place = true;
        for (key, value) in entries.clone() {
            in_place = self.units[u].set_number(param, Some(key), value).map_err(|source| EngineError::Unit {
                unit: self.defs[u].name.clone(),
                type_name: self.descriptors[u].type_name.clone(),
                source,
            })?;
            if !in_place {
                break;
            }
        }
        if in_place {
            self.defs[u].params.set_numbers(param, entries);
            return Ok(());
        }
        let mut params = self.defs[u].params.clone();
        params.set_numbers(param, entries);
        self.rebuild_unit(u, params)
    }

    /// The parameters a unit was built with (defaults filled in, SI units).
    pub fn unit_params(&self, unit: &str) -> Result<&calx_core::Params, EngineError> {
        Ok(&self.defs[self.unit_index(unit)?].params)
    }

    /// Replace all parameters of one unit and rebuild it (several values changed at once, as
    /// when a study renormalises a feed composition).
    pub fn set_unit_params(&mut self, unit: &str, params: calx_core::Params) -> Result<(), EngineError> {
        let u = self.unit_index(unit)?;
        self.rebuild_unit(u, params)
    }

    fn rebuild_unit(&mut self, u: usize, params: calx_core::Params) -> Result<(), EngineError> {
        let config = UnitConfig {
            name: &self.defs[u].name,
            components: &self.components,
            params: &params,
            connections: &self.topo.connections[u],
        };
        let op = self.defs[u].unit_type.create(&config).map_err(|source| EngineError::Unit {
            unit: self.defs[u].name.clone(),
            type_name: self.descriptors[u].type_name.clone(),
            source,
        })?;
        self.units[u] = op;
        self.defs[u].params = params;
        self.current[u] = false;
        Ok(())
    }

    /// Every recycle block in calculation order: how its tear streams were chosen, and their
    /// names. Known once the flowsheet is built, before any solve.
    pub fn tears(&self) -> Vec<(TearSelection, Vec<String>)> {
        self.topo
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Loop { tears, selection, .. } => {
                    Some((*selection, tears.iter().map(|&s| self.topo.streams[s].name.clone()).collect()))
                }
                Block::Single(_) => None,
            })
            .collect()
    }

    /// The recycle loops' last converged tear values (what the next solve starts from) and
    /// each unit's inner state from its last calculation.
    pub fn warm_start(&self) -> WarmStart {
        WarmStart { tears: self.warm.clone(), units: self.reports.iter().map(|r| r.state.clone()).collect() }
    }

    /// Start the next solve's recycle loops from `warm` (taken from this flowsheet, or from
    /// one built from the same definition), and every calculation of a unit from its inner
    /// state in `warm`. Studies restore the base case's values before every sample, so a
    /// sample's result does not depend on which samples ran before it. Without this, units
    /// start their inner iterations their own way (every calculation from scratch).
    pub fn set_warm_start(&mut self, warm: &WarmStart) -> Result<(), EngineError> {
        if warm.tears.len() != self.warm.len() || warm.units.len() != self.starts.len() {
            return Err(EngineError::Internal(format!(
                "a warm start for {} blocks and {} units given to a flowsheet with {} and {}",
                warm.tears.len(),
                warm.units.len(),
                self.warm.len(),
                self.starts.len()
            )));
        }
        self.warm.clone_from(&warm.tears);
        // A study hands back the same start before every sample: only a unit whose start
        // changed must calculate again.
        for ((current, start), new) in self.current.iter_mut().zip(&self.starts).zip(&warm.units) {
            *current &= same_numbers(start, new);
        }
        self.starts.clone_from(&warm.units);
        Ok(())
    }

    fn unit_index(&self, name: &str) -> Result<usize, EngineError> {
        self.defs.iter().position(|u| calx_core::text::same(&u.name, name)).ok_or_else(|| missing(name, "unit"))
    }

    fn solve_specs(&mut self, level: usize, reports: &mut Vec<DesignSpecReport>) -> Result<(), EngineError> {
        if level == self.specs.len() {
            return self.solve_sequence();
        }
        let spec = self.specs[level].clone();
        let _span = info_span!("design_spec", adjust = %spec.adjust_label, target = %spec.target_label).entered();
        let mut inner = Vec::new();
        let mut tried = f64::NAN;
        let found = solve_bracketed(
            |x| {
                inner.clear();
                tried = x;
                self.set(&spec.adjust, x)?;
                self.solve_specs(level + 1, &mut inner)?;
                Ok::<f64, EngineError>(self.read_target(&spec)? - spec.value)
            },
            spec.bounds.0,
            spec.bounds.1,
            spec.value.abs(),
            &spec.options,
        );
        let report = match found {
            Ok(r) => r,
            // An error of an inner specification already says which value it tried.
            Err(SolverError::Evaluation {
                source:
                    e @ (EngineError::DesignSpecTrial { .. }
                    | EngineError::DesignSpec { .. }
                    | EngineError::DesignSpecUnreachable { .. }
                    | EngineError::SpecTarget { .. }
                    | EngineError::TargetDimension { .. }),
                ..
            }) => {
                return Err(e);
            }
            Err(SolverError::Evaluation { source, .. }) => {
                return Err(EngineError::DesignSpecTrial {
                    adjust: spec.adjust_label.clone(),
                    target: spec.target_label.clone(),
                    value: tried,
                    source: Box::new(source),
                });
            }
            Err(SolverError::NotBracketed { lo, hi, f_lo, f_hi }) => {
                return Err(EngineError::DesignSpecUnreachable {
                    adjust: spec.adjust_label.clone(),
                    target: spec.target_label.clone(),
                    value: spec.value,
                    target_dimension: spec.target_dimension,
                    bounds: (lo, hi),
                    adjust_dimension: spec.adjust_dimension,
                    results: (f_lo + spec.value, f_hi + spec.value),
                });
            }
            Err(e) => {
                return Err(EngineError::DesignSpec {
                    adjust: spec.adjust_label.clone(),
                    target: spec.target_label.clone(),
                    reason: e.to_string(),
                });
            }
        };
        // `solve_bracketed` evaluates its answer last, so the flowsheet state (and `inner`)
        // already belong to `report.x`.
        let achieved = self.read_target(&spec)?;
        debug!(iterations = report.iterations, value = report.x, achieved, "design specification met");
        reports.extend(inner);
        reports.push(spec.report(report.x, achieved, report.iterations, calx_core::result::SpecMethod::Nested));
        Ok(())
    }

    fn solve_sequence(&mut self) -> Result<(), EngineError> {
        // Sources (feeds) first: their outlets are pure functions of their parameters, so
        // calculating them ahead of their place changes no result, and every recycle loop then
        // knows the flowsheet's feed, the scale of its convergence ceiling.
        self.feed_mass = 0.0;
        self.run_input_calculators()?;
        for b in 0..self.topo.blocks.len() {
            if let Block::Single(u) = self.topo.blocks[b]
                && self.is_source(u)
                && !self.waits_for_calculator(u)
            {
                self.calculate(u, &[])?;
                self.feed_mass += self.unit_out[u].iter().map(Stream::total_mass).sum::<f64>();
            }
        }
        // Lent out while they run (nothing they run reads them), instead of cloned per solve.
        let blocks = std::mem::take(&mut self.topo.blocks);
        let ran = self.run_blocks(&blocks);
        self.topo.blocks = blocks;
        ran
    }

    /// Calculate `blocks` (the flowsheet's, in order) after the sources: units in turn, loops
    /// converged.
    fn run_blocks(&mut self, blocks: &[Block]) -> Result<(), EngineError> {
        for (b, block) in blocks.iter().enumerate() {
            match block {
                Block::Single(u) if self.is_source(*u) && !self.waits_for_calculator(*u) => {}
                Block::Single(u) => {
                    self.calculate(*u, &[])?;
                    if self.is_source(*u) {
                        self.feed_mass += self.unit_out[*u].iter().map(Stream::total_mass).sum::<f64>();
                    }
                }
                Block::Loop { units, tears, selection, calculators } => {
                    self.solve_loop(b, (units, tears, calculators), *selection)?;
                }
            }
        }
        Ok(())
    }

    /// A unit without inlet ports: a feed, or another source.
    fn is_source(&self, u: usize) -> bool {
        !self.descriptors[u].ports.iter().any(|p| p.direction == PortDirection::In)
    }

    /// Calculate one unit; outlets that are in `tears` are not published.
    fn calculate(&mut self, u: usize, tears: &[usize]) -> Result<(), EngineError> {
        self.run_unit_calculators(u)?;
        if self.is_current(u) {
            self.publish(u, tears);
            return Ok(());
        }
        self.current[u] = false;
        self.balances.kept.forget(u);
        for (k, &s) in self.topo.inlets[u].iter().enumerate() {
            self.unit_in[u][k].copy_from(&self.values[s]);
        }
        self.reports[u].clear();
        self.calculations += 1;
        let unit_error = |source| EngineError::Unit {
            unit: self.defs[u].name.clone(),
            type_name: self.descriptors[u].type_name.clone(),
            source,
        };
        let (inlets, outlets, report) = (&self.unit_in[u], &mut self.unit_out[u], &mut self.reports[u]);
        let start = &self.starts[u];
        if start.is_empty() {
            self.units[u].calculate(inlets, outlets, report)
        } else {
            self.units[u].calculate_from(start, inlets, outlets, report)
        }
        .map_err(unit_error)?;
        let n = self.components.len();
        for (k, &s) in self.topo.outlets[u].iter().enumerate() {
            let out = &self.unit_out[u][k];
            let problem = if out.flows.len() != n {
                Some(format!("it has {} component flows, the flowsheet has {n} components", out.flows.len()))
            } else {
                out.first_invalid(&self.components).or_else(|| out_of_range(out))
            };
            if let Some(problem) = problem {
                return Err(EngineError::InvalidOutlet {
                    unit: self.defs[u].name.clone(),
                    type_name: self.descriptors[u].type_name.clone(),
                    stream: self.topo.streams[s].name.clone(),
                    problem,
                });
            }
        }
        if let Some(problem) = report_problem(&self.reports[u], n) {
            return Err(EngineError::InvalidReport {
                unit: self.defs[u].name.clone(),
                type_name: self.descriptors[u].type_name.clone(),
                problem,
            });
        }
        self.current[u] = true;
        self.publish(u, tears);
        Ok(())
    }

    /// Whether calculating unit `u` now would give what its outlets and report hold: it is
    /// current and its inlets are, bit for bit, those it was calculated from.
    fn is_current(&self, u: usize) -> bool {
        self.current[u]
            && (self.topo.inlets[u].iter().zip(&self.unit_in[u])).all(|(&s, seen)| same_bits(&self.values[s], seen))
    }

    /// Publish unit `u`'s outlets, except those in `tears`.
    fn publish(&mut self, u: usize, tears: &[usize]) {
        for (k, &s) in self.topo.outlets[u].iter().enumerate() {
            if !tears.contains(&s) {
                self.values[s].copy_from(&self.unit_out[u][k]);
            }
        }
    }

    /// Converge one recycle block: its tear streams and the parameters of the calculators
    /// that close it (`loop_` is units, tear streams, calculators). The iterate and its
    /// scales live in buffers the flowsheet keeps, and the names are written only for an
    /// error or the first report: a study converges the same loops for every sample.
    fn solve_loop(
        &mut self,
        block: usize,
        loop_: (&[usize], &[usize], &[usize]),
        selection: TearSelection,
    ) -> Result<(), EngineError> {
        let (units, tears, _) = loop_;
        let unit_names = Joined(units, &|u| self.defs[u].name.as_str());
        let tear_names = Joined(tears, &|s| self.topo.streams[s].name.as_str());
        let _span = info_span!("loop", units = %unit_names, tears = %tear_names).entered();
        let (mut x, mut scale, mut workspace) = std::mem::take(&mut self.loop_buffers);
        let converged = self.converge_loop(block, loop_, selection, (&mut x, &mut scale, &mut workspace));
        self.loop_buffers = (x, scale, workspace);
        converged
    }

    /// [`Flowsheet::solve_loop`] over the buffers `x` (the iterate) and `scale`.
    fn converge_loop(
        &mut self,
        block: usize,
        loop_: (&[usize], &[usize], &[usize]),
        selection: TearSelection,
        (x, scale, workspace): (&mut Vec<f64>, &mut Vec<f64>, &mut FixedPointWorkspace),
    ) -> Result<(), EngineError> {
        let (units, tears, calcs) = loop_;
        let width = self.components.len() + 2;
        x.clear();
        match &self.warm[block] {
            Some(warm) => x.extend_from_slice(warm),
            None => {
                for &s in tears {
                    let v = &self.values[s];
                    x.extend_from_slice(&v.flows);
                    x.push(v.temperature);
                    x.push(v.pressure);
                }
                for &i in calcs {
                    x.push(self.read(&self.calculators[i].set)?);
                }
            }
        }
        self.loop_feed_mass(units, calcs, &x[width * tears.len()..])?;
        let options = self.options.recycle.clone();
        scale.clear();
        for _ in tears {
            scale.extend(std::iter::repeat_n(self.feed_mass, width - 2));
            scale.extend([TEMPERATURE_SCALE, PRESSURE_SCALE]);
        }
        // A calculated parameter is scaled by its own magnitude at the start (1 SI unit if 0).
        scale.extend(x[width * tears.len()..].iter().map(|p| if *p == 0.0 { 1.0 } else { p.abs() }));
        let outcome = solve_fixed_point_in(workspace, x, scale, |x, gx| self.evaluate_loop(loop_, x, gx), &options);
        let names = |f: &Flowsheet| f.loop_names(loop_);
        let not_converged = |(units, tears, calcs): (Vec<String>, Vec<String>, Vec<String>),
                             method: &str,
                             iterations: usize,
                             residuals: Vec<String>| {
            EngineError::NotConverged {
                units,
                tears,
                calculators: calcs.into_boxed_slice(),
                method: method.to_string(),
                iterations,
                residuals,
            }
        };
        match outcome {
            Ok(report) => {
                // A fixed point of the clamped map outside the sane ranges is no steady state:
                // the loop ran away (its clamp is active, so x = g(x) only there).
                let tear_names = Joined(tears, &|s| self.topo.streams[s].name.as_str());
                if let Some(problem) = self.runaway(&tear_names, &x[..width * tears.len()]) {
                    return Err(not_converged(names(self), report.method.name(), report.iterations, vec![problem]));
                }
                match &mut self.warm[block] {
                    Some(warm) => warm.clone_from(x),
                    none => *none = Some(x.clone()),
                }
                self.record_loop(block, loop_, selection, &report);
                Ok(())
            }
            Err(SolverError::Evaluation { source, .. }) => Err(source),
            Err(SolverError::NotConverged { method, iterations, residuals, .. }) => {
                let (units, tears, calcs) = names(self);
                let described = self.describe_residuals((&tears, &calcs), &residuals);
                Err(not_converged((units, tears, calcs), method.name(), iterations, described))
            }
            Err(e) => Err(not_converged(names(self), options.method.name(), 0, vec![e.to_string()])),
        }
    }

    /// The names of a loop's units, tear streams and calculators, for its report and errors.
    fn loop_names(
        &self,
        (units, tears, calcs): (&[usize], &[usize], &[usize]),
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        (
            units.iter().map(|&u| self.defs[u].name.clone()).collect(),
            tears.iter().map(|&s| self.topo.streams[s].name.clone()).collect(),
            calcs.iter().map(|&i| self.calculators[i].label.clone()).collect(),
        )
    }

    /// Record a converged loop's report: written once with its names, then only its figures
    /// (the block's units, tears and calculators never change).
    fn record_loop(
        &mut self,
        block: usize,
        loop_: (&[usize], &[usize], &[usize]),
        selection: TearSelection,
        report: &calx_solver::FixedPointReport,
    ) {
        if self.loop_reports[block].is_none() {
            let (units, tears, calcs) = self.loop_names(loop_);
            self.loop_reports[block] = Some(LoopReport {
                units,
                tears: tears.into_iter().chain(calcs).collect(),
                tear_selection: selection,
                method: String::new(),
                iterations: 0,
                max_abs_residual: 0.0,
                max_scaled_residual: 0.0,
            });
        }
        if let Some(r) = &mut self.loop_reports[block] {
            r.tear_selection = selection;
            if r.method != report.method.name() {
                r.method.clear();
                r.method.push_str(report.method.name());
            }
            r.iterations = report.iterations;
            r.max_abs_residual = report.max_abs_residual;
            r.max_scaled_residual = report.max_scaled_residual;
        }
    }

    /// Add the feeds (sources) inside a loop to the flowsheet's feed, the scale of its tear
    /// flows: a source there is set by a calculator closing the loop, so it is calculated
    /// once at the parameters' initial `guesses`.
    fn loop_feed_mass(&mut self, units: &[usize], calcs: &[usize], guesses: &[f64]) -> Result<(), EngineError> {
        if !units.iter().any(|&u| self.is_source(u)) {
            return Ok(());
        }
        for (&i, &p) in calcs.iter().zip(guesses) {
            self.set_calculated(i, p)?;
        }
        for &u in units {
            if !self.is_source(u) {
                continue;
            }
            self.calculate(u, &[])?;
            self.feed_mass += self.unit_out[u].iter().map(Stream::total_mass).sum::<f64>();
        }
        Ok(())
    }

    /// One evaluation of a recycle loop: set the tear streams and calculated parameters from
    /// `x`, calculate the loop's units, and read what the tears' producers now give and what
    /// the calculators now compute into `gx`.
    fn evaluate_loop(
        &mut self,
        (units, tears, calcs): (&[usize], &[usize], &[usize]),
        x: &[f64],
        gx: &mut [f64],
    ) -> Result<(), EngineError> {
        let width = self.components.len() + 2;
        for (t, &s) in tears.iter().enumerate() {
            let chunk = &x[t * width..(t + 1) * width];
            let v = &mut self.values[s];
            // Accelerated steps (Wegstein, Broyden) extrapolate and can overshoot below zero
            // where a flow tends to zero, or far beyond the sane ranges (Broyden takes a loop
            // without a steady state to 1e15 kg/s); units only ever see physical values. At
            // a physical steady state x = g(x) lies in range and the clamp is inactive, which
            // `runaway` checks.
            for (w, &xi) in v.flows.iter_mut().zip(&chunk[..width - 2]) {
                *w = xi.clamp(0.0, limits::MASS_FLOW_MAX);
            }
            v.temperature = chunk[width - 2].clamp(1.0, limits::TEMPERATURE_MAX);
            v.pressure = chunk[width - 1].clamp(1.0, limits::PRESSURE_MAX);
        }
        let params = width * tears.len();
        for (k, &i) in calcs.iter().enumerate() {
            self.set_calculated(i, x[params + k])?;
        }
        for &u in units {
            self.calculate(u, tears)?;
        }
        for (t, &s) in tears.iter().enumerate() {
            // Tears are graph edges, so they always have a producer.
            let Some((pu, k)) = self.producer[s] else {
                return Err(EngineError::Internal(format!(
                    "tear stream `{}` has no producer",
                    self.topo.streams[s].name
                )));
            };
            let out = &self.unit_out[pu][k];
            let chunk = &mut gx[t * width..(t + 1) * width];
            chunk[..width - 2].copy_from_slice(&out.flows);
            chunk[width - 2] = out.temperature;
            chunk[width - 1] = out.pressure;
        }
        for (k, &i) in calcs.iter().enumerate() {
            gx[params + k] = self.evaluate_calculator(i)?;
        }
        Ok(())
    }

    /// The first converged tear variable above its sane range (where the tear clamp is
    /// active), described for an error.
    fn runaway(&self, tears: &Joined<'_>, x: &[f64]) -> Option<String> {
        let width = self.components.len() + 2;
        x.iter().enumerate().find_map(|(i, &xi)| {
            let (t, v) = (i / width, i % width);
            let (what, unit, range) = match v {
                v if v == width - 2 => ("T", "K", limits::TEMPERATURE),
                v if v == width - 1 => ("P", "Pa", limits::PRESSURE),
                v => (self.components.get(v).map_or("?", |c| c.name.as_str()), "kg/s", limits::MASS_FLOW),
            };
            (xi > range.max).then(|| {
                format!(
                    "{}.{what} ran away to {} {unit}, beyond the sane range of a {} ({}): the loop has no steady state",
                    tears.get(t).unwrap_or("?"),
                    show(xi),
                    range.what,
                    range.describe()
                )
            })
        })
    }

    /// The three largest residuals, named by stream and variable (a calculated parameter by
    /// its path, in SI).
    fn describe_residuals(&self, (tears, calcs): (&[String], &[String]), residuals: &[f64]) -> Vec<String> {
        let width = self.components.len() + 2;
        let params = width * tears.len();
        let mut idx: Vec<usize> = (0..residuals.len()).collect();
        idx.sort_by(|&a, &b| residuals[b].abs().total_cmp(&residuals[a].abs()).then(a.cmp(&b)));
        idx.iter()
            .take(3)
            .map(|&i| {
                if i >= params {
                    let label = calcs.get(i - params).map_or("?", String::as_str);
                    return format!("{label} {:.3e} (SI)", residuals[i]);
                }
                let (t, v) = (i / width, i % width);
                let (what, unit) = match v {
                    v if v == width - 2 => ("T".to_string(), "K"),
                    v if v == width - 1 => ("P".to_string(), "Pa"),
                    v => (self.components.get(v).map_or("?".into(), |c| c.name.clone()), "kg/s"),
                };
                format!("{}.{what} {:.3e} {unit}", tears.get(t).map_or("?", |s| s.as_str()), residuals[i])
            })
            .collect()
    }

    /// Take the sums of every unit's outlet, unit after unit (entry `first_outlet[u] + k` is
    /// outlet `k` of unit `u`), as the first entries of the book. The entries of a unit not
    /// calculated since the last fill are kept: its outlets are the same values.
    fn take_outlet_sums(&self, scratch: &mut BalanceScratch) {
        let BalanceScratch { memo, streams, kept, .. } = scratch;
        let outlets = self.unit_out.iter().map(Vec::len).sum();
        if !streams.keep(outlets, &self.elements) {
            streams.clear(&self.elements);
            kept.forget_all(self.unit_out.len());
        }
        for (u, values) in self.unit_out.iter().enumerate() {
            if kept.outlets_taken(u) {
                continue;
            }
            for (k, s) in values.iter().enumerate() {
                streams.put(self.first_outlet[u] + k, s, (&self.elements, &self.components, memo));
            }
            kept.take_outlets(u);
        }
    }

    /// The entry of `book` that holds the sums of `value`, a value of stream `s` (a unit's
    /// inlet copy, or the stream as published): its producer's outlet's when `value` is that
    /// outlet bit for bit, otherwise (a tear whose inlet copy was a guess the loop moved
    /// on from) its own, taken now.
    fn sums_of(&self, s: usize, value: &Stream, (book, memo): (&mut StreamBook, &mut EnthalpyMemo)) -> usize {
        match self.producer[s] {
            Some((u, k)) if same_bits(value, &self.unit_out[u][k]) => self.first_outlet[u] + k,
            _ => book.take(value, (&self.elements, &self.components, memo)),
        }
    }

    /// Every unit's converged report with its mass, element and energy closures, written into
    /// `units` (the result's, one per unit); a unit that breaks one is an error naming it.
    /// The outlets' sums must be in `scratch` ([`Flowsheet::take_outlet_sums`]).
    fn fill_units(
        &self,
        units: &mut [calx_core::result::UnitResult],
        BalanceScratch { memo, streams, sums, kept }: &mut BalanceScratch,
    ) -> Result<(), EngineError> {
        for (u, (def, unit)) in self.defs.iter().zip(units.iter_mut()).enumerate() {
            let (inlets, outlets, report) = (&self.unit_in[u], &self.unit_out[u], &self.reports[u]);
            // Sources and sinks create or absorb material by design; balance the rest: mass,
            // elements and energy, from each stream's sums (the inlets as the unit saw them).
            // A unit not calculated since the last fill has the same closures.
            let balanced = !inlets.is_empty() && !outlets.is_empty();
            match kept.balance(u) {
                _ if !balanced => {
                    unit.balance.clear();
                    unit.energy = EnergyBalance::NotApplicable;
                }
                Some((closures, energy)) => {
                    unit.balance.clear();
                    unit.balance.extend(closures.iter().cloned());
                    unit.energy.clone_from(energy);
                }
                None => {
                    sums.reset(&self.elements);
                    for (&s, value) in self.topo.inlets[u].iter().zip(inlets) {
                        let i = self.sums_of(s, value, (streams, memo));
                        sums.add_stream(Direction::In, streams, i);
                    }
                    sums.add_make_up(report, (&self.elements, &self.components, memo));
                    for k in 0..outlets.len() {
                        sums.add_stream(Direction::Out, streams, self.first_outlet[u] + k);
                    }
                    sums.add_duties_and_work(report);
                    sums.closures_into(&self.elements, &mut unit.balance);
                    unit.energy = sums.energy(&self.components);
                    kept.keep_balance(u, &unit.balance, &unit.energy);
                }
            }
            if let Some(c) = first_violation(&unit.balance, self.options.unit_balance_tolerance) {
                return Err(EngineError::Balance {
                    unit: def.name.clone(),
                    type_name: self.descriptors[u].type_name.clone(),
                    quantity: c.quantity.to_string(),
                    inflow: c.inflow,
                    outflow: c.outflow,
                    relative_error: c.relative_error,
                    tolerance: self.options.unit_balance_tolerance,
                });
            }
            let tolerance = self.options.energy_balance_tolerance;
            if let Some(c) = unit.energy.closure().filter(|c| is_open(c, tolerance)) {
                return Err(EngineError::Energy {
                    unit: def.name.clone(),
                    type_name: self.descriptors[u].type_name.clone(),
                    inflow: c.inflow,
                    outflow: c.outflow,
                    relative_error: c.relative_error,
                    tolerance,
                });
            }
            unit.report.clone_from(&self.reports[u]);
        }
        Ok(())
    }

    /// A stream's role at the plant's boundary, and whether a feed leaves at once (into a
    /// product unit): then it counts on both sides of the plant's balance.
    fn role(&self, s: usize) -> (StreamRole, bool) {
        self.roles[s]
    }

    /// The streams entering the plant (feeds), in stream order: (stream, value).
    fn feeds(&self) -> impl Iterator<Item = (usize, &Stream)> + Clone {
        self.values
            .iter()
            .zip(&self.roles)
            .enumerate()
            .filter(|(_, (_, r))| r.0 == StreamRole::Feed)
            .map(|(s, (v, _))| (s, v))
    }

    /// The streams leaving the plant (products, and feeds that leave at once), in stream order:
    /// (stream, value).
    fn products(&self) -> impl Iterator<Item = (usize, &Stream)> + Clone {
        let leaves = |r: &(StreamRole, bool)| matches!(r, (StreamRole::Product, _) | (StreamRole::Feed, true));
        self.values.iter().zip(&self.roles).enumerate().filter(move |(_, (_, r))| leaves(r)).map(|(s, (v, _))| (s, v))
    }

    /// The result's structure: names, roles, endpoints, units and the calculation order, with
    /// no figures yet ([`Flowsheet::fill`] writes them).
    fn skeleton(&self) -> FlowsheetResult {
        let endpoint = |e: &Option<(usize, String)>| {
            e.as_ref().map(|(u, p)| Endpoint { unit: self.defs[*u].name.clone(), port: p.clone() })
        };
        let streams = (self.topo.streams.iter().enumerate())
            .map(|(s, info)| StreamResult {
                name: info.name.clone(),
                role: self.role(s).0,
                source: endpoint(&info.source),
                destination: endpoint(&info.destination),
                stream: Stream::empty(self.components.len()),
                aqueous: None,
            })
            .collect();
        let units = (self.defs.iter().zip(&self.descriptors))
            .map(|(def, d)| calx_core::result::UnitResult {
                name: def.name.clone(),
                type_name: d.type_name.clone(),
                report: UnitReport::default(),
                balance: Vec::new(),
                energy: EnergyBalance::NotApplicable,
            })
            .collect();
        let calculation_order = (self.topo.blocks.iter())
            .flat_map(|b| match b {
                Block::Single(u) => vec![*u],
                Block::Loop { units, .. } => units.clone(),
            })
            .map(|u| self.defs[u].name.clone())
            .collect();
        FlowsheetResult {
            name: self.name.clone(),
            components: self.components.clone(),
            streams,
            units,
            balance: Vec::new(),
            energy: EnergyBalance::NotApplicable,
            solver: SolverReport {
                calculation_order,
                loops: Vec::new(),
                design_specs: Vec::new(),
                unit_calculations: 0,
                optimization: None,
            },
        }
    }

    /// Whether `r` has this flowsheet's skeleton (so that it can be written over): the same
    /// components, names, roles, connections, unit types and calculation order. Compared
    /// field by field, without allocating.
    fn is_shape_of(&self, r: &FlowsheetResult) -> bool {
        use calx_core::text::same;
        let same_end = |e: &Option<Endpoint>, of: &Option<(usize, String)>| match (e, of) {
            (None, None) => true,
            (Some(e), Some((u, p))) => same(&e.unit, &self.defs[*u].name) && same(&e.port, p),
            _ => false,
        };
        let order = self.topo.blocks.iter().flat_map(|b| match b {
            Block::Single(u) => std::slice::from_ref(u),
            Block::Loop { units, .. } => units.as_slice(),
        });
        Arc::ptr_eq(&r.components, &self.components)
            && same(&r.name, &self.name)
            && r.streams.len() == self.topo.streams.len()
            && r.units.len() == self.defs.len()
            && r.streams.iter().zip(&self.topo.streams).enumerate().all(|(s, (a, b))| {
                same(&a.name, &b.name)
                    && a.role == self.role(s).0
                    && same_end(&a.source, &b.source)
                    && same_end(&a.destination, &b.destination)
            })
            && r.units
                .iter()
                .zip(self.defs.iter().zip(&self.descriptors))
                .all(|(a, (def, d))| same(&a.name, &def.name) && same(&a.type_name, &d.type_name))
            && r.solver.calculation_order.len() == order.clone().count()
            && r.solver.calculation_order.iter().zip(order).all(|(name, &u)| same(name, &self.defs[u].name))
    }

    /// Write the converged figures into `r` (a skeleton of this flowsheet, or a previous
    /// result of it): streams, units with their closures, the plant's mass, element and
    /// energy closures, and the solver's report.
    fn fill(
        &self,
        r: &mut FlowsheetResult,
        design_specs: Vec<DesignSpecReport>,
        scratch: &mut BalanceScratch,
    ) -> Result<(), EngineError> {
        self.take_outlet_sums(scratch);
        self.fill_units(&mut r.units, scratch)?;
        for (out, value) in r.streams.iter_mut().zip(&self.values) {
            out.stream.clone_from(value);
            out.aqueous = None;
        }
        // The plant's balance: feeds and every unit's make-up material (at its own
        // temperature) in, products out, every unit's duties and work; the energy closure is
        // reported after mass and elements, which explain more when both break.
        let BalanceScratch { memo, streams, sums, .. } = scratch;
        sums.reset(&self.elements);
        for (s, value) in self.feeds() {
            let i = self.sums_of(s, value, (streams, memo));
            sums.add_stream(Direction::In, streams, i);
        }
        for (s, value) in self.products() {
            let i = self.sums_of(s, value, (streams, memo));
            sums.add_stream(Direction::Out, streams, i);
        }
        for report in &self.reports {
            sums.add_make_up(report, (&self.elements, &self.components, memo));
            sums.add_duties_and_work(report);
        }
        sums.closures_into(&self.elements, &mut r.balance);
        let tolerance = self.options.flowsheet_balance_tolerance;
        if let Some(c) = first_violation(&r.balance, tolerance) {
            return Err(EngineError::FlowsheetBalance {
                quantity: c.quantity.to_string(),
                inflow: c.inflow,
                outflow: c.outflow,
                relative_error: c.relative_error,
                tolerance,
            });
        }
        r.energy = self.flowsheet_energy(sums)?;
        // Written over the previous result's reports, reusing their strings.
        let reports = self.loop_reports.iter().flatten();
        r.solver.loops.truncate(reports.clone().count());
        for (k, report) in reports.enumerate() {
            match r.solver.loops.get_mut(k) {
                Some(old) => clone_loop_report(old, report),
                None => r.solver.loops.push(report.clone()),
            }
        }
        r.solver.design_specs = design_specs;
        r.solver.unit_calculations = self.calculations;
        r.solver.optimization = None;
        Ok(())
    }
}

impl Flowsheet {
    /// The energy balance of the whole plant (summed in `sums`): feeds, every unit's make-up
    /// materials, heat supplied and shaft work delivered in; products, heat removed and work
    /// taken out. An open closure is the error.
    fn flowsheet_energy(&self, sums: &BalanceSums) -> Result<EnergyBalance, EngineError> {
        let energy = sums.energy(&self.components);
        let EnergyBalance::Checked(c) = energy else { return Ok(energy) };
        let tolerance = self.options.energy_balance_tolerance;
        if is_open(&c, tolerance) {
            return Err(EngineError::FlowsheetEnergy {
                inflow: c.inflow,
                outflow: c.outflow,
                relative_error: c.relative_error,
                tolerance,
            });
        }
        Ok(EnergyBalance::Checked(c))
    }
}

/// A temperature or pressure outside its sane range (`calx_core::limits`), described for an
/// error. Called after `Stream::first_invalid`, so both are finite and above zero.
fn out_of_range(s: &Stream) -> Option<String> {
    let (t, p) = (s.temperature, s.pressure);
    if !limits::TEMPERATURE.contains(t) {
        return Some(format!(
            "temperature {} K is outside the sane range ({})",
            show(t),
            limits::TEMPERATURE.describe()
        ));
    }
    if !limits::PRESSURE.contains(p) {
        return Some(format!("pressure {} Pa is outside the sane range ({})", show(p), limits::PRESSURE.describe()));
    }
    None
}

/// A number as written by people for ordinary magnitudes (`7000`), in scientific notation
/// otherwise (`1e200`, not two hundred digits).
fn show(x: f64) -> String {
    if (1e-3..1e7).contains(&x.abs()) { format!("{x}") } else { format!("{x:e}") }
}

/// The first impossible figure in a unit report.
fn report_problem(r: &UnitReport, n_components: usize) -> Option<String> {
    let bad = |x: f64| !(x.is_finite() && x >= 0.0);
    if let Some(u) = r.utilities.iter().find(|u| bad(u.rate)) {
        return Some(format!("{} ({}) of {}", u.utility.name(), u.purpose, u.rate));
    }
    if let Some(m) = r.materials.iter().find(|m| bad(m.rate) || m.component >= n_components) {
        return Some(format!("material ({}) of {} kg/s for component #{}", m.purpose, m.rate, m.component));
    }
    r.sizes.iter().find(|z| !z.value.is_finite()).map(|z| format!("size {} of {}", z.name, z.value))
}

/// `to` becomes a copy of `from`, in the storage `to` has.
fn clone_loop_report(to: &mut LoopReport, from: &LoopReport) {
    to.units.clone_from(&from.units);
    to.tears.clone_from(&from.tears);
    to.tear_selection = from.tear_selection;
    to.method.clone_from(&from.method);
    to.iterations = from.iterations;
    to.max_abs_residual = from.max_abs_residual;
    to.max_scaled_residual = from.max_scaled_residual;
}

/// Names of items by index (a loop's units or tear streams), written joined with commas
/// only when shown.
struct Joined<'a>(&'a [usize], &'a dyn Fn(usize) -> &'a str);

impl Joined<'_> {
    /// The name of the `k`th item.
    fn get(&self, k: usize) -> Option<&str> {
        self.0.get(k).map(|&i| (self.1)(i))
    }
}

impl std::fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, &i) in self.0.iter().enumerate() {
            if k > 0 {
                f.write_str(",")?;
            }
            f.write_str((self.1)(i))?;
        }
        Ok(())
    }
}

/// Stream `s`'s role at the plant's boundary and whether a feed leaves at once (into a
/// product unit): then it counts on both sides of the plant's balance.
fn stream_role(topo: &Topology, descriptors: &[UnitDescriptor], s: usize) -> (StreamRole, bool) {
    let info = &topo.streams[s];
    let has = |u: usize, direction: PortDirection| descriptors[u].ports.iter().any(|p| p.direction == direction);
    let role = match (&info.source, &info.destination) {
        (Some((u, _)), _) if !has(*u, PortDirection::In) => StreamRole::Feed,
        (_, None) => StreamRole::Product,
        (_, Some((u, _))) if !has(*u, PortDirection::Out) => StreamRole::Product,
        _ => StreamRole::Internal,
    };
    (role, info.destination.as_ref().is_none_or(|(u, _)| !has(*u, PortDirection::Out)))
}

fn missing(name: &str, what: &'static str) -> EngineError {
    ReadError::Missing { what, name: name.to_string() }.into()
}

/// Check that design specifications name existing units, parameters, streams and
/// components, that a target's value is written in the target's dimension, and that the
/// target can depend on the adjusted variable (it is downstream of the adjusted unit).
fn check_specs(
    (specs, calcs): (&[DesignSpecDef], &[CalculatorDef]),
    defs: &[UnitDef],
    topo: &Topology,
    components: &ComponentSet,
    errors: &mut Vec<BuildError>,
) {
    for spec in specs {
        let mut reasons = Vec::new();
        let reads = spec.target_expr.as_ref().map_or(std::slice::from_ref(&spec.target), |e| &e.reads);
        for v in std::iter::once(&spec.adjust).chain(reads) {
            check_variable(v, defs, topo, components, &mut reasons);
        }
        if !matches!(spec.adjust, Variable::UnitParam { .. }) {
            reasons.push("only unit and feed parameters can be adjusted".into());
        }
        if let Some(other) = specs.iter().take_while(|s| s.index != spec.index).find(|s| s.adjust == spec.adjust) {
            reasons.push(format!(
                "design specification {} adjusts `{}` already; a value is adjusted by one specification",
                other.index, spec.adjust_label
            ));
        }
        let dimension = match &spec.target_expr {
            Some(e) => e.dimension().ok().flatten(),
            None => spec.target.dimension(),
        };
        if let Some(d) = dimension.filter(|d| *d != spec.target_dimension) {
            reasons.push(format!(
                "the target value of `{}` is a {}, but the target is a {}",
                spec.target_label,
                spec.target_dimension.describe(),
                d.describe()
            ));
        }
        let (lo, hi) = spec.bounds;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            reasons.push(format!("bounds must be finite with lower < upper, found [{lo}, {hi}]"));
        }
        // Only where every name exists does the graph say anything.
        if reasons.is_empty()
            && let Some(adjusted) = spec.adjust.unit().and_then(|u| defs.iter().position(|d| d.name == u))
            && !reads.iter().any(|target| reaches((topo, defs, calcs), (adjusted, &spec.adjust), target))
        {
            reasons.push(format!(
                "the target `{}` is not downstream of the adjusted variable `{}`: no path of streams leads from \
                 `{}` to it, so it cannot depend on it",
                spec.target_label, spec.adjust_label, defs[adjusted].name
            ));
        }
        errors.extend(reasons.into_iter().map(|reason| BuildError::DesignSpec { index: spec.index, reason }));
    }
}

/// Check that calculators name existing units, parameters, streams and components.
fn check_calculators(
    calcs: &[CalculatorDef],
    defs: &[UnitDef],
    topo: &Topology,
    components: &ComponentSet,
    errors: &mut Vec<BuildError>,
) {
    for (i, calc) in calcs.iter().enumerate() {
        let mut reasons = Vec::new();
        for v in std::iter::once(&calc.set).chain(calc.reads.iter().map(|(v, _)| v)) {
            check_variable(v, defs, topo, components, &mut reasons);
        }
        errors.extend(reasons.into_iter().map(|reason| BuildError::Calculator {
            index: i + 1,
            set: calc.label.clone(),
            reason,
        }));
    }
}

/// The problems of one variable of a design specification: names that do not exist.
fn check_variable(v: &Variable, defs: &[UnitDef], topo: &Topology, components: &ComponentSet, out: &mut Vec<String>) {
    if let Some(stream) = v.stream()
        && !topo.stream_index.contains_key(stream)
    {
        out.push(format!("no stream `{stream}`"));
    }
    if let Some(component) = v.component() {
        match components.index_of(component).and_then(|i| components.get(i)) {
            None => out.push(format!("no component `{component}`")),
            Some(c) if c.molar_mass.is_none() && matches!(v, Variable::StreamMolarFlow { .. }) => {
                out.push(format!("component `{component}` has no molar mass, so its molar flow cannot be read"));
            }
            Some(c) if c.molar_mass.is_none() && matches!(v, Variable::StreamMoleFraction { .. }) => {
                out.push(format!("component `{component}` has no molar mass, so its mole fraction cannot be read"));
            }
            Some(_) => {}
        }
    }
    let Some(unit) = v.unit() else { return };
    match (defs.iter().find(|u| u.name == unit), v) {
        (None, _) => out.push(format!("no unit `{unit}`")),
        (Some(u), Variable::UnitParam { param, key, .. }) => match (u.params.get(param), key) {
            (Some(ParamValue::Number(_)), None) | (Some(ParamValue::Map(_)), Some(_)) => {}
            _ => out.push(format!("unit `{unit}` has no numeric parameter `{param}` set")),
        },
        (Some(_), _) => {}
    }
}

/// Whether `target` can change when the adjusted unit `from` does: it is `from` itself or a
/// unit downstream of it, or a stream one of those produces (recycles included). Calculators
/// carry a change on: one that reads a changed parameter (`adjusted` itself, or one another
/// calculator sets from it) or a result of a reached unit or stream changes the unit it sets.
fn reaches(
    (topo, defs, calcs): (&Topology, &[UnitDef], &[CalculatorDef]),
    (from, adjusted): (usize, &Variable),
    target: &Variable,
) -> bool {
    let unit_of = |v: &Variable| v.unit().and_then(|name| defs.iter().position(|d| d.name == name));
    let mut seen = vec![false; topo.outlets.len()];
    let mut changed = vec![adjusted.clone()];
    let mut applied = vec![false; calcs.len()];
    let mut stack = vec![from];
    seen[from] = true;
    loop {
        while let Some(u) = stack.pop() {
            for &s in &topo.outlets[u] {
                if let Some((d, _)) = &topo.streams[s].destination
                    && !seen[*d]
                {
                    seen[*d] = true;
                    stack.push(*d);
                }
            }
        }
        let produced = |stream: &str, seen: &[bool]| {
            let source = topo.stream_index.get(stream).and_then(|&s| topo.streams[s].source.as_ref());
            source.is_some_and(|(u, _)| seen[*u])
        };
        let moved = |v: &Variable, seen: &[bool], changed: &[Variable]| match v {
            Variable::UnitParam { .. } => changed.contains(v),
            v => match v.stream() {
                Some(stream) => produced(stream, seen),
                None => unit_of(v).is_some_and(|u| seen[u]),
            },
        };
        let next =
            (0..calcs.len()).find(|&i| !applied[i] && calcs[i].reads.iter().any(|(v, _)| moved(v, &seen, &changed)));
        let Some(i) = next else {
            return moved(target, &seen, &changed);
        };
        applied[i] = true;
        changed.push(calcs[i].set.clone());
        if let Some(u) = unit_of(&calcs[i].set).filter(|&u| !seen[u]) {
            seen[u] = true;
            stack.push(u);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use calx_core::thermo::HeatCapacity;
    use calx_core::{Component, Phase, UnitType};

    use super::*;

    fn unit(name: &str, unit_type: Arc<dyn UnitType>, params: Vec<(&str, ParamValue)>, ports: [&[&str]; 2]) -> UnitDef {
        let names = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        UnitDef {
            name: name.into(),
            unit_type,
            params: calx_core::Params::new(params.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
            inlets: if ports[0].is_empty() { vec![] } else { vec![("in".into(), names(ports[0]))] },
            outlets: vec![("out".into(), names(ports[1]))],
        }
    }

    /// feed (CaO and water) -> mixer -> splitter returning 60 % to the mixer (`recycle`, torn),
    /// converged loosely.
    fn recycle() -> Flowsheet {
        let mk = |name: &str, phase, h_f: f64, cp: f64| {
            let mut c = Component::from_formula(name, name, phase).unwrap();
            c.formation_enthalpy = Some(h_f * 1e3);
            c.heat_capacity = Some(HeatCapacity::Constant { cp });
            c
        };
        let components =
            ComponentSet::new(vec![mk("CaO", Phase::Solid, -634.9, 42.0), mk("H2O", Phase::Liquid, -285.8, 75.3)]);
        let number = ParamValue::Number;
        let composition = BTreeMap::from([("CaO".to_string(), number(0.3)), ("H2O".to_string(), number(0.7))]);
        let feed = vec![
            ("total", number(0.5)),
            ("composition", ParamValue::Map(composition)),
            ("T", number(298.15)),
            ("P", number(101_325.0)),
        ];
        let fractions = vec![("fractions", ParamValue::Map(BTreeMap::from([("recycle".to_string(), number(0.6))])))];
        // Converged by plain substitution to a loose tolerance: the last guess of `recycle`
        // is visibly not the splitter's last outlet.
        let mut options = SolveOptions::default();
        options.recycle.method = calx_solver::Method::DirectSubstitution;
        options.recycle.rel_tol = 1e-7;
        Flowsheet::build(FlowsheetDef {
            name: "torn".into(),
            components: Arc::new(components.unwrap()),
            units: vec![
                unit("feed", Arc::new(calx_generic::Feed), feed, [&[], &["feed"]]),
                unit("mixer", Arc::new(calx_generic::Mixer), vec![], [&["feed", "recycle"], &["mixed"]]),
                unit("split", Arc::new(calx_generic::Splitter), fractions, [&["mixed"], &["recycle", "product"]]),
            ],
            options,
            design_specs: vec![],
            calculators: vec![],
        })
        .unwrap()
    }

    #[test]
    fn a_torn_inlet_is_balanced_as_the_unit_saw_it() {
        let mut f = recycle();
        let r = f.solve().unwrap();
        let (mixer, split) = (f.unit_index("mixer").unwrap(), f.unit_index("split").unwrap());
        // The mixer last ran on the solver's guess of `recycle`, not on the splitter's
        // final outlet: the two values differ, so the outlet's sums are not the inlet's.
        let (seen, produced) = (&f.unit_in[mixer][1], &f.unit_out[split][0]);
        assert!(!same_bits(seen, produced), "{seen:?} is the outlet bit for bit");
        let inlets = &f.unit_in[mixer];
        let mass_seen = -0.0 + inlets[0].total_mass() + seen.total_mass();
        let mass_produced = -0.0 + inlets[0].total_mass() + produced.total_mass();
        assert_ne!(mass_seen.to_bits(), mass_produced.to_bits(), "the mass balance tells them apart");
        let balance = &r.units[mixer].balance;
        assert_eq!(balance[0].inflow.to_bits(), mass_seen.to_bits(), "{balance:?}");
        // Every outlet's sums, and one entry of its own for the torn inlet: the other inlets,
        // the feed and the product reuse their outlets' sums.
        let outlets: usize = f.unit_out.iter().map(Vec::len).sum();
        assert_eq!(f.balances.streams.len(), outlets + 1);
    }
}
