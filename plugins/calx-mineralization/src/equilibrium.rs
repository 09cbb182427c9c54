//! Chemical equilibrium of a slurry with a gas: what the `equilibrium_reactor` and the
//! carbonator's `mode: equilibrium` share.
//!
//! Everything entering is mixed and read as an aqueous system (`crate::aqueous::Inventory`):
//! liquid water, dissolved matter, and the solids that map to the unit's equilibrium
//! `minerals`, which may dissolve or precipitate. The gas's CO2 joins as a gas phase of fixed
//! total pressure P (the lower inlet pressure): the gas's other components and its water
//! vapour stay in it, so at equilibrium p_CO2 = n_CO2 / n_gas x P. This is solved as a closed
//! gas volume V = n_gas R T / P (`calx_aqueous::GasCondition::ClosedCo2`), with V updated
//! from the gas left until it changes by less than 1e-12 of itself.
//!
//! `approach` a (default 1) takes the unit that far from its inlet state to equilibrium:
//! every mineral change, the CO2 taken up and the dissolved totals are a times their
//! equilibrium values, which conserves every element.
//!
//! What leaves, by element: each equilibrium mineral as the component of its formula
//! (calcite as CaCO3, portlandite as Ca(OH)2); components read as a mineral (CaO as
//! portlandite) are used up; dissolved Ca and Mg as Ca(OH)2 and Mg(OH)2, dissolved carbon as
//! CO2, so that reading the slurry back gives the same solution (`crate::aqueous`); the
//! hydrogen left is water, and oxygen then closes by itself (every species has its usual
//! oxidation state). Dissolved components of other elements (Na, Cl, S, ...) take part in the
//! speciation and leave unchanged.
//!
//! Vent: gas-phase components less the CO2 taken up; with `vent: saturated` (the default)
//! it leaves saturated with water vapour at T (mole fraction p_sat(T) / P, IAPWS-IF97 region
//! 4, `calx_core::water`), taken from the liquid as the component `H2O(g)`, whose formation
//! enthalpy carries the latent heat into the energy balance.

use std::sync::Arc;

use calx_aqueous::{Database, Equilibrium, GasCondition, Workspace};
use calx_core::aqueous::ActivityModel as Model;
use calx_core::{ComponentSet, Dimension, ParamKind, ParamSpec, ParamValue, Params, Phase, UnitError, UnitReport};

use crate::aqueous::{Compiled, DEFAULT_MINERALS, Inventory, activity_model, dissolved_elements, properties};
use crate::common::fraction;

/// Gas constant, J/(mol K) (CODATA 2018, exact).
const R: f64 = 8.314_462_618;

/// Most speciations of one calculation. The gas volume, the water and the vapour each change
/// by a few per cent of the last change per speciation, so they settle to 1e-12 in ten or
/// twenty.
const MAX_SPECIATIONS: usize = 100;

/// One equilibrium mineral: its database name, the component it leaves as, and the
/// components read as it.
#[derive(Clone, Debug)]
struct Mineral {
    name: String,
    component: usize,
}

/// The configured equilibrium calculation.
#[derive(Clone, Debug)]
pub(crate) struct Equilibrator {
    set: Arc<ComponentSet>,
    /// The chemical system of everything the unit can meet, compiled at creation.
    compiled: Compiled,
    minerals: Vec<Mineral>,
    /// (component, mineral) pairs used to read inlets: the unit's minerals only.
    map: Vec<(String, String)>,
    approach: f64,
    water: usize,
    /// `H2O(g)`, when the vent leaves saturated.
    vapour: Option<usize>,
    co2: Option<usize>,
    calcium: Option<usize>,
    magnesium: Option<usize>,
}

/// What one equilibrium gives.
pub(crate) struct Outcome {
    /// Liquid and solids leaving, kg/s.
    pub(crate) slurry: Vec<f64>,
    /// Gas leaving, kg/s.
    pub(crate) vent: Vec<f64>,
    /// CO2 taken up from the gas, kg/s (negative: released).
    pub(crate) co2_taken_up: f64,
    /// The equilibrium (at `approach` 1; the outlet is between it and the inlet otherwise).
    pub(crate) equilibrium: Equilibrium,
    /// The last speciation's solution, which a later calculation may start from
    /// (`calx_core::UnitReport::state`).
    pub(crate) state: Vec<f64>,
}

