//! The background database: processes, elementary flows, impact categories and the three
//! matrices of the matrix method.
//!
//! # Data format
//!
//! Background data is plain text, one record per line, fields separated by `|` (blanks around
//! fields are ignored, `#` starts a comment line). It is read with [`Database::parse`]; the
//! built-in data (`data/background.txt`, embedded with `include_str!`) with
//! [`Database::builtin`]. Records:
//!
//! ```text
//! flow     | NAME | DESCRIPTION
//! category | NAME | UNIT | SOURCE
//! factor   | CATEGORY | FLOW | VALUE [| SOURCE]                 characterisation factor
//! process  | NAME | REFERENCE AMOUNT | DESCRIPTION | SOURCE       e.g. `1 kWh`, `1 t`
//! emission | PROCESS | FLOW | AMOUNT [| SOURCE]                   kg of FLOW per reference amount
//! input    | PROCESS | FROM PROCESS | AMOUNT [| SOURCE]           input per reference amount
//! ```
//!
//! Why a hand-parsed text format and not YAML or Rust tables: YAML parsing is reserved for
//! `calx-flowsheet`; Rust const tables cannot be replaced by users. A line-per-record text
//! file diffs well, carries a source on every value, can be generated from a spreadsheet or
//! an LCI export (thousands of processes), and its errors name the line. Amounts are written
//! with units of measure (`0.45941 kg`, `0.05 kWh`) and converted with Calx's own unit table,
//! so everything inside is SI: a process's reference unit is 1 J (energy) or 1 kg (mass).
//!
//! # Matrices
//!
//! Technosphere `A` (processes x processes): column `j` holds process `j`'s exchanges per SI
//! unit of its reference product: `+1` on its own product, minus each input (an own-use input
//! lowers the diagonal). Interventions `B` (elementary flows x processes) and
//! characterisation `C` (categories x elementary flows). For a final demand `f`:
//! `A s = f`, `g = B s`, `h = C g` (Heijungs and Suh, *The Computational Structure of Life
//! Cycle Assessment*, 2002).

use std::collections::BTreeMap;

use calx_core::suggest::nearest;
use calx_core::{Dimension, Quantity, UnitTable};
use serde::Serialize;

use crate::error::{LcaError, Result};
use crate::sparse::{self, CsrMatrix, SolveReport, SolverOptions};

/// The name of the pre-characterised greenhouse-gas flow that national factors use.
pub const GHG_CO2_EQ: &str = "GHG (CO2-eq)";

/// A background process with one reference product.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Process {
    /// Unique name (`electricity_kr_2014_16`).
    pub name: String,
    /// What its reference product measures: energy (per J) or mass (per kg).
    pub dimension: Dimension,
    /// What it is.
    pub description: String,
    /// Where its data come from (an override replaces it).
    pub source: String,
}

/// An elementary flow (an exchange with the environment).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ElementaryFlow {
    /// Unique name (`CO2, fossil`).
    pub name: String,
    /// What it is.
    pub description: String,
}

/// An impact category with its characterisation factors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Category {
    /// Unique name (`GWP100 (IPCC AR6)`).
    pub name: String,
    /// Unit of the indicator (`kg CO2-eq`).
    pub unit: String,
    /// Source of the factors.
    pub source: String,
}

/// A background database. Build it with the `add_*` methods, [`Database::parse`] or
/// [`Database::builtin`].
#[derive(Clone, Debug, Default)]
pub struct Database {
    processes: Vec<Process>,
    process_index: BTreeMap<String, usize>,
    flows: Vec<ElementaryFlow>,
    flow_index: BTreeMap<String, usize>,
    categories: Vec<Category>,
    category_index: BTreeMap<String, usize>,
    /// (supplier, consumer, amount per SI unit of the consumer's product).
    inputs: Vec<(usize, usize, f64)>,
    /// (flow, process, kg per SI unit of product).
    emissions: Vec<(usize, usize, f64)>,
    /// (category, flow, factor).
    factors: Vec<(usize, usize, f64)>,
    /// Reference amount in SI of processes read from text (`1 t` = 1000 kg), so that the
    /// amounts written per reference amount can be divided down to per SI unit.
    reference: BTreeMap<usize, f64>,
}

