//! The thermodynamic database: elements with their master species, aqueous species, minerals
//! and gases, each with its reaction rewritten in master species (H+, H2O and one master
//! species per element) and its [`LogK`]. The text format is documented at the top of
//! `data/phreeqc-subset.dat`; [`Database::parse`] reads it, [`Database::builtin`] is that file.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::error::AqueousError;
use crate::logk::LogK;

/// kJ per kcal, PHREEQC's `JOULES_PER_CALORIE` (global_structures.h).
const KJ_PER_KCAL: f64 = 4.184;

/// The elements calx-aqueous knows; each has one master species in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Element {
    /// Calcium, master species Ca+2.
    Ca,
    /// Magnesium, Mg+2.
    Mg,
    /// Sodium, Na+.
    Na,
    /// Potassium, K+.
    K,
    /// Carbon as C(4), CO3-2.
    C,
    /// Sulfur as S(6), SO4-2.
    S,
    /// Chlorine, Cl-.
    Cl,
    /// Silicon, H4SiO4.
    Si,
    /// Aluminium, Al+3.
    Al,
    /// Iron as Fe(2), Fe+2.
    Fe,
}

impl Element {
    /// Number of elements.
    pub const COUNT: usize = 10;
    /// All elements, in index order.
    pub const ALL: [Element; Element::COUNT] = [
        Element::Ca,
        Element::Mg,
        Element::Na,
        Element::K,
        Element::C,
        Element::S,
        Element::Cl,
        Element::Si,
        Element::Al,
        Element::Fe,
    ];

    /// Position in [`Element::ALL`] and in per-element arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The chemical symbol.
    pub fn symbol(self) -> &'static str {
        ["Ca", "Mg", "Na", "K", "C", "S", "Cl", "Si", "Al", "Fe"][self.index()]
    }

    /// The element of a chemical symbol.
    pub fn from_symbol(symbol: &str) -> Option<Element> {
        Element::ALL.into_iter().find(|e| e.symbol() == symbol)
    }
}

/// An aqueous species with its formation reaction from master species:
/// species = Σ elements[e] master(e) + h_plus H+ + water H2O, log10 K = `log_k`.
#[derive(Debug, Clone, PartialEq)]
pub struct Species {
    /// Name as in phreeqc.dat (`CaHCO3+`).
    pub name: String,
    /// Charge.
    pub charge: f64,
    /// WATEQ Debye-Hückel ion size å (Å) and b, if the database gives them.
    pub gamma: Option<(f64, f64)>,
    /// Formation log K from master species.
    pub log_k: LogK,
    /// log K of the equation as the database writes it (which may name other species).
    pub log_k_as_written: LogK,
    /// Master-species coefficients per element (= moles of the element per mole of species).
    pub elements: [f64; Element::COUNT],
    /// H+ coefficient.
    pub h_plus: f64,
    /// H2O coefficient.
    pub water: f64,
    /// Alkalinity, eq/mol (PHREEQC: sum of the master species' alkalinities).
    pub alkalinity: f64,
    /// Where the numbers come from.
    pub source: String,
}

/// A mineral or gas with its dissolution reaction in master species:
/// phase = Σ elements[e] master(e) + h_plus H+ + water H2O, log10 K = `log_k`.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Name as in the database (`Calcite`, `CO2(g)`).
    pub name: String,
    /// Formula as written in the database (`CaCO3`).
    pub formula: String,
    /// Dissolution log K in master species.
    pub log_k: LogK,
    /// log K of the equation as the database writes it (which may name other species).
    pub log_k_as_written: LogK,
    /// Master-species coefficients per element (= moles of the element per mole of phase).
    pub elements: [f64; Element::COUNT],
    /// H+ coefficient.
    pub h_plus: f64,
    /// H2O coefficient.
    pub water: f64,
    /// Peng-Robinson critical temperature (K), pressure (atm) and acentric factor (gases).
    pub critical: Option<(f64, f64, f64)>,
    /// Where the numbers come from.
    pub source: String,
}