/// The parameters an equilibrium unit adds.
pub(crate) fn params(default_minerals: &[&str]) -> Vec<ParamSpec> {
    let defaults = ParamValue::List(default_minerals.iter().map(|m| ParamValue::Text(m.to_string())).collect());
    vec![
        ParamSpec::with_default(
            "minerals",
            ParamKind::List { item: Box::new(ParamKind::Text) },
            defaults,
            "Minerals of the database (calx-aqueous, phreeqc.dat names: Calcite, Portlandite, Brucite, ...) that dissolve or precipitate to equilibrium; each leaves as the component of its formula",
            "[S] the minerals of lime and ash carbonation at ambient temperature; magnesite, which does not precipitate on a plant's time scale at ambient temperature, is left out (docs/sources.md §Equilibrium units)",
        ),
        ParamSpec::with_default(
            "approach",
            ParamKind::Fraction,
            ParamValue::Number(1.0),
            "How far from the inlet state towards equilibrium the unit goes (1: all the way)",
            "[U] equilibrium unless stated; set it from a measured conversion",
        ),
        ParamSpec::with_default(
            "activity_model",
            ParamKind::choice(&["davies", "extended_debye_huckel"]),
            ParamValue::Text("extended_debye_huckel".into()),
            "Activity coefficients (default: the flowsheet's `aqueous.activity_model`)",
            "[S] PHREEQC's own model for phreeqc.dat (docs/sources.md §Equilibrium units)",
        ),
        ParamSpec::with_default(
            "vent",
            ParamKind::choice(&["saturated", "dry"]),
            ParamValue::Text("saturated".into()),
            "Water vapour in the gas leaving: saturated at the outlet temperature (needs component `H2O(g)`), or none",
            "[U] a gas leaving a slurry it was bubbled through is taken as saturated (docs/sources.md §Equilibrium units)",
        ),
    ]
}

impl Equilibrator {
    /// Read the parameters of [`params`].
    pub(crate) fn from_params(set: &Arc<ComponentSet>, p: &Params) -> Result<Equilibrator, UnitError> {
        let db = Database::builtin();
        let mut minerals = Vec::new();
        for name in p.text_list("minerals")? {
            let phase = db.mineral(name).ok_or_else(|| {
                let known: Vec<&str> = db.minerals.iter().map(|m| m.name.as_str()).collect();
                UnitError::param(
                    "minerals",
                    format!("names `{name}`, which is not in the database; known: {}", known.join(", ")),
                )
            })?;
            let component = set.index_of(&phase.formula).ok_or_else(|| {
                UnitError::param(
                    "minerals",
                    format!(
                        "names `{name}`, which leaves as `{}`: add that component to `components.use`",
                        phase.formula
                    ),
                )
            })?;
            minerals.push(Mineral { name: name.to_string(), component });
        }
        let map = DEFAULT_MINERALS
            .iter()
            .filter(|(_, m)| minerals.iter().any(|x| x.name == *m))
            .map(|(c, m)| (c.to_string(), m.to_string()))
            .chain(
                minerals
                    .iter()
                    .map(|m| (set.get(m.component).map_or(String::new(), |c| c.name.clone()), m.name.clone())),
            )
            .collect();
        let model = p.text_opt("activity_model")?.and_then(Model::from_name).unwrap_or_default();
        let names: Vec<&str> = minerals.iter().map(|m| m.name.as_str()).collect();
        let compiled = Compiled::new(&dissolved_elements(set), &names, activity_model(model))
            .map_err(|e| UnitError::param("minerals", e.to_string()))?;
        let water = set.index_of(crate::aqueous::WATER).ok_or_else(|| {
            UnitError::port("slurry", "the component set has no `H2O`: an aqueous equilibrium needs liquid water")
        })?;
        let vapour = match p.text_opt("vent")? {
            Some("dry") => None,
            _ => Some(set.index_of("H2O(g)").ok_or_else(|| {
                UnitError::param(
                    "vent",
                    "is `saturated` (the default), which needs the component `H2O(g)`: add it to `components.use`, or set `vent: dry`",
                )
            })?),
        };
        Ok(Equilibrator {
            set: set.clone(),
            compiled,
            minerals,
            map,
            approach: fraction("approach", "", p.number("approach")?)?,
            water,
            vapour,
            co2: set.index_of("CO2"),
            calcium: set.index_of("Ca(OH)2"),
            magnesium: set.index_of("Mg(OH)2"),
        })
    }

