//! The result of a solve: pH, ionic strength, every species' molality and activity
//! coefficient, saturation indices, mineral amounts, the CO2 taken up from the gas, DIC,
//! alkalinity and the dissolved element totals.

use std::sync::Arc;

use crate::PASCAL_PER_ATM;
use crate::activity::{ActivityModel, ActivityRangeWarning};
use crate::database::Element;
use crate::solve::{GasMode, Workspace};
use crate::system::{Input, Names, System};

/// An aqueous solution at equilibrium. Per-species vectors follow
/// [`System::species_names`], saturation indices [`System::mineral_names`], mineral amounts
/// [`System::equilibrium_minerals`].
#[derive(Debug, Clone, PartialEq)]
pub struct Equilibrium {
    names: Arc<Names>,
    /// The activity model used.
    pub activity_model: ActivityModel,
    /// Temperature, K.
    pub temperature: f64,
    /// Mass of water, kg (constant: the water made or used by reactions is not tracked).
    pub water_mass: f64,
    /// pH = -log10 a(H+).
    pub ph: f64,
    /// Ionic strength, mol/kg.
    pub ionic_strength: f64,
    /// Activity of water.
    pub water_activity: f64,
    /// Molality of each species, mol/kg (zero where an element is absent).
    pub molalities: Vec<f64>,
    /// log10 activity coefficient of each species.
    pub log_gammas: Vec<f64>,
    /// Saturation index of each mineral; `None` where one of its elements is absent.
    pub saturation_indices: Vec<Option<f64>>,
    /// Amount of each equilibrium mineral at equilibrium, mol.
    pub mineral_amounts: Vec<f64>,
    /// Change of each equilibrium mineral (final less initial), mol; positive = precipitated.
    pub mineral_changes: Vec<f64>,
    /// CO2 transferred from the gas to the solution and minerals, mol (negative: degassed).
    pub co2_from_gas: f64,
    /// CO2 partial pressure, Pa: the fixed one, that of the closed gas, or (no gas) the ideal
    /// pressure in equilibrium with the solution (zero without carbon).
    pub co2_pressure: f64,
    /// Partial pressure of water vapour in equilibrium with the solution, Pa (phreeqc.dat
    /// H2O(g), ideal gas).
    pub water_vapour_pressure: f64,
    /// Dissolved inorganic carbon, mol/kg.
    pub dic: f64,
    /// Alkalinity, eq/kg (PHREEQC's definition: HCO3- 1, CO3-2 2, OH- 1, H+ -1, ...).
    pub alkalinity: f64,
    /// Dissolved total of each element, mol/kg, indexed by [`Element::index`].
    pub totals: [f64; Element::COUNT],
    /// Charge balance error: Σ z m / Σ |z| m.
    pub charge_balance_error: f64,
    /// Newton iterations (summed over the mineral active-set rounds).
    pub iterations: usize,
}

impl Equilibrium {
    /// An empty result shaped for `system`.
    pub(crate) fn empty(system: &System) -> Equilibrium {
        let ns = system.species.len();
        Equilibrium {
            names: system.names.clone(),
            activity_model: system.model,
            temperature: 0.0,
            water_mass: 0.0,
            ph: 0.0,
            ionic_strength: 0.0,
            water_activity: 1.0,
            molalities: vec![0.0; ns],
            log_gammas: vec![0.0; ns],
            saturation_indices: vec![None; system.minerals.len()],
            mineral_amounts: vec![0.0; system.equilibrium.len()],
            mineral_changes: vec![0.0; system.equilibrium.len()],
            co2_from_gas: 0.0,
            co2_pressure: 0.0,
            water_vapour_pressure: 0.0,
            dic: 0.0,
            alkalinity: 0.0,
            totals: [0.0; Element::COUNT],
            charge_balance_error: 0.0,
            iterations: 0,
        }
    }

    fn species(&self, name: &str) -> Option<usize> {
        self.names.species.iter().position(|s| s == name)
    }

    /// Molality of a species, mol/kg.
    pub fn molality(&self, species: &str) -> Option<f64> {
        self.species(species).map(|i| self.molalities[i])
    }

    /// Activity coefficient of a species.
    pub fn activity_coefficient(&self, species: &str) -> Option<f64> {
        self.species(species).map(|i| 10f64.powf(self.log_gammas[i]))
    }

    /// Activity of a species.
    pub fn activity(&self, species: &str) -> Option<f64> {
        self.species(species).map(|i| self.molalities[i] * 10f64.powf(self.log_gammas[i]))
    }

    /// Saturation index of a mineral, if its elements are present.
    pub fn saturation_index(&self, mineral: &str) -> Option<f64> {
        let k = self.names.minerals.iter().position(|m| m == mineral)?;
        self.saturation_indices[k]
    }

