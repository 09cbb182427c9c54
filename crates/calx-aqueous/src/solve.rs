//! The solver: a damped Newton method on the log10 activities of the master species (and the
//! amounts of the equilibrium minerals and of the gas), with activity coefficients and the
//! water activity updated from the current molalities at every iteration, inside an active-set
//! loop for the minerals (PHREEQC's rule: a mineral enters when supersaturated, leaves when its
//! amount would go negative). All buffers live in a [`Workspace`], so that a solve allocates
//! nothing but its result ([`System::solve_into`] not even that).

use nalgebra::{DMatrix, DVector};

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
/// Relative residual of the mass and charge balances at convergence.
const BALANCE_TOLERANCE: f64 = 1e-13;
/// Residual of the saturation equations (log units) at convergence.
const SI_TOLERANCE: f64 = 1e-11;
/// Saturation index above which an absent equilibrium mineral enters.
const SI_ENTER: f64 = 1e-8;
/// Largest change of a log10 unknown in one Newton step.
const MAX_STEP: f64 = 1.0;
/// Gas constant, L atm/(K mol), PHREEQC's `R_LITER_ATM`.
const R_L_ATM: f64 = 0.0820597;

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
    t_cached: f64,
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
    total: Vec<f64>,
    pub(crate) present: Vec<bool>,
    pub(crate) amount: Vec<f64>,
    pub(crate) gas: GasMode,
    /// Fixed: moles taken up from the gas; closed: log10 moles in the gas.
    pub(crate) gas_x: f64,
    pub(crate) gas_on: bool,
    unknowns: Vec<Unknown>,
    jac: DMatrix<f64>,
    f: DVector<f64>,
    scale: Vec<f64>,
    warm: bool,
}

