//! Quantities with units of measure: "16000 t/yr", "25 degC", "70 KRW/kWh" -> SI.
//!
//! Flowsheet files write every number with its unit as a string. This module reads such a
//! string into a [`Quantity`]: the value in SI units plus the [`Dimension`] it measures, so a
//! parameter can check that it got, say, a mass flow. It is a small table-driven parser of our
//! own because general unit crates cannot read the units plants report in ("t/yr", "t/a",
//! "MJ/h", "kg/t_product").
//!
//! # Syntax
//!
//! `number [whitespace] [unit expression]`, surrounding whitespace ignored.
//!
//! * **Number**: Rust/YAML float syntax with optional sign and exponent ("0.7", "-634.9",
//!   ".5", "1e-9"). Commas are accepted as thousands separators only, in groups of exactly
//!   three digits in the integer part ("17,585", "1,000,000.5"); "1,5" is refused rather than
//!   guessed to be a decimal comma. The number must be finite (no NaN, no infinity, no
//!   overflow). A bare number is dimensionless.
//! * **Unit expression**: symbols joined by `/`, `*`, `·` or whitespace (multiplication).
//!   Each symbol may carry an integer exponent `^2`, `^-1`; length symbols also take trailing
//!   digits (`m3`, `cm2`, `m³`). Everything after the first `/` is in the denominator:
//!   `J/mol/K` and `W/m2 K` both mean a quotient by the product of the later factors.
//!   Because `J/kg*K` is read differently by different people, `*` and `·` after a `/` are
//!   refused. Parentheses are not supported (not needed given the rule above). A leading `1`
//!   is allowed for reciprocals: "0.3 1/h".
//!
//! # Conventions
//!
//! * `yr`, `a` and `y` are 365 days: plants state annual figures on a 365-day basis, so
//!   "16000 t/yr" is 16000 t / (365 x 86400 s). The Julian year (365.25 d) is not used.
//! * `t` and `tonne` are metric tonnes. "ton" is refused (short, long or metric?) with a
//!   suggestion of `t`.
//! * `Nm3` is a normal cubic metre (gas volume at 0 degC and 1 atm). It is treated as a plain
//!   volume unit; converting it to an actual volume is the caller's business.
//! * `degC`/`°C` and `degF`/`°F` standing alone are absolute temperatures (offset applied:
//!   "25 degC" = 298.15 K). Inside a compound ("J/kg/degC") or with an exponent they are
//!   temperature differences (factor only). [`UnitTable::to_unit`] applies the inverse. An
//!   absolute temperature below 0 K is refused.
//! * Gauge pressures (`barg`, `psig`, ...) are refused: they need the ambient pressure, which
//!   a flowsheet does not state. Write absolute pressure.
//! * `%`, `wt%`, `mol%`, `vol%`, `ppm`, `ppmv`, `ppmw`, `ppb`, `ppbv` and `frac` are
//!   dimensionless fractions that must stand alone ("10 wt%/h" is refused); the `wt`, `mol`,
//!   `vol`, `v`, `w` variants also record the [`FractionBasis`].
//! * Currency codes (KRW, USD, EUR, JPY, CNY, GBP) have dimension money and factor 1; the
//!   code is kept in [`Quantity::currency`]. Exchange rates are a techno-economic input, not
//!   the parser's business, so an expression mixing two currencies is refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dimension::Dimension;
use crate::error::{Error, Result};
use crate::suggest::nearest;

/// Which basis a fraction or percentage is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FractionBasis {
    /// Mass fraction (wt%, ppmw).
    Mass,
    /// Mole fraction (mol%).
    Mole,
    /// Volume fraction (vol%, ppmv); equal to the mole fraction for ideal gases.
    Volume,
}

/// A parsed unit expression: `value_si = value * factor + offset`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitExpr {
    /// SI units per unit of the expression.
    pub factor: f64,
    /// SI offset added after scaling (non-zero only for a lone degC or degF).
    pub offset: f64,
    /// What the expression measures.
    pub dimension: Dimension,
    /// The basis of a fraction unit (wt%, mol%, vol%), if any.
    pub basis: Option<FractionBasis>,
    /// The currency code, if the expression contains money.
    pub currency: Option<String>,
}

/// A number converted to SI, with what it measures.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// The value in SI units of `dimension`.
    pub value: f64,
    /// What the value measures.
    pub dimension: Dimension,
    /// The basis of a fraction (wt%, mol%, vol%), if one was stated.
    pub basis: Option<FractionBasis>,
    /// The currency code, if the quantity contains money.
    pub currency: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Plain,
    /// degC/degF: offset applies only when the symbol stands alone.
    Offset,
    /// Percent-type: must stand alone.
    Fraction(Option<FractionBasis>),
    Currency,
}

#[derive(Clone, Debug)]
struct UnitDef {
    factor: f64,
    offset: f64,
    dimension: Dimension,
    kind: Kind,
}

impl UnitDef {
    fn new(factor: f64, offset: f64, dimension: Dimension, kind: Kind) -> Self {
        UnitDef { factor, offset, dimension, kind }
    }
}

/// The table of known units; built-ins plus user definitions.
#[derive(Clone, Debug)]
pub struct UnitTable {
    /// In definition order, which is the order of [`UnitTable::symbols`] and thus of
    /// tie-breaks between suggestions.
    entries: Vec<(String, UnitDef)>,
    index: BTreeMap<String, usize>,
}

impl Default for UnitTable {
    fn default() -> Self {
        UnitTable::builtin()
    }
}

