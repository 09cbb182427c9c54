//! The solver: a damped Newton method on the log10 activities of the master species (and the
//! amounts of the equilibrium minerals and of the gas), with activity coefficients and the
//! water activity updated from the current molalities at every iteration, inside a primal
//! active-set loop for the minerals that lowers the Gibbs energy at every change of the set
//! (a mineral enters when supersaturated, leaves by a ratio test when its amount would go
//! negative, and dependent phases react until one is exhausted; see `settle`). A Newton solve
//! that fails leaves the unknowns where it started, and a failed step of the saturation targets
//! is retried shorter from the last converged solution (`retreat`). All buffers live in a
//! [`Workspace`], so that a solve allocates nothing but its result ([`System::solve_into`] not
//! even that).

use crate::PASCAL_PER_ATM;
use crate::activity::water_activity;
use crate::database::Element;
use crate::equilibrium::Equilibrium;
use crate::error::AqueousError;
use crate::gas::peng_robinson_log_fugacity_coefficient;
use crate::linalg::solve_in_place;
use crate::system::{GasCondition, Input, System};
use crate::water::debye_huckel_a_b;

/// Newton iterations allowed per active set.
const MAX_ITERATIONS: usize = 200;
/// Newton iterations after which a solve counts as stalled (and restarts, or with minerals
/// present hands the set back to the active-set loop).
const STALLED: usize = 60;
/// Relative residual of the mass and charge balances at convergence.
const BALANCE_TOLERANCE: f64 = 1e-13;
/// Residual of the saturation equations (log units) at convergence.
const SI_TOLERANCE: f64 = 1e-11;
/// Saturation index above which an absent equilibrium mineral enters.
const SI_ENTER: f64 = 1e-8;
/// Largest change of a log10 unknown in one Newton step.
const MAX_STEP: f64 = 1.0;
/// Largest ionic strength the activity coefficients are evaluated at, mol/kg (a guard for
/// iterates far from the solution).
pub(crate) const MAX_IONIC_STRENGTH: f64 = 20.0;
/// Gas constant, L atm/(K mol), PHREEQC's `R_LITER_ATM`.
pub(crate) const R_L_ATM: f64 = 0.0820597;

/// The next saturation target of a mineral on its way to saturation from `si`: half of it
/// above one log unit, then zero. Far from saturation Newton's linear model moves the
/// solution too far in one step (dolomite entering at SI 10 next to periclase and gypsum
/// stalls); the path of solutions at decreasing targets is smooth, and each step starts
/// from the last.
fn next_target(si: f64) -> f64 {
    if si.abs() > 1.0 { 0.5 * si } else { 0.0 }
}

/// Newton iterations within which a step of the saturation targets counts as quick: the
/// next step then goes to zero at once (see `lower_targets`).
const QUICK_TARGET_STEP: usize = 8;

/// Smallest step of a saturation target worth retrying a failed Newton with (log units): a
/// mineral entering from SI 8 gets about ten halvings.
const MIN_TARGET_STEP: f64 = 1e-2;

/// The unknowns of the solution (not the set of minerals) at one point, to return to.
#[derive(Debug, Clone, Default)]
struct Snapshot {
    la: Vec<f64>,
    law: f64,
    ionic: f64,
    gas_x: f64,
    amount: Vec<f64>,
}

impl Snapshot {
    fn new(nc: usize, ne: usize) -> Self {
        Snapshot { la: vec![0.0; nc], amount: vec![0.0; ne], ..Snapshot::default() }
    }
}

/// Copies the unknowns into `snap` (free functions: the snapshots live in the workspace whose
/// fields they copy).
fn save(snap: &mut Snapshot, la: &[f64], law: f64, ionic: f64, gas_x: f64, amount: &[f64]) {
    snap.la.copy_from_slice(la);
    (snap.law, snap.ionic, snap.gas_x) = (law, ionic, gas_x);
    snap.amount.copy_from_slice(amount);
}

/// Copies the solution's unknowns (not the amounts) back from `snap`.
fn restore(snap: &Snapshot, la: &mut [f64], law: &mut f64, ionic: &mut f64, gas_x: &mut f64) {
    la.copy_from_slice(&snap.la);
    (*law, *ionic, *gas_x) = (snap.law, snap.ionic, snap.gas_x);
}

/// Σ f² and (worst balance residual and its row, worst saturation or water-activity residual
/// and its row).
type Merit = (f64, ((f64, usize), (f64, usize)));

/// An unknown of the Newton system (and the equation of its row).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unknown {
    /// log10 activity of component c: the mass balance of its element, or the charge balance
    /// for H+.
    Component(usize),
    /// Amount of equilibrium mineral k: its saturation index is zero.
    Mineral(usize),
    /// The gas: moles taken up (fixed pressure) or log10 moles in the gas (closed volume).
    Gas,
    /// log10 of the water activity: a_w = 1 - 0.017 Σ m.
    Water,
    /// The ionic strength: I = ½ Σ z² m.
    Ionic,
}

/// The gas condition of one solve, in solver terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum GasMode {
    None,
    /// log10 of the CO2 fugacity, atm.
    Fixed {
        log_f: f64,
    },
    /// Volume in litres and CO2 moles initially in the gas.
    Closed {
        litres: f64,
        n0: f64,
    },
}

/// Reusable buffers of a system's solves; also holds the last solution to start the next one
/// from.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) t_cached: f64,
    pub(crate) lk_species: Vec<f64>,
    pub(crate) lk_minerals: Vec<f64>,
    pub(crate) lk_co2: f64,
    pub(crate) lk_h2o: f64,
    a_dh: f64,
    b_dh: f64,
    pub(crate) la: Vec<f64>,
    pub(crate) law: f64,
    pub(crate) lg: Vec<f64>,
    dlg: Vec<f64>,
    pub(crate) m: Vec<f64>,
    pub(crate) ionic: f64,
    on: Vec<bool>,
    pub(crate) active: Vec<bool>,
    was_active: Vec<bool>,
    pub(crate) total: Vec<f64>,
    pub(crate) present: Vec<bool>,
    pub(crate) amount: Vec<f64>,
    /// Mineral amounts on the path of the active-set method: not negative, conserving the
    /// totals, and lower in Gibbs energy at every change of the set (see `settle`).
    pub(crate) feasible: Vec<f64>,
    /// Saturation index each present mineral is solved to: zero at the end, on the way down
    /// from a large supersaturation when it enters (see `settle`).
    pub(crate) target: Vec<f64>,
    pub(crate) gas: GasMode,
    /// Fixed: moles taken up from the gas; closed: log10 moles in the gas.
    pub(crate) gas_x: f64,
    pub(crate) gas_on: bool,
    unknowns: Vec<Unknown>,
    /// The position among the unknowns of each active component (`usize::MAX` if inactive).
    pos: Vec<usize>,
    /// From the molalities, by `molality_sums`: Σ ν_ic m_i for each component c (H+'s unused),
    /// Σ z m, ½ Σ z² m, and Σ m (one pass over the species instead of one per row).
    sums: Vec<f64>,
    sum_charge: f64,
    sum_ionic: f64,
    sum_m: f64,
    /// Moles in the closed gas, 10^gas_x, at the last `residuals` (zero without one), which
    /// the Jacobian at the same point reuses.
    gas_moles: f64,
    /// The unknowns' values before a step, for the line search.
    pub(crate) saved: Vec<f64>,
    /// The Newton direction.
    pub(crate) dir: Vec<f64>,
    /// The Newton matrix, row-major with `ld` columns per row (the largest n): row operations
    /// of the elimination and the row scaling then run over contiguous memory.
    pub(crate) jac: Vec<f64>,
    pub(crate) ld: usize,
    pub(crate) f: Vec<f64>,
    scale: Vec<f64>,
    warm: bool,
    /// Scratch of the phase-dependence test (`phases.rs`): the element columns of the present
    /// phases (elements × phases, row-major), the phases they stand for, the pivot column of
    /// each eliminated row, and the null vector.
    pub(crate) dep: Vec<f64>,
    pub(crate) dep_cols: Vec<usize>,
    pub(crate) dep_pivot: Vec<usize>,
    pub(crate) lambda: Vec<f64>,
    /// The state a Newton solve started from: restored when it fails, so that the next set
    /// starts from it rather than from an iterate that wandered off (10^3 molal MgOH+).
    start: Snapshot,
    /// The last solution of the active-set loop that converged with no amount negative, and
    /// whether it still describes the present set up to its targets (see `retreat`).
    good: Snapshot,
    good_valid: bool,
    /// The saturation target of each present mineral at `good` (for a mineral that entered
    /// since, its saturation index there): a failed Newton retries halfway back to it.
    target_from: Vec<f64>,
    /// Moles of each element held by the present minerals, by `held_by_minerals`.
    held: Vec<f64>,
}

