//! `feed` (a stream entering the flowsheet) and `product` (a stream leaving it).
//!
//! Feeds are written in the flowsheet's `streams:` block; the flowsheet layer turns each one
//! into a `feed` unit of the same name, so a design specification can adjust its `total`.

use std::sync::Arc;

use calx_core::{
    ComponentSet, Dimension, ParamKind, ParamSpec, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType,
};

use crate::common::{fraction, standard_pressure, standard_temperature, tidy};

/// The `feed` unit type.
pub struct Feed;

struct FeedUnit {
    set: Arc<ComponentSet>,
    /// Mass fractions in component order (0 for a component not given).
    composition: Vec<f64>,
    total: f64,
    t: f64,
    p: f64,
}

impl UnitType for Feed {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "feed".into(),
            summary: "A stream entering the flowsheet: total mass flow and mass composition.".into(),
            ports: vec![PortSpec::outlet("out", "the feed stream")],
            params: vec![
                ParamSpec::required("total", ParamKind::quantity(Dimension::MASS_FLOW, "t/h"), "Total mass flow"),
                ParamSpec::required(
                    "composition",
                    ParamKind::per_component(ParamKind::Fraction),
                    "Mass fraction of each component; must sum to 1",
                ),
                standard_temperature(),
                standard_pressure(),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        let total = check_total(p.number("total")?)?;
        let set: &Arc<ComponentSet> = config.components;
        let composition = p.component_vector("composition", set, 0.0)?;
        for (c, &x) in set.iter().zip(&composition) {
            fraction("composition", &c.name, x)?;
        }
        check_sum(composition.iter().sum())?;
        let t = p.number("T")?;
        let pr = p.number("P")?;
        if !(t > 0.0 && pr > 0.0) {
            return Err(UnitError::param("T", "temperature and pressure must be positive (absolute)"));
        }
        Ok(Box::new(FeedUnit { set: Arc::clone(set), composition, total, t, p: pr }))
    }
}

/// A total flow must be finite and not negative.
fn check_total(total: f64) -> Result<f64, UnitError> {
    if total.is_finite() && total >= 0.0 {
        Ok(total)
    } else {
        Err(UnitError::param("total", format!("must be a flow of zero or more, found {total} kg/s")))
    }
}

/// Mass fractions must sum to 1 (within 1e-6).
fn check_sum(sum: f64) -> Result<(), UnitError> {
    if (sum - 1.0).abs() > 1e-6 {
        return Err(UnitError::param(
            "composition",
            format!("mass fractions must sum to 1 (100 %), they sum to {}", tidy(sum)),
        ));
    }
    Ok(())
}

impl UnitOperation for FeedUnit {
    /// A new total, or one new mass fraction (`key`: its component), in place. The fractions'
    /// sum is checked when the feed is calculated: a study sets a composition one fraction at
    /// a time.
    fn set_number(&mut self, param: &str, key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        match (param, key) {
            ("total", None) => self.total = check_total(value)?,
            ("composition", Some(component)) => {
                let i = self.set.require(component).map_err(|e| UnitError::param("composition", e.to_string()))?;
                self.composition[i] = fraction("composition", component, value)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The flows are the composition over its sum times the total, as `create` always
    /// computed them (the same bits).
    fn calculate(&self, _inlets: &[Stream], outlets: &mut [Stream], _report: &mut UnitReport) -> Result<(), UnitError> {
        let sum: f64 = self.composition.iter().sum();
        check_sum(sum)?;
        let out = &mut outlets[0];
        for (flow, x) in out.flows.iter_mut().zip(&self.composition) {
            *flow = x / sum * self.total;
        }
        out.temperature = self.t;
        out.pressure = self.p;
        Ok(())
    }
}

/// The `product` unit type: an explicit end of a stream (optional: a stream without a
/// destination is a product too).
pub struct Product;

struct ProductUnit;

impl UnitType for Product {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "product".into(),
            summary: "A stream leaving the flowsheet.".into(),
            ports: vec![PortSpec::inlet("in", "the product stream")],
            params: vec![],
        }
    }

    fn create(&self, _config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        Ok(Box::new(ProductUnit))
    }
}

impl UnitOperation for ProductUnit {
    fn calculate(
        &self,
        _inlets: &[Stream],
        _outlets: &mut [Stream],
        _report: &mut UnitReport,
    ) -> Result<(), UnitError> {
        Ok(())
    }
}
