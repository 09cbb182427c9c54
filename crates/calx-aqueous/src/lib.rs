//! Aqueous speciation and mineral/gas equilibrium for Calx (issue 15).
//!
//! A [`Database`] holds the log K data of aqueous species, minerals and gases (the built-in one,
//! [`Database::builtin`], is a subset of PHREEQC's `phreeqc.dat` plus seven minerals from
//! `llnl.dat`, in `data/phreeqc-subset.dat`). A [`System`] is compiled once from a
//! [`SystemSpec`] (which elements, which minerals may dissolve or precipitate, which activity
//! model) and then solved many times with a reused [`Workspace`]: given temperature, water mass,
//! element totals and a gas condition ([`Input`]), [`System::solve`] returns the
//! [`Equilibrium`]: pH, ionic strength, every species' molality and activity coefficient,
//! saturation indices, mineral amounts, CO2 taken up from the gas, DIC and alkalinity.
//!
//! The equations are PHREEQC's (Parkhurst and Appelo 2013, USGS TM 6-A43): mass action with
//! log K(T) from the analytical expression or van 't Hoff, WATEQ Debye-Hückel or Davies
//! activity coefficients with A and B from the dielectric constant of water (Bradley and
//! Pitzer 1979) and its density, water activity 1 - 0.017 Σm, and equilibrium phases at a
//! target saturation index. They are solved by a damped Newton method on the log-activities of
//! the master species, with an active set for the minerals. Redox is not modelled (C(4), S(6),
//! Fe(2) only) and the pressure is 1 atm: log K has no pressure correction.
//!
//! Units: temperature in K, water in kg, amounts in mol, pressures in Pa, volumes in m3;
//! molalities in mol/kg of water.
//!
//! ```
//! use calx_aqueous::{Database, Element, GasCondition, Input, PASCAL_PER_ATM, System, SystemSpec};
//!
//! let spec = SystemSpec::new(&[Element::Ca, Element::C]).with_minerals(&["Calcite"]);
//! let system = System::new(Database::builtin(), &spec)?;
//! let mut workspace = system.workspace();
//! let mut input = Input::new(298.15, 1.0)
//!     .with_total(Element::Ca, 0.01) // mol, including the calcite
//!     .with_total(Element::C, 0.01)
//!     .with_gas(GasCondition::FixedCo2 { pressure: 10f64.powf(-3.5) * PASCAL_PER_ATM });
//! input.minerals = vec![0.01]; // mol of calcite to start with
//! let eq = system.solve(&mut workspace, &input)?;
//! assert!(eq.ph > 8.0 && eq.saturation_index("Calcite").unwrap().abs() < 1e-9);
//! # Ok::<(), calx_aqueous::AqueousError>(())
//! ```

mod activity;
mod database;
mod equilibrium;
mod error;
mod gas;
mod guess;
mod linalg;
mod logk;
mod phases;
mod solve;
mod system;
mod water;

pub use activity::{ActivityModel, ActivityRangeWarning};
pub use database::{Database, Element, Phase, Species};
pub use equilibrium::Equilibrium;
pub use error::AqueousError;
pub use gas::peng_robinson_log_fugacity_coefficient;
pub use logk::LogK;
pub use solve::Workspace;
pub use system::{GasCondition, Input, System, SystemSpec};
pub use water::{debye_huckel_a_b, dielectric_constant, water_density};

/// Pascal per standard atmosphere (the unit of pressure in phreeqc.dat's gas constants).
pub const PASCAL_PER_ATM: f64 = 101_325.0;