/// Species, minerals and gases, with reactions in master species.
#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    /// Master species name per element.
    pub masters: [String; Element::COUNT],
    /// Aqueous species (H+ first; H2O is not a species here).
    pub species: Vec<Species>,
    /// Minerals.
    pub minerals: Vec<Phase>,
    /// Gases.
    pub gases: Vec<Phase>,
}

/// A reaction in master species while reading.
#[derive(Debug, Clone, Copy, Default)]
struct Reduced {
    elements: [f64; Element::COUNT],
    h_plus: f64,
    water: f64,
    log_k: LogK,
}

/// One record of the text while reading.
#[derive(Debug, Default)]
struct Record {
    kind: String,
    name: String,
    line: usize,
    equation: Option<String>,
    log_k: f64,
    delta_h: f64,
    analytic: Option<[f64; 6]>,
    gamma: Option<(f64, f64)>,
    critical: [Option<f64>; 3],
    source: String,
}

/// The built-in database text.
const BUILTIN: &str = include_str!("../data/phreeqc-subset.dat");

impl Database {
    /// The built-in database (`data/phreeqc-subset.dat`), read once.
    pub fn builtin() -> &'static Database {
        static DB: OnceLock<Database> = OnceLock::new();
        DB.get_or_init(|| Database::parse(BUILTIN).unwrap_or_else(|e| panic!("built-in database: {e}")))
    }

    /// Reads a database in the format of `data/phreeqc-subset.dat`.
    pub fn parse(text: &str) -> Result<Database, AqueousError> {
        let (masters, records) = records(text)?;
        let mut reader = Reader { masters, known: BTreeMap::new(), db_alk: [0.0; Element::COUNT] };
        reader.db_alk = alkalinities(text)?;
        let mut db = Database {
            masters: reader.masters.clone().map(|m| m.unwrap_or_default()),
            species: Vec::new(),
            minerals: Vec::new(),
            gases: Vec::new(),
        };
        for (i, m) in reader.masters.iter().enumerate() {
            if m.is_none() {
                return Err(AqueousError::Database {
                    line: 0,
                    message: format!("no ELEMENT line for {}", Element::ALL[i].symbol()),
                });
            }
        }
        for r in records {
            match r.kind.as_str() {
                // H2O is the solvent, with its activity computed apart.
                "SPECIES" if r.name == "H2O" => {}
                "SPECIES" => {
                    let s = reader.species(&r)?;
                    db.species.push(s);
                }
                "MINERAL" => db.minerals.push(reader.phase(&r)?),
                _ => db.gases.push(reader.phase(&r)?),
            }
        }
        if db.species.first().map(|s| s.name.as_str()) != Some("H+") {
            return Err(AqueousError::Database { line: 0, message: "the first species must be H+".into() });
        }
        Ok(db)
    }

    /// The index of a species by name.
    pub fn species_index(&self, name: &str) -> Option<usize> {
        self.species.iter().position(|s| s.name == name)
    }

    /// log10 Kw, the water dissociation constant H2O = H+ + OH-, at `t` K (phreeqc.dat's
    /// analytical expression for OH-).
    pub fn water_dissociation_log_k(&self, t: f64) -> Option<f64> {
        self.species_index("OH-").map(|i| self.species[i].log_k.at(t))
    }

    /// A mineral by name.
    pub fn mineral(&self, name: &str) -> Option<&Phase> {
        self.minerals.iter().find(|m| m.name == name)
    }

    /// A gas by name.
    pub fn gas(&self, name: &str) -> Option<&Phase> {
        self.gases.iter().find(|m| m.name == name)
    }
}

fn err(line: usize, message: impl Into<String>) -> AqueousError {
    AqueousError::Database { line, message: message.into() }
}

fn number(line: usize, token: Option<&str>) -> Result<f64, AqueousError> {
    let t = token.ok_or_else(|| err(line, "missing number"))?;
    t.parse::<f64>().map_err(|_| err(line, format!("`{t}` is not a number")))
}

