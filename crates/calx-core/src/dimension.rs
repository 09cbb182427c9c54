//! Physical dimensions as exponents of the SI base quantities (plus money).
//!
//! Every number inside Calx is SI; a [`Dimension`] says which SI unit that is, so that a
//! quantity written in a flowsheet ("16000 t/yr") can be checked against what a parameter
//! expects (a mass flow) before it is converted.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Exponents of mass (kg), length (m), time (s), temperature (K), amount (mol) and money
/// (one currency unit) in a derived unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Dimension {
    /// Exponent of mass (kg).
    pub mass: i8,
    /// Exponent of length (m).
    pub length: i8,
    /// Exponent of time (s).
    pub time: i8,
    /// Exponent of thermodynamic temperature (K).
    pub temperature: i8,
    /// Exponent of amount of substance (mol).
    pub amount: i8,
    /// Exponent of money (one unit of whatever currency the quantity names).
    pub money: i8,
}

impl Dimension {
    const fn new(mass: i8, length: i8, time: i8, temperature: i8, amount: i8, money: i8) -> Self {
        Dimension { mass, length, time, temperature, amount, money }
    }
    /// A pure number (fractions, ratios, efficiencies).
    pub const DIMENSIONLESS: Dimension = Dimension::new(0, 0, 0, 0, 0, 0);
    /// kg
    pub const MASS: Dimension = Dimension::new(1, 0, 0, 0, 0, 0);
    /// m
    pub const LENGTH: Dimension = Dimension::new(0, 1, 0, 0, 0, 0);
    /// s
    pub const TIME: Dimension = Dimension::new(0, 0, 1, 0, 0, 0);
    /// K
    pub const TEMPERATURE: Dimension = Dimension::new(0, 0, 0, 1, 0, 0);
    /// mol
    pub const AMOUNT: Dimension = Dimension::new(0, 0, 0, 0, 1, 0);
    /// one currency unit
    pub const MONEY: Dimension = Dimension::new(0, 0, 0, 0, 0, 1);
    /// kg/s
    pub const MASS_FLOW: Dimension = Dimension::new(1, 0, -1, 0, 0, 0);
    /// mol/s
    pub const MOLAR_FLOW: Dimension = Dimension::new(0, 0, -1, 0, 1, 0);
    /// m3/s
    pub const VOLUME_FLOW: Dimension = Dimension::new(0, 3, -1, 0, 0, 0);
    /// m3
    pub const VOLUME: Dimension = Dimension::new(0, 3, 0, 0, 0, 0);
    /// Pa = kg/(m s2)
    pub const PRESSURE: Dimension = Dimension::new(1, -1, -2, 0, 0, 0);
    /// J = kg m2/s2
    pub const ENERGY: Dimension = Dimension::new(1, 2, -2, 0, 0, 0);
    /// W = J/s
    pub const POWER: Dimension = Dimension::new(1, 2, -3, 0, 0, 0);
    /// J/kg (specific energy, e.g. kWh/t)
    pub const SPECIFIC_ENERGY: Dimension = Dimension::new(0, 2, -2, 0, 0, 0);
    /// J/mol
    pub const MOLAR_ENERGY: Dimension = Dimension::new(1, 2, -2, 0, -1, 0);
    /// J/(mol K)
    pub const MOLAR_HEAT_CAPACITY: Dimension = Dimension::new(1, 2, -2, -1, -1, 0);
    /// J/(kg K)
    pub const SPECIFIC_HEAT_CAPACITY: Dimension = Dimension::new(0, 2, -2, -1, 0, 0);
    /// kg/m3
    pub const DENSITY: Dimension = Dimension::new(1, -3, 0, 0, 0, 0);
    /// W/m3 (power per volume, e.g. agitation)
    pub const POWER_DENSITY: Dimension = Dimension::new(1, -1, -3, 0, 0, 0);
    /// kg/mol
    pub const MOLAR_MASS: Dimension = Dimension::new(1, 0, 0, 0, -1, 0);
    /// mol/kg (molality, ionic strength)
    pub const MOLALITY: Dimension = Dimension::new(-1, 0, 0, 0, 1, 0);
    /// money per kg
    pub const PRICE_PER_MASS: Dimension = Dimension::new(-1, 0, 0, 0, 0, 1);
    /// money per J
    pub const PRICE_PER_ENERGY: Dimension = Dimension::new(-1, -2, 2, 0, 0, 1);
    /// money per s
    pub const MONEY_FLOW: Dimension = Dimension::new(0, 0, -1, 0, 0, 1);
    /// 1/s: rate constants, volumetric mass-transfer coefficients (kLa)
    pub const PER_TIME: Dimension = Dimension::new(0, 0, -1, 0, 0, 0);

