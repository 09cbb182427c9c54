//! Aqueous chemistry settings of a flowsheet and the aqueous properties of a stream.
//!
//! Plain data only: the speciation itself is `calx-aqueous` (constants from PHREEQC's
//! `phreeqc.dat`), and the bridge between streams and speciation is
//! `calx_mineralization::aqueous`. A flowsheet opts in with an `aqueous:` section; then every
//! stream that carries liquid water gets [`AqueousProperties`]: its water at the stream's
//! temperature, in equilibrium with the stream's solids that map to a mineral (they dissolve,
//! or grow from a supersaturated solution; no other mineral forms), with every other
//! mineral's saturation index reported.

use serde::Serialize;

/// How activity coefficients are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityModel {
    /// Davies (1962) for every ion: fine below an ionic strength of about 0.5 mol/kg.
    Davies,
    /// PHREEQC's WATEQ extended Debye-Hückel with each ion's size and b parameter from
    /// `phreeqc.dat` (Davies for ions without them): PHREEQC's own model for that database.
    #[default]
    ExtendedDebyeHuckel,
}

impl ActivityModel {
    /// Every model, as written in a flowsheet.
    pub const ALL: [ActivityModel; 2] = [ActivityModel::Davies, ActivityModel::ExtendedDebyeHuckel];

    /// The name a flowsheet uses.
    pub fn name(self) -> &'static str {
        match self {
            ActivityModel::Davies => "davies",
            ActivityModel::ExtendedDebyeHuckel => "extended_debye_huckel",
        }
    }

    /// The model of a flowsheet name.
    pub fn from_name(name: &str) -> Option<ActivityModel> {
        ActivityModel::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The `aqueous:` section of a flowsheet.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AqueousSettings {
    /// Activity model of stream properties, and the default of every unit that equilibrates.
    pub activity_model: ActivityModel,
    /// Which solid component is which mineral of the database, beyond the built-in pairs
    /// (`calx_mineralization::aqueous::DEFAULT_MINERALS`); a later pair for a component
    /// replaces the built-in one.
    pub minerals: Vec<(String, String)>,
}

/// The aqueous state of a stream's water.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AqueousProperties {
    /// pH (activity scale).
    pub ph: f64,
    /// Ionic strength, mol/kg of water.
    pub ionic_strength: f64,
    /// Dissolved inorganic carbon, mol/kg of water.
    pub dissolved_inorganic_carbon: f64,
    /// Alkalinity, eq/kg of water.
    pub alkalinity: f64,
    /// Dissolved total of each element present, mol/kg of water, by element symbol.
    pub dissolved: Vec<(String, f64)>,
    /// Saturation index log10(IAP/K) of every mineral whose elements are present, by name.
    pub saturation_indices: Vec<(String, f64)>,
    /// The activity model used.
    pub activity_model: ActivityModel,
    /// Set when the ionic strength is beyond what the activity model is good for.
    pub warning: Option<String>,
}

impl AqueousProperties {
    /// The saturation index of one mineral.
    pub fn saturation_index(&self, mineral: &str) -> Option<f64> {
        self.saturation_indices.iter().find(|(m, _)| m == mineral).map(|(_, si)| *si)
    }
    /// The dissolved total of one element, mol/kg of water.
    pub fn dissolved(&self, element: &str) -> Option<f64> {
        self.dissolved.iter().find(|(e, _)| e == element).map(|(_, m)| *m)
    }
}