    /// Amount of an equilibrium mineral at equilibrium, mol.
    pub fn mineral_amount(&self, mineral: &str) -> Option<f64> {
        self.equilibrium_slot(mineral).map(|s| self.mineral_amounts[s])
    }

    /// Change of an equilibrium mineral (precipitated positive), mol.
    pub fn mineral_change(&self, mineral: &str) -> Option<f64> {
        self.equilibrium_slot(mineral).map(|s| self.mineral_changes[s])
    }

    fn equilibrium_slot(&self, mineral: &str) -> Option<usize> {
        self.names.equilibrium.iter().position(|m| m == mineral)
    }

    /// Dissolved total of an element, mol/kg.
    pub fn total(&self, element: Element) -> f64 {
        self.totals[element.index()]
    }

    /// Names of the species, in [`Equilibrium::molalities`] order.
    pub fn species_names(&self) -> &[String] {
        &self.names.species
    }

    /// Names of the minerals, in [`Equilibrium::saturation_indices`] order.
    pub fn mineral_names(&self) -> &[String] {
        &self.names.minerals
    }

    /// A warning when the ionic strength is beyond what the activity model is trusted for
    /// ([`ActivityModel::ionic_strength_limit`]).
    pub fn activity_model_warning(&self) -> Option<ActivityRangeWarning> {
        let limit = self.activity_model.ionic_strength_limit();
        (self.ionic_strength > limit).then_some(ActivityRangeWarning {
            model: self.activity_model,
            ionic_strength: self.ionic_strength,
            limit,
        })
    }
}

impl System {
    /// Writes the converged state of `ws` into `out`.
    pub(crate) fn report(&self, ws: &Workspace, input: &Input, iterations: usize, out: &mut Equilibrium) {
        if !Arc::ptr_eq(&out.names, &self.names) || out.molalities.len() != self.species.len() {
            *out = Equilibrium::empty(self);
        }
        let nc = self.components();
        out.activity_model = self.model;
        out.temperature = input.temperature;
        out.water_mass = input.water_mass;
        out.ph = -ws.la[nc - 1];
        out.ionic_strength = ws.ionic;
        out.water_activity = 10f64.powf(ws.law);
        out.molalities.copy_from_slice(&ws.m);
        out.log_gammas.copy_from_slice(&ws.lg);
        for (k, si) in out.saturation_indices.iter_mut().enumerate() {
            let st = &self.minerals[k].stoich;
            let possible = (0..nc - 1).all(|c| st[c] == 0.0 || ws.active[c]);
            *si = possible.then(|| self.mineral_si(ws, k));
        }
        for s in 0..self.equilibrium.len() {
            let amount = if ws.present[s] { ws.amount[s] } else { 0.0 };
            out.mineral_amounts[s] = amount;
            out.mineral_changes[s] = amount - input.minerals.get(s).copied().unwrap_or(0.0);
        }
        self.report_solution(ws, out);
        self.report_gas(ws, input, out);
        out.iterations = iterations;
    }

    /// Totals, DIC, alkalinity and charge balance.
    fn report_solution(&self, ws: &Workspace, out: &mut Equilibrium) {
        let nc = self.components();
        out.totals = [0.0; Element::COUNT];
        let (mut alk, mut z, mut zabs) = (0.0, 0.0, 0.0);
        for (i, sp) in self.species.iter().enumerate() {
            let m = ws.m[i];
            for (c, e) in self.elements.iter().enumerate() {
                out.totals[e.index()] += self.stoich[i * nc + c] * m;
            }
            alk += sp.alkalinity * m;
            z += sp.charge * m;
            zabs += sp.charge.abs() * m;
        }
        out.dic = out.totals[Element::C.index()];
        out.alkalinity = alk;
        out.charge_balance_error = if zabs > 0.0 { z / zabs } else { 0.0 };
    }

    /// CO2 taken up, CO2 and water vapour pressures.
    fn report_gas(&self, ws: &Workspace, input: &Input, out: &mut Equilibrium) {
        let log_f = self.co2_log_fugacity(ws);
        (out.co2_from_gas, out.co2_pressure) = match ws.gas {
            GasMode::Fixed { .. } if ws.gas_on => (ws.gas_x, input_pressure(input)),
            GasMode::Closed { litres, n0 } if ws.gas_on => {
                let n = 10f64.powf(ws.gas_x);
                (n0 - n, n * 0.0820597 * input.temperature / litres * PASCAL_PER_ATM)
            }
            _ if out.dic > 0.0 => (0.0, 10f64.powf(log_f) * PASCAL_PER_ATM),
            _ => (0.0, 0.0),
        };
        out.water_vapour_pressure = 10f64.powf(ws.law - ws.lk_h2o) * PASCAL_PER_ATM;
    }
}

fn input_pressure(input: &Input) -> f64 {
    match input.gas {
        crate::system::GasCondition::FixedCo2 { pressure } => pressure,
        _ => 0.0,
    }
}