impl UnitTable {
    /// The built-in table, built once for the process: building it costs more than most
    /// things that parse a quantity with it (analyses a study creates again for every sample).
    pub fn shared() -> &'static UnitTable {
        static SHARED: std::sync::OnceLock<UnitTable> = std::sync::OnceLock::new();
        SHARED.get_or_init(UnitTable::builtin)
    }
}

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
/// Seconds in Calx's year, 365 days: the basis of annual plant figures (`yr`, see the module
/// documentation). Every crate that converts per-second rates to annual figures uses this.
pub const SECONDS_PER_YEAR: f64 = 365.0 * DAY;
const YEAR: f64 = SECONDS_PER_YEAR;
const POUND: f64 = 0.453_592_37;
/// Pound-force per square inch: 0.45359237 kg x 9.80665 m/s2 / (0.0254 m)^2.
const PSI: f64 = POUND * 9.806_65 / (0.0254 * 0.0254);
/// International Table British thermal unit.
const BTU: f64 = 1_055.055_852_62;

/// Gauge-pressure symbols, refused with an explanation instead of "unknown unit".
const GAUGE: [&str; 5] = ["barg", "psig", "kPag", "MPag", "mbarg"];

/// Words people write that are not (unambiguous) symbols, with what to write instead.
const HINTS: [(&str, &str); 20] = [
    ("ton", "t"),
    ("tons", "t"),
    ("hour", "h"),
    ("hours", "h"),
    ("hrs", "h"),
    ("sec", "s"),
    ("year", "yr"),
    ("years", "yr"),
    ("yrs", "yr"),
    ("days", "d"),
    ("C", "degC"),
    ("F", "degF"),
    ("degK", "K"),
    ("°K", "K"),
    ("kgs", "kg"),
    ("tpa", "t/yr"),
    ("tpd", "t/d"),
    ("tph", "t/h"),
    ("litre", "L"),
    ("liter", "L"),
];

impl UnitTable {
    /// The built-in units (see the module documentation for the conventions).
    pub fn builtin() -> UnitTable {
        use Dimension as D;
        let mut table = UnitTable { entries: Vec::new(), index: BTreeMap::new() };
        let plain: &[(&str, f64, Dimension)] = &[
            // mass
            ("kg", 1.0, D::MASS),
            ("g", 1e-3, D::MASS),
            ("mg", 1e-6, D::MASS),
            ("t", 1e3, D::MASS),
            ("tonne", 1e3, D::MASS),
            ("kt", 1e6, D::MASS),
            ("Mt", 1e9, D::MASS),
            ("lb", POUND, D::MASS),
            // time
            ("s", 1.0, D::TIME),
            ("min", MINUTE, D::TIME),
            ("h", HOUR, D::TIME),
            ("hr", HOUR, D::TIME),
            ("d", DAY, D::TIME),
            ("day", DAY, D::TIME),
            ("wk", 7.0 * DAY, D::TIME),
            ("yr", YEAR, D::TIME),
            ("a", YEAR, D::TIME),
            ("y", YEAR, D::TIME),
            // length (these also take trailing exponents: m3, cm2)
            ("m", 1.0, D::LENGTH),
            ("cm", 1e-2, D::LENGTH),
            ("mm", 1e-3, D::LENGTH),
            ("um", 1e-6, D::LENGTH),
            ("µm", 1e-6, D::LENGTH), // U+00B5 micro sign
            ("μm", 1e-6, D::LENGTH), // U+03BC Greek mu, which keyboards produce too
            ("km", 1e3, D::LENGTH),
            // volume
            ("L", 1e-3, D::VOLUME),
            ("l", 1e-3, D::VOLUME),
            ("mL", 1e-6, D::VOLUME),
            ("Nm3", 1.0, D::VOLUME),
            ("Nm³", 1.0, D::VOLUME),
            ("gal", 3.785_411_784e-3, D::VOLUME), // US gallon
            // amount
            ("mol", 1.0, D::AMOUNT),
            ("kmol", 1e3, D::AMOUNT),
            ("mmol", 1e-3, D::AMOUNT),
            // temperature (degC/degF are offset units, below)
            ("K", 1.0, D::TEMPERATURE),
            ("degR", 5.0 / 9.0, D::TEMPERATURE),
            // pressure (absolute)
            ("Pa", 1.0, D::PRESSURE),
            ("hPa", 1e2, D::PRESSURE),
            ("kPa", 1e3, D::PRESSURE),
            ("MPa", 1e6, D::PRESSURE),
            ("bar", 1e5, D::PRESSURE),
            ("bara", 1e5, D::PRESSURE),
            ("mbar", 1e2, D::PRESSURE),
            ("atm", 101_325.0, D::PRESSURE),
            ("psi", PSI, D::PRESSURE),
            ("psia", PSI, D::PRESSURE),
            ("mmHg", 133.322_387_415, D::PRESSURE),
            // energy
            ("J", 1.0, D::ENERGY),
            ("kJ", 1e3, D::ENERGY),
            ("MJ", 1e6, D::ENERGY),
            ("GJ", 1e9, D::ENERGY),
            ("TJ", 1e12, D::ENERGY),
            ("Wh", HOUR, D::ENERGY),
            ("kWh", 1e3 * HOUR, D::ENERGY),
            ("MWh", 1e6 * HOUR, D::ENERGY),
            ("GWh", 1e9 * HOUR, D::ENERGY),
            ("cal", 4.184, D::ENERGY), // thermochemical calorie
            ("kcal", 4184.0, D::ENERGY),
            ("Btu", BTU, D::ENERGY),
            ("MMBtu", 1e6 * BTU, D::ENERGY), // gas prices are quoted per MMBtu
            // power
            ("W", 1.0, D::POWER),
            ("kW", 1e3, D::POWER),
            ("MW", 1e6, D::POWER),
            ("GW", 1e9, D::POWER),
            ("hp", 550.0 * 0.3048 * POUND * 9.806_65, D::POWER), // mechanical horsepower
        ];
        for &(symbol, factor, dimension) in plain {
            table.insert(symbol, UnitDef::new(factor, 0.0, dimension, Kind::Plain));
        }
        let offset: &[(&str, f64, f64)] = &[
            ("degC", 1.0, 273.15),
            ("°C", 1.0, 273.15),
            ("℃", 1.0, 273.15),
            ("degF", 5.0 / 9.0, 459.67 * 5.0 / 9.0),
            ("°F", 5.0 / 9.0, 459.67 * 5.0 / 9.0),
            ("℉", 5.0 / 9.0, 459.67 * 5.0 / 9.0),
        ];
        for &(symbol, factor, offset) in offset {
            table.insert(symbol, UnitDef::new(factor, offset, D::TEMPERATURE, Kind::Offset));
        }
        let fractions: &[(&str, f64, Option<FractionBasis>)] = &[
            ("%", 1e-2, None),
            ("wt%", 1e-2, Some(FractionBasis::Mass)),
            ("mol%", 1e-2, Some(FractionBasis::Mole)),
            ("vol%", 1e-2, Some(FractionBasis::Volume)),
            ("ppm", 1e-6, None),
            ("ppmw", 1e-6, Some(FractionBasis::Mass)),
            ("ppmv", 1e-6, Some(FractionBasis::Volume)),
            ("ppb", 1e-9, None),
            ("ppbv", 1e-9, Some(FractionBasis::Volume)),
            ("frac", 1.0, None),
        ];
        for &(symbol, factor, basis) in fractions {
            let kind = Kind::Fraction(basis);
            table.insert(symbol, UnitDef::new(factor, 0.0, D::DIMENSIONLESS, kind));
        }
        for code in ["KRW", "USD", "EUR", "JPY", "CNY", "GBP"] {
            table.insert(code, UnitDef::new(1.0, 0.0, D::MONEY, Kind::Currency));
        }
        table
    }