impl Workspace {
    /// Writes the last solution (what a warm start needs: log activities, water activity,
    /// ionic strength, gas unknown, activity coefficients, the active elements and the
    /// mineral assemblage with its amounts) into `out`, or clears `out` when there is none
    /// (no solve yet, or the last one failed). [`Workspace::start_from`] reads it back.
    pub fn save_start(&self, out: &mut Vec<f64>) {
        out.clear();
        if !self.warm {
            return;
        }
        out.extend_from_slice(&self.la);
        out.extend([self.law, self.ionic, self.gas_x]);
        out.extend_from_slice(&self.lg);
        out.extend_from_slice(&self.amount);
        out.extend(self.present.iter().chain(&self.active).map(|b| f64::from(u8::from(*b))));
    }

    /// Starts the next solve from `state`, written by [`Workspace::save_start`] of a workspace
    /// of the same system: a study starts every sample from its base case's solution, so that
    /// a sample's result does not depend on the samples solved before it. A state of another
    /// length (another system, or none saved) leaves the workspace as it is and returns
    /// `false`. A start that fails to converge falls back to the cold start, as any warm
    /// start does.
    pub fn start_from(&mut self, state: &[f64]) -> bool {
        let (nc, ns, ne) = (self.la.len(), self.lg.len(), self.amount.len());
        if state.len() != 2 * nc + 3 + ns + 2 * ne {
            return false;
        }
        let (la, rest) = state.split_at(nc);
        let (scalars, rest) = rest.split_at(3);
        let (lg, rest) = rest.split_at(ns);
        let (amount, rest) = rest.split_at(ne);
        let (present, active) = rest.split_at(ne);
        self.la.copy_from_slice(la);
        (self.law, self.ionic, self.gas_x) = (scalars[0], scalars[1], scalars[2]);
        self.lg.copy_from_slice(lg);
        self.amount.copy_from_slice(amount);
        self.present.iter_mut().zip(present).for_each(|(p, x)| *p = *x != 0.0);
        self.active.iter_mut().zip(active).for_each(|(a, x)| *a = *x != 0.0);
        self.warm = true;
        true
    }
}

impl System {
    /// A workspace sized for this system.
    pub fn workspace(&self) -> Workspace {
        let (ns, nc, nm, ne) = (self.species.len(), self.components(), self.minerals.len(), self.equilibrium.len());
        let n = nc + ne + 3;
        Workspace {
            t_cached: f64::NAN,
            lk_species: vec![0.0; ns],
            lk_minerals: vec![0.0; nm],
            lk_co2: 0.0,
            lk_h2o: 0.0,
            a_dh: 0.0,
            b_dh: 0.0,
            la: vec![0.0; nc],
            law: 0.0,
            lg: vec![0.0; ns],
            dlg: vec![0.0; ns],
            m: vec![0.0; ns],
            ionic: 0.0,
            on: vec![false; ns],
            active: vec![false; nc],
            was_active: vec![false; nc],
            total: vec![0.0; nc],
            present: vec![false; ne],
            amount: vec![0.0; ne],
            feasible: vec![0.0; ne],
            target: vec![0.0; ne],
            gas: GasMode::None,
            gas_x: 0.0,
            gas_on: false,
            unknowns: Vec::with_capacity(n),
            pos: vec![usize::MAX; nc],
            sums: vec![0.0; nc],
            sum_charge: 0.0,
            sum_ionic: 0.0,
            sum_m: 0.0,
            gas_moles: 0.0,
            saved: vec![0.0; n],
            dir: vec![0.0; n],
            jac: vec![0.0; n * n],
            ld: n,
            f: vec![0.0; n],
            scale: vec![1.0; n],
            warm: false,
            dep: vec![0.0; (nc - 1) * (ne + 1)],
            dep_cols: Vec::with_capacity(ne + 1),
            dep_pivot: vec![0; nc - 1],
            lambda: vec![0.0; ne + 1],
            start: Snapshot::new(nc, ne),
            good: Snapshot::new(nc, ne),
            good_valid: false,
            target_from: vec![0.0; ne],
            held: vec![0.0; nc],
        }
    }

    /// Brings the solution described by `input` to equilibrium.
    pub fn solve(&self, ws: &mut Workspace, input: &Input) -> Result<Equilibrium, AqueousError> {
        let mut out = Equilibrium::empty(self);
        self.solve_into(ws, input, &mut out)?;
        Ok(out)
    }

    /// As [`System::solve`], writing into an existing result (no allocation once `out` has
    /// been filled by this system before).
    pub fn solve_into(&self, ws: &mut Workspace, input: &Input, out: &mut Equilibrium) -> Result<(), AqueousError> {
        self.check(input)?;
        self.prepare(ws, input);
        let result = match self.settle(ws, input) {
            Err(_) if ws.warm => {
                ws.warm = false;
                self.prepare(ws, input);
                self.settle(ws, input)
            }
            r => r,
        };
        match result {
            Ok(iterations) => {
                ws.warm = true;
                self.report(ws, input, iterations, out);
                Ok(())
            }
            Err(e) => {
                ws.warm = false;
                Err(e)
            }
        }
    }

    /// Refuses inputs out of range.
    fn check(&self, input: &Input) -> Result<(), AqueousError> {
        let bad = |what: String| Err(AqueousError::InvalidInput(what));
        let t = input.temperature;
        if !(273.15..=423.15).contains(&t) {
            return bad(format!("temperature {t} K is outside 273.15-423.15 K"));
        }
        if !(input.water_mass.is_finite() && input.water_mass > 0.0) {
            return bad(format!("water mass {} kg must be positive", input.water_mass));
        }
        for e in Element::ALL {
            let v = input.totals[e.index()];
            if !(v.is_finite() && v >= 0.0) {
                return bad(format!("total of {} = {v} mol must be finite and not negative", e.symbol()));
            }
            if v > 0.0 && !self.elements.contains(&e) {
                return bad(format!("{} is not an element of the system", e.symbol()));
            }
        }
        for (slot, k) in self.equilibrium.iter().enumerate() {
            let n = input.minerals.get(slot).copied().unwrap_or(0.0);
            if !(n.is_finite() && n >= 0.0) {
                return bad(format!("{} amount {n} mol must be finite and not negative", self.names.minerals[*k]));
            }
        }
        self.check_mineral_content(input)?;
        if input.gas != GasCondition::None && self.co2_gas.is_none() {
            return bad("a CO2 gas condition needs carbon among the system's elements".into());
        }
        match input.gas {
            GasCondition::None => Ok(()),
            GasCondition::FixedCo2 { pressure } if pressure.is_finite() && pressure > 0.0 => Ok(()),
            GasCondition::ClosedCo2 { volume, moles }
                if volume.is_finite() && volume > 0.0 && moles.is_finite() && moles >= 0.0 =>
            {
                Ok(())
            }
            g => bad(format!("gas condition {g:?}: pressure and volume must be positive, moles not negative")),
        }
    }