/// Master species per element, and the records in order.
fn records(text: &str) -> Result<([Option<String>; Element::COUNT], Vec<Record>), AqueousError> {
    let mut masters: [Option<String>; Element::COUNT] = Default::default();
    let mut out: Vec<Record> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let (key, rest) = content.split_once(char::is_whitespace).unwrap_or((content, ""));
        let rest = rest.trim();
        match key {
            "ELEMENT" => {
                let mut t = rest.split_whitespace();
                let symbol = t.next().unwrap_or("");
                let e = Element::from_symbol(symbol).ok_or_else(|| err(line, format!("unknown element `{symbol}`")))?;
                masters[e.index()] = Some(t.next().ok_or_else(|| err(line, "missing master species"))?.to_string());
            }
            "SPECIES" | "MINERAL" | "GAS" => {
                out.push(Record { kind: key.into(), name: rest.into(), line, ..Record::default() });
            }
            _ => {
                let r = out.last_mut().ok_or_else(|| err(line, format!("`{key}` outside a record")))?;
                option(r, key, rest, line)?;
            }
        }
    }
    Ok((masters, out))
}

/// The alkalinity of each element's master species (fourth field of the ELEMENT lines).
fn alkalinities(text: &str) -> Result<[f64; Element::COUNT], AqueousError> {
    let mut alk = [0.0; Element::COUNT];
    for (i, raw) in text.lines().enumerate() {
        let mut t = raw.split('#').next().unwrap_or("").split_whitespace();
        if t.next() == Some("ELEMENT") {
            let e = t.next().and_then(Element::from_symbol).ok_or_else(|| err(i + 1, "unknown element"))?;
            t.next();
            alk[e.index()] = number(i + 1, t.next())?;
        }
    }
    Ok(alk)
}

/// One option line of a record.
fn option(r: &mut Record, key: &str, rest: &str, line: usize) -> Result<(), AqueousError> {
    let mut t = rest.split_whitespace();
    match key {
        "equation" => r.equation = Some(rest.to_string()),
        "log_k" => r.log_k = number(line, t.next())?,
        "delta_h" => {
            let v = number(line, t.next())?;
            r.delta_h = match t.next() {
                Some("kcal") => v * KJ_PER_KCAL,
                Some("kJ") | None => v,
                Some(u) => return Err(err(line, format!("unknown enthalpy unit `{u}`"))),
            };
        }
        "analytic" => {
            let mut a = [0.0; 6];
            for (k, tok) in rest.split_whitespace().enumerate() {
                *a.get_mut(k).ok_or_else(|| err(line, "more than six analytic coefficients"))? =
                    number(line, Some(tok))?;
            }
            r.analytic = Some(a);
        }
        "gamma" => r.gamma = Some((number(line, t.next())?, number(line, t.next())?)),
        "t_c" => r.critical[0] = Some(number(line, t.next())?),
        "p_c" => r.critical[1] = Some(number(line, t.next())?),
        "omega" => r.critical[2] = Some(number(line, t.next())?),
        "source" => r.source = rest.to_string(),
        _ => return Err(err(line, format!("unknown keyword `{key}`"))),
    }
    Ok(())
}

/// Charge from a species name: a trailing `+`, `-`, `+n` or `-n`.
pub(crate) fn charge_of(name: &str) -> f64 {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = name.split_at(name.len() - digits);
    let sign = match head.chars().last() {
        Some('+') => 1.0,
        Some('-') => -1.0,
        _ => return 0.0,
    };
    let n = if digits == 0 { 1.0 } else { tail.parse::<f64>().unwrap_or(1.0) };
    sign * n
}

/// One side of an equation as (coefficient, name) terms.
fn side(text: &str, line: usize) -> Result<Vec<(f64, String)>, AqueousError> {
    let mut out = Vec::new();
    let mut coef = None;
    for tok in text.split_whitespace() {
        if tok == "+" {
            continue;
        }
        match tok.parse::<f64>() {
            Ok(c) if coef.is_none() => coef = Some(c),
            Ok(_) => return Err(err(line, "two coefficients in a row")),
            Err(_) => out.push((coef.take().unwrap_or(1.0), tok.to_string())),
        }
    }
    if out.is_empty() {
        return Err(err(line, "empty side of an equation"));
    }
    Ok(out)
}