    fn insert(&mut self, symbol: &str, def: UnitDef) {
        self.index.insert(symbol.to_owned(), self.entries.len());
        self.entries.push((symbol.to_owned(), def));
    }

    fn get(&self, symbol: &str) -> Option<&UnitDef> {
        self.index.get(symbol).and_then(|&i| self.entries.get(i)).map(|(_, def)| def)
    }

    /// Define a new symbol as `factor` SI units of `dimension` (used for flowsheet bases such
    /// as `t_product`). Err if the symbol exists or is not an identifier (a letter or `_`,
    /// then letters, digits or `_`), or if `factor` is not finite and positive.
    pub fn define(&mut self, symbol: &str, factor: f64, dimension: Dimension) -> Result<()> {
        let refuse =
            |reason: &str| Err(crate::Error::UnitDefinition { symbol: symbol.to_string(), reason: reason.to_string() });
        let mut chars = symbol.chars();
        let identifier = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_');
        if !identifier {
            return refuse("a unit symbol must be an identifier (letters, digits, '_')");
        }
        if self.get(symbol).is_some() || GAUGE.contains(&symbol) {
            return refuse("this unit symbol is already defined");
        }
        if !(factor.is_finite() && factor > 0.0) {
            return refuse("a unit's factor must be finite and positive");
        }
        self.insert(symbol, UnitDef::new(factor, 0.0, dimension, Kind::Plain));
        Ok(())
    }

    /// Give a symbol defined by [`UnitTable::define`] a new factor (a production basis that
    /// follows the solved plant). A factor that is not finite and positive makes every
    /// conversion through the symbol NaN (a basis stream without flow: no number, rather than
    /// a wrong one). Err if the symbol is not defined.
    pub fn redefine(&mut self, symbol: &str, factor: f64, dimension: Dimension) -> Result<()> {
        let Some(&i) = self.index.get(symbol) else {
            return Err(crate::Error::UnitDefinition {
                symbol: symbol.to_string(),
                reason: "only a defined symbol can be redefined".to_string(),
            });
        };
        let factor = if factor.is_finite() && factor > 0.0 { factor } else { f64::NAN };
        self.entries[i].1 = UnitDef::new(factor, 0.0, dimension, Kind::Plain);
        Ok(())
    }