    /// The initial minerals are part of the totals: their content cannot exceed them.
    fn check_mineral_content(&self, input: &Input) -> Result<(), AqueousError> {
        for (c, e) in self.elements.iter().enumerate() {
            let held: f64 = self
                .equilibrium
                .iter()
                .enumerate()
                .map(|(slot, k)| input.minerals.get(slot).copied().unwrap_or(0.0) * self.minerals[*k].stoich[c])
                .sum();
            let total = input.totals[e.index()];
            if held > total * (1.0 + 1e-12) + 1e-300 {
                return Err(AqueousError::InvalidInput(format!(
                    "the initial minerals hold {held} mol of {}, more than its total {total} mol (totals include minerals)",
                    e.symbol()
                )));
            }
        }
        Ok(())
    }

    /// log K at the temperature, active components and species, initial guess.
    fn prepare(&self, ws: &mut Workspace, input: &Input) {
        let t = input.temperature;
        if ws.t_cached != t {
            for (lk, s) in ws.lk_species.iter_mut().zip(self.species.iter()) {
                *lk = s.log_k.at(t);
            }
            for (lk, m) in ws.lk_minerals.iter_mut().zip(self.minerals.iter()) {
                *lk = m.log_k.at(t);
            }
            ws.lk_co2 = self.co2_gas.as_ref().map_or(0.0, |g| g.log_k.at(t));
            ws.lk_h2o = self.h2o_gas.as_ref().map_or(0.0, |g| g.log_k.at(t));
            (ws.a_dh, ws.b_dh) = debye_huckel_a_b(t);
            ws.t_cached = t;
        }
        ws.gas = self.gas_mode(input);
        ws.target.iter_mut().for_each(|t| *t = 0.0);
        let nc = self.components();
        ws.was_active.copy_from_slice(&ws.active);
        let carbon = self.carbon();
        for (c, e) in self.elements.iter().enumerate() {
            ws.total[c] = input.totals[e.index()];
            ws.active[c] = ws.total[c] > 0.0;
        }
        ws.gas_on = match (carbon, ws.gas) {
            (Some(_), GasMode::Fixed { .. }) => true,
            (Some(c), GasMode::Closed { n0, .. }) => n0 > 0.0 || ws.total[c] > 0.0,
            _ => false,
        };
        if let (Some(c), true) = (carbon, ws.gas_on) {
            ws.active[c] = true;
        }
        ws.active[nc - 1] = true;
        for i in 0..self.species.len() {
            ws.on[i] = self.terms(i).iter().all(|(c, _)| ws.active[*c]);
        }
        self.initial_guess(ws, input);
    }

    /// The element index of carbon among the components, if the system has carbon.
    pub(crate) fn carbon(&self) -> Option<usize> {
        self.elements.iter().position(|e| *e == Element::C)
    }

    fn gas_mode(&self, input: &Input) -> GasMode {
        match (input.gas, &self.co2_gas) {
            (GasCondition::FixedCo2 { pressure }, Some(g)) => {
                // PHREEQC caps the target log pressure at 3.5 and adds log10 φ (`calc_PR`).
                let p_atm = (pressure / PASCAL_PER_ATM).min(10f64.powf(3.5));
                let log_phi = g.critical.map_or(0.0, |(tc, pc, w)| {
                    peng_robinson_log_fugacity_coefficient(input.temperature, p_atm, tc, pc, w)
                });
                GasMode::Fixed { log_f: p_atm.log10() + log_phi }
            }
            (GasCondition::ClosedCo2 { volume, moles }, Some(_)) => GasMode::Closed { litres: volume * 1e3, n0: moles },
            _ => GasMode::None,
        }
    }

    /// Whether every element of equilibrium mineral `k` (index into `equilibrium`) is active.
    fn mineral_possible(&self, ws: &Workspace, slot: usize) -> bool {
        let st = &self.minerals[self.equilibrium[slot]].stoich;
        (0..self.elements.len()).all(|c| st[c] == 0.0 || ws.active[c])
    }

    /// Starting values: the last solution (warm) or free ions at pH 7 (cold; with the carbon
    /// of a closed gas split between gas and solution, and the saturated start where that is
    /// closer).
    fn initial_guess(&self, ws: &mut Workspace, input: &Input) {
        let ne = self.elements.len();
        for slot in 0..self.equilibrium.len() {
            let given = input.minerals.get(slot).copied().unwrap_or(0.0);
            let keep = ws.warm && ws.present[slot];
            // Cold, every mineral that can form starts present, so that the dependences
            // below hand the given amounts to the most stable assemblage (lime's to
            // portlandite) before any Newton step. Warm, the last solution's assemblage is
            // the guess: a mineral it had used up enters again only if supersaturated, as
            // the active set decides (a unit re-solving with slightly changed totals would
            // otherwise dissolve it all over again on every solve).
            ws.present[slot] = (keep || !ws.warm) && self.mineral_possible(ws, slot);
            if !ws.warm || !keep {
                ws.amount[slot] = if ws.present[slot] { given } else { 0.0 };
            }
            ws.feasible[slot] = if ws.present[slot] { ws.amount[slot].max(0.0) } else { 0.0 };
        }
        if !ws.warm {
            // D of a dependence is evaluated at the water activity: pure water's to start.
            ws.law = 0.0;
            while self.pivot_out_dependent(ws).is_some() {}
            // Minerals left with nothing start absent: they enter when supersaturated.
            for slot in 0..self.equilibrium.len() {
                ws.present[slot] &= ws.feasible[slot] > 0.0;
            }
        }
        let w = input.water_mass;
        for c in 0..ne {
            if ws.warm && ws.was_active[c] {
                continue;
            }
            let held: f64 = (0..self.equilibrium.len())
                .filter(|s| ws.present[*s])
                .map(|s| ws.amount[s] * self.minerals[self.equilibrium[s]].stoich[c])
                .sum();
            let free = (ws.total[c] - held).max(1e-3 * ws.total[c]).max(1e-12);
            ws.la[c] = (free / w).log10() - if Some(c) == self.carbon() { 2.0 } else { 0.0 };
        }
        if !ws.warm {
            ws.la[ne] = -7.0;
            ws.law = 0.0;
            ws.lg.iter_mut().for_each(|g| *g = 0.0);
            self.speciate(ws);
            ws.ionic = self.ionic_strength(ws).clamp(1e-7, 10.0);
        }
        if !ws.warm || !matches!(ws.gas, GasMode::Closed { .. }) || !ws.gas_x.is_finite() {
            ws.gas_x = match ws.gas {
                GasMode::Closed { n0, .. } => n0.max(1e-6 * ws.total[self.carbon().unwrap_or(0)]).max(1e-12).log10(),
                _ => 0.0,
            };
        }
        if !ws.warm {
            self.closed_gas_start(ws, input);
            if ws.present.iter().any(|p| *p) {
                self.better_cold_start(ws, input);
            }
        }
    }