    /// Bring `mixed` (kg/s of everything entering) to equilibrium at `t` (K) and `p` (Pa).
    ///
    /// One fixed-point iteration settles three things together: the gas volume (from the CO2
    /// left and the vapour), the water of the solution (reactions make or use some, the vent
    /// takes some) and the vapour. Each is a small correction of the last, so they settle in a
    /// few speciations, each warm-started from the one before. The first starts from
    /// `start` (a speciation's solution saved in an earlier `Outcome::state`, given back by
    /// a study for every sample), or, when `start` is empty, cold: the workspace is new for
    /// every calculation, so the result depends on nothing solved before but `start`.
    pub(crate) fn run(&self, mixed: &[f64], t: f64, p: f64, start: &[f64]) -> Result<Outcome, UnitError> {
        let set = &*self.set;
        let (liquid, gas) = self.split(mixed);
        let mut inv = Inventory::read(set, &liquid, &self.map);
        if inv.water <= 0.0 {
            return Err(UnitError::port("slurry", "carries no liquid water: there is no solution to equilibrate"));
        }
        let co2_gas = self.co2.map_or(0.0, |k| gas[k] / molar(set, k));
        let other_gas = moles(set, &gas) - co2_gas;
        let mut ws = self.compiled.workspace();
        // A state of another system (a unit re-created with other minerals) is not taken:
        // the speciation then starts cold.
        ws.start_from(start);
        let (mut evaporated, mut volume) = (0.0, (co2_gas + other_gas) * R * t / p);
        for _ in 0..MAX_SPECIATIONS {
            let eq = self.speciate(&mut ws, &inv, t, co2_gas, volume)?;
            let uptake = self.approach * eq.co2_from_gas;
            let mut slurry = self.slurry(&liquid, &inv, &eq)?;
            let mut vent = gas.clone();
            if let Some(k) = self.co2 {
                vent[k] = (co2_gas - uptake) * molar(set, k);
            }
            let vapour = self.saturate(&mut slurry, &mut vent, t, p)?;
            let next_volume =
                if co2_gas > 0.0 { self.gas_volume(co2_gas - eq.co2_from_gas, other_gas + vapour, t, p)? } else { 0.0 };
            let water = slurry[self.water];
            let settled = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
            if settled(water, inv.water) && settled(vapour, evaporated) && settled(next_volume, volume) {
                let co2_taken_up = uptake * self.co2.map_or(0.0, |k| molar(set, k));
                let mut state = Vec::new();
                ws.save_start(&mut state);
                return Ok(Outcome { slurry, vent, co2_taken_up, equilibrium: eq, state });
            }
            (inv.water, evaporated, volume) = (water, vapour, next_volume);
        }
        Err(UnitError::Calculation(format!(
            "the gas volume, the water of the slurry and the vapour did not settle together in {MAX_SPECIATIONS} speciations"
        )))
    }

    /// One speciation: with the gas as a closed volume of CO2, or without gas when none enters.
    fn speciate(
        &self,
        ws: &mut Workspace,
        inv: &Inventory,
        t: f64,
        co2: f64,
        volume: f64,
    ) -> Result<Equilibrium, UnitError> {
        let gas = if co2 > 0.0 { GasCondition::ClosedCo2 { volume, moles: co2 } } else { GasCondition::None };
        self.compiled
            .equilibrate(ws, inv, t, gas)
            .map_err(|e| UnitError::Calculation(format!("aqueous equilibrium: {e}")))
    }

    /// The volume of the gas at `t` and `p` once `co2_left` mol/s of CO2 remain beside
    /// `others`, or an error when nothing is left to make a gas phase.
    fn gas_volume(&self, co2_left: f64, others: f64, t: f64, p: f64) -> Result<f64, UnitError> {
        let volume = (co2_left.max(0.0) + others) * R * t / p;
        if volume.is_nan() || volume <= 0.0 {
            return Err(UnitError::Calculation(
                "the slurry takes up all the CO2 of a gas that holds nothing else: no gas phase is left at equilibrium"
                    .into(),
            ));
        }
        Ok(volume)
    }

    /// Gas-phase components (and all CO2) to the gas, the rest to the liquid.
    fn split(&self, mixed: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut liquid = mixed.to_vec();
        let mut gas = vec![0.0; mixed.len()];
        for (i, c) in self.set.iter().enumerate() {
            if c.phase == Phase::Gas || Some(i) == self.co2 {
                gas[i] = mixed[i];
                liquid[i] = 0.0;
            }
        }
        (liquid, gas)
    }

