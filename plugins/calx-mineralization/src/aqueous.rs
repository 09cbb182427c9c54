//! The bridge between streams and aqueous speciation (`calx-aqueous`).
//!
//! A stream's contents are read as an aqueous system, per second of flow:
//!
//! * the liquid water is the component `H2O` (water vapour, `H2O(g)`, is not);
//! * a component named in the mineral map (built-in [`DEFAULT_MINERALS`], extended by the
//!   flowsheet's `aqueous: minerals:`) is that mineral, present in its amount: it dissolves to
//!   equilibrium, or grows if the solution is supersaturated with it (no other mineral forms
//!   in a property calculation);
//! * `CO2` and every other non-solid component whose elements are all aqueous ones (Ca, Mg,
//!   Na, K, C, S, Cl, Si, Al, Fe, with H and O) is dissolved;
//! * other solids (quartz, corundum, hematite and ash pseudo-components) are inert, and other
//!   gases (N2, O2, Ar) are not in the water.
//!
//! Units that leave dissolved matter in their slurry write it this way too (dissolved calcium
//! as `Ca(OH)2`, dissolved carbon as `CO2`, the hydrogen and oxygen balanced with `H2O`), so
//! reading a slurry back gives the state the unit left it in: the equilibrium is unique for
//! given element totals, and the lumped solids, far below saturation, dissolve again.

use calx_aqueous::{ActivityModel, Database, Element, Equilibrium, GasCondition, Input, System, SystemSpec, Workspace};
use calx_core::aqueous::{self, AqueousProperties, AqueousSettings};
use calx_core::{ComponentSet, Phase, Stream};

/// Built-in pairs of library component and database mineral. CaO and MgO in water hydrate
/// (lime and periclase are far undersaturated where portlandite and brucite are saturated),
/// so they count as portlandite and brucite of the same amount: their water comes from the
/// solution, whose mass the speciation holds constant.
pub const DEFAULT_MINERALS: &[(&str, &str)] = &[
    ("CaCO3", "Calcite"),
    ("Ca(OH)2", "Portlandite"),
    ("Mg(OH)2", "Brucite"),
    ("MgCO3", "Magnesite"),
    ("CaSO4", "Anhydrite"),
    ("CaO", "Portlandite"),
    ("MgO", "Brucite"),
];

/// The name of liquid water in the component library.
pub const WATER: &str = "H2O";

/// Why a stream's aqueous state could not be computed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AqueousBridgeError(pub String);

/// The model of `calx-aqueous` for a flowsheet's choice.
pub fn activity_model(model: aqueous::ActivityModel) -> ActivityModel {
    match model {
        aqueous::ActivityModel::Davies => ActivityModel::Davies,
        aqueous::ActivityModel::ExtendedDebyeHuckel => ActivityModel::ExtendedDebyeHuckel,
    }
}

/// A stream read as an aqueous system, per second of flow.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    /// Liquid water, kg.
    pub water: f64,
    /// Dissolved element totals, mol, by [`Element::index`] (minerals not included).
    pub dissolved: [f64; Element::COUNT],
    /// Minerals present: (database name, mol).
    pub minerals: Vec<(String, f64)>,
}

impl Inventory {
    /// Read `flows` (kg/s) of `set` with the mineral map `minerals` (component, mineral).
    pub fn read(set: &ComponentSet, flows: &[f64], minerals: &[(String, String)]) -> Inventory {
        let mut inv = Inventory::default();
        for (c, &w) in set.iter().zip(flows) {
            if w <= 0.0 {
                continue;
            }
            if c.name == WATER {
                inv.water += w;
                continue;
            }
            let (Some(atoms), Some(m)) = (&c.elements, c.molar_mass) else { continue };
            let mol = w / m;
            if let Some((_, mineral)) = minerals.iter().rev().find(|(name, _)| *name == c.name) {
                inv.minerals.push((mineral.clone(), mol));
            } else if c.phase != Phase::Solid && (c.phase != Phase::Gas || c.name == "CO2") {
                let aqueous: Option<Vec<(Element, f64)>> = atoms
                    .iter()
                    .filter(|(el, _)| !matches!(**el, "H" | "O"))
                    .map(|(el, &n)| Element::from_symbol(el).map(|e| (e, n)))
                    .collect();
                for (e, n) in aqueous.unwrap_or_default() {
                    inv.dissolved[e.index()] += n * mol;
                }
            }
        }
        inv
    }

    /// The elements present, dissolved or in a mineral.
    pub fn elements(&self, db: &Database) -> Vec<Element> {
        let mut present: Vec<Element> = Element::ALL.into_iter().filter(|e| self.dissolved[e.index()] > 0.0).collect();
        for (name, _) in &self.minerals {
            let Some(phase) = db.mineral(name) else { continue };
            for e in Element::ALL.into_iter().filter(|e| phase.elements[e.index()] != 0.0) {
                if !present.contains(&e) {
                    present.push(e);
                }
            }
        }
        present.sort_by_key(|e| e.index());
        present
    }
}