    /// With minerals present, the free ions at pH 7 can be far from their saturation
    /// (portlandite at SI 9, which takes Newton a dozen iterations): moves to the rough
    /// saturated start of `guess.rs` (one pass, a dozen speciations: its full six passes
    /// cost more than the iterations they save) if its residuals are the smaller. Next to
    /// several minerals and a fixed CO2 pressure the saturated start is the worse, and
    /// Newton from it stalls where from the free ions it converges.
    fn better_cold_start(&self, ws: &mut Workspace, input: &Input) {
        self.unknowns(ws);
        self.scales(ws, input);
        let free_ions = self.evaluate(ws, input).0;
        save(&mut ws.start, &ws.la, ws.law, ws.ionic, ws.gas_x, &ws.amount);
        self.cold_saturated_guess(ws, input);
        self.closed_gas_start(ws, input);
        if self.evaluate(ws, input).0 >= free_ions {
            self.back_to_start(ws);
        }
    }

    /// The active-set loop around Newton; returns the Newton iterations done.
    ///
    /// A primal active-set method on the Gibbs energy G(n) of the system as a function of the
    /// mineral amounts n (the solution's composition minimised for each n), which is convex,
    /// with ∂G/∂n_k = -RT ln 10 SI_k. `ws.feasible` is the current point: n ≥ 0. Each round
    /// solves the present set with the amounts free of sign (Newton, n*), then:
    /// - if some n*_k < 0, moves from the current point toward n* until the first amount
    ///   reaches zero (the ratio test) and takes that mineral out: G falls along the segment;
    /// - else n* is the minimum of G over the present set; the most supersaturated absent
    ///   mineral enters (G falls in its direction) or, if none is, n* is the equilibrium;
    /// - present phases whose columns are dependent react among themselves, downhill in G,
    ///   until one is exhausted (`phases.rs`).
    ///
    /// G falls at every change of the set, so no set comes back and the loop ends: it does not
    /// cycle as dropping the most negative amount of an unconverged iterate can.
    fn settle(&self, ws: &mut Workspace, input: &Input) -> Result<usize, AqueousError> {
        // Set changes, plus the steps of the targets (each entering mineral at most ~6, and
        // the retreats of failed steps).
        let rounds = 24 * self.equilibrium.len() + 16;
        let mut iterations = 0;
        let mut last = String::new();
        ws.good_valid = false;
        for _ in 0..rounds {
            while let Some(s) = self.pivot_out_dependent(ws) {
                ws.good_valid = false;
                last.clone_from(&self.names.minerals[self.equilibrium[s]]);
            }
            let (done, converged) = self.newton_with_restart(ws, input, iterations)?;
            iterations += done;
            if !converged && self.retreat(ws) {
                continue;
            }
            if let Some(s) = self.ratio_test(ws) {
                ws.good_valid = false;
                last.clone_from(&self.names.minerals[self.equilibrium[s]]);
                continue;
            }
            if !converged {
                // Stalled with no amount negative: a mineral that cannot be at equilibrium
                // (its elements dissolve entirely); take out the one with the least amount.
                if let Some(s) = (0..self.equilibrium.len())
                    .filter(|s| ws.present[*s])
                    .min_by(|a, b| ws.amount[*a].total_cmp(&ws.amount[*b]))
                {
                    self.take_out(ws, s);
                    ws.good_valid = false;
                    last.clone_from(&self.names.minerals[self.equilibrium[s]]);
                }
                continue;
            }
            for s in 0..self.equilibrium.len() {
                ws.feasible[s] = if ws.present[s] { ws.amount[s] } else { 0.0 };
            }
            save(&mut ws.good, &ws.la, ws.law, ws.ionic, ws.gas_x, &ws.amount);
            ws.good_valid = true;
            ws.target_from.copy_from_slice(&ws.target);
            if self.lower_targets(ws, done <= QUICK_TARGET_STEP) {
                continue;
            }
            let supersaturated = (0..self.equilibrium.len())
                .filter(|s| !ws.present[*s] && self.mineral_possible(ws, *s))
                .map(|s| (s, self.mineral_si(ws, self.equilibrium[s])))
                .filter(|(_, si)| *si > SI_ENTER)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((s, si)) = supersaturated {
                ws.present[s] = true;
                ws.amount[s] = 0.0;
                ws.feasible[s] = 0.0;
                ws.target[s] = next_target(si);
                ws.target_from[s] = si;
                last.clone_from(&self.names.minerals[self.equilibrium[s]]);
                continue;
            }
            return Ok(iterations);
        }
        Err(AqueousError::ActiveSet { rounds, last })
    }

    /// After a failed Newton, if the set differs from the last good solution only by its
    /// saturation targets (a mineral entering, targets lowered): returns to that solution and
    /// halves the target steps, and says so. The solutions at intermediate targets form a
    /// continuous path from the good one (where its targets hold), so a short enough step
    /// converges; a set that has no solution at the full step (portlandite, nesquehonite and
    /// gypsum with dolomite entering at SI 4: an invariant point far beyond the activity
    /// model) then resolves by the ratio test at a converged point on the way.
    fn retreat(&self, ws: &mut Workspace) -> bool {
        let neq = self.equilibrium.len();
        let far = |s: usize| ws.present[s] && (ws.target[s] - ws.target_from[s]).abs() > MIN_TARGET_STEP;
        if !ws.good_valid || !(0..neq).any(far) {
            return false;
        }
        restore(&ws.good, &mut ws.la, &mut ws.law, &mut ws.ionic, &mut ws.gas_x);
        ws.amount.copy_from_slice(&ws.good.amount);
        for s in 0..neq {
            if ws.present[s] {
                ws.target[s] = 0.5 * (ws.target[s] + ws.target_from[s]);
            }
        }
        self.gammas(ws);
        true
    }

    /// Newton from the last state for [`STALLED`] iterations, then, if it has not converged
    /// and no amount is negative, from the saturated start of `guess.rs`: for as long again
    /// with minerals present (the active-set loop resolves a set that stalls twice), else to
    /// [`MAX_ITERATIONS`]. If it does not converge, the solution's unknowns go back to where
    /// they started (the amounts stay, for the ratio test): an iterate that wandered off
    /// (log m(MgOH+) at its clamp of 3) is no start for the next set, and starting the next
    /// set from it failed in turn, mineral after mineral.
    fn newton_with_restart(
        &self,
        ws: &mut Workspace,
        input: &Input,
        before: usize,
    ) -> Result<(usize, bool), AqueousError> {
        save(&mut ws.start, &ws.la, ws.law, ws.ionic, ws.gas_x, &ws.amount);
        let (done, converged) = self.newton(ws, input, before, STALLED)?;
        if converged {
            return Ok((done, converged));
        }
        // Stalled with an amount negative: the ratio test toward this iterate takes the
        // mineral out (nesquehonite next to dolomite and anhydrite heads for 10^4 molal Mg,
        // its amount falling from the start, while from a restart the amounts run anywhere).
        if self.most_negative(ws).is_some() {
            self.back_to_start(ws);
            return Ok((done, converged));
        }
        for s in 0..self.equilibrium.len() {
            ws.amount[s] = ws.feasible[s];
        }
        self.saturated_guess(ws, input);
        let limit = if ws.present.iter().any(|p| *p) { STALLED } else { MAX_ITERATIONS };
        let (more, converged) = self.newton(ws, input, before + done, limit)?;
        if !converged {
            self.back_to_start(ws);
        }
        Ok((done + more, converged))
    }

    /// Returns the solution's unknowns (not the amounts, which the active-set loop reads) to
    /// where the last Newton started.
    fn back_to_start(&self, ws: &mut Workspace) {
        restore(&ws.start, &mut ws.la, &mut ws.law, &mut ws.ionic, &mut ws.gas_x);
        self.gammas(ws);
    }