    /// The slurry leaving: minerals, dissolved lumps and water (see the module docs).
    fn slurry(&self, liquid: &[f64], inv: &Inventory, eq: &Equilibrium) -> Result<Vec<f64>, UnitError> {
        let set = &*self.set;
        let a = self.approach;
        let mut out = liquid.to_vec();
        for (i, c) in set.iter().enumerate() {
            if self.map.iter().any(|(name, _)| *name == c.name) {
                out[i] = 0.0;
            }
        }
        for m in &self.minerals {
            let before: f64 = inv.minerals.iter().filter(|(n, _)| *n == m.name).map(|(_, mol)| mol).sum();
            let after = eq.mineral_amount(&m.name).unwrap_or(before);
            out[m.component] += (before + a * (after - before)).max(0.0) * molar(set, m.component);
        }
        let kg = inv.water;
        let lump = |out: &mut Vec<f64>,
                    k: Option<usize>,
                    e: calx_aqueous::Element,
                    what: &str|
         -> Result<(), UnitError> {
            // Calcium, magnesium and carbon enter only in minerals and as gas CO2 (the lumps
            // a slurry carries are read as minerals): other carriers would be counted twice.
            if inv.dissolved[e.index()] > 0.0 {
                return Err(UnitError::port(
                    "slurry",
                    format!(
                        "carries dissolved {what} in a component that is not a mineral of this unit: list the mineral in `minerals`"
                    ),
                ));
            }
            let mol = a * eq.totals[e.index()] * kg;
            match k {
                Some(k) => out[k] += mol.max(0.0) * molar(set, k),
                None if mol > 0.0 => {
                    return Err(UnitError::Calculation(format!(
                        "dissolved {what} leaves the slurry, which needs the component that carries it"
                    )));
                }
                None => {}
            }
            Ok(())
        };
        lump(&mut out, self.calcium, calx_aqueous::Element::Ca, "calcium (as Ca(OH)2)")?;
        lump(&mut out, self.magnesium, calx_aqueous::Element::Mg, "magnesium (as Mg(OH)2)")?;
        lump(&mut out, self.co2, calx_aqueous::Element::C, "carbon (as CO2)")?;
        self.close_hydrogen(liquid, &mut out)?;
        Ok(out)
    }

    /// Water so that the slurry keeps the hydrogen of the liquid entering (the gas's
    /// components hold none that changes); oxygen then closes by itself.
    fn close_hydrogen(&self, liquid: &[f64], out: &mut [f64]) -> Result<(), UnitError> {
        let set = &*self.set;
        let hydrogen = |flows: &[f64]| -> f64 {
            set.iter()
                .zip(flows)
                .filter_map(|(c, &w)| Some(w / c.molar_mass? * c.elements.as_ref()?.get("H").copied().unwrap_or(0.0)))
                .sum()
        };
        let missing = hydrogen(liquid) - hydrogen(out);
        out[self.water] += missing / 2.0 * molar(set, self.water);
        if out[self.water] < 0.0 {
            return Err(UnitError::Calculation(format!(
                "the reactions need {:.6e} kg/s more water than enters",
                -out[self.water]
            )));
        }
        Ok(())
    }

    /// Saturate the vent with water vapour taken from the slurry; returns the water
    /// evaporated, mol/s.
    fn saturate(&self, slurry: &mut [f64], vent: &mut [f64], t: f64, p: f64) -> Result<f64, UnitError> {
        let Some(k) = self.vapour else { return Ok(0.0) };
        let set = &*self.set;
        let dry = moles(set, vent) - vent[k] / molar(set, k);
        if dry <= 0.0 {
            return Ok(0.0);
        }
        let y = calx_core::water::saturated_vapour_mole_fraction(t, p)
            .map_err(|e| UnitError::Calculation(e.to_string()))?;
        let wanted = y / (1.0 - y) * dry * molar(set, k) - vent[k];
        let taken = wanted.min(slurry[self.water]);
        if taken < wanted {
            return Err(UnitError::Calculation(format!(
                "saturating the vent at {t} K takes {wanted:.6e} kg/s of water, more than the slurry holds"
            )));
        }
        slurry[self.water] -= taken;
        vent[k] += taken;
        Ok(taken.max(0.0) / molar(set, k))
    }

    /// Report pH, saturation indices and the CO2 taken up.
    pub(crate) fn report(&self, outcome: &Outcome, report: &mut UnitReport) {
        report.state.clone_from(&outcome.state);
        let props = properties(&outcome.equilibrium);
        report.size("pH", props.ph, Dimension::DIMENSIONLESS);
        report.size("ionic_strength", props.ionic_strength, Dimension::MOLALITY);
        for m in &self.minerals {
            if let Some(si) = props.saturation_index(&m.name) {
                report.note(format!("{}: saturation index {si:.3} at equilibrium", m.name));
            }
        }
        if let Some(w) = props.warning {
            report.note(format!("activity model: {w}"));
        }
    }
}

/// Total moles of `flows` (components without a molar mass count nothing).
fn moles(set: &ComponentSet, flows: &[f64]) -> f64 {
    set.iter().zip(flows).filter_map(|(c, &w)| c.molar_mass.map(|m| w / m)).sum()
}

/// Molar mass of component `k`, kg/mol (components an equilibrium unit writes have one).
fn molar(set: &ComponentSet, k: usize) -> f64 {
    set.get(k).and_then(|c| c.molar_mass).unwrap_or(f64::NAN)
}
