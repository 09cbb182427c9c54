//! `splitter`: one stream into several of the same composition, by fractions per outlet.

use calx_core::{
    ParamKind, ParamSpec, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError, UnitOperation, UnitReport, UnitType,
};

use crate::common::{fraction, tidy};

/// The `splitter` unit type.
pub struct Splitter;

struct SplitterUnit {
    fractions: Vec<f64>,
}

impl UnitType for Splitter {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "splitter".into(),
            summary: "Splits a stream into outlets of the same composition by fractions.".into(),
            ports: vec![PortSpec::inlet("in", "stream to split"), PortSpec::outlet("out", "outlet streams").many()],
            params: vec![ParamSpec::required(
                "fractions",
                ParamKind::PerOutlet { value: Box::new(ParamKind::Fraction) },
                "Fraction of the inlet sent to each outlet stream, by stream name; one outlet may be left out and takes the rest",
            )],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let outlets = config.connections.outlet_streams("out");
        let given = config.params.number_map("fractions")?;
        for name in given.keys() {
            if !outlets.iter().any(|o| o == name) {
                return Err(UnitError::param(
                    "fractions",
                    format!(
                        "names `{name}`, which is not an outlet of this splitter (outlets: {})",
                        outlets.join(", ")
                    ),
                ));
            }
        }
        let mut fractions = Vec::with_capacity(outlets.len());
        let mut rest = None;
        for (i, o) in outlets.iter().enumerate() {
            match given.get(o.as_str()) {
                Some(&x) => fractions.push(fraction("fractions", o, x)?),
                None if rest.is_none() => {
                    rest = Some(i);
                    fractions.push(0.0);
                }
                None => {
                    return Err(UnitError::param(
                        "fractions",
                        format!(
                            "gives no fraction for `{}` nor `{o}`: only one outlet may take the rest",
                            outlets[rest.unwrap_or(0)]
                        ),
                    ));
                }
            }
        }
        let sum: f64 = fractions.iter().sum();
        match rest {
            Some(i) if sum <= 1.0 + 1e-12 => fractions[i] = (1.0 - sum).max(0.0),
            Some(_) => return Err(UnitError::param("fractions", format!("sum to {}, more than 1", tidy(sum)))),
            None if (sum - 1.0).abs() > 1e-9 => {
                return Err(UnitError::param(
                    "fractions",
                    format!("must sum to 1 when every outlet is given, they sum to {}", tidy(sum)),
                ));
            }
            None => {}
        }
        Ok(Box::new(SplitterUnit { fractions }))
    }
}

impl UnitOperation for SplitterUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], _report: &mut UnitReport) -> Result<(), UnitError> {
        let feed = &inlets[0];
        // The last outlet takes inlet minus the others, so mass closes exactly.
        let last = outlets.len() - 1;
        for (k, out) in outlets.iter_mut().enumerate().take(last) {
            for (o, w) in out.flows.iter_mut().zip(&feed.flows) {
                *o = w * self.fractions[k];
            }
        }
        let (head, tail) = outlets.split_at_mut(last);
        for (i, o) in tail[0].flows.iter_mut().enumerate() {
            let taken: f64 = head.iter().map(|s| s.flows[i]).sum();
            *o = (feed.flows[i] - taken).max(0.0);
        }
        for out in outlets.iter_mut() {
            out.temperature = feed.temperature;
            out.pressure = feed.pressure;
        }
        Ok(())
    }
}