/// The matrices of the matrix method, compiled from a [`Database`].
#[derive(Clone, Debug)]
pub struct Matrices {
    /// Technosphere, processes x processes.
    pub a: CsrMatrix,
    /// Interventions, flows x processes.
    pub b: CsrMatrix,
    /// Characterisation, categories x flows.
    pub c: CsrMatrix,
}

/// The result of one solve: scaling vector, inventory and impacts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Solution {
    /// Scaling factor of every process (SI units of its reference product).
    pub scaling: Vec<f64>,
    /// Elementary flows, kg (database order).
    pub inventory: Vec<f64>,
    /// Impacts, one per category (database order).
    pub impacts: Vec<f64>,
    /// How the linear system was solved.
    pub report: SolveReport,
}

fn check_value(what: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(LcaError::Value { what: what.into(), message: format!("must be a finite number, found {v}") })
    }
}

impl Database {
    /// An empty database.
    pub fn new() -> Database {
        Database::default()
    }

    /// The built-in data (`crates/calx-lca/data/background.txt`), every value with its source.
    pub fn builtin() -> Database {
        // Parsed once per process; every configured LCA starts from a copy.
        static PARSED: std::sync::OnceLock<Database> = std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| match Database::parse(BUILTIN) {
                Ok(db) => db,
                // The built-in text is tested; failing here is a build defect, not a user error.
                Err(e) => panic!("built-in background data is invalid: {e}"),
            })
            .clone()
    }

    /// Add a process; `dimension` is what its reference product measures (energy or mass).
    pub fn add_process(&mut self, name: &str, dimension: Dimension, description: &str, source: &str) -> Result<usize> {
        if self.process_index.contains_key(name) {
            return Err(LcaError::Duplicate { kind: "process", name: name.into() });
        }
        let i = self.processes.len();
        self.processes.push(Process {
            name: name.into(),
            dimension,
            description: description.into(),
            source: source.into(),
        });
        self.process_index.insert(name.into(), i);
        Ok(i)
    }

    /// Add an elementary flow.
    pub fn add_flow(&mut self, name: &str, description: &str) -> Result<usize> {
        if self.flow_index.contains_key(name) {
            return Err(LcaError::Duplicate { kind: "flow", name: name.into() });
        }
        let i = self.flows.len();
        self.flows.push(ElementaryFlow { name: name.into(), description: description.into() });
        self.flow_index.insert(name.into(), i);
        Ok(i)
    }

    /// Add an impact category.
    pub fn add_category(&mut self, name: &str, unit: &str, source: &str) -> Result<usize> {
        if self.category_index.contains_key(name) {
            return Err(LcaError::Duplicate { kind: "category", name: name.into() });
        }
        let i = self.categories.len();
        self.categories.push(Category { name: name.into(), unit: unit.into(), source: source.into() });
        self.category_index.insert(name.into(), i);
        Ok(i)
    }

    /// Process `consumer` needs `amount` SI units of `supplier`'s product per SI unit of its own.
    pub fn add_input(&mut self, consumer: &str, supplier: &str, amount: f64) -> Result<()> {
        let c = self.require_process(consumer, "an input")?;
        let s = self.require_process(supplier, format_args!("an input of `{consumer}`"))?;
        check_value(&format!("input of `{supplier}` to `{consumer}`"), amount)?;
        self.inputs.push((s, c, amount));
        Ok(())
    }

    /// Process `process` emits `amount` kg of `flow` per SI unit of its product.
    pub fn add_emission(&mut self, process: &str, flow: &str, amount: f64) -> Result<()> {
        let p = self.require_process(process, "an emission")?;
        let f = self.require_flow(flow, format_args!("an emission of `{process}`"))?;
        check_value(&format!("emission of `{flow}` from `{process}`"), amount)?;
        self.emissions.push((f, p, amount));
        Ok(())
    }

    /// Characterisation factor of `flow` in `category`.
    pub fn add_factor(&mut self, category: &str, flow: &str, value: f64) -> Result<()> {
        let c = self.require_category(category)?;
        let f = self.require_flow(flow, format_args!("a factor of `{category}`"))?;
        check_value(&format!("factor of `{flow}` in `{category}`"), value)?;
        self.factors.push((c, f, value));
        Ok(())
    }

    /// Replace a process's data by one pre-characterised value: `value` kg CO2-eq
    /// ([`GHG_CO2_EQ`]) per SI unit of its product, no inputs. The source is recorded.
    pub fn override_process(&mut self, process: &str, value: f64, source: &str) -> Result<()> {
        let p = self.require_process(process, "a factor override")?;
        let f = self.require_flow(GHG_CO2_EQ, "a factor override")?;
        check_value(&format!("override of `{process}`"), value)?;
        self.inputs.retain(|&(_, c, _)| c != p);
        self.emissions.retain(|&(_, q, _)| q != p);
        self.emissions.push((f, p, value));
        self.processes[p].source = format!("override: {source}");
        Ok(())
    }

    /// Index of a process; the error names where it was used (written only on error) and the
    /// nearest name.
    pub fn require_process(&self, name: &str, used_by: impl std::fmt::Display) -> Result<usize> {
        self.process_index.get(name).copied().ok_or_else(|| LcaError::UnknownProcess {
            name: name.into(),
            used_by: used_by.to_string(),
            suggestion: nearest(name, self.processes.iter().map(|p| p.name.as_str())).map(str::to_string),
        })
    }

    /// Index of an elementary flow; the error names where it was used (written only on
    /// error) and the nearest name.
    pub fn require_flow(&self, name: &str, used_by: impl std::fmt::Display) -> Result<usize> {
        self.flow_index.get(name).copied().ok_or_else(|| LcaError::UnknownFlow {
            name: name.into(),
            used_by: used_by.to_string(),
            suggestion: nearest(name, self.flows.iter().map(|p| p.name.as_str())).map(str::to_string),
        })
    }

    /// Index of an impact category.
    pub fn require_category(&self, name: &str) -> Result<usize> {
        self.category_index.get(name).copied().ok_or_else(|| LcaError::UnknownCategory {
            name: name.into(),
            suggestion: nearest(name, self.categories.iter().map(|p| p.name.as_str())).map(str::to_string),
        })
    }

    /// Processes in definition order (the order of `A`'s rows and columns).
    pub fn processes(&self) -> &[Process] {
        &self.processes
    }
    /// Elementary flows in definition order (the rows of `B`).
    pub fn flows(&self) -> &[ElementaryFlow] {
        &self.flows
    }
    /// Categories in definition order (the rows of `C`).
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Characterisation factor of a flow in a category (0 if none is given).
    pub fn factor(&self, category: usize, flow: usize) -> f64 {
        self.factors.iter().filter(|&&(c, f, _)| c == category && f == flow).map(|&(_, _, v)| v).sum()
    }

    /// Compile `A`, `B` and `C`.
    pub fn matrices(&self) -> Matrices {
        let n = self.processes.len();
        let mut a: Vec<(usize, usize, f64)> = (0..n).map(|j| (j, j, 1.0)).collect();
        a.extend(self.inputs.iter().map(|&(s, c, x)| (s, c, -x)));
        Matrices {
            a: CsrMatrix::from_triplets(n, n, &a),
            b: CsrMatrix::from_triplets(self.flows.len(), n, &self.emissions),
            c: CsrMatrix::from_triplets(self.categories.len(), self.flows.len(), &self.factors),
        }
    }

    /// Read the text format (see the module docs). Every line is checked; the first problem
    /// is returned with its line number.
    pub fn parse(text: &str) -> Result<Database> {
        let mut db = Database::new();
        db.extend_from_text(text)?;
        Ok(db)
    }

    /// Add the records of `text` to this database (user data on top of the built-in data).
    pub fn extend_from_text(&mut self, text: &str) -> Result<()> {
        let units = UnitTable::builtin();
        // Two passes, so that records may refer to processes defined further down (loops):
        // definitions (flow, category, process) first, then factors, emissions and inputs.
        for pass in [0, 1] {
            self.read_pass(text, &units, pass)?;
        }
        Ok(())
    }

    fn read_pass(&mut self, text: &str, units: &UnitTable, pass: usize) -> Result<()> {
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let record = Record { line: i + 1, fields: trimmed.split('|').map(str::trim).collect(), units };
            let definition = matches!(record.kind(), "flow" | "category" | "process");
            if definition == (pass == 0) {
                self.read_record(&record)?;
            }
        }
        Ok(())
    }

    fn read_record(&mut self, r: &Record<'_>) -> Result<()> {
        let f = &r.fields;
        match r.kind() {
            "flow" => {
                r.arity(3, 3)?;
                self.add_flow(f[1], f[2]).map_err(|e| r.at(e))?;
            }
            "category" => {
                r.arity(4, 4)?;
                self.add_category(f[1], f[2], f[3]).map_err(|e| r.at(e))?;
            }
            "factor" => {
                r.arity(4, 5)?;
                self.add_factor(f[1], f[2], r.number(f[3])?).map_err(|e| r.at(e))?;
            }
            "process" => self.read_process(r)?,
            "emission" => self.read_emission(r)?,
            "input" => self.read_input(r)?,
            other => {
                return Err(r.bad(format!(
                    "unknown record `{other}`; expected flow, category, factor, process, emission or input"
                )));
            }
        }
        Ok(())
    }

    /// `process | NAME | REFERENCE AMOUNT | DESCRIPTION | SOURCE`
    fn read_process(&mut self, r: &Record<'_>) -> Result<()> {
        r.arity(5, 5)?;
        let f = &r.fields;
        let q = r.quantity(f[2])?;
        if q.dimension != Dimension::ENERGY && q.dimension != Dimension::MASS {
            return Err(r.bad(format!("reference amount `{}` must be an energy or a mass", f[2])));
        }
        if q.value.is_nan() || q.value <= 0.0 {
            return Err(r.bad(format!("reference amount `{}` must be above zero", f[2])));
        }
        let p = self.add_process(f[1], q.dimension, f[3], f[4]).map_err(|e| r.at(e))?;
        self.reference.insert(p, q.value);
        Ok(())
    }

    /// `emission | PROCESS | FLOW | AMOUNT [| SOURCE]`
    fn read_emission(&mut self, r: &Record<'_>) -> Result<()> {
        r.arity(4, 5)?;
        let f = &r.fields;
        let p = self.require_process(f[1], "an emission").map_err(|e| r.at(e))?;
        let q = r.quantity(f[3])?;
        if q.dimension != Dimension::MASS {
            return Err(r.bad(format!("emission amount `{}` must be a mass (kg)", f[3])));
        }
        let per = self.reference_amount(p);
        self.add_emission(f[1], f[2], q.value / per).map_err(|e| r.at(e))
    }

    /// `input | PROCESS | FROM PROCESS | AMOUNT [| SOURCE]`
    fn read_input(&mut self, r: &Record<'_>) -> Result<()> {
        r.arity(4, 5)?;
        let f = &r.fields;
        let c = self.require_process(f[1], "an input").map_err(|e| r.at(e))?;
        let s = self.require_process(f[2], format_args!("an input of `{}`", f[1])).map_err(|e| r.at(e))?;
        let q = r.quantity(f[3])?;
        let supplied = self.processes[s].dimension;
        if q.dimension != supplied {
            return Err(r.bad(format!(
                "input amount `{}` is a {}, but `{}` is measured in {}",
                f[3],
                q.dimension.describe(),
                f[2],
                supplied.describe()
            )));
        }
        let per = self.reference_amount(c);
        self.add_input(f[1], f[2], q.value / per).map_err(|e| r.at(e))
    }

    fn reference_amount(&self, process: usize) -> f64 {
        self.reference.get(&process).copied().unwrap_or(1.0)
    }

    /// Solve the matrix method for a final demand given as (process index, SI amount).
    pub fn solve(&self, matrices: &Matrices, demand: &[(usize, f64)], options: &SolverOptions) -> Result<Solution> {
        let mut f = vec![0.0; self.processes.len()];
        for &(p, x) in demand {
            f[p] += x;
        }
        let (scaling, report) = sparse::solve(&matrices.a, &f, options)?;
        let inventory = matrices.b.mul_vec(&scaling);
        let impacts = matrices.c.mul_vec(&inventory);
        Ok(Solution { scaling, inventory, impacts, report })
    }
}