/// Reads records, keeping every species seen so far in master-species form.
struct Reader {
    masters: [Option<String>; Element::COUNT],
    known: BTreeMap<String, Reduced>,
    db_alk: [f64; Element::COUNT],
}

impl Reader {
    /// The master-species form of a named species (a master, H+, H2O or one read before).
    fn reduced(&self, name: &str, line: usize) -> Result<Reduced, AqueousError> {
        let mut r = Reduced::default();
        match name {
            "H+" => r.h_plus = 1.0,
            "H2O" => r.water = 1.0,
            _ => {
                if let Some(e) = self.masters.iter().position(|m| m.as_deref() == Some(name)) {
                    r.elements[e] = 1.0;
                } else {
                    return self.known.get(name).copied().ok_or_else(|| err(line, format!("unknown species `{name}`")));
                }
            }
        }
        Ok(r)
    }

    /// Σ c · reduced(name) over terms, with `sign`.
    fn accumulate(
        &self,
        acc: &mut Reduced,
        terms: &[(f64, String)],
        sign: f64,
        line: usize,
    ) -> Result<(), AqueousError> {
        for (c, name) in terms {
            let r = self.reduced(name, line)?;
            for (a, b) in acc.elements.iter_mut().zip(r.elements.iter()) {
                *a += sign * c * b;
            }
            acc.h_plus += sign * c * r.h_plus;
            acc.water += sign * c * r.water;
            acc.log_k.add_scaled(&r.log_k, sign * c);
        }
        Ok(())
    }

    fn charge_check(&self, r: &Reduced, charge: f64, what: &str, line: usize) -> Result<(), AqueousError> {
        let z: f64 = r
            .elements
            .iter()
            .zip(self.masters.iter())
            .map(|(c, m)| c * charge_of(m.as_deref().unwrap_or("")))
            .sum::<f64>()
            + r.h_plus;
        if (z - charge).abs() > 1e-9 {
            return Err(err(line, format!("{what}: the equation does not balance charge ({z} against {charge})")));
        }
        Ok(())
    }

    fn species(&mut self, rec: &Record) -> Result<Species, AqueousError> {
        let line = rec.line;
        let charge = charge_of(&rec.name);
        let mut red = Reduced::default();
        if let Some(eq) = &rec.equation {
            let (lhs, rhs) = eq.split_once('=').ok_or_else(|| err(line, "equation without `=`"))?;
            let (lhs, mut rhs) = (side(lhs, line)?, side(rhs, line)?);
            let pos = rhs
                .iter()
                .position(|(_, n)| *n == rec.name)
                .ok_or_else(|| err(line, "the species is not a product"))?;
            let (c, _) = rhs.remove(pos);
            if c != 1.0 {
                return Err(err(line, "the defined species must have coefficient 1"));
            }
            self.accumulate(&mut red, &lhs, 1.0, line)?;
            self.accumulate(&mut red, &rhs, -1.0, line)?;
            red.log_k.add_scaled(&LogK::select(rec.log_k, rec.delta_h, rec.analytic), 1.0);
        } else {
            red = self.reduced(&rec.name, line)?;
        }
        self.charge_check(&red, charge, &rec.name, line)?;
        self.known.insert(rec.name.clone(), red);
        let alkalinity = red.elements.iter().zip(self.db_alk.iter()).map(|(c, a)| c * a).sum::<f64>() - red.h_plus;
        Ok(Species {
            name: rec.name.clone(),
            charge,
            gamma: rec.gamma,
            log_k: red.log_k,
            log_k_as_written: LogK::select(rec.log_k, rec.delta_h, rec.analytic),
            elements: red.elements,
            h_plus: red.h_plus,
            water: red.water,
            alkalinity,
            source: rec.source.clone(),
        })
    }