    /// Read a quantity such as "16000 t/yr" into SI (here 0.5074 kg/s of mass flow).
    pub fn parse(&self, text: &str) -> Result<Quantity> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(quantity_error(text, "it is empty; write a number and its unit, e.g. \"16000 t/yr\""));
        }
        let (number, rest) = split_number(text, trimmed)?;
        let rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(Quantity { value: number, dimension: Dimension::DIMENSIONLESS, basis: None, currency: None });
        }
        let (unit, absolute_temperature) = self.unit_expr(rest, text)?;
        let value = number * unit.factor + unit.offset;
        if !value.is_finite() {
            return Err(quantity_error(text, "the value is out of range once converted to SI"));
        }
        if absolute_temperature && value < 0.0 {
            return Err(quantity_error(text, "the temperature is below absolute zero"));
        }
        Ok(Quantity { value, dimension: unit.dimension, basis: unit.basis, currency: unit.currency })
    }

    /// [`UnitTable::parse`], then check the dimension; returns the SI value.
    pub fn parse_as(&self, text: &str, expected: Dimension) -> Result<f64> {
        let q = self.parse(text)?;
        if q.dimension != expected {
            return Err(Error::WrongDimension {
                text: text.to_owned(),
                found: q.dimension.describe(),
                expected: expected.describe(),
            });
        }
        Ok(q.value)
    }

    /// Read a unit expression such as "kg/h".
    pub fn unit(&self, expr: &str) -> Result<UnitExpr> {
        let trimmed = expr.trim();
        if trimmed.is_empty() {
            return Err(quantity_error(expr, "the unit is empty"));
        }
        self.unit_expr(trimmed, expr).map(|(unit, _)| unit)
    }

    /// Convert an SI value to the unit `expr` for display (inverse of the offset for a lone
    /// degC or degF).
    pub fn to_unit(&self, value_si: f64, expr: &str) -> Result<f64> {
        let unit = self.unit(expr)?;
        Ok((value_si - unit.offset) / unit.factor)
    }

    /// All known symbols in definition order (built-ins first), for suggestions and docs.
    pub fn symbols(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(symbol, _)| symbol.as_str())
    }

    /// The expression and whether it is a lone temperature symbol (an absolute temperature).
    /// `text` is what errors quote.
    fn unit_expr(&self, expr: &str, text: &str) -> Result<(UnitExpr, bool)> {
        if expr.contains(['(', ')']) {
            return Err(quantity_error(text, "parentheses are not supported in units; write J/mol/K for J/(mol K)"));
        }
        let factors = split_factors(expr, text)?;
        let alone = factors.len() == 1;
        let mut unit =
            UnitExpr { factor: 1.0, offset: 0.0, dimension: Dimension::DIMENSIONLESS, basis: None, currency: None };
        let mut absolute_temperature = false;
        for (i, f) in factors.iter().enumerate() {
            if f.symbol == "1" {
                // Only as the numerator of a reciprocal, "1/h".
                if i == 0 && f.exponent.is_none() && factors.get(1).is_some_and(|g| g.denominator) {
                    continue;
                }
                return Err(quantity_error(text, "unexpected \"1\" in the unit; a reciprocal is written 1/h"));
            }
            let (def, trailing) = self.lookup(f.symbol, text)?;
            let written = match (trailing, f.exponent) {
                (Some(_), Some(_)) => {
                    return Err(quantity_error(text, format!("{:?} has two exponents; write m^3 or m3", f.symbol)));
                }
                (Some(n), None) | (None, Some(n)) => n,
                (None, None) => 1,
            };
            let exponent = if f.denominator { -written } else { written };
            if let Kind::Fraction(basis) = def.kind {
                if !alone || exponent != 1 {
                    return Err(quantity_error(
                        text,
                        format!("{:?} must stand alone, not in a compound unit", f.symbol),
                    ));
                }
                unit.basis = basis;
            }
            if def.kind == Kind::Currency {
                if let Some(other) = unit.currency.as_deref().filter(|c| *c != f.symbol) {
                    return Err(quantity_error(
                        text,
                        format!("it mixes two currencies ({other} and {}); convert one first", f.symbol),
                    ));
                }
                unit.currency = Some(f.symbol.to_owned());
            }
            if alone && exponent == 1 && def.dimension == Dimension::TEMPERATURE {
                // A lone temperature is absolute; otherwise degC/degF are differences.
                absolute_temperature = true;
                unit.offset = def.offset;
            }
            let power = i8::try_from(exponent).ok().and_then(|n| checked_powi(def.dimension, n));
            unit.dimension = power
                .and_then(|p| checked_mul(unit.dimension, p))
                .ok_or_else(|| quantity_error(text, "the unit's exponents are too large"))?;
            unit.factor *= def.factor.powi(exponent);
        }
        if !(unit.factor.is_finite() && unit.factor > 0.0) {
            return Err(quantity_error(text, "the unit's size is out of range"));
        }
        if unit.dimension.money == 0 {
            unit.currency = None; // "KRW/KRW" is a pure number
        }
        Ok((unit, absolute_temperature))
    }

    /// A symbol's definition, and the exponent written as trailing digits ("m3"), if any.
    fn lookup(&self, symbol: &str, text: &str) -> Result<(&UnitDef, Option<i32>)> {
        if let Some(def) = self.get(symbol) {
            return Ok((def, None));
        }
        if GAUGE.contains(&symbol) {
            return Err(quantity_error(text, "gauge pressure is ambiguous; write absolute pressure, e.g. 2.013 bar"));
        }
        if let Some((base, exponent)) = split_trailing_exponent(symbol)
            && let Some(def) = self.get(base)
        {
            if def.dimension == Dimension::LENGTH && def.kind == Kind::Plain {
                return Ok((def, Some(exponent)));
            }
            return Err(quantity_error(
                text,
                format!("trailing exponents are only for lengths (m3); write {base}^{exponent}"),
            ));
        }
        let suggestion = HINTS
            .iter()
            .find(|(word, _)| *word == symbol)
            .map(|(_, hint)| *hint)
            .or_else(|| nearest(symbol, self.symbols()))
            .map(str::to_owned);
        Err(Error::UnknownUnit { unit: symbol.to_owned(), suggestion })
    }
}

fn quantity_error(text: &str, reason: impl Into<String>) -> Error {
    Error::Quantity { text: text.to_owned(), reason: reason.into() }
}

