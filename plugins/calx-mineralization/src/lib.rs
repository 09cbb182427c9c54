//! Carbon-mineralization unit operations for Calx: coal ash and flue-gas CO2 turned into
//! carbonate for mine backfill (the KIGAM 2022 CFBC-ash process, see README.md).
//!
//! Units: `gas_pretreatment`, `magnetic_separation`, `hydrator`, `carbonator`, `dewatering`
//! and `backfill_mixer`. Each conserves mass and elements exactly (up to round-off),
//! counting the make-up material it reports, which the engine checks after every solve.
//! Reactions are written with `calx_core::Reaction` and checked for element balance when a
//! unit is built; heat duties come from formation enthalpies and heat capacities in the
//! component data (`calx_core::thermo`).
//!
//! Components are looked up by name: `H2O` (liquid water), `CO2`, `CaO`, `MgO`, `Ca(OH)2`,
//! `Mg(OH)2`, `CaCO3`, `MgCO3`, and the binder named by `backfill_mixer`. "Solids" are
//! components declared with phase solid.

use std::sync::Arc;

use calx_core::UnitType;

pub mod aqueous;
mod backfill_mixer;
mod carbonator;
mod common;
mod dewatering;
mod equilibrium;
mod equilibrium_reactor;
mod gas_pretreatment;
mod hydrator;
mod magnetic_separation;
mod rate;
mod scratch;
mod tank;

pub use backfill_mixer::BackfillMixer;
pub use carbonator::Carbonator;
pub use dewatering::Dewatering;
pub use equilibrium_reactor::EquilibriumReactor;
pub use gas_pretreatment::GasPretreatment;
pub use hydrator::Hydrator;
pub use magnetic_separation::MagneticSeparation;

/// Name this plugin registers its unit types under.
pub const PROVIDER: &str = "calx-mineralization";

/// Every unit type of this plugin, in process order.
pub fn unit_types() -> Vec<Arc<dyn UnitType>> {
    vec![
        Arc::new(GasPretreatment),
        Arc::new(MagneticSeparation),
        Arc::new(Hydrator),
        Arc::new(Carbonator),
        Arc::new(Dewatering),
        Arc::new(BackfillMixer),
        Arc::new(EquilibriumReactor),
    ]
}

#[cfg(feature = "export")]
calx_plugin_sdk::export_plugin!(provider = PROVIDER, types_fn = unit_types);

#[cfg(test)]
mod tests;
