//! A starting point for Newton at which the present phases are already saturated: Newton
//! restarts from it when it stalls from the last iterate. Far from the solution the Newton
//! model spreads a large saturation index over the wrong unknowns: portlandite at SI 9 from
//! pH 7 lowers log a(Ca) by nine units and raises log a(SO4) in step with gypsum, the ionic
//! strength reaches 20 and the activity coefficients run wild. Here instead, for a trial pH,
//! the log activities of the elements move the least (in the 2-norm) from those of the free
//! totals so that every present mineral, and a fixed-pressure gas, is at saturation (a linear
//! problem), and the pH is found by bisection on the charge balance; then the activity
//! coefficients and the reference activities (toward the free totals, as PHREEQC's
//! `revise_guesses`) are updated and the whole repeated a few times.

use crate::linalg::solve_in_place;
use crate::solve::{GasMode, MAX_IONIC_STRENGTH, R_L_ATM, Workspace};
use crate::system::{Input, System};

/// Bisection steps on log a(H+) over [-16, 1]: 17 units to 1e-10.
const BISECTIONS: usize = 38;
/// Bisection steps of the cold start: 17 units to 0.07.
const COLD_BISECTIONS: usize = 8;
/// Rounds of pH bisection and revised reference activities.
const PASSES: usize = 6;

impl System {
    /// Sets `ws.la`, `ws.law`, the activity coefficients and the ionic strength to the
    /// saturated start described in the module documentation.
    pub(crate) fn saturated_guess(&self, ws: &mut Workspace, input: &Input) {
        self.saturated_start(ws, input, PASSES, BISECTIONS);
    }

    /// The saturated start in one pass to 0.07 pH units: a cold start for Newton, which
    /// converges the rest faster than more passes would bring it.
    pub(crate) fn cold_saturated_guess(&self, ws: &mut Workspace, input: &Input) {
        self.saturated_start(ws, input, 1, COLD_BISECTIONS);
    }

    /// The saturated start with `passes` rounds of `bisections` steps each.
    fn saturated_start(&self, ws: &mut Workspace, input: &Input, passes: usize, bisections: usize) {
        let ne = self.elements.len();
        let neq = self.equilibrium.len();
        for c in 0..ne {
            let held: f64 = (0..neq).filter(|s| ws.present[*s]).map(|s| ws.feasible[s] * self.column(s)[c]).sum();
            let free = (ws.total[c] - held).max(1e-3 * ws.total[c]).max(1e-12);
            ws.saved[c] = (free / input.water_mass).log10();
        }
        ws.law = 0.0;
        ws.lg.iter_mut().for_each(|g| *g = 0.0);
        ws.dep_cols.clear();
        ws.dep_cols.extend((0..neq).filter(|s| ws.present[*s]));
        if ws.gas_on && matches!(ws.gas, GasMode::Fixed { .. }) && self.co2_gas.is_some() {
            ws.dep_cols.push(neq);
        }
        let k = ws.dep_cols.len();
        for pass in 0..passes {
            if !self.project(ws, k) {
                return;
            }
            self.bisect_ph(ws, k, bisections);
            ws.ionic = self.ionic_strength(ws).clamp(1e-7, MAX_IONIC_STRENGTH);
            self.gammas(ws);
            if pass + 1 == passes {
                break;
            }
            // PHREEQC's revised guesses: the reference activities move toward the free totals
            // (complexes included), at most a factor of 1000 a pass.
            for c in 0..ne {
                let dissolved = self.dissolved(ws, c, input.water_mass);
                if ws.active[c] && ws.total[c] > 0.0 && dissolved > 0.0 {
                    let held: f64 =
                        (0..neq).filter(|s| ws.present[*s]).map(|s| ws.feasible[s] * self.column(s)[c]).sum();
                    let free = (ws.total[c] - held).max(1e-3 * ws.total[c]);
                    ws.saved[c] += (free / dissolved).log10().clamp(-3.0, 3.0);
                }
            }
        }
        self.speciate(ws);
    }