/// One line of background data, split into its fields (the first is the record's kind).
struct Record<'t> {
    /// 1-based line number.
    line: usize,
    fields: Vec<&'t str>,
    units: &'t UnitTable,
}

impl Record<'_> {
    fn kind(&self) -> &str {
        self.fields[0]
    }

    /// An error at this line.
    fn bad(&self, message: String) -> LcaError {
        LcaError::Data { line: self.line, message }
    }

    /// A database error, placed at this line unless it names its line already.
    fn at(&self, e: LcaError) -> LcaError {
        match e {
            LcaError::Data { .. } => e,
            other => self.bad(other.to_string()),
        }
    }

    /// `min` to `max` fields including the kind, the required ones not empty.
    fn arity(&self, min: usize, max: usize) -> Result<()> {
        let n = self.fields.len();
        if n < min || n > max {
            return Err(self.bad(format!(
                "`{}` takes {} to {} fields separated by `|`, found {}",
                self.kind(),
                min - 1,
                max - 1,
                n - 1
            )));
        }
        if self.fields[1..min].iter().any(|f| f.is_empty()) {
            return Err(self.bad(format!("`{}` has an empty field", self.kind())));
        }
        Ok(())
    }

    fn number(&self, s: &str) -> Result<f64> {
        s.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| self.bad(format!("`{s}` is not a number")))
    }

    fn quantity(&self, s: &str) -> Result<Quantity> {
        self.units.parse(s).map_err(|e| self.bad(e.to_string()))
    }
}