/// The leading number of `trimmed` and the rest. `text` is what errors quote.
fn split_number<'t>(text: &str, trimmed: &'t str) -> Result<(f64, &'t str)> {
    let bytes = trimmed.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut literal = String::new();
    let mut i = 0;
    if let Some(&sign @ (b'+' | b'-')) = bytes.first() {
        literal.push(char::from(sign));
        i += 1;
    }
    // Integer part, with commas only between groups of three ("17,585").
    let (mut digits, mut group, mut commas_ok, mut saw_comma) = (0, 0, true, false);
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_digit() {
            literal.push(char::from(b));
            digits += 1;
            group += 1;
        } else if b == b',' && group > 0 {
            commas_ok &= if saw_comma { group == 3 } else { group <= 3 };
            saw_comma = true;
            group = 0;
        } else {
            break;
        }
        i += 1;
    }
    if saw_comma && (group != 3 || !commas_ok) {
        return Err(quantity_error(
            text,
            "commas are only allowed as thousands separators in groups of three digits \
             (\"17,585\"); write decimals with a point",
        ));
    }
    if bytes.get(i) == Some(&b'.') {
        literal.push('.');
        i += 1;
        while digit(i) {
            literal.push(char::from(bytes[i]));
            digits += 1;
            i += 1;
        }
    }
    if digits == 0 {
        let word = trimmed.trim_start_matches(['+', '-', '.']).to_ascii_lowercase();
        let reason = if word.starts_with("nan") || word.starts_with("inf") {
            "the number must be finite"
        } else {
            "it does not start with a number; write a number and its unit, e.g. \"16000 t/yr\""
        };
        return Err(quantity_error(text, reason));
    }
    // An exponent only if digits follow; otherwise the 'e' starts a unit ("5 EUR", "5EUR").
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
        if digit(i + 1 + sign) {
            let end = i + 1 + sign + bytes[i + 1 + sign..].iter().take_while(|b| b.is_ascii_digit()).count();
            literal.push_str(&trimmed[i..end]);
            i = end;
        }
    }
    let value: f64 = literal.parse().map_err(|_| quantity_error(text, "the number is malformed"))?;
    if !value.is_finite() {
        return Err(quantity_error(text, "the number is out of range (it must be finite)"));
    }
    Ok((value, &trimmed[i..]))
}

/// One symbol of a unit expression.
struct Factor<'e> {
    symbol: &'e str,
    /// Written with `^`.
    exponent: Option<i32>,
    /// After a `/`.
    denominator: bool,
}

fn is_operator(c: char) -> bool {
    matches!(c, '/' | '*' | '·' | '⋅')
}

/// Split "kg/m3 h" into factors. `text` is what errors quote.
fn split_factors<'e>(expr: &'e str, text: &str) -> Result<Vec<Factor<'e>>> {
    let mut factors = Vec::new();
    let mut denominator = false;
    let mut rest = expr.trim_start();
    let mut expect_factor = true;
    while !rest.is_empty() {
        if expect_factor {
            let end = rest.find(|c: char| c.is_whitespace() || is_operator(c) || c == '^').unwrap_or(rest.len());
            let symbol = &rest[..end];
            if symbol.is_empty() {
                return Err(quantity_error(text, "a unit symbol is missing before or after an operator"));
            }
            if symbol.starts_with(|c: char| c.is_ascii_digit() || c == '.') && symbol != "1" {
                return Err(quantity_error(text, format!("unexpected {symbol:?} where a unit symbol belongs")));
            }
            rest = &rest[end..];
            let mut exponent = None;
            if let Some(after) = rest.strip_prefix('^') {
                let sign_len = usize::from(after.starts_with(['-', '+']));
                let digits = after[sign_len..].bytes().take_while(u8::is_ascii_digit).count();
                let literal = &after[..sign_len + digits];
                match literal.parse::<i32>() {
                    Ok(n) if digits <= 2 && n != 0 => exponent = Some(n),
                    _ => {
                        return Err(quantity_error(
                            text,
                            format!("bad exponent after {symbol:?}; write e.g. m^3 or s^-1"),
                        ));
                    }
                }
                rest = &after[sign_len + digits..];
            }
            factors.push(Factor { symbol, exponent, denominator });
            expect_factor = false;
        } else {
            let after_space = rest.trim_start();
            let spaced = after_space.len() != rest.len();
            rest = after_space;
            let Some(op) = rest.chars().next() else { break };
            match op {
                '/' => denominator = true,
                '*' | '·' | '⋅' if denominator => {
                    return Err(quantity_error(
                        text,
                        format!("{op:?} after '/' is ambiguous; write J/kg/K or J/kg K for J per kg and K"),
                    ));
                }
                '*' | '·' | '⋅' => {}
                _ if spaced => {
                    expect_factor = true; // a space multiplies, on the same side of the '/'
                    continue;
                }
                c => {
                    return Err(quantity_error(text, format!("unexpected {c:?} in the unit")));
                }
            }
            rest = rest[op.len_utf8()..].trim_start();
            expect_factor = true;
        }
    }
    if expect_factor {
        return Err(quantity_error(text, "the unit ends with an operator"));
    }
    Ok(factors)
}

/// "m3" -> ("m", 3); also superscripts "m³". `None` when there are no trailing digits.
fn split_trailing_exponent(symbol: &str) -> Option<(&str, i32)> {
    let value = |c: char| match c {
        '0'..='9' => c.to_digit(10),
        '²' => Some(2),
        '³' => Some(3),
        _ => None,
    };
    let base = symbol.trim_end_matches(|c| value(c).is_some());
    let digits = &symbol[base.len()..];
    if base.is_empty() || digits.is_empty() || digits.chars().count() > 2 {
        return None;
    }
    let exponent = digits.chars().filter_map(value).fold(0, |n, d| n * 10 + d);
    let exponent = i32::try_from(exponent).ok().filter(|&n| n != 0)?;
    Some((base, exponent))
}

