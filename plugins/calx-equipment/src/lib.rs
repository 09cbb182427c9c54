//! Standard process equipment, linked into the `calx` binary: a centrifugal `pump`, a gas
//! `compressor`, a counter-current `heat_exchanger` and a `utility_exchanger` (steam,
//! cooling water, chilled water or electricity), a continuous `filter`, a `dryer`, a `mill`
//! (Bond's law), a belt or screw `conveyor`, a water/gas `flash` sized as a vertical drum and
//! a `storage_tank`. The gas cyclone of the library is the loadable plugin
//! `plugins/calx-cyclone` (docs/equipment.md §cyclone). Each unit reports the size figures its published
//! cost correlation needs (`calx_tea::correlations`), so a flowsheet built from them is
//! costed bottom-up, and each conserves mass, elements and
//! energy exactly (up to round-off; the compressor's shaft work counted as
//! `UnitReport::work`), which the engine checks after every solve.
//!
//! Equations, defaults and the worked examples the tests follow are listed per unit in
//! docs/equipment.md and their figures in docs/sources.md §Process equipment.

use std::sync::Arc;

use calx_core::UnitType;

mod common;
mod compressor;
mod conveyor;
mod dryer;
mod filter;
mod flash;
mod heat_exchanger;
mod mill;
mod pump;
mod storage_tank;
mod utility_exchanger;
mod vessel;

pub use compressor::Compressor;
pub use conveyor::Conveyor;
pub use dryer::Dryer;
pub use filter::Filter;
pub use flash::Flash;
pub use heat_exchanger::HeatExchanger;
pub use mill::Mill;
pub use pump::Pump;
pub use storage_tank::StorageTank;
pub use utility_exchanger::UtilityExchanger;

/// Name this plugin registers its unit types under.
pub const PROVIDER: &str = "calx-equipment";

/// Every unit type of this plugin.
pub fn unit_types() -> Vec<Arc<dyn UnitType>> {
    vec![
        Arc::new(Pump),
        Arc::new(Compressor),
        Arc::new(HeatExchanger),
        Arc::new(UtilityExchanger),
        Arc::new(Filter),
        Arc::new(Dryer),
        Arc::new(Mill),
        Arc::new(Conveyor),
        Arc::new(Flash),
        Arc::new(StorageTank),
    ]
}

#[cfg(feature = "export")]
calx_plugin_sdk::export_plugin!(provider = PROVIDER, types_fn = unit_types);

#[cfg(test)]
mod tests;