/// The built-in mineral map followed by the flowsheet's own pairs.
pub fn mineral_map(settings: &AqueousSettings) -> Vec<(String, String)> {
    DEFAULT_MINERALS
        .iter()
        .map(|(c, m)| (c.to_string(), m.to_string()))
        .chain(settings.minerals.iter().cloned())
        .collect()
}

/// The aqueous properties of `stream`, or `None` when it carries no liquid water.
///
/// # Errors
/// A mineral the database lacks, or a speciation that does not converge.
pub fn stream_properties(
    set: &ComponentSet,
    stream: &Stream,
    settings: &AqueousSettings,
) -> Result<Option<AqueousProperties>, AqueousBridgeError> {
    let inv = Inventory::read(set, &stream.flows, &mineral_map(settings));
    if inv.water <= 0.0 {
        return Ok(None);
    }
    let eq = equilibrate(&inv, &[], stream.temperature, activity_model(settings.activity_model), GasCondition::None)?;
    Ok(Some(properties(&eq)))
}

/// Bring `inv` to equilibrium at `temperature` with its minerals (which may dissolve), the
/// minerals `precipitate` (which may also form from nothing) and the gas condition `gas`.
/// Compiles the chemical system for this one call; a unit that equilibrates often keeps a
/// [`Compiled`] system instead.
///
/// # Errors
/// As [`stream_properties`].
pub fn equilibrate(
    inv: &Inventory,
    precipitate: &[String],
    temperature: f64,
    model: ActivityModel,
    gas: GasCondition,
) -> Result<Equilibrium, AqueousBridgeError> {
    let db = Database::builtin();
    let mut elements = inv.elements(db);
    if !matches!(gas, GasCondition::None) {
        elements.push(Element::C);
    }
    let mut names: Vec<&str> =
        inv.minerals.iter().map(|(m, _)| m.as_str()).chain(precipitate.iter().map(String::as_str)).collect();
    names.sort_unstable();
    names.dedup();
    let compiled = Compiled::new(&elements, &names, model)?;
    compiled.equilibrate(&mut compiled.workspace(), inv, temperature, gas)
}

/// A chemical system compiled once: its elements and equilibrium minerals are fixed, so each
/// equilibrium reuses the compiled species, constants and scratch space.
#[derive(Clone, Debug)]
pub struct Compiled {
    system: System,
}

impl Compiled {
    /// The system of `elements` (with those the `minerals` hold) and the equilibrium
    /// `minerals`, with activities from `model`.
    ///
    /// # Errors
    /// A mineral the database lacks.
    pub fn new(elements: &[Element], minerals: &[&str], model: ActivityModel) -> Result<Compiled, AqueousBridgeError> {
        let db = Database::builtin();
        let mut all = elements.to_vec();
        for name in minerals {
            let phase =
                db.mineral(name).ok_or_else(|| AqueousBridgeError(format!("no mineral `{name}` in the database")))?;
            all.extend(Element::ALL.into_iter().filter(|e| phase.elements[e.index()] != 0.0));
        }
        all.sort_by_key(|e| e.index());
        all.dedup();
        let spec = SystemSpec::new(&all).with_minerals(minerals).with_activity_model(model);
        let system = System::new(db, &spec).map_err(|e| AqueousBridgeError(e.to_string()))?;
        Ok(Compiled { system })
    }

    /// Scratch space for [`Compiled::equilibrate`]; one per calculation keeps results
    /// independent of what was solved before (warm starts only within a calculation).
    pub fn workspace(&self) -> Workspace {
        self.system.workspace()
    }

    /// Bring `inv` to equilibrium at `temperature` under `gas`.
    ///
    /// # Errors
    /// An element or mineral of `inv` outside the system, or a speciation that does not
    /// converge.
    pub fn equilibrate(
        &self,
        ws: &mut Workspace,
        inv: &Inventory,
        temperature: f64,
        gas: GasCondition,
    ) -> Result<Equilibrium, AqueousBridgeError> {
        let db = Database::builtin();
        let mut input = Input::new(temperature, inv.water).with_gas(gas);
        input.totals = inv.dissolved;
        for (name, mol) in &inv.minerals {
            if !self.system.equilibrium_minerals().contains(&name.as_str()) {
                return Err(AqueousBridgeError(format!("`{name}` is not one of this system's minerals")));
            }
            let phase =
                db.mineral(name).ok_or_else(|| AqueousBridgeError(format!("no mineral `{name}` in the database")))?;
            for e in Element::ALL {
                input.totals[e.index()] += phase.elements[e.index()] * mol;
            }
        }
        if let Some(e) =
            Element::ALL.into_iter().find(|e| input.totals[e.index()] > 0.0 && !self.system.elements().contains(e))
        {
            return Err(AqueousBridgeError(format!(
                "{} enters, but the chemical system has no {}",
                e.symbol(),
                e.symbol()
            )));
        }
        input.minerals = system_minerals(&self.system, &inv.minerals);
        self.system.solve(ws, &input).map_err(|e| AqueousBridgeError(e.to_string()))
    }
}

