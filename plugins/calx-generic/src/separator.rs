//! `component_separator`: splits each component between two outlets by its own fraction
//! (an idealised filter, cyclone, magnetic separator or stripper).

use calx_core::{
    ParamKind, ParamSpec, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType,
};

use crate::common::fraction;

/// The `component_separator` unit type.
pub struct ComponentSeparator;

struct SeparatorUnit {
    split: Vec<f64>,
}

impl UnitType for ComponentSeparator {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "component_separator".into(),
            summary: "Sends a fraction of each component to `separated`, the rest to `remainder`.".into(),
            ports: vec![
                PortSpec::inlet("in", "stream to separate"),
                PortSpec::outlet("separated", "the separated fractions"),
                PortSpec::outlet("remainder", "everything else"),
            ],
            params: vec![ParamSpec::required(
                "split",
                ParamKind::per_component(ParamKind::Fraction),
                "Fraction of each component's inlet flow sent to `separated`; components not listed stay in `remainder`",
            )],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let split = config.params.component_vector("split", config.components, 0.0)?;
        for (c, &x) in config.components.iter().zip(&split) {
            fraction("split", &c.name, x)?;
        }
        Ok(Box::new(SeparatorUnit { split }))
    }
}

impl UnitOperation for SeparatorUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], _report: &mut UnitReport) -> Result<(), UnitError> {
        let feed = &inlets[0];
        let (sep, rest) = outlets.split_at_mut(1);
        for (i, &w) in feed.flows.iter().enumerate() {
            let s = w * self.split[i];
            sep[0].flows[i] = s;
            rest[0].flows[i] = w - s;
        }
        for out in outlets.iter_mut() {
            out.temperature = feed.temperature;
            out.pressure = feed.pressure;
        }
        Ok(())
    }
}