    /// y_a = G⁻¹ (log K - M la0) into `ws.dir`, y_b = G⁻¹ ν_H into `ws.f`, with G = M Mᵀ over
    /// the active elements, so that la(x) = la0 + Mᵀ (y_a - x y_b) at log a(H+) = x; `false`
    /// if G is singular.
    fn project(&self, ws: &mut Workspace, k: usize) -> bool {
        let ne = self.elements.len();
        for rhs in 0..2 {
            for i in 0..k {
                let (ci, hi, ki) = self.row_of(ws, ws.dep_cols[i]);
                for j in 0..k {
                    let cj = self.column(ws.dep_cols[j]);
                    ws.jac[i * ws.ld + j] = (0..ne).filter(|c| ws.active[*c]).map(|c| ci[c] * cj[c]).sum();
                }
                let m_la0: f64 = (0..ne).filter(|c| ws.active[*c]).map(|c| ci[c] * ws.saved[c]).sum();
                ws.f[i] = if rhs == 0 { ki - m_la0 } else { hi };
            }
            if solve_in_place(&mut ws.jac, ws.ld, &mut ws.f, k).is_err() {
                return false;
            }
            if rhs == 0 {
                for i in 0..k {
                    ws.dir[i] = ws.f[i];
                }
            }
        }
        true
    }

    /// `bisections` steps of bisection on log a(H+) for the charge balance, the element activities following it.
    fn bisect_ph(&self, ws: &mut Workspace, k: usize, bisections: usize) {
        let (mut lo, mut hi) = (-16.0, 1.0);
        for _ in 0..bisections {
            let x = 0.5 * (lo + hi);
            self.set_saturated_la(ws, k, x);
            self.speciate(ws);
            let charge: f64 = self.species.iter().zip(ws.m.iter()).map(|(sp, m)| sp.charge * m).sum();
            if charge > 0.0 {
                hi = x;
            } else {
                lo = x;
            }
        }
        self.set_saturated_la(ws, k, 0.5 * (lo + hi));
    }

    /// la = la0 + Mᵀ (y_a - x y_b) for the active elements, log a(H+) = x.
    fn set_saturated_la(&self, ws: &mut Workspace, k: usize, x: f64) {
        let ne = self.elements.len();
        for c in 0..ne {
            if !ws.active[c] {
                continue;
            }
            let shift: f64 = (0..k).map(|i| self.column(ws.dep_cols[i])[c] * (ws.dir[i] - x * ws.f[i])).sum();
            ws.la[c] = ws.saved[c] + shift;
        }
        ws.la[ne] = x;
    }

    /// The element column, H+ coefficient and log K (less the water term at a_w = 1; plus
    /// the saturation target, or the target log fugacity for the gas) of phase `col`: an equilibrium slot, or the gas.
    fn row_of(&self, ws: &Workspace, col: usize) -> (&[f64], f64, f64) {
        let ne = self.elements.len();
        match self.equilibrium.get(col) {
            Some(m) => (&self.minerals[*m].stoich, self.minerals[*m].stoich[ne], ws.lk_minerals[*m] + ws.target[col]),
            None => {
                let g = self.co2_gas.as_ref().expect("the gas row only with a CO2 gas");
                let log_f = match ws.gas {
                    GasMode::Fixed { log_f } => log_f,
                    _ => 0.0,
                };
                (&g.stoich, g.stoich[ne], ws.lk_co2 + log_f)
            }
        }
    }
}

impl System {
    /// With a closed CO2 gas, splits the carbon of the solution and the gas (less what the
    /// present minerals hold) between them at the current activities of the other components:
    /// sets log a(C) so that the dissolved carbon and the gas in equilibrium with it add up to
    /// it, and the gas amount to that equilibrium. Both are linear in a(C) at fixed other
    /// activities (every carbon species holds one carbon), so one scaling is exact up to the
    /// molality clamp of `speciate`, and a second one catches that. The guess of free ions
    /// otherwise leaves the gas with all its CO2, which Newton then has to move by as many log
    /// units as the solution can take up (seven next to portlandite, at one per step).
    pub(crate) fn closed_gas_start(&self, ws: &mut Workspace, input: &Input) {
        let (Some(c), GasMode::Closed { litres, n0 }) = (self.carbon(), ws.gas) else { return };
        if !ws.gas_on {
            return;
        }
        let held: f64 = (0..self.equilibrium.len())
            .filter(|s| ws.present[*s])
            .map(|s| ws.amount[s].max(0.0) * self.column(s)[c])
            .sum();
        let carbon = ws.total[c] + n0 - held;
        let log_volume = (litres / (R_L_ATM * ws.t_cached)).log10();
        if carbon <= 0.0 || !carbon.is_finite() || !log_volume.is_finite() {
            return;
        }
        for _ in 0..2 {
            self.speciate(ws);
            let gas = 10f64.powf(self.co2_log_fugacity(ws) + log_volume);
            let both = self.dissolved(ws, c, input.water_mass) + gas;
            if !(both > 0.0 && both.is_finite()) {
                return;
            }
            ws.la[c] += (carbon / both).log10();
        }
        self.speciate(ws);
        ws.gas_x = self.co2_log_fugacity(ws) + log_volume;
    }
}
