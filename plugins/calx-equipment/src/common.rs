//! Checks shared by the equipment units: numbers that must be positive, efficiencies, the
//! water components of the dryer and the flash.

use calx_core::{ComponentSet, ParamKind, ParamSpec, ParamValue, Params, Phase, UnitError};

/// Standard acceleration of gravity, m/s2: a defined value (3rd CGPM, 1901; docs/sources.md
/// §Process equipment).
pub(crate) const STANDARD_GRAVITY: f64 = 9.806_65;

/// An efficiency in (0, 1]: zero would make the power infinite, and above 1 is no machine.
pub(crate) fn efficiency(name: &str, x: f64) -> Result<f64, UnitError> {
    if x.is_finite() && x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("must be above 0 and at most 1 (100 %), found {x}")))
    }
}

/// A finite number above zero, shown with its SI unit when refused.
pub(crate) fn positive(name: &str, x: f64, unit: &str) -> Result<f64, UnitError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(UnitError::param(name, format!("must be above zero, found {x} {unit}")))
    }
}

/// A water component parameter (`liquid` or `vapour`) of the dryer and the flash, naming a
/// component with its default in the shipped component library.
pub(crate) fn water_component_param(name: &str, default: &str, doc: &str) -> ParamSpec {
    ParamSpec::with_default(
        name,
        ParamKind::Text,
        ParamValue::Text(default.into()),
        doc,
        "the library's water components",
    )
}

/// The liquid-water and water-vapour components named by the parameters `liquid` and
/// `vapour` (indices in `set`): each must exist with its phase, and both must be the same
/// substance, or moving mass between them would break the element balance.
pub(crate) fn water_components(p: &Params, set: &ComponentSet) -> Result<(usize, usize), UnitError> {
    let component = |param: &str, phase: Phase| -> Result<usize, UnitError> {
        let name = p.text_opt(param)?.unwrap_or_default();
        let i = set.index_of(name).ok_or_else(|| {
            UnitError::param(param, format!("`{name}` is not a component of the flowsheet; add it under `components`"))
        })?;
        match set.get(i) {
            Some(c) if c.phase == phase => Ok(i),
            _ => Err(UnitError::param(param, format!("`{name}` must be a {} component", phase.name()))),
        }
    };
    let (liquid, vapour) = (component("liquid", Phase::Liquid)?, component("vapour", Phase::Gas)?);
    if let (Some(l), Some(v)) = (set.get(liquid), set.get(vapour))
        && (l.elements != v.elements || l.molar_mass != v.molar_mass)
    {
        return Err(UnitError::param(
            "vapour",
            format!("`{}` is not the same substance as `{}` (formula or molar mass differ)", v.name, l.name),
        ));
    }
    Ok((liquid, vapour))
}
