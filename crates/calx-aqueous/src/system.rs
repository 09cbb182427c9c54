//! A compiled speciation system: the species, minerals and gases of a [`Database`] that a set
//! of elements allows, with reactions as dense rows over the system's components (one master
//! species per element, then H+), built once by [`System::new`] and then solved many times.

use std::sync::Arc;

use crate::activity::ActivityModel;
use crate::database::{Database, Element, Phase, charge_of};
use crate::error::AqueousError;
use crate::logk::LogK;

/// What a system is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemSpec {
    /// The elements that may be present (H and O come with water).
    pub elements: Vec<Element>,
    /// Minerals that dissolve or precipitate to equilibrium (by database name); the saturation
    /// index of every other mineral whose elements are present is reported.
    pub equilibrium_minerals: Vec<String>,
    /// The activity model.
    pub activity_model: ActivityModel,
}

impl SystemSpec {
    /// A specification with these elements, no equilibrium minerals, and the extended
    /// Debye-Hückel model (PHREEQC's with phreeqc.dat).
    pub fn new(elements: &[Element]) -> Self {
        SystemSpec {
            elements: elements.to_vec(),
            equilibrium_minerals: Vec::new(),
            activity_model: ActivityModel::ExtendedDebyeHuckel,
        }
    }

    /// With these equilibrium minerals.
    pub fn with_minerals(mut self, minerals: &[&str]) -> Self {
        self.equilibrium_minerals = minerals.iter().map(|m| m.to_string()).collect();
        self
    }

    /// With this activity model.
    pub fn with_activity_model(mut self, model: ActivityModel) -> Self {
        self.activity_model = model;
        self
    }
}

/// The gas the solution is in contact with.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum GasCondition {
    /// No gas phase: a closed solution.
    #[default]
    None,
    /// An open system with CO2 at a fixed partial pressure (Pa): the carbon total is free and
    /// the CO2 taken up is reported. The fugacity coefficient is Peng-Robinson's for pure CO2
    /// at that pressure, as PHREEQC does for EQUILIBRIUM_PHASES CO2(g).
    FixedCo2 {
        /// CO2 partial pressure, Pa.
        pressure: f64,
    },
    /// A closed gas volume holding CO2 as an ideal gas: p = n R T / V.
    ClosedCo2 {
        /// Gas volume, m3.
        volume: f64,
        /// CO2 in the gas before equilibrium, mol.
        moles: f64,
    },
}

/// What one solve is given.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Temperature, K (0-150 °C).
    pub temperature: f64,
    /// Mass of water, kg.
    pub water_mass: f64,
    /// Element totals, mol, indexed by [`Element::index`], including the equilibrium minerals'
    /// content; H and O come with the water and the pH closes the charge balance.
    pub totals: [f64; Element::COUNT],
    /// Initial amounts of the equilibrium minerals, mol, in [`System::equilibrium_minerals`]
    /// order (missing entries are zero); they are part of `totals`.
    pub minerals: Vec<f64>,
    /// The gas condition.
    pub gas: GasCondition,
}

impl Input {
    /// Pure water: `temperature` K, `water_mass` kg, no solutes, no gas.
    pub fn new(temperature: f64, water_mass: f64) -> Self {
        Input { temperature, water_mass, totals: [0.0; Element::COUNT], minerals: Vec::new(), gas: GasCondition::None }
    }

    /// With `mol` of `element` added to the totals.
    pub fn with_total(mut self, element: Element, mol: f64) -> Self {
        self.totals[element.index()] += mol;
        self
    }

    /// With this gas condition.
    pub fn with_gas(mut self, gas: GasCondition) -> Self {
        self.gas = gas;
        self
    }
}

/// A species compiled for a system.
#[derive(Debug, Clone)]
pub(crate) struct Sp {
    pub(crate) charge: f64,
    pub(crate) gamma: Option<(f64, f64)>,
    pub(crate) log_k: LogK,
    pub(crate) water: f64,
    pub(crate) alkalinity: f64,
}

/// A mineral or gas compiled for a system.
#[derive(Debug, Clone)]
pub(crate) struct Ph {
    pub(crate) log_k: LogK,
    /// Coefficients over the components (elements, then H+).
    pub(crate) stoich: Vec<f64>,
    pub(crate) water: f64,
    pub(crate) critical: Option<(f64, f64, f64)>,
}

/// Names of a system's species and minerals, shared with its results.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Names {
    pub(crate) species: Vec<String>,
    pub(crate) minerals: Vec<String>,
    pub(crate) equilibrium: Vec<String>,
}