const BUILTIN: &str = include_str!("../data/background.txt");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_data_reads_and_converts_to_si() {
        let db = Database::builtin();
        let p = db.require_process("electricity_kr_2014_16", "test").unwrap();
        let m = db.matrices();
        let ghg = db.require_flow(GHG_CO2_EQ, "test").unwrap();
        // 0.45941 kg per kWh = per 3.6e6 J.
        assert!((m.b.get(ghg, p) * 3.6e6 - 0.45941).abs() < 1e-15);
        let w = db.require_process("tap_water_kr", "test").unwrap();
        assert!((m.b.get(ghg, w) - 0.221e-3).abs() < 1e-18);
        let ar6 = db.require_category("GWP100 (IPCC AR6)").unwrap();
        let n2o = db.require_flow("N2O", "test").unwrap();
        assert_eq!(db.factor(ar6, n2o), 273.0);
        assert_eq!(db.factor(db.require_category("GWP100 (IPCC AR5)").unwrap(), n2o), 265.0);
    }

    #[test]
    fn data_errors_name_the_line() {
        let err =
            Database::parse("flow | a | b\n\nprocess | p | 1 kWh | d | s\nemission | p | a | 2 kWh\n").unwrap_err();
        assert!(err.to_string().starts_with("background data, line 4:") && err.to_string().contains("mass"), "{err}");
        let err = Database::parse("process | p | 1 kWh | d | s\ninput | p | q | 1 kWh\n").unwrap_err();
        assert!(err.to_string().contains("line 2") && err.to_string().contains("`q`"), "{err}");
        let err = Database::parse("flows | a | b\n").unwrap_err();
        assert!(err.to_string().contains("unknown record `flows`"), "{err}");
    }
}