    /// The present equilibrium mineral with the most negative amount, if one is negative.
    fn most_negative(&self, ws: &Workspace) -> Option<usize> {
        (0..self.equilibrium.len())
            .filter(|s| ws.present[*s] && ws.amount[*s] < 0.0)
            .min_by(|a, b| ws.amount[*a].total_cmp(&ws.amount[*b]))
    }

    /// The ratio test: if a present mineral's amount is negative, moves `ws.feasible` toward
    /// the amounts of the last solve until the first reaches zero, takes out the minerals that
    /// reach zero there and returns one of them.
    fn ratio_test(&self, ws: &mut Workspace) -> Option<usize> {
        let neq = self.equilibrium.len();
        let step = |ws: &Workspace, s: usize| ws.feasible[s] / (ws.feasible[s] - ws.amount[s]);
        let blocking = (0..neq)
            .filter(|s| ws.present[*s] && ws.amount[*s] < 0.0)
            .min_by(|a, b| step(ws, *a).total_cmp(&step(ws, *b)))?;
        let alpha = step(ws, blocking);
        for s in 0..neq {
            if !ws.present[s] {
                continue;
            }
            // Ties (several minerals exhausted at once, as those at zero already) leave together.
            if ws.amount[s] < 0.0 && step(ws, s) <= alpha * (1.0 + 1e-12) {
                self.take_out(ws, s);
            } else {
                ws.feasible[s] = (ws.feasible[s] + alpha * (ws.amount[s] - ws.feasible[s])).max(0.0);
            }
        }
        Some(blocking)
    }

    /// Lowers the saturation targets of the present minerals one step toward zero, or straight
    /// to zero if the last step converged `quick`ly; whether any was above zero. A quick step
    /// says the path is nearly linear there, so the rest of it is likely one Newton solve
    /// (calcite entering at SI 5 next to brucite: three more halvings of four iterations each
    /// where one solve of six does); if it fails, `retreat` halves back toward this solution.
    fn lower_targets(&self, ws: &mut Workspace, quick: bool) -> bool {
        let mut any = false;
        for s in 0..self.equilibrium.len() {
            if ws.present[s] && ws.target[s] != 0.0 {
                ws.target[s] = if quick { 0.0 } else { next_target(ws.target[s]) };
                any = true;
            }
        }
        any
    }

    /// Takes equilibrium mineral `s` out of the present set.
    fn take_out(&self, ws: &mut Workspace, s: usize) {
        ws.present[s] = false;
        ws.target[s] = 0.0;
        ws.amount[s] = 0.0;
        ws.feasible[s] = 0.0;
    }

    /// Saturation index of mineral `k` (index into `minerals`) at the current activities.
    pub(crate) fn mineral_si(&self, ws: &Workspace, k: usize) -> f64 {
        let p = &self.minerals[k];
        p.stoich.iter().zip(ws.la.iter()).map(|(n, la)| n * la).sum::<f64>() + p.water * ws.law - ws.lk_minerals[k]
    }

    /// log10 of the CO2 fugacity (atm) in equilibrium with the current activities.
    pub(crate) fn co2_log_fugacity(&self, ws: &Workspace) -> f64 {
        let Some(g) = &self.co2_gas else { return f64::NEG_INFINITY };
        g.stoich.iter().zip(ws.la.iter()).map(|(n, la)| n * la).sum::<f64>() + g.water * ws.law - ws.lk_co2
    }

    /// Lists the unknowns of the current active set.
    fn unknowns(&self, ws: &mut Workspace) {
        ws.unknowns.clear();
        for c in 0..self.components() {
            ws.pos[c] = if ws.active[c] { ws.unknowns.len() } else { usize::MAX };
            if ws.active[c] {
                ws.unknowns.push(Unknown::Component(c));
            }
        }
        for s in 0..self.equilibrium.len() {
            if ws.present[s] {
                ws.unknowns.push(Unknown::Mineral(s));
            }
        }
        if ws.gas_on {
            ws.unknowns.push(Unknown::Gas);
        }
        ws.unknowns.push(Unknown::Water);
        ws.unknowns.push(Unknown::Ionic);
    }

    /// Damped Newton for the current active set, the mineral amounts free of sign; returns its
    /// iterations and whether it converged (`false`: it stalled with minerals present, which
    /// the active-set loop resolves).
    fn newton(
        &self,
        ws: &mut Workspace,
        input: &Input,
        before: usize,
        limit: usize,
    ) -> Result<(usize, bool), AqueousError> {
        self.unknowns(ws);
        self.scales(ws, input);
        let n = ws.unknowns.len();
        let mut merit = self.evaluate(ws, input);
        for it in 1..=limit {
            let (balance, si) = merit.1;
            if balance.0 < BALANCE_TOLERANCE && si.0 < SI_TOLERANCE && self.relative_balances_converged(ws, input) {
                return Ok((it, true));
            }
            self.jacobian(ws, input);
            for r in 0..n {
                ws.f[r] = -ws.f[r];
            }
            if let Err(row) = solve_in_place(&mut ws.jac, ws.ld, &mut ws.f, n) {
                return Err(AqueousError::Singular {
                    iterations: before + it,
                    unknown: self.unknown_name(ws.unknowns[row]),
                });
            }
            merit = self.line_search(ws, input, merit.0);
        }
        if limit < MAX_ITERATIONS || ws.present.iter().any(|p| *p) {
            return Ok((limit, false));
        }
        let worst = if merit.1.0.0 >= merit.1.1.0 { merit.1.0 } else { merit.1.1 };
        let (species, log_molality) = self.most_abundant(ws);
        if ws.sum_ionic > MAX_IONIC_STRENGTH {
            // The molalities need an ionic strength above the cap of the activity
            // coefficients (which then cannot match them): no activity model holds there.
            return Err(AqueousError::BeyondIonicStrength {
                ionic_strength: ws.sum_ionic,
                limit: MAX_IONIC_STRENGTH,
                species,
                log_molality,
            });
        }
        Err(AqueousError::NoConvergence {
            iterations: before + limit,
            equation: self.unknown_name(ws.unknowns[worst.1]),
            residual: worst.0,
            species,
            log_molality,
        })
    }

    /// Whether the charge and carbon balances hold relative to what they balance, at ten times
    /// [`BALANCE_TOLERANCE`]: their rows are scaled by bounds that can be far larger. The
    /// charge row by the charge of all the totals, which the minerals may hold nearly all of
    /// (portlandite at pH 12.4), so a scaled residual below tolerance could still be a visible
    /// error in Σ z m / Σ |z| m; the carbon row, at a fixed CO2 pressure, by the carbon the
    /// cations could take up (see `scales`), far above what anhydrite's solution holds.
    fn relative_balances_converged(&self, ws: &Workspace, input: &Input) -> bool {
        let (z, zabs) = self
            .species
            .iter()
            .zip(ws.m.iter())
            .fold((0.0, 0.0), |(z, zabs), (sp, m)| (z + sp.charge * m, zabs + sp.charge.abs() * m));
        if z.abs() > 10.0 * BALANCE_TOLERANCE * zabs {
            return false;
        }
        match (self.carbon(), ws.gas) {
            (Some(c), GasMode::Fixed { .. }) if ws.gas_on => {
                let dissolved = input.water_mass * ws.sums[c];
                let residual = dissolved + self.held(ws, c) - ws.total[c] - ws.gas_x;
                residual.abs() <= 10.0 * BALANCE_TOLERANCE * ws.total[c].max(ws.gas_x.abs()).max(dissolved)
            }
            _ => true,
        }
    }

