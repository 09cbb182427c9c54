//! Small helpers shared by the generic units: common parameter specs and checks.

use calx_core::stream::{STANDARD_PRESSURE, STANDARD_TEMPERATURE};
use calx_core::{Dimension, ParamKind, ParamSpec, ParamValue, UnitError};

/// Outlet temperature, optional.
pub(crate) fn temperature_param(doc: &str) -> ParamSpec {
    ParamSpec::optional("T", ParamKind::quantity(Dimension::TEMPERATURE, "degC"), doc)
}

/// Heat duty, optional.
pub(crate) fn duty_param(doc: &str) -> ParamSpec {
    ParamSpec::optional("duty", ParamKind::quantity(Dimension::POWER, "kW"), doc)
}

/// Standard temperature default for feeds.
pub(crate) fn standard_temperature() -> ParamSpec {
    ParamSpec::with_default(
        "T",
        ParamKind::quantity(Dimension::TEMPERATURE, "degC"),
        ParamValue::Number(STANDARD_TEMPERATURE),
        "Temperature",
        "IUPAC standard ambient temperature, 25 degC",
    )
}

/// Standard pressure default for feeds.
pub(crate) fn standard_pressure() -> ParamSpec {
    ParamSpec::with_default(
        "P",
        ParamKind::quantity(Dimension::PRESSURE, "atm"),
        ParamValue::Number(STANDARD_PRESSURE),
        "Pressure",
        "standard atmosphere, 101325 Pa",
    )
}

/// Check a fraction in [0, 1].
pub(crate) fn fraction(name: &str, key: &str, x: f64) -> Result<f64, UnitError> {
    if x.is_finite() && (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("{key}: must be a fraction between 0 and 1 (0-100 %), found {x}")))
    }
}

/// A computed sum shown in messages without round-off noise (1.2, not 1.2000000000000002).
pub(crate) fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}