    /// The SI base symbols with this dimension's exponent of each.
    fn si_exponents(self) -> [(&'static str, i8); 6] {
        [
            ("kg", self.mass),
            ("m", self.length),
            ("s", self.time),
            ("K", self.temperature),
            ("mol", self.amount),
            ("money", self.money),
        ]
    }

    /// This dimension raised to an integer power.
    pub fn powi(self, n: i8) -> Dimension {
        Dimension::new(
            self.mass * n,
            self.length * n,
            self.time * n,
            self.temperature * n,
            self.amount * n,
            self.money * n,
        )
    }

    /// A name a process engineer would recognise, for messages ("mass flow", "power"), or
    /// the SI expression when the dimension has no common name.
    pub fn describe(self) -> String {
        let named = [
            (Dimension::DIMENSIONLESS, "dimensionless number"),
            (Dimension::MASS, "mass"),
            (Dimension::LENGTH, "length"),
            (Dimension::TIME, "time"),
            (Dimension::TEMPERATURE, "temperature"),
            (Dimension::AMOUNT, "amount of substance"),
            (Dimension::MONEY, "money"),
            (Dimension::MASS_FLOW, "mass flow"),
            (Dimension::MOLAR_FLOW, "molar flow"),
            (Dimension::VOLUME_FLOW, "volumetric flow"),
            (Dimension::VOLUME, "volume"),
            (Dimension::PRESSURE, "pressure"),
            (Dimension::ENERGY, "energy"),
            (Dimension::POWER, "power"),
            (Dimension::SPECIFIC_ENERGY, "energy per mass"),
            (Dimension::MOLAR_ENERGY, "energy per amount"),
            (Dimension::MOLAR_HEAT_CAPACITY, "molar heat capacity"),
            (Dimension::SPECIFIC_HEAT_CAPACITY, "specific heat capacity"),
            (Dimension::DENSITY, "density"),
            (Dimension::POWER_DENSITY, "power per volume"),
            (Dimension::MOLAR_MASS, "molar mass"),
            (Dimension::PRICE_PER_MASS, "price per mass"),
            (Dimension::PRICE_PER_ENERGY, "price per energy"),
            (Dimension::MONEY_FLOW, "money per time"),
            (Dimension::PER_TIME, "rate (per time)"),
        ];
        match named.iter().find(|(d, _)| *d == self) {
            Some((_, name)) => format!("{name} [{self}]"),
            None => format!("[{self}]"),
        }
    }
}

impl Dimension {
    /// The SI unit of this dimension written as the flowsheet format reads it (`kg/s`, `m3`,
    /// `Pa`, `W`, `kg/m3`, `1/s`), for showing an SI value with its unit; empty for a pure
    /// number. Pressure, energy and power use their named units (Pa, J, W); everything else
    /// is built from kg, m, s, K, mol and `money` (no currency is implied).
    pub fn si_unit(self) -> String {
        let named = [(Dimension::PRESSURE, "Pa"), (Dimension::ENERGY, "J"), (Dimension::POWER, "W")];
        if let Some((_, symbol)) = named.iter().find(|(d, _)| *d == self) {
            return (*symbol).to_string();
        }
        // Per mass, per amount or per time of a named unit (J/kg, J/mol, W/m3) reads better
        // than the base units.
        for (named, symbol) in named {
            for (per, per_symbol) in [(Dimension::MASS, "kg"), (Dimension::AMOUNT, "mol"), (Dimension::VOLUME, "m3")] {
                if self == named / per {
                    return format!("{symbol}/{per_symbol}");
                }
            }
        }
        let parts = self.si_exponents();
        let factor = |(symbol, exp): (&str, i8)| match (symbol, exp.abs()) {
            (s, 1) => s.to_string(),
            ("m", n) => format!("m{n}"),
            (s, n) => format!("{s}^{n}"),
        };
        let up: Vec<String> = parts.iter().filter(|(_, e)| *e > 0).map(|&p| factor(p)).collect();
        let down: Vec<String> = parts.iter().filter(|(_, e)| *e < 0).map(|&p| factor(p)).collect();
        match (up.is_empty(), down.is_empty()) {
            (true, true) => String::new(),
            (_, true) => up.join(" "),
            (true, false) => format!("1/{}", down.join(" ")),
            (false, false) => format!("{}/{}", up.join(" "), down.join(" ")),
        }
    }
}

/// The product of two dimensions (exponents add).
impl std::ops::Mul for Dimension {
    type Output = Dimension;
    fn mul(self, o: Dimension) -> Dimension {
        Dimension::new(
            self.mass + o.mass,
            self.length + o.length,
            self.time + o.time,
            self.temperature + o.temperature,
            self.amount + o.amount,
            self.money + o.money,
        )
    }
}

/// The quotient of two dimensions (exponents subtract).
impl std::ops::Div for Dimension {
    type Output = Dimension;
    fn div(self, o: Dimension) -> Dimension {
        self * o.powi(-1)
    }
}

impl fmt::Display for Dimension {
    /// SI form, e.g. `kg m^-1 s^-2`; `1` for a pure number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = self.si_exponents();
        let mut first = true;
        for (sym, exp) in parts {
            if exp == 0 {
                continue;
            }
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            if exp == 1 {
                write!(f, "{sym}")?;
            } else {
                write!(f, "{sym}^{exp}")?;
            }
        }
        if first {
            f.write_str("1")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_dimensions_compose() {
        assert_eq!(Dimension::ENERGY / Dimension::TIME, Dimension::POWER);
        assert_eq!(Dimension::MASS / Dimension::TIME, Dimension::MASS_FLOW);
        assert_eq!(Dimension::POWER / Dimension::MASS_FLOW, Dimension::SPECIFIC_ENERGY);
        assert_eq!(Dimension::LENGTH.powi(3), Dimension::VOLUME);
    }

    #[test]
    fn si_units_are_written_as_the_parser_reads_them() {
        let table = crate::quantity::UnitTable::builtin();
        let cases = [
            (Dimension::MASS_FLOW, "kg/s"),
            (Dimension::MOLAR_FLOW, "mol/s"),
            (Dimension::VOLUME, "m3"),
            (Dimension::VOLUME_FLOW, "m3/s"),
            (Dimension::PRESSURE, "Pa"),
            (Dimension::POWER, "W"),
            (Dimension::ENERGY, "J"),
            (Dimension::TEMPERATURE, "K"),
            (Dimension::TIME, "s"),
            (Dimension::DENSITY, "kg/m3"),
            (Dimension::SPECIFIC_ENERGY, "J/kg"),
            (Dimension::MOLAR_ENERGY, "J/mol"),
            (Dimension::POWER / Dimension::VOLUME, "W/m3"),
            (Dimension::PER_TIME, "1/s"),
            (Dimension::MOLALITY, "mol/kg"),
            (Dimension::MOLAR_HEAT_CAPACITY, "kg m2/s^2 K mol"),
            (Dimension::DIMENSIONLESS, ""),
        ];
        for (dimension, written) in cases {
            assert_eq!(dimension.si_unit(), written, "{}", dimension.describe());
            if !written.is_empty() {
                // What is written reads back as one SI unit of that dimension.
                let q = table.parse(&format!("1 {written}")).unwrap_or_else(|e| panic!("{written}: {e}"));
                assert_eq!((q.value, q.dimension), (1.0, dimension), "{written}");
            }
        }
    }

    #[test]
    fn describe_names_common_dimensions() {
        assert_eq!(Dimension::MASS_FLOW.describe(), "mass flow [kg s^-1]");
        assert_eq!(Dimension::DIMENSIONLESS.to_string(), "1");
    }
}