/// A compiled system; see the crate documentation.
#[derive(Debug, Clone)]
pub struct System {
    pub(crate) model: ActivityModel,
    /// Components: `elements[c]` for c < elements.len(), then H+.
    pub(crate) elements: Vec<Element>,
    pub(crate) species: Vec<Sp>,
    /// species × components, row-major.
    pub(crate) stoich: Vec<f64>,
    /// The nonzero (component, coefficient) pairs of each species' row of `stoich`, species
    /// after species, from `term_start[i]` to `term_start[i + 1]`: a species holds two or
    /// three of the components, and the solver's loops over them run on every iteration.
    pub(crate) terms: Vec<(usize, f64)>,
    pub(crate) term_start: Vec<usize>,
    pub(crate) minerals: Vec<Ph>,
    /// Indices into `minerals` of the equilibrium minerals.
    pub(crate) equilibrium: Vec<usize>,
    pub(crate) co2_gas: Option<Ph>,
    pub(crate) h2o_gas: Option<Ph>,
    /// The aqueous CO2 species, if the system has carbon.
    pub(crate) co2_species: Option<usize>,
    /// Charge of each element's master species.
    pub(crate) master_charge: Vec<f64>,
    pub(crate) names: Arc<Names>,
}

impl System {
    /// Compiles a system from a database and a specification.
    pub fn new(db: &Database, spec: &SystemSpec) -> Result<System, AqueousError> {
        let mut elements = spec.elements.clone();
        elements.sort();
        elements.dedup();
        let nc = elements.len() + 1;
        let allowed =
            |el: &[f64; Element::COUNT]| Element::ALL.iter().all(|e| el[e.index()] == 0.0 || elements.contains(e));
        let row = |el: &[f64; Element::COUNT], h: f64| {
            let mut r: Vec<f64> = elements.iter().map(|e| el[e.index()]).collect();
            r.push(h);
            r
        };
        let (mut species, mut stoich, mut species_names) = (Vec::new(), Vec::new(), Vec::new());
        for s in db.species.iter().filter(|s| allowed(&s.elements)) {
            species.push(Sp {
                charge: s.charge,
                gamma: s.gamma,
                log_k: s.log_k,
                water: s.water,
                alkalinity: s.alkalinity,
            });
            stoich.extend(row(&s.elements, s.h_plus));
            species_names.push(s.name.clone());
        }
        let phase =
            |p: &Phase| Ph { log_k: p.log_k, stoich: row(&p.elements, p.h_plus), water: p.water, critical: p.critical };
        let kept: Vec<&Phase> = db.minerals.iter().filter(|m| allowed(&m.elements)).collect();
        let minerals: Vec<Ph> = kept.iter().map(|m| phase(m)).collect();
        let mut equilibrium = Vec::new();
        for name in &spec.equilibrium_minerals {
            let Some(k) = kept.iter().position(|m| m.name == *name) else {
                let reason = if db.mineral(name).is_some() {
                    "needs an element the system does not have"
                } else {
                    "not in the database"
                };
                return Err(AqueousError::Mineral { name: name.clone(), reason: reason.into() });
            };
            if !equilibrium.contains(&k) {
                equilibrium.push(k);
            }
        }
        let co2_gas = db.gas("CO2(g)").filter(|g| allowed(&g.elements)).map(phase);
        let h2o_gas = db.gas("H2O(g)").map(phase);
        debug_assert_eq!(stoich.len(), species.len() * nc);
        let names = Names {
            species: species_names,
            minerals: kept.iter().map(|m| m.name.clone()).collect(),
            equilibrium: equilibrium.iter().map(|k| kept[*k].name.clone()).collect(),
        };
        let co2_species = names.species.iter().position(|s| s == "CO2");
        let mut term_start = vec![0];
        let mut terms = Vec::new();
        for row in stoich.chunks_exact(nc) {
            terms.extend(row.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(c, v)| (c, *v)));
            term_start.push(terms.len());
        }
        let master_charge = elements.iter().map(|e| charge_of(&db.masters[e.index()])).collect();
        Ok(System {
            model: spec.activity_model,
            elements,
            species,
            stoich,
            terms,
            term_start,
            minerals,
            equilibrium,
            co2_gas,
            h2o_gas,
            co2_species,
            master_charge,
            names: Arc::new(names),
        })
    }

    /// Number of components (elements of the system, then H+).
    pub(crate) fn components(&self) -> usize {
        self.elements.len() + 1
    }

    /// The nonzero (component, coefficient) pairs of species `i`.
    pub(crate) fn terms(&self, i: usize) -> &[(usize, f64)] {
        &self.terms[self.term_start[i]..self.term_start[i + 1]]
    }

    /// Names of the aqueous species, in result order.
    pub fn species_names(&self) -> &[String] {
        &self.names.species
    }

    /// Names of the minerals whose saturation index is reported, in result order.
    pub fn mineral_names(&self) -> &[String] {
        &self.names.minerals
    }

    /// Names of the equilibrium minerals, in [`Input::minerals`] order.
    pub fn equilibrium_minerals(&self) -> Vec<&str> {
        self.equilibrium.iter().map(|k| self.names.minerals[*k].as_str()).collect()
    }

    /// The elements of the system, sorted.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// The activity model.
    pub fn activity_model(&self) -> ActivityModel {
        self.model
    }
}