    /// Activity coefficients, molalities, water activity and residuals at the current
    /// unknowns: returns (Σ f², (worst balance, worst saturation or water activity)).
    fn evaluate(&self, ws: &mut Workspace, input: &Input) -> Merit {
        self.gammas(ws);
        self.speciate(ws);
        self.molality_sums(ws);
        // Far from the solution the ionic strength unknown can drift from the molalities (at
        // fixed activities, ½ Σ z² m may grow faster than I): pull it back to them. The sums
        // hold ½ Σ z² m as `ionic_strength` adds it, so no second pass over the species.
        let i = ws.sum_ionic.clamp(1e-12, MAX_IONIC_STRENGTH);
        if !(i / 3.0..=3.0 * i).contains(&ws.ionic) {
            ws.ionic = i;
            self.gammas(ws);
            self.speciate(ws);
            self.molality_sums(ws);
        }
        let (balance, si) = self.residuals(ws, input);
        let sum: f64 = (0..ws.unknowns.len()).map(|r| ws.f[r] * ws.f[r]).sum();
        (if sum.is_finite() { sum } else { f64::INFINITY }, (balance, si))
    }

    /// Takes the Newton step in `ws.f` (limited as in `step`), shortening it while the sum
    /// of squared residuals does not fall, down to 1/256 of it.
    ///
    /// When the full step fails and clipping cut some log unknown, the next try is the
    /// longest step along the Newton direction that no clipping bends (largest log change
    /// [`MAX_STEP`]), then halves of it. Halving the clipped step instead tries steps that
    /// are still clipped, in a bent direction that rarely lowers the residuals, until they
    /// fall below the clipping: four to six evaluations per iteration where one does (a
    /// closed gas that must give back five log units of CO2 after a mineral left).
    fn line_search(&self, ws: &mut Workspace, input: &Input, merit0: f64) -> Merit {
        let n = ws.unknowns.len();
        for r in 0..n {
            ws.saved[r] = self.value(ws, ws.unknowns[r]);
        }
        for r in 0..n {
            ws.dir[r] = ws.f[r];
        }
        let mut fraction = 1.0;
        loop {
            self.step(ws, n, fraction);
            let merit = self.evaluate(ws, input);
            if merit.0 <= (1.0 - 1e-4 * fraction) * merit0 || fraction < 1.0 / 256.0 || merit0 == 0.0 {
                return merit;
            }
            fraction = if fraction == 1.0 { self.unclipped_fraction(ws, n).min(0.5) } else { 0.5 * fraction };
            for r in 0..n {
                self.set_value(ws, ws.unknowns[r], ws.saved[r]);
            }
        }
    }

    /// The largest fraction of the Newton step in `ws.dir` that `step` does not clip (1 if
    /// it clips nothing).
    fn unclipped_fraction(&self, ws: &Workspace, n: usize) -> f64 {
        let mut largest = 0.0f64;
        for r in 0..n {
            let clipped = match ws.unknowns[r] {
                Unknown::Component(_) => true,
                Unknown::Gas => matches!(ws.gas, GasMode::Closed { .. }),
                _ => false,
            };
            if clipped {
                largest = largest.max(ws.dir[r].abs());
            }
        }
        if largest > MAX_STEP { MAX_STEP / largest } else { 1.0 }
    }

    fn value(&self, ws: &Workspace, u: Unknown) -> f64 {
        match u {
            Unknown::Component(c) => ws.la[c],
            Unknown::Mineral(k) => ws.amount[k],
            Unknown::Gas => ws.gas_x,
            Unknown::Ionic => ws.ionic,
            Unknown::Water => ws.law,
        }
    }

    fn set_value(&self, ws: &mut Workspace, u: Unknown, v: f64) {
        match u {
            Unknown::Component(c) => ws.la[c] = v,
            Unknown::Mineral(k) => ws.amount[k] = v,
            Unknown::Gas => ws.gas_x = v,
            Unknown::Ionic => ws.ionic = v,
            Unknown::Water => ws.law = v,
        }
    }

    /// Applies `fraction` of the Newton step in `ws.dir`, each log10 unknown clipped to
    /// [`MAX_STEP`] (clipping each, rather than scaling the whole step by the largest, keeps an
    /// unknown that must travel far, like log a(CO3-2) in an acid that degasses, from freezing
    /// the others); the ionic strength moves by at most a factor of 4.
    fn step(&self, ws: &mut Workspace, n: usize, fraction: f64) {
        for r in 0..n {
            let dx = fraction * ws.dir[r];
            let clip = |d: f64| d.clamp(-MAX_STEP, MAX_STEP);
            match ws.unknowns[r] {
                Unknown::Component(c) => ws.la[c] += clip(dx),
                Unknown::Mineral(k) => ws.amount[k] += dx,
                Unknown::Gas if matches!(ws.gas, GasMode::Closed { .. }) => ws.gas_x += clip(dx),
                Unknown::Gas => ws.gas_x += dx,
                Unknown::Water => ws.law = (ws.law + dx).clamp(0.05f64.log10(), 0.0),
                // The ionic strength moves by at most a factor of 4 either way.
                Unknown::Ionic => {
                    ws.ionic = (ws.ionic + dx).clamp(0.25 * ws.ionic, 4.0 * ws.ionic).min(MAX_IONIC_STRENGTH);
                }
            }
        }
    }

    /// Molalities from the current activities, activity coefficients and water activity.
    pub(crate) fn speciate(&self, ws: &mut Workspace) {
        let species = self.species.iter().zip(&ws.on).zip(&ws.lk_species).zip(&ws.lg).zip(&mut ws.m);
        // Each species' terms follow the last one's: walking `term_start` pairwise reads each
        // bound once instead of two lookups per species.
        let bounds = self.term_start.windows(2);
        for (((((sp, &on), &lk), &lg), m), bound) in species.zip(bounds) {
            if !on {
                *m = 0.0;
                continue;
            }
            let la: f64 = self.terms[bound[0]..bound[1]].iter().map(|(c, n)| n * ws.la[*c]).sum();
            let lm = lk + la + sp.water * ws.law - lg;
            *m = (lm.min(3.0) * std::f64::consts::LN_10).exp();
        }
    }

    /// Activity coefficients and their derivatives at the current ionic strength.
    pub(crate) fn gammas(&self, ws: &mut Workspace) {
        let i = ws.ionic.max(1e-12);
        let s = i.sqrt();
        for ((sp, lg), dlg) in self.species.iter().zip(&mut ws.lg).zip(&mut ws.dlg) {
            (*lg, *dlg) = self.model.log_gamma_at(sp.charge, sp.gamma, ws.a_dh, ws.b_dh, i, s);
        }
    }

    /// ½ Σ z² m.
    pub(crate) fn ionic_strength(&self, ws: &Workspace) -> f64 {
        0.5 * self.species.iter().zip(ws.m.iter()).map(|(sp, m)| sp.charge * sp.charge * m).sum::<f64>()
    }

    /// Fills `ws.sums`, `ws.sum_charge`, `ws.sum_ionic` and `ws.sum_m` from the molalities in
    /// one pass over the species. Each sum adds its terms in species order, as `dissolved` and
    /// `ionic_strength` do (a species left out adds nothing there: zero molality or zero
    /// coefficient), so the numbers are theirs.
    fn molality_sums(&self, ws: &mut Workspace) {
        ws.sums.fill(0.0);
        let (mut charge, mut ionic, mut total) = (0.0, 0.0, 0.0);
        // `term_start` walked pairwise, as in `speciate`.
        for ((sp, &m), bound) in self.species.iter().zip(&ws.m).zip(self.term_start.windows(2)) {
            if m == 0.0 {
                continue;
            }
            total += m;
            ionic += sp.charge * sp.charge * m;
            charge += sp.charge * m;
            for &(c, nu) in &self.terms[bound[0]..bound[1]] {
                ws.sums[c] += nu * m;
            }
        }
        (ws.sum_charge, ws.sum_ionic, ws.sum_m) = (charge, 0.5 * ionic, total);
    }