    fn phase(&self, rec: &Record) -> Result<Phase, AqueousError> {
        let line = rec.line;
        let eq = rec.equation.as_deref().ok_or_else(|| err(line, "a phase needs an equation"))?;
        let (lhs, rhs) = eq.split_once('=').ok_or_else(|| err(line, "equation without `=`"))?;
        let (mut lhs, rhs) = (side(lhs, line)?, side(rhs, line)?);
        let (_, formula) = lhs.remove(0);
        // Dissolution: phase = products - other reactants; log K of the phase less the log K
        // of the non-master species it is written with.
        let mut red = Reduced::default();
        self.accumulate(&mut red, &rhs, 1.0, line)?;
        self.accumulate(&mut red, &lhs, -1.0, line)?;
        let mut log_k = LogK::default();
        log_k.add_scaled(&red.log_k, -1.0);
        log_k.add_scaled(&LogK::select(rec.log_k, rec.delta_h, rec.analytic), 1.0);
        self.charge_check(&red, 0.0, &rec.name, line)?;
        let critical = match rec.critical {
            [Some(t), Some(p), Some(w)] => Some((t, p, w)),
            _ => None,
        };
        Ok(Phase {
            name: rec.name.clone(),
            formula,
            log_k,
            log_k_as_written: LogK::select(rec.log_k, rec.delta_h, rec.analytic),
            elements: red.elements,
            h_plus: red.h_plus,
            water: red.water,
            critical,
            source: rec.source.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_read_from_names() {
        for (name, z) in
            [("Ca+2", 2.0), ("H+", 1.0), ("Cl-", -1.0), ("H4SiO4", 0.0), ("Mg(SO4)2-2", -2.0), ("(CO2)2", 0.0)]
        {
            assert_eq!(charge_of(name), z, "{name}");
        }
    }

    #[test]
    fn the_builtin_database_reads_and_rewrites_in_master_species() {
        let db = Database::builtin();
        assert!(db.species.len() > 40);
        // phreeqc.dat: Na+ + HCO3- = NaHCO3 with HCO3- = CO3-2 + H+: NaHCO3 = Na+ + CO3-2 + H+.
        let s = &db.species[db.species_index("NaHCO3").unwrap()];
        assert_eq!((s.elements[Element::Na.index()], s.elements[Element::C.index()], s.h_plus), (1.0, 1.0, 1.0));
        // log K: NaHCO3's own (phreeqc.dat: -analytic -3.589 7.94e-3 273, which PHREEQC uses
        // instead of the stated log_k -0.433) plus that of HCO3-.
        let own = LogK::select(-0.433, 11.4, Some([-3.589, 7.94e-3, 273.0, 0.0, 0.0, 0.0]));
        let hco3 = &db.species[db.species_index("HCO3-").unwrap()];
        for t in [273.15, 298.15, 353.15] {
            assert!((s.log_k.at(t) - own.at(t) - hco3.log_k.at(t)).abs() < 1e-9);
        }
        // HCO3-: phreeqc.dat log_k 10.329; its analytic expression gives it within 0.01.
        assert!((hco3.log_k.at(298.15) - 10.329).abs() < 0.01, "{}", hco3.log_k.at(298.15));
        assert_eq!(s.alkalinity, 1.0);
        // llnl.dat magnesite MgCO3 + H+ = HCO3- + Mg+2 (-analytic -1.6665e+2 -4.9469e-2
        // 6.4344e+3 6.5506e+1 1.0045e+2) with HCO3- from phreeqc.dat: MgCO3 = Mg+2 + CO3-2.
        let m = db.mineral("Magnesite").unwrap();
        let llnl = LogK::select(2.2936, -44.4968, Some([-1.6665e+2, -4.9469e-2, 6.4344e+3, 6.5506e+1, 1.0045e+2, 0.0]));
        for t in [273.15, 298.15, 353.15] {
            assert!((m.log_k.at(t) - (llnl.at(t) - hco3.log_k.at(t))).abs() < 1e-9);
        }
        assert_eq!((m.elements[Element::Mg.index()], m.elements[Element::C.index()]), (1.0, 1.0));
        assert_eq!(m.h_plus, 0.0);
    }

    #[test]
    fn a_bad_line_is_a_typed_error_with_its_number() {
        let text = "ELEMENT Ca Ca+2 0\nSPECIES H+\n  log_k abc\n";
        assert!(matches!(Database::parse(text), Err(AqueousError::Database { line: 3, .. })));
    }
}
