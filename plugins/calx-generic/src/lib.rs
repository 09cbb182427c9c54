//! Generic built-in unit operations, linked into the `calx` binary: feed, product, mixer,
//! splitter, component separator, conversion reactor and heater/cooler.
//!
//! Every unit here conserves mass and elements exactly (up to round-off), which the engine
//! checks after every solve. Energy balances use formation enthalpies and heat capacities
//! from the component data (`calx_core::thermo`).

use std::sync::Arc;

use calx_core::UnitType;

mod common;
mod feed;
mod heater;
mod mixer;
mod reactor;
mod separator;
mod splitter;

pub use feed::{Feed, Product};
pub use heater::Heater;
pub use mixer::Mixer;
pub use reactor::ConversionReactor;
pub use separator::ComponentSeparator;
pub use splitter::Splitter;

/// Name this plugin registers its unit types under.
pub const PROVIDER: &str = "calx-generic";

/// Every unit type of this plugin.
pub fn unit_types() -> Vec<Arc<dyn UnitType>> {
    vec![
        Arc::new(Feed),
        Arc::new(Product),
        Arc::new(Mixer),
        Arc::new(Splitter),
        Arc::new(ComponentSeparator),
        Arc::new(ConversionReactor),
        Arc::new(Heater),
    ]
}

#[cfg(feature = "export")]
calx_plugin_sdk::export_plugin!(provider = PROVIDER, types_fn = unit_types);

#[cfg(test)]
mod tests;