impl System {
    /// A workspace sized for this system.
    pub fn workspace(&self) -> Workspace {
        let (ns, nc, nm, ne) = (self.species.len(), self.components(), self.minerals.len(), self.equilibrium.len());
        let n = nc + ne + 2;
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
            gas: GasMode::None,
            gas_x: 0.0,
            gas_on: false,
            unknowns: Vec::with_capacity(n),
            jac: DMatrix::zeros(n, n),
            f: DVector::zeros(n),
            scale: vec![1.0; n],
            warm: false,
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
            ws.on[i] = (0..nc).all(|c| self.nu(i, c) == 0.0 || ws.active[c]);
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

    /// Starting values: the last solution (warm) or free ions at pH 7 (cold).
    fn initial_guess(&self, ws: &mut Workspace, input: &Input) {
        let ne = self.elements.len();
        for slot in 0..self.equilibrium.len() {
            let given = input.minerals.get(slot).copied().unwrap_or(0.0);
            let keep = ws.warm && ws.present[slot];
            ws.present[slot] = (keep || given > 0.0) && self.mineral_possible(ws, slot);
            if !ws.warm || !keep {
                ws.amount[slot] = if ws.present[slot] { given } else { 0.0 };
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
    }

    /// The active-set loop around Newton; returns the Newton iterations done.
    fn settle(&self, ws: &mut Workspace, input: &Input) -> Result<usize, AqueousError> {
        let rounds = 3 * self.equilibrium.len() + 6;
        let mut iterations = 0;
        let mut last = String::new();
        for _ in 0..rounds {
            iterations += self.newton(ws, input, iterations)?;
            let negative = (0..self.equilibrium.len())
                .filter(|s| ws.present[*s] && ws.amount[*s] < 0.0)
                .min_by(|a, b| ws.amount[*a].total_cmp(&ws.amount[*b]));
            if let Some(s) = negative {
                ws.present[s] = false;
                ws.amount[s] = 0.0;
                last.clone_from(&self.names.minerals[self.equilibrium[s]]);
                continue;
            }
            let supersaturated = (0..self.equilibrium.len())
                .filter(|s| !ws.present[*s] && self.mineral_possible(ws, *s))
                .map(|s| (s, self.mineral_si(ws, self.equilibrium[s])))
                .filter(|(_, si)| *si > SI_ENTER)
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((s, _)) = supersaturated {
                ws.present[s] = true;
                ws.amount[s] = 0.0;
                last.clone_from(&self.names.minerals[self.equilibrium[s]]);
                continue;
            }
            return Ok(iterations);
        }
        Err(AqueousError::ActiveSet { rounds, last })
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
        ws.unknowns.push(Unknown::Ionic);
    }

    /// Damped Newton for the current active set; returns its iterations.
    fn newton(&self, ws: &mut Workspace, input: &Input, before: usize) -> Result<usize, AqueousError> {
        self.unknowns(ws);
        let n = ws.unknowns.len();
        let mut worst = (f64::INFINITY, 0);
        for it in 1..=MAX_ITERATIONS {
            self.gammas(ws);
            self.speciate(ws);
            let drift = self.update_water(ws);
            let (balance, si) = self.residuals(ws, input);
            worst = if balance.0 >= si.0 { balance } else { si };
            if balance.0 < BALANCE_TOLERANCE && si.0 < SI_TOLERANCE && drift < 1e-12 {
                return Ok(it);
            }
            self.jacobian(ws, input);
            for r in 0..n {
                ws.f[r] = -ws.f[r];
            }
            if let Err(row) = solve_in_place(&mut ws.jac, &mut ws.f, n) {
                return Err(AqueousError::Singular {
                    iterations: before + it,
                    unknown: self.unknown_name(ws.unknowns[row]),
                });
            }
            self.step(ws, n);
        }
        let (species, log_molality) = self.most_abundant(ws);
        Err(AqueousError::NoConvergence {
            iterations: before + MAX_ITERATIONS,
            equation: self.unknown_name(ws.unknowns[worst.1]),
            residual: worst.0,
            species,
            log_molality,
        })
    }

    /// Applies the Newton step in `ws.f`, scaled so that no log10 unknown moves more than
    /// [`MAX_STEP`].
    fn step(&self, ws: &mut Workspace, n: usize) {
        let mut largest: f64 = 0.0;
        for r in 0..n {
            let logarithmic = match ws.unknowns[r] {
                Unknown::Component(_) => true,
                Unknown::Gas => matches!(ws.gas, GasMode::Closed { .. }),
                Unknown::Mineral(_) | Unknown::Ionic => false,
            };
            if logarithmic {
                largest = largest.max(ws.f[r].abs());
            }
        }
        let s = if largest > MAX_STEP { MAX_STEP / largest } else { 1.0 };
        for r in 0..n {
            let dx = s * ws.f[r];
            match ws.unknowns[r] {
                Unknown::Component(c) => ws.la[c] += dx,
                Unknown::Mineral(k) => ws.amount[k] += dx,
                Unknown::Gas => ws.gas_x += dx,
                Unknown::Ionic => ws.ionic = (ws.ionic + dx).max(0.1 * ws.ionic),
            }
        }
    }

    /// Molalities from the current activities, activity coefficients and water activity.
    fn speciate(&self, ws: &mut Workspace) {
        let nc = self.components();
        for (i, sp) in self.species.iter().enumerate() {
            if !ws.on[i] {
                ws.m[i] = 0.0;
                continue;
            }
            let row = &self.stoich[i * nc..(i + 1) * nc];
            let la: f64 = row.iter().zip(ws.la.iter()).map(|(n, a)| n * a).sum();
            let lm = ws.lk_species[i] + la + sp.water * ws.law - ws.lg[i];
            ws.m[i] = (lm.min(3.0) * std::f64::consts::LN_10).exp();
        }
    }

    /// Activity coefficients and their derivatives at the current ionic strength.
    fn gammas(&self, ws: &mut Workspace) {
        for (i, sp) in self.species.iter().enumerate() {
            (ws.lg[i], ws.dlg[i]) = self.model.log_gamma(sp.charge, sp.gamma, ws.a_dh, ws.b_dh, ws.ionic);
        }
    }

    /// ½ Σ z² m.
    fn ionic_strength(&self, ws: &Workspace) -> f64 {
        0.5 * self.species.iter().zip(ws.m.iter()).map(|(sp, m)| sp.charge * sp.charge * m).sum::<f64>()
    }

    /// Water activity from the molalities; returns the change of its log10.
    fn update_water(&self, ws: &mut Workspace) -> f64 {
        let law = water_activity(ws.m.iter().sum()).log10();
        let drift = (law - ws.law).abs();
        ws.law = law;
        drift
    }

    /// Moles of component `c`'s element dissolved (or equivalents of charge for H+).
    fn dissolved(&self, ws: &Workspace, c: usize, w: f64) -> (f64, f64) {
        let nc = self.components();
        let (mut sum, mut size) = (0.0, 0.0);
        for (i, sp) in self.species.iter().enumerate() {
            let weight = if c + 1 == nc { sp.charge } else { self.stoich[i * nc + c] };
            sum += weight * ws.m[i];
            size += weight.abs() * ws.m[i];
        }
        (w * sum, w * size)
    }

    /// Fills `ws.f` and `ws.scale`; returns the worst (scaled residual, row) of the balances
    /// and of the saturation equations.
    fn residuals(&self, ws: &mut Workspace, input: &Input) -> ((f64, usize), (f64, usize)) {
        let w = input.water_mass;
        let nc = self.components();
        let (mut balance, mut si) = ((0.0f64, 0usize), (0.0f64, 0usize));
        for r in 0..ws.unknowns.len() {
            let (value, scale) = match ws.unknowns[r] {
                Unknown::Component(c) if c + 1 == nc => {
                    let (z, size) = self.dissolved(ws, c, w);
                    (z, size.max(1e-300))
                }
                Unknown::Component(c) => {
                    let (d, _) = self.dissolved(ws, c, w);
                    let held = self.held(ws, c);
                    (d + held - ws.total[c] - self.gas_supply(ws, c), ws.total[c].max(d + held.abs()).max(1e-300))
                }
                Unknown::Mineral(s) => (self.mineral_si(ws, self.equilibrium[s]), 1.0),
                Unknown::Gas => (self.gas_residual(ws), 1.0),
                Unknown::Ionic => {
                    let i = self.ionic_strength(ws);
                    (ws.ionic - i, i.max(1e-300))
                }
            };
            ws.f[r] = value / scale;
            ws.scale[r] = scale;
            let a = ws.f[r].abs();
            let slot =
                if matches!(ws.unknowns[r], Unknown::Mineral(_) | Unknown::Gas) { &mut si } else { &mut balance };
            let a = if a.is_nan() { f64::INFINITY } else { a };
            if a > slot.0 {
                *slot = (a, r);
            }
        }
        (balance, si)
    }

    /// Moles of component `c` held by the present equilibrium minerals and the closed gas.
    fn held(&self, ws: &Workspace, c: usize) -> f64 {
        let minerals: f64 = (0..self.equilibrium.len())
            .filter(|s| ws.present[*s])
            .map(|s| ws.amount[s] * self.minerals[self.equilibrium[s]].stoich[c])
            .sum();
        let gas = match ws.gas {
            GasMode::Closed { .. } if ws.gas_on && Some(c) == self.carbon() => 10f64.powf(ws.gas_x),
            _ => 0.0,
        };
        minerals + gas
    }

    /// Moles of component `c` the gas adds to the system total (taken up from a fixed-pressure
    /// gas, or initially in a closed gas).
    fn gas_supply(&self, ws: &Workspace, c: usize) -> f64 {
        match ws.gas {
            _ if !ws.gas_on || Some(c) != self.carbon() => 0.0,
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

    /// The Newton matrix of the current unknowns, rows scaled like the residuals.
    fn jacobian(&self, ws: &mut Workspace, input: &Input) {
        let n = ws.unknowns.len();
        let nc = self.components();
        let lw = std::f64::consts::LN_10 * input.water_mass;
        ws.jac.view_mut((0, 0), (n, n)).fill(0.0);
        for (i, sp) in self.species.iter().enumerate() {
            if !ws.on[i] {
                continue;
            }
            let row = &self.stoich[i * nc..(i + 1) * nc];
            for r in 0..n {
                let Unknown::Component(c) = ws.unknowns[r] else { break };
                let weight = if c + 1 == nc { sp.charge } else { row[c] };
                if weight == 0.0 {
                    continue;
                }
                for col in 0..n {
                    let Unknown::Component(j) = ws.unknowns[col] else { break };
                    ws.jac[(r, col)] += lw * weight * row[j] * ws.m[i];
                }
                ws.jac[(r, n - 1)] -= lw * weight * ws.dlg[i] * ws.m[i];
            }
            // I - ½ Σ z² m: d/d la_j = -½ ln10 Σ z² ν_j m, d/dI = 1 + ½ ln10 Σ z² m dlg/dI.
            let z2m = 0.5 * std::f64::consts::LN_10 * sp.charge * sp.charge * ws.m[i];
            if z2m != 0.0 {
                for col in 0..n {
                    let Unknown::Component(j) = ws.unknowns[col] else { break };
                    ws.jac[(n - 1, col)] -= z2m * row[j];
                }
                ws.jac[(n - 1, n - 1)] += z2m * ws.dlg[i];
            }
        }
        ws.jac[(n - 1, n - 1)] += 1.0;
        self.jacobian_phases(ws);
        for r in 0..n {
            let s = ws.scale[r];
            for col in 0..n {
                ws.jac[(r, col)] /= s;
            }
        }
    }

    /// The rows and columns of the minerals and the gas.
    fn jacobian_phases(&self, ws: &mut Workspace) {
        let n = ws.unknowns.len();
        let carbon = self.carbon();
        for r in 0..n {
            for col in 0..n {
                let v = match (ws.unknowns[r], ws.unknowns[col]) {
                    (Unknown::Component(c), Unknown::Mineral(s)) if c + 1 < self.components() => {
                        self.minerals[self.equilibrium[s]].stoich[c]
                    }
                    (Unknown::Component(c), Unknown::Gas) if Some(c) == carbon => match ws.gas {
                        GasMode::Fixed { .. } => -1.0,
                        _ => std::f64::consts::LN_10 * 10f64.powf(ws.gas_x),
                    },
                    (Unknown::Mineral(s), Unknown::Component(j)) => self.minerals[self.equilibrium[s]].stoich[j],
                    (Unknown::Gas, Unknown::Component(j)) => self.co2_gas.as_ref().map_or(0.0, |g| g.stoich[j]),
                    (Unknown::Gas, Unknown::Gas) if matches!(ws.gas, GasMode::Closed { .. }) => -1.0,
                    _ => continue,
                };
                ws.jac[(r, col)] = v;
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
        }
    }

    fn most_abundant(&self, ws: &Workspace) -> (String, f64) {
        let i = (0..ws.m.len()).max_by(|a, b| ws.m[*a].total_cmp(&ws.m[*b])).unwrap_or(0);
        (self.names.species.get(i).cloned().unwrap_or_default(), ws.m.get(i).map_or(f64::NAN, |m| m.log10()))
    }
}