    /// Moles of component `c`'s element dissolved (or equivalents of charge for H+).
    pub(crate) fn dissolved(&self, ws: &Workspace, c: usize, w: f64) -> f64 {
        let nc = self.components();
        let mut sum = 0.0;
        for (i, sp) in self.species.iter().enumerate() {
            let weight = if c + 1 == nc { sp.charge } else { self.stoich[i * nc + c] };
            sum += weight * ws.m[i];
        }
        w * sum
    }

    /// Row scales of the residuals, fixed for a solve (so that the Jacobian of the scaled
    /// residuals is exact and the line search sees a fixed merit function): element totals
    /// (plus, for carbon, what the gas holds or the CO2(aq) at the gas's fugacity), the charge
    /// and ionic strength the totals would give as free ions plus those of pure water, one log
    /// unit for the saturation equations.
    fn scales(&self, ws: &mut Workspace, input: &Input) {
        let w = input.water_mass;
        let ne = self.elements.len();
        let carbon = self.carbon();
        let from_gas = match ws.gas {
            GasMode::Fixed { log_f } if ws.gas_on => w * 10f64.powf(log_f + self.log_henry(ws)),
            GasMode::Closed { n0, .. } if ws.gas_on => n0,
            _ => 0.0,
        };
        let total = |total: &[f64], c: usize| total[c] + if Some(c) == carbon { from_gas } else { 0.0 };
        let (mut charge, mut ionic) = (1e-7 * w, 1e-7);
        for c in 0..ne {
            let z = self.master_charge[c];
            charge += z.abs() * total(&ws.total, c);
            ionic += 0.5 * z * z * total(&ws.total, c) / w;
        }
        // With a fixed CO2 pressure the carbon taken up can be as large as the charge the
        // cations leave to balance (lime or periclase with no carbonate mineral), far above
        // the CO2(aq) of the gas alone: scale carbon by that bound too.
        let uptake = if matches!(ws.gas, GasMode::Fixed { .. }) && ws.gas_on { charge } else { 0.0 };
        for r in 0..ws.unknowns.len() {
            ws.scale[r] = match ws.unknowns[r] {
                Unknown::Component(c) if c == ne => charge,
                Unknown::Component(c) if Some(c) == carbon => total(&ws.total, c) + uptake,
                Unknown::Component(c) => total(&ws.total, c),
                Unknown::Ionic => ionic,
                Unknown::Mineral(_) | Unknown::Gas | Unknown::Water => 1.0,
            }
            .max(1e-300);
        }
    }

    /// log10 of CO2(aq) activity per atm of CO2 fugacity (Henry's constant) at the
    /// workspace's temperature.
    fn log_henry(&self, ws: &Workspace) -> f64 {
        self.co2_species.map_or(0.0, |i| ws.lk_co2 + ws.lk_species[i])
    }

    /// Fills `ws.f` (and `ws.gas_moles`) from the molalities summed by `molality_sums`;
    /// returns the worst (scaled residual, row) of the balances and of the saturation
    /// equations.
    fn residuals(&self, ws: &mut Workspace, input: &Input) -> ((f64, usize), (f64, usize)) {
        let w = input.water_mass;
        let nc = self.components();
        ws.gas_moles = match ws.gas {
            GasMode::Closed { .. } if ws.gas_on => 10f64.powf(ws.gas_x),
            _ => 0.0,
        };
        let (mut balance, mut si) = ((0.0f64, 0usize), (0.0f64, 0usize));
        // Found once here rather than by `held` and `gas_supply` on every balance row.
        let carbon = self.carbon();
        self.held_by_minerals(ws);
        for r in 0..ws.unknowns.len() {
            let value = match ws.unknowns[r] {
                Unknown::Component(c) if c + 1 == nc => w * ws.sum_charge,
                Unknown::Component(c) => {
                    let held = ws.held[c] + self.gas_held(ws, c, carbon);
                    w * ws.sums[c] + held - ws.total[c] - self.gas_supply(ws, c, carbon)
                }
                Unknown::Mineral(s) => self.mineral_si(ws, self.equilibrium[s]) - ws.target[s],
                Unknown::Gas => self.gas_residual(ws),
                Unknown::Ionic => ws.ionic - ws.sum_ionic,
                Unknown::Water => ws.law - water_activity(ws.sum_m).log10(),
            };
            ws.f[r] = value / ws.scale[r];
            let a = ws.f[r].abs();
            let slot = if matches!(ws.unknowns[r], Unknown::Mineral(_) | Unknown::Gas | Unknown::Water) {
                &mut si
            } else {
                &mut balance
            };
            let a = if a.is_nan() { f64::INFINITY } else { a };
            if a > slot.0 {
                *slot = (a, r);
            }
        }
        (balance, si)
    }

    /// Moles of component `c` held by the present equilibrium minerals and the closed gas (its
    /// moles as of the last `residuals`).
    fn held(&self, ws: &Workspace, c: usize) -> f64 {
        let minerals: f64 = (0..self.equilibrium.len())
            .filter(|s| ws.present[*s])
            .map(|s| ws.amount[s] * self.minerals[self.equilibrium[s]].stoich[c])
            .sum();
        minerals + self.gas_held(ws, c, self.carbon())
    }

    /// The minerals' part of `held` for every element at once, into `ws.held`: one pass over
    /// the present minerals instead of one per balance row. Each sum adds its terms in the
    /// order `held` does, from the same -0.0 as `Iterator::sum`, so the numbers are its.
    fn held_by_minerals(&self, ws: &mut Workspace) {
        let ne = self.elements.len();
        ws.held[..ne].fill(-0.0);
        for (s, &k) in self.equilibrium.iter().enumerate() {
            if ws.present[s] {
                let amount = ws.amount[s];
                for (h, n) in ws.held[..ne].iter_mut().zip(&self.minerals[k].stoich) {
                    *h += amount * n;
                }
            }
        }
    }

    /// Moles of component `c` in the closed gas (as of the last `residuals`), given the
    /// component of carbon.
    fn gas_held(&self, ws: &Workspace, c: usize, carbon: Option<usize>) -> f64 {
        match ws.gas {
            GasMode::Closed { .. } if ws.gas_on && Some(c) == carbon => ws.gas_moles,
            _ => 0.0,
        }
    }

    /// Moles of component `c` the gas adds to the system total (taken up from a fixed-pressure
    /// gas, or initially in a closed gas), given the component of carbon.
    fn gas_supply(&self, ws: &Workspace, c: usize, carbon: Option<usize>) -> f64 {
        match ws.gas {
            _ if !ws.gas_on || Some(c) != carbon => 0.0,
            GasMode::Fixed { .. } => ws.gas_x,
            GasMode::Closed { n0, .. } => n0,
            GasMode::None => 0.0,
        }
    }

    /// log10 f(CO2) in equilibrium with the solution less the gas's own.
    fn gas_residual(&self, ws: &Workspace) -> f64 {
        let target = match ws.gas {
            GasMode::Fixed { log_f } => log_f,
            GasMode::Closed { litres, .. } => ws.gas_x + (R_L_ATM * ws.t_cached / litres).log10(),
            GasMode::None => 0.0,
        };
        self.co2_log_fugacity(ws) - target
    }