/// Initial amounts in the order of the system's equilibrium minerals (one mineral may come
/// from two components: their amounts add).
fn system_minerals(system: &System, minerals: &[(String, f64)]) -> Vec<f64> {
    system
        .equilibrium_minerals()
        .iter()
        .map(|name| minerals.iter().filter(|(m, _)| m == name).map(|(_, mol)| mol).sum())
        .collect()
}

/// The stream-table figures of an equilibrium.
pub fn properties(eq: &Equilibrium) -> AqueousProperties {
    let dissolved = Element::ALL
        .into_iter()
        .filter(|e| eq.totals[e.index()] > 0.0)
        .map(|e| (e.symbol().to_string(), eq.totals[e.index()]))
        .collect();
    let saturation_indices = eq
        .mineral_names()
        .iter()
        .zip(&eq.saturation_indices)
        .filter_map(|(m, si)| si.map(|si| (m.clone(), si)))
        .collect();
    AqueousProperties {
        ph: eq.ph,
        ionic_strength: eq.ionic_strength,
        dissolved_inorganic_carbon: eq.dic,
        alkalinity: eq.alkalinity,
        dissolved,
        saturation_indices,
        activity_model: match eq.activity_model {
            ActivityModel::Davies => aqueous::ActivityModel::Davies,
            ActivityModel::ExtendedDebyeHuckel => aqueous::ActivityModel::ExtendedDebyeHuckel,
        },
        warning: eq.activity_model_warning().map(|w| w.to_string()),
    }
}

/// The aqueous elements a unit over `set` can meet dissolved: those of every component read as
/// dissolved (not solid, not a gas other than CO2; see the module docs), and carbon with CO2.
pub fn dissolved_elements(set: &ComponentSet) -> Vec<Element> {
    let mut out = Vec::new();
    for c in set.iter().filter(|c| c.phase != Phase::Solid && (c.phase != Phase::Gas || c.name == "CO2")) {
        let Some(atoms) = &c.elements else { continue };
        let aqueous: Option<Vec<Element>> =
            atoms.keys().filter(|el| !matches!(**el, "H" | "O")).map(|el| Element::from_symbol(el)).collect();
        out.extend(aqueous.unwrap_or_default());
    }
    out.sort_by_key(|e| e.index());
    out.dedup();
    out
}

/// The solution a unit leaves, for its report: the built-in mineral pairs of the components
/// in the unit's set, compiled once when the unit is created.
#[derive(Clone, Debug)]
pub struct SolutionReport {
    compiled: Compiled,
    map: Vec<(String, String)>,
}

impl SolutionReport {
    /// For units over `set` with activities from `model`.
    ///
    /// # Errors
    /// A chemical system the database cannot build (it can for every built-in pair).
    pub fn new(set: &ComponentSet, model: aqueous::ActivityModel) -> Result<SolutionReport, AqueousBridgeError> {
        let map: Vec<(String, String)> = DEFAULT_MINERALS
            .iter()
            .filter(|(c, _)| set.index_of(c).is_some())
            .map(|(c, m)| (c.to_string(), m.to_string()))
            .collect();
        let mut minerals: Vec<&str> = map.iter().map(|(_, m)| m.as_str()).collect();
        minerals.sort_unstable();
        minerals.dedup();
        let compiled = Compiled::new(&dissolved_elements(set), &minerals, activity_model(model))?;
        Ok(SolutionReport { compiled, map })
    }

    /// The aqueous properties of `flows` (kg/s) at `temperature`, or `None` without liquid
    /// water.
    ///
    /// # Errors
    /// A speciation that does not converge.
    pub fn properties(
        &self,
        set: &ComponentSet,
        flows: &[f64],
        temperature: f64,
    ) -> Result<Option<AqueousProperties>, AqueousBridgeError> {
        let inv = Inventory::read(set, flows, &self.map);
        if inv.water <= 0.0 {
            return Ok(None);
        }
        let eq = self.compiled.equilibrate(&mut self.compiled.workspace(), &inv, temperature, GasCondition::None)?;
        Ok(Some(properties(&eq)))
    }
}
