//! Calx kinetics: rate-based conversion of solids (carbonation, hydration) in reactors.
//!
//! A [`RateLaw`] gives the form of the rate ([`RateForm`]: shrinking core under reaction,
//! diffusion or mixed control, Avrami, power law) and how its rate constant depends on
//! temperature, CO2 level and particle size; [`RateLaw::at`] evaluates it at [`Conditions`].
//! Batch conversion ([`batch_conversion`], [`batch_curve`]) integrates the rate with
//! [`calx_solver::integrate_dense`]; [`reactor_conversion`] and [`reactor_conversion_psd`]
//! average it over a reactor's residence-time distribution ([`ReactorMode`]: batch, plug
//! flow, one or `n` mixed tanks) and a particle-size distribution ([`SizeClasses`]);
//! [`residence_time_for_conversion`] inverts that for reactor sizing. The gas–liquid film's
//! cap on CO2 uptake is [`transfer_capacity`] and [`transfer_limited_uptake`].
//!
//! Everything is SI (s, K, m, mol, J) except the CO2 level, which is in whatever unit the
//! caller gives both it and the reference level in. The crate does no I/O; every failure is
//! a [`KineticsError`]. Equations and sources are in each module's documentation.

mod batch;
mod error;
mod mass_transfer;
mod psd;
mod rate;
mod reactor;

pub use batch::{batch_conversion, batch_curve, closed_form_conversion};
pub use error::KineticsError;
pub use mass_transfer::{TransferBalance, transfer_capacity, transfer_limited_uptake};
pub use psd::SizeClasses;
pub use rate::{Conditions, GAS_CONSTANT, LocalRate, RateForm, RateLaw};
pub use reactor::{ReactorMode, reactor_conversion, reactor_conversion_psd, residence_time_for_conversion};