    /// The Newton matrix of the current unknowns, rows scaled like the residuals, at the point
    /// of the last `evaluate` (its molalities, γ derivatives, sums and gas moles). Each species
    /// touches only the rows and columns of the components in its formula, the charge, ionic
    /// strength and water.
    fn jacobian(&self, ws: &mut Workspace, input: &Input) {
        let n = ws.unknowns.len();
        let nc = self.components();
        let ld = ws.ld;
        let (ionic, water) = (n - 1, n - 2);
        let aw = water_activity(ws.sum_m);
        let slope = if aw > 0.05 { -0.017 / (aw * std::f64::consts::LN_10) } else { 0.0 };
        let w = input.water_mass;
        let charge = ws.pos[nc - 1];
        let pos = &ws.pos;
        let a = &mut ws.jac;
        for row in a.chunks_exact_mut(ld).take(n) {
            row[..n].fill(0.0);
        }
        // `term_start` walked pairwise, as in `speciate`.
        let species = self.species.iter().zip(&ws.on).zip(&ws.m).zip(&ws.dlg).zip(self.term_start.windows(2));
        for ((((sp, &on), &m), &dlg), bound) in species {
            if !on {
                continue;
            }
            let terms = &self.terms[bound[0]..bound[1]];
            // d m_i / d x, per unit of ln10 m_i: ν_ij for la_j, -dlg_i/dI for I, the water
            // coefficient for log10 a_w. Rows: the balances (weights ν_ic or z_i, times W), then
            // I - ½ Σ z² m (weight -½ z²) and log10 a_w - log10(1 - 0.017 Σ m) (weight -slope).
            let m = std::f64::consts::LN_10 * m;
            let mut add = |r: usize, weight: f64| {
                if weight == 0.0 {
                    return;
                }
                let row = &mut a[r * ld..(r + 1) * ld];
                for &(j, nu) in terms {
                    row[pos[j]] += weight * nu * m;
                }
                row[ionic] -= weight * dlg * m;
                row[water] += weight * sp.water * m;
            };
            for &(c, nu) in terms {
                if c + 1 < nc {
                    add(pos[c], w * nu);
                }
            }
            add(charge, w * sp.charge);
            add(ionic, -0.5 * sp.charge * sp.charge);
            add(water, -slope);
        }
        a[ionic * ld + ionic] += 1.0;
        a[water * ld + water] += 1.0;
        self.jacobian_phases(ws);
        for (row, s) in ws.jac.chunks_exact_mut(ld).zip(&ws.scale[..n]) {
            for v in &mut row[..n] {
                *v /= s;
            }
        }
    }

    /// The rows and columns of the minerals and the gas (entries no species touches).
    fn jacobian_phases(&self, ws: &mut Workspace) {
        let n = ws.unknowns.len();
        let nc = self.components();
        let ld = ws.ld;
        let water = n - 2;
        let a = &mut ws.jac;
        for p in 0..n {
            let (stoich, phase_water) = match ws.unknowns[p] {
                Unknown::Mineral(s) => {
                    let ph = &self.minerals[self.equilibrium[s]];
                    (ph.stoich.as_slice(), ph.water)
                }
                Unknown::Gas => self.co2_gas.as_ref().map_or((&[][..], 0.0), |g| (g.stoich.as_slice(), g.water)),
                _ => continue,
            };
            // Row p: the saturation index (or log fugacity) against the components and water.
            for (q, u) in ws.unknowns[..n].iter().enumerate() {
                let Unknown::Component(j) = *u else { break };
                a[p * ld + q] = stoich.get(j).copied().unwrap_or(0.0);
            }
            a[p * ld + water] = phase_water;
            // Column p: what the phase holds in each mass balance.
            match ws.unknowns[p] {
                Unknown::Mineral(_) => {
                    for (q, u) in ws.unknowns[..n].iter().enumerate() {
                        match *u {
                            Unknown::Component(c) if c + 1 < nc => a[q * ld + p] = stoich[c],
                            Unknown::Component(_) => {}
                            _ => break,
                        }
                    }
                }
                _ => {
                    if let Some(c) = self.carbon().filter(|c| ws.pos[*c] != usize::MAX) {
                        a[ws.pos[c] * ld + p] = match ws.gas {
                            GasMode::Fixed { .. } => -1.0,
                            _ => std::f64::consts::LN_10 * ws.gas_moles,
                        };
                    }
                    if matches!(ws.gas, GasMode::Closed { .. }) {
                        a[p * ld + p] = -1.0;
                    }
                }
            }
        }
    }

    fn unknown_name(&self, u: Unknown) -> String {
        match u {
            Unknown::Component(c) if c + 1 == self.components() => "charge balance (pH)".to_string(),
            Unknown::Component(c) => format!("mass balance of {}", self.elements[c].symbol()),
            Unknown::Mineral(s) => format!("saturation of {}", self.names.minerals[self.equilibrium[s]]),
            Unknown::Gas => "CO2(g) equilibrium".to_string(),
            Unknown::Ionic => "ionic strength".to_string(),
            Unknown::Water => "water activity".to_string(),
        }
    }

    fn most_abundant(&self, ws: &Workspace) -> (String, f64) {
        let i = (0..ws.m.len()).max_by(|a, b| ws.m[*a].total_cmp(&ws.m[*b])).unwrap_or(0);
        (self.names.species.get(i).cloned().unwrap_or_default(), ws.m.get(i).map_or(f64::NAN, |m| m.log10()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::Database;
    use crate::system::SystemSpec;

    /// The Newton matrix is the derivative of the scaled residuals (central differences).
    #[test]
    fn jacobian_matches_finite_differences() {
        let elements = [Element::Ca, Element::Mg, Element::Na, Element::Cl, Element::C, Element::S];
        let sys = System::new(Database::builtin(), &SystemSpec::new(&elements).with_minerals(&["Calcite"])).unwrap();
        let mut input = Input::new(350.0, 0.9)
            .with_total(Element::Ca, 0.158)
            .with_total(Element::Mg, 0.007)
            .with_total(Element::Na, 0.11)
            .with_total(Element::Cl, 0.91)
            .with_total(Element::C, 0.128)
            .with_total(Element::S, 0.002)
            .with_gas(GasCondition::FixedCo2 { pressure: 200.0 });
        input.minerals = vec![0.08];
        let mut ws = sys.workspace();
        sys.prepare(&mut ws, &input);
        ws.la.copy_from_slice(&[-1.05, -1.76, -1.03, -9.8, -3.19, -0.22, -5.54]);
        ws.ionic = 1.38;
        sys.unknowns(&mut ws);
        sys.scales(&mut ws, &input);
        let n = ws.unknowns.len();
        sys.evaluate(&mut ws, &input);
        sys.jacobian(&mut ws, &input);
        let jac = ws.jac.clone();
        for col in 0..n {
            let u = ws.unknowns[col];
            let x0 = sys.value(&ws, u);
            let h = 1e-6 * x0.abs().max(1e-3);
            let mut fd = vec![0.0; n];
            for (sign, k) in [(1.0, 0), (-1.0, 1)] {
                sys.set_value(&mut ws, u, x0 + sign * h);
                sys.gammas(&mut ws);
                sys.speciate(&mut ws);
                sys.molality_sums(&mut ws);
                sys.residuals(&mut ws, &input);
                for (r, d) in fd.iter_mut().enumerate() {
                    *d += if k == 0 { ws.f[r] } else { -ws.f[r] } / (2.0 * h);
                }
            }
            sys.set_value(&mut ws, u, x0);
            for r in 0..n {
                let (a, b) = (jac[r * ws.ld + col], fd[r]);
                assert!(
                    (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                    "row {r} ({:?}) col {col} ({:?}): {a} against {b}",
                    ws.unknowns[r],
                    ws.unknowns[col]
                );
            }
        }
    }
}
