//! `storage_tank`: a storage tank or silo holding its throughput for a residence time.
//!
//! Equations (docs/equipment.md §storage_tank): the held volume is V = ṁ / ρ · τ, and the
//! tank's volume V / `fill_fraction` (the share of the tank the contents may fill). The
//! stream passes through unchanged, so mass, elements and energy close exactly. Reports the
//! sizes `volume` (m3) and `throughput` (kg/s); the `seider_cone_roof_tank` cost correlation
//! reads `volume`.

use calx_core::{
    Dimension, ParamKind, ParamSpec, ParamValue, PortSpec, Stream, UnitConfig, UnitDescriptor, UnitError,
    UnitOperation, UnitReport, UnitType,
};

use crate::common::{efficiency, positive};

/// The `storage_tank` unit type.
pub struct StorageTank;

struct StorageTankUnit {
    residence_time: f64,
    density: f64,
    fill: f64,
}

impl UnitType for StorageTank {
    fn descriptor(&self) -> UnitDescriptor {
        UnitDescriptor {
            type_name: "storage_tank".into(),
            summary: "Storage tank or silo: volume from the throughput, its density and a residence time; the stream passes through.".into(),
            ports: vec![PortSpec::inlet("in", "material stored"), PortSpec::outlet("out", "material leaving storage")],
            params: vec![
                ParamSpec::required("residence_time", ParamKind::quantity(Dimension::TIME, "h"), "Time the throughput is held (storage time)"),
                ParamSpec::required("density", ParamKind::quantity(Dimension::DENSITY, "kg/m3"), "Density of the stored material (bulk density for solids)"),
                ParamSpec::with_default(
                    "fill_fraction",
                    ParamKind::Fraction,
                    ParamValue::Number(1.0),
                    "Share of the tank volume the contents may fill",
                    "100 %: the reported volume is the volume held unless a fill fraction is given (assumption)",
                ),
            ],
        }
    }

    fn create(&self, config: &UnitConfig<'_>) -> Result<Box<dyn UnitOperation>, UnitError> {
        let p = config.params;
        Ok(Box::new(StorageTankUnit {
            residence_time: positive("residence_time", p.number("residence_time")?, "s")?,
            density: positive("density", p.number("density")?, "kg/m3")?,
            fill: efficiency("fill_fraction", p.number("fill_fraction")?)?,
        }))
    }
}

impl UnitOperation for StorageTankUnit {
    fn calculate(&self, inlets: &[Stream], outlets: &mut [Stream], report: &mut UnitReport) -> Result<(), UnitError> {
        let (feed, out) = (&inlets[0], &mut outlets[0]);
        out.copy_from(feed);
        let throughput = feed.total_mass();
        report.size("volume", throughput / self.density * self.residence_time / self.fill, Dimension::VOLUME);
        report.size("throughput", throughput, Dimension::MASS_FLOW);
        Ok(())
    }

    fn set_number(&mut self, param: &str, _key: Option<&str>, value: f64) -> Result<bool, UnitError> {
        match param {
            "residence_time" => self.residence_time = positive(param, value, "s")?,
            "density" => self.density = positive(param, value, "kg/m3")?,
            "fill_fraction" => self.fill = efficiency(param, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}