/// `d^n` with overflow checks (the exponents are `i8`; user input must not panic).
fn checked_powi(d: Dimension, n: i8) -> Option<Dimension> {
    Some(Dimension {
        mass: d.mass.checked_mul(n)?,
        length: d.length.checked_mul(n)?,
        time: d.time.checked_mul(n)?,
        temperature: d.temperature.checked_mul(n)?,
        amount: d.amount.checked_mul(n)?,
        money: d.money.checked_mul(n)?,
    })
}

/// `a * b` with overflow checks.
fn checked_mul(a: Dimension, b: Dimension) -> Option<Dimension> {
    Some(Dimension {
        mass: a.mass.checked_add(b.mass)?,
        length: a.length.checked_add(b.length)?,
        time: a.time.checked_add(b.time)?,
        temperature: a.temperature.checked_add(b.temperature)?,
        amount: a.amount.checked_add(b.amount)?,
        money: a.money.checked_add(b.money)?,
    })
}

/// Unit expressions parsed once each, by their text: what an analysis that takes a study's
/// values in place keeps, since a study sets the same parameters in the same units for every
/// sample.
#[derive(Clone, Debug, Default)]
pub struct ParsedUnits(Vec<(String, UnitExpr)>);

impl ParsedUnits {
    /// The expression of `unit`, parsed by `parse` the first time it is met (a text that
    /// fails to parse is not kept, so it fails again the same way).
    pub fn get_or_parse<E>(
        &mut self,
        unit: &str,
        parse: impl FnOnce(&str) -> std::result::Result<UnitExpr, E>,
    ) -> std::result::Result<&UnitExpr, E> {
        let k = match self.0.iter().position(|(u, _)| u == unit) {
            Some(k) => k,
            None => {
                self.0.push((unit.to_string(), parse(unit)?));
                self.0.len() - 1
            }
        };
        Ok(&self.0[k].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR_S: f64 = 365.0 * 86_400.0;

    fn q(text: &str) -> Quantity {
        UnitTable::builtin().parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300)
    }

    fn assert_si(text: &str, value: f64, dimension: Dimension) {
        let got = q(text);
        assert!(close(got.value, value), "{text}: {} != {value}", got.value);
        assert_eq!(got.dimension, dimension, "{text}");
    }

    fn reason(text: &str) -> String {
        match UnitTable::builtin().parse(text) {
            Err(Error::Quantity { text: quoted, reason }) => {
                assert_eq!(quoted, text);
                reason
            }
            other => panic!("{text}: expected a quantity error, got {other:?}"),
        }
    }

    fn unknown(text: &str) -> (String, Option<String>) {
        match UnitTable::builtin().parse(text) {
            Err(Error::UnknownUnit { unit, suggestion }) => (unit, suggestion),
            other => panic!("{text}: expected an unknown unit, got {other:?}"),
        }
    }

    #[test]
    fn annual_mass_flow_uses_a_365_day_year() {
        assert_si("16000 t/yr", 16000.0 * 1000.0 / YEAR_S, Dimension::MASS_FLOW);
        assert_si("16000 t/a", 16000.0 * 1000.0 / YEAR_S, Dimension::MASS_FLOW);
        assert_si("17,585 t/yr", 17585.0 * 1000.0 / YEAR_S, Dimension::MASS_FLOW);
    }

    #[test]
    fn temperatures() {
        assert_si("25 degC", 298.15, Dimension::TEMPERATURE);
        assert_si("25 °C", 298.15, Dimension::TEMPERATURE);
        assert_si("25degC", 298.15, Dimension::TEMPERATURE);
        assert_si("77 degF", (77.0 + 459.67) * 5.0 / 9.0, Dimension::TEMPERATURE);
        assert!((q("77 degF").value - 298.15).abs() < 1e-9);
        assert_si("300 K", 300.0, Dimension::TEMPERATURE);
    }

    #[test]
    fn offset_units_in_compounds_are_differences() {
        // 1 kJ/(kg degF) = 1000 J / (kg x 5/9 K): no offset inside a compound.
        assert_si("1 kJ/kg/degF", 1000.0 * 9.0 / 5.0, Dimension::SPECIFIC_HEAT_CAPACITY);
        assert_si("4.186 J/g/degC", 4186.0, Dimension::SPECIFIC_HEAT_CAPACITY);
        let table = UnitTable::builtin();
        let u = table.unit("J/kg/degC").unwrap();
        assert_eq!((u.factor, u.offset), (1.0, 0.0));
        let u = table.unit("degC").unwrap();
        assert_eq!((u.factor, u.offset), (1.0, 273.15));
    }

    #[test]
    fn below_absolute_zero_is_refused() {
        assert!(reason("-300 degC").contains("absolute zero"));
        assert!(reason("-1 K").contains("absolute zero"));
    }

    #[test]
    fn pressures_and_energies() {
        assert_si("1 atm", 101_325.0, Dimension::PRESSURE);
        assert_si("10 kPa", 10_000.0, Dimension::PRESSURE);
        assert_si("2 bara", 2e5, Dimension::PRESSURE);
        assert_si("1 psi", 0.453_592_37 * 9.806_65 / 0.0254_f64.powi(2), Dimension::PRESSURE);
        assert_si("13.06 kWh/t", 13.06 * 3.6e6 / 1000.0, Dimension::SPECIFIC_ENERGY);
        assert_si("-634.9 kJ/mol", -634_900.0, Dimension::MOLAR_ENERGY);
        assert_si("87.5 J/mol/K", 87.5, Dimension::MOLAR_HEAT_CAPACITY);
        assert_si("2.5 kW/m3", 2500.0, Dimension::POWER_DENSITY);
        assert_si("3 MJ/h", 3e6 / 3600.0, Dimension::POWER);
    }

    #[test]
    fn fractions_keep_their_basis() {
        let wt = q("22.1 wt%");
        assert!(close(wt.value, 0.221));
        assert_eq!((wt.dimension, wt.basis), (Dimension::DIMENSIONLESS, Some(FractionBasis::Mass)));
        let mol = q("14 mol%");
        assert!(close(mol.value, 0.14));
        assert_eq!(mol.basis, Some(FractionBasis::Mole));
        let pct = q("70 %");
        assert!(close(pct.value, 0.7));
        assert_eq!(pct.basis, None);
        assert_eq!(q("400 ppmv").basis, Some(FractionBasis::Volume));
        assert!(close(q("400 ppmv").value, 400e-6));
    }

    #[test]
    fn bare_numbers_are_dimensionless() {
        assert_si("0.7", 0.7, Dimension::DIMENSIONLESS);
        assert_si("1e-9", 1e-9, Dimension::DIMENSIONLESS);
        assert_si(".5", 0.5, Dimension::DIMENSIONLESS);
        assert_si("+2.5E3", 2500.0, Dimension::DIMENSIONLESS);
        assert_si(" 1,000,000.5 ", 1_000_000.5, Dimension::DIMENSIONLESS);
        assert_eq!(q("0.7").basis, None);
    }

    #[test]
    fn currency_is_kept_not_converted() {
        let price = q("70 KRW/kWh");
        assert!(close(price.value, 70.0 / 3.6e6));
        assert_eq!(price.dimension, Dimension::PRICE_PER_ENERGY);
        assert_eq!(price.currency.as_deref(), Some("KRW"));
        let per_t = q("45 USD/t");
        assert_eq!((per_t.dimension, per_t.currency.as_deref()), (Dimension::PRICE_PER_MASS, Some("USD")));
        assert!(close(per_t.value, 0.045));
        // "E" of a currency is not an exponent.
        assert_eq!(q("5EUR").currency.as_deref(), Some("EUR"));
        assert_eq!(q("1.1 USD/USD").currency, None);
    }

    #[test]
    fn exponent_spellings_agree() {
        let expected = 10.0 / 3600.0;
        for text in ["10 m^3/h", "10 m3/h", "10 m³/h", "10 m^3 / h", "10 m^3*h^-1", "10 m^3 h^-1"] {
            assert_si(text, expected, Dimension::VOLUME_FLOW);
        }
        assert_si("1 cm3", 1e-6, Dimension::VOLUME);
        assert_si("1 Nm3/h", 1.0 / 3600.0, Dimension::VOLUME_FLOW);
    }

    #[test]
    fn everything_after_a_slash_is_in_the_denominator() {
        let w_per_m2_k = Dimension::POWER / Dimension::LENGTH.powi(2) / Dimension::TEMPERATURE;
        assert_si("5 W/m2 K", 5.0, w_per_m2_k);
        assert_si("5 W/m2/K", 5.0, w_per_m2_k);
        assert_si("0.3 1/h", 0.3 / 3600.0, Dimension::TIME.powi(-1));
        assert!(reason("1 J/kg*K").contains("ambiguous"));
    }

    #[test]
    fn user_defined_production_basis() {
        let mut table = UnitTable::builtin();
        // 1 t_product = the time it takes to make one tonne at 17585 t/yr.
        table.define("t_product", YEAR_S / 17585.0, Dimension::TIME).unwrap();
        let got = table.parse("379.10 kg/t_product").unwrap();
        assert!(close(got.value, 379.10 * 17585.0 / YEAR_S));
        assert_eq!(got.dimension, Dimension::MASS_FLOW);
        assert!(table.symbols().any(|s| s == "t_product"));
        assert!(matches!(table.define("t_product", 1.0, Dimension::TIME), Err(Error::UnitDefinition { .. })));
        assert!(table.define("kg", 1.0, Dimension::MASS).is_err());
        assert!(table.define("barg", 1.0, Dimension::PRESSURE).is_err());
        assert!(table.define("2t", 1.0, Dimension::MASS).is_err());
        assert!(table.define("t/yr", 1.0, Dimension::MASS).is_err());
        assert!(table.define("", 1.0, Dimension::MASS).is_err());
        assert!(table.define("zero", 0.0, Dimension::MASS).is_err());
        assert!(table.define("nan", f64::NAN, Dimension::MASS).is_err());
    }

    #[test]
    fn a_redefined_basis_converts_at_its_new_rate_and_a_bad_rate_gives_nan() {
        let mut table = UnitTable::builtin();
        // 1 t/h: one t_p is 3600 s; at 2 t/h, 1800 s.
        table.define("t_p", 3600.0, Dimension::TIME).unwrap_or_else(|e| panic!("{e}"));
        assert!((table.to_unit(1.0, "kg/t_p").unwrap_or(f64::NAN) - 3600.0).abs() < 1e-9);
        table.redefine("t_p", 1800.0, Dimension::TIME).unwrap_or_else(|e| panic!("{e}"));
        assert!((table.to_unit(1.0, "kg/t_p").unwrap_or(f64::NAN) - 1800.0).abs() < 1e-9);
        table.redefine("t_p", f64::INFINITY, Dimension::TIME).unwrap_or_else(|e| panic!("{e}"));
        assert!(table.to_unit(1.0, "kg/t_p").unwrap_or(f64::NAN).is_nan());
        assert!(table.redefine("t_q", 1.0, Dimension::TIME).is_err());
    }

    #[test]
    fn to_unit_round_trips() {
        let table = UnitTable::builtin();
        for (text, unit) in [("12.5 t/h", "t/h"), ("25 degC", "degC"), ("77 degF", "degF"), ("13.06 kWh", "kWh")] {
            let si = table.parse(text).unwrap().value;
            let back = table.to_unit(si, unit).unwrap();
            let written: f64 = text.split(' ').next().unwrap().parse().unwrap();
            assert!((back - written).abs() < 1e-12 * written, "{text}: {back}");
        }
        assert!(close(table.to_unit(298.15, "degC").unwrap(), 25.0));
        assert!(close(table.to_unit(1.0, "J/kg/degF").unwrap(), 5.0 / 9.0));
    }

    #[test]
    fn parse_as_checks_the_dimension() {
        let table = UnitTable::builtin();
        assert!(close(table.parse_as("16000 t/yr", Dimension::MASS_FLOW).unwrap(), 16e6 / YEAR_S));
        assert_eq!(
            table.parse_as("16000 t", Dimension::MASS_FLOW),
            Err(Error::WrongDimension {
                text: "16000 t".into(),
                found: Dimension::MASS.describe(),
                expected: Dimension::MASS_FLOW.describe(),
            })
        );
    }

    #[test]
    fn unknown_units_come_with_suggestions() {
        assert_eq!(unknown("16000 tons/yr"), ("tons".into(), Some("t".into())));
        assert_eq!(unknown("16000 t/yer"), ("yer".into(), Some("yr".into())));
        assert_eq!(unknown("25 degc"), ("degc".into(), Some("degC".into())));
        assert_eq!(unknown("5 KWH"), ("KWH".into(), Some("kWh".into())));
        assert_eq!(unknown("5 qqqq"), ("qqqq".into(), None));
    }

    #[test]
    fn malformed_quantities_are_refused() {
        assert!(reason("").contains("empty"));
        assert!(reason("   ").contains("empty"));
        assert!(reason("abc").contains("does not start with a number"));
        assert!(reason("NaN").contains("finite"));
        assert!(reason("-inf").contains("finite"));
        assert!(reason("1e999").contains("out of range"));
        assert!(reason("1e300 Mt").contains("out of range"));
        assert!(reason("5 barg").contains("gauge pressure is ambiguous"));
        assert!(reason("5 psig").contains("absolute pressure"));
        assert!(reason("10 wt%/h").contains("stand alone"));
        assert!(reason("10 %^2").contains("stand alone"));
        assert!(reason("5 KRW/USD").contains("two currencies"));
        assert!(reason("1,5").contains("groups of three"));
        assert!(reason("17,58 t").contains("groups of three"));
        assert!(reason("1234,567").contains("groups of three"));
        assert!(reason("5 J/(mol K)").contains("parentheses"));
        assert!(reason("5 kg/").contains("ends with an operator"));
        assert!(reason("5 kg//h").contains("missing"));
        assert!(reason("5 m^").contains("bad exponent"));
        assert!(reason("5 m^0").contains("bad exponent"));
        assert!(reason("5 m^999").contains("bad exponent"));
        assert!(reason("5 kg 5").contains("unit symbol belongs"));
        assert!(reason("5 1").contains("reciprocal"));
        assert!(reason("5 m3^2").contains("two exponents"));
        assert!(reason("5 mol2").contains("only for lengths"));
        assert!(reason("1 m^99 m^99").contains("too large"));
        assert!(reason("1.2.3").contains("unit symbol belongs"));
    }

    #[test]
    fn builtin_table_has_no_duplicate_symbols() {
        let table = UnitTable::builtin();
        assert_eq!(table.entries.len(), table.index.len());
        for (symbol, _) in HINTS {
            assert!(table.get(symbol).is_none(), "hint {symbol} shadows a unit");
        }
        assert!(GAUGE.iter().all(|g| table.get(g).is_none()));
        assert!(table.symbols().any(|s| s == "kWh"));
    }

    #[test]
    fn unit_expressions() {
        let table = UnitTable::builtin();
        let u = table.unit(" kg/h ").unwrap();
        assert!(close(u.factor, 1.0 / 3600.0));
        assert_eq!((u.offset, u.dimension), (0.0, Dimension::MASS_FLOW));
        assert_eq!(table.unit("vol%").unwrap().basis, Some(FractionBasis::Volume));
        assert!(matches!(table.unit(""), Err(Error::Quantity { .. })));
        assert_eq!(UnitTable::default().symbols().count(), table.symbols().count());
    }
}

#[cfg(test)]
mod parsed_units_tests {
    use super::{ParsedUnits, UnitTable};

    #[test]
    fn a_unit_is_parsed_once_and_a_failure_not_kept() {
        let table = UnitTable::builtin();
        let (mut units, mut parses) = (ParsedUnits::default(), 0);
        for _ in 0..3 {
            let expr = units.get_or_parse("kWh", |u| {
                parses += 1;
                table.unit(u)
            });
            assert_eq!(expr.map(|e| e.factor).ok(), Some(3.6e6));
        }
        assert_eq!(parses, 1, "parsed the first time only");
        for _ in 0..2 {
            assert!(units.get_or_parse("furlongs per", |u| table.unit(u)).is_err());
        }
        assert_eq!(units.get_or_parse("MJ", |u| table.unit(u)).map(|e| e.factor).ok(), Some(1e6));
    }
}
