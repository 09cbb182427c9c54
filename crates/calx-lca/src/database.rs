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
//! unknown  | PROCESS | FLOW | WHY                                the amount is not known: a
//!                                                                  category weighing FLOW is
//!                                                                  incomplete where PROCESS is used
//! ```
//!
//! A name defined already (user data over the shipped data: [`Database::extend_from`]) is an
//! error unless its record starts with `override` (`override process | ...`, `override flow`,
//! `override category`), which replaces the earlier definition: an overridden process keeps
//! its place and dimension and loses its inputs and emissions, which the records that follow
//! give anew. Errors carry the line and the column of the field at fault (docs/lca.md).
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
    /// Where it was defined: `shipped`, or the file (or `flowsheet`) of user data.
    pub origin: String,
}

/// An elementary flow (an exchange with the environment).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ElementaryFlow {
    /// Unique name (`CO2, fossil`).
    pub name: String,
    /// What it is.
    pub description: String,
    /// Where it was defined: `shipped`, or the file (or `flowsheet`) of user data.
    pub origin: String,
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
    /// Where it was defined: `shipped`, or the file (or `flowsheet`) of user data.
    pub origin: String,
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
    /// (flow, process, why): the process's amount of the flow is not known (no sourced
    /// figure), so a category that weighs the flow is incomplete wherever the process is used.
    unknown: Vec<(usize, usize, String)>,
    /// Reference amount in SI of processes read from text (`1 t` = 1000 kg), so that the
    /// amounts written per reference amount can be divided down to per SI unit.
    reference: BTreeMap<usize, f64>,
    /// The origin given to what is defined now (`shipped` while the built-in data is read).
    origin: String,
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
            .get_or_init(|| match Database::parse_named(BUILTIN, "shipped") {
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
            origin: self.origin.clone(),
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
        self.flows.push(ElementaryFlow {
            name: name.into(),
            description: description.into(),
            origin: self.origin.clone(),
        });
        self.flow_index.insert(name.into(), i);
        Ok(i)
    }

    /// Add an impact category.
    pub fn add_category(&mut self, name: &str, unit: &str, source: &str) -> Result<usize> {
        if self.category_index.contains_key(name) {
            return Err(LcaError::Duplicate { kind: "category", name: name.into() });
        }
        let i = self.categories.len();
        let origin = self.origin.clone();
        self.categories.push(Category { name: name.into(), unit: unit.into(), source: source.into(), origin });
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

    /// Process `process`'s amount of `flow` is not known (`why` says so, e.g. that no
    /// sourced figure exists): a category that weighs `flow` is then incomplete, not short by
    /// a silent zero, wherever the process is in the supply chain.
    pub fn add_unknown(&mut self, process: &str, flow: &str, why: &str) -> Result<()> {
        let p = self.require_process(process, "an unknown amount")?;
        let f = self.require_flow(flow, format_args!("an unknown amount of `{process}`"))?;
        self.unknown.push((f, p, why.into()));
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
    /// ([`GHG_CO2_EQ`]) per SI unit of its product, no inputs. The source is recorded. The
    /// amounts of flows that value cannot stand in for (water) become unknown.
    pub fn override_process(&mut self, process: &str, value: f64, source: &str) -> Result<()> {
        let p = self.require_process(process, "a factor override")?;
        let f = self.require_flow(GHG_CO2_EQ, "a factor override")?;
        check_value(&format!("override of `{process}`"), value)?;
        self.inputs.retain(|&(_, c, _)| c != p);
        // The override gives greenhouse gases only: a flow its value cannot stand in for (water)
        // is unknown from now on, whatever the process or its dropped inputs gave.
        let without_stand_in: Vec<usize> =
            (0..self.flows.len()).filter(|&g| g != f && !self.stands_in_for(f, g)).collect();
        for g in without_stand_in {
            if !self.unknown.iter().any(|&(h, q, _)| h == g && q == p) {
                self.unknown.push((g, p, "replaced by a factor override, which gives greenhouse gases only".into()));
            }
        }
        self.emissions.retain(|&(_, q, _)| q != p);
        self.emissions.push((f, p, value));
        self.processes[p].source = format!("override: {source}");
        Ok(())
    }

    /// Whether flow `ghg` stands in for flow `g` once a factor override replaces the
    /// process's data by `ghg`: some category weighs both (a factor other than zero), or none
    /// weighs `g`. Greenhouse gases have one (GWP100 weighs them and `GHG (CO2-eq)`); water has
    /// none (its category weighs greenhouse gases zero), so an override leaves its amount
    /// unknown rather than zero.
    fn stands_in_for(&self, ghg: usize, g: usize) -> bool {
        let weighs = |c: usize, f: usize| self.factor_of(c, f).is_some_and(|v| v != 0.0);
        let weighed = (0..self.categories.len()).any(|c| weighs(c, g));
        !weighed || (0..self.categories.len()).any(|c| weighs(c, g) && weighs(c, ghg))
    }

    /// Give process `p`, already replaced by [`Database::override_process`], another value
    /// (its source unchanged): its one emission of [`GHG_CO2_EQ`]. `None` (nothing changed)
    /// when `p` is not so replaced or `value` is not finite.
    pub(crate) fn set_override_value(&mut self, p: usize, value: f64) -> Option<()> {
        let f = *self.flow_index.get(GHG_CO2_EQ)?;
        let replaced = self.inputs.iter().all(|&(_, c, _)| c != p)
            && self.emissions.iter().filter(|e| e.1 == p).count() == 1
            && self.processes.get(p).is_some_and(|pr| pr.source.starts_with("override: "));
        if !(replaced && value.is_finite()) {
            return None;
        }
        let e = self.emissions.iter_mut().find(|e| e.1 == p && e.0 == f)?;
        e.2 = value;
        Some(())
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

    /// Characterisation factor of a flow in a category, `None` if the category gives it none
    /// (the flow is not characterised there, which is not the same as a factor of zero).
    pub fn factor_of(&self, category: usize, flow: usize) -> Option<f64> {
        let mut given = self.factors.iter().filter(|&&(c, f, _)| c == category && f == flow).peekable();
        given.peek()?;
        Some(given.map(|&(_, _, v)| v).sum())
    }

    /// The amounts a category needs but the data do not give: (process, flow, why) for every
    /// process with a non-zero `scaling` whose amount of a flow `category` weighs (a factor
    /// other than zero) is not known. Empty when the category's total is complete.
    pub fn unknown_in<'a>(
        &'a self,
        category: usize,
        scaling: &'a [f64],
    ) -> impl Iterator<Item = (usize, usize, &'a str)> + 'a {
        self.unknown
            .iter()
            .filter(move |(f, p, _)| {
                scaling.get(*p).is_some_and(|x| *x != 0.0) && self.factor_of(category, *f).is_some_and(|v| v != 0.0)
            })
            .map(|(f, p, why)| (*p, *f, why.as_str()))
    }

    /// The flows whose amount process `p` does not give: (flow, why), in definition order.
    pub fn unknown_of(&self, p: usize) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.unknown.iter().filter(move |(_, q, _)| *q == p).map(|(f, _, why)| (*f, why.as_str()))
    }

    /// The inputs of process `p`: (supplier, SI units per SI unit of `p`'s product), in the
    /// order they were defined (for exports).
    pub fn inputs_of(&self, p: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.inputs.iter().filter(move |&&(_, c, _)| c == p).map(|&(s, _, x)| (s, x))
    }

    /// The emissions of process `p`: (elementary flow, kg per SI unit of `p`'s product), in
    /// the order they were defined (for exports).
    pub fn emissions_of(&self, p: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.emissions.iter().filter(move |&&(_, q, _)| q == p).map(|&(f, _, x)| (f, x))
    }

    /// The characterisation factors of category `c`: (elementary flow, factor), in the order
    /// they were defined (for exports).
    pub fn factors_of(&self, c: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.factors.iter().filter(move |&&(k, _, _)| k == c).map(|&(_, f, v)| (f, v))
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
        Database::parse_named(text, "user data")
    }

    fn parse_named(text: &str, origin: &str) -> Result<Database> {
        let mut db = Database::new();
        db.extend_from(text, origin)?;
        Ok(db)
    }

    /// Add the records of `text` to this database (user data on top of the built-in data),
    /// their origin given as `user data`.
    pub fn extend_from_text(&mut self, text: &str) -> Result<()> {
        self.extend_from(text, "user data")
    }

    /// Add the records of `text` to this database, each definition recording `origin` (a
    /// file name, `flowsheet`) for listings. A name defined already is an error unless its
    /// record starts with `override` (`override process | ...`), which replaces the earlier
    /// definition and its data (see the module docs).
    pub fn extend_from(&mut self, text: &str, origin: &str) -> Result<()> {
        let before = std::mem::replace(&mut self.origin, origin.to_string());
        let done = self.read_text(text);
        self.origin = before;
        done
    }

    /// Run `f` with `origin` recorded on what it defines (imports of other formats).
    pub(crate) fn with_origin<T>(&mut self, origin: &str, f: impl FnOnce(&mut Database) -> T) -> T {
        let before = std::mem::replace(&mut self.origin, origin.to_string());
        let out = f(self);
        self.origin = before;
        out
    }

    fn read_text(&mut self, text: &str) -> Result<()> {
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
            let record = Record::new(i + 1, raw, units);
            let definition = matches!(record.kind(), "flow" | "category" | "process");
            if definition == (pass == 0) {
                self.read_record(&record)?;
            }
        }
        Ok(())
    }

    fn read_record(&mut self, r: &Record<'_>) -> Result<()> {
        let f = &r.fields;
        if r.overrides && !matches!(r.kind(), "flow" | "category" | "process") {
            return Err(r.bad(format!("`override` applies to flow, category and process records, not `{}`", r.kind())));
        }
        match r.kind() {
            "flow" => {
                r.arity(3, 3)?;
                if r.overrides {
                    let i = self.require_flow(f[1], "an override").map_err(|e| r.at(e))?;
                    self.flows[i].description = f[2].into();
                    self.flows[i].origin = format!("{} (overrides {})", self.origin, self.flows[i].origin);
                } else {
                    self.add_flow(f[1], f[2]).map_err(|e| r.at(e))?;
                }
            }
            "category" => {
                r.arity(4, 4)?;
                if r.overrides {
                    let c = self.require_category(f[1]).map_err(|e| r.at(e))?;
                    self.factors.retain(|&(k, _, _)| k != c);
                    let category = &mut self.categories[c];
                    let origin = format!("{} (overrides {})", self.origin, category.origin);
                    *category = Category { name: f[1].into(), unit: f[2].into(), source: f[3].into(), origin };
                } else {
                    self.add_category(f[1], f[2], f[3]).map_err(|e| r.at(e))?;
                }
            }
            "factor" => {
                r.arity(4, 5)?;
                self.add_factor(f[1], f[2], r.number(3)?).map_err(|e| r.at(e))?;
            }
            "process" => self.read_process(r)?,
            "emission" => self.read_emission(r)?,
            "input" => self.read_input(r)?,
            "unknown" => {
                r.arity(4, 4)?;
                self.require_process(f[1], "an unknown amount").map_err(|e| r.at_field(1, e))?;
                self.add_unknown(f[1], f[2], f[3]).map_err(|e| r.at_field(2, e))?;
            }
            other => {
                return Err(r.bad(format!(
                    "unknown record `{other}`; expected flow, category, factor, process, emission, input or unknown"
                )));
            }
        }
        Ok(())
    }

    /// `process | NAME | REFERENCE AMOUNT | DESCRIPTION | SOURCE`
    fn read_process(&mut self, r: &Record<'_>) -> Result<()> {
        r.arity(5, 5)?;
        let f = &r.fields;
        let q = r.quantity(2)?;
        if q.dimension != Dimension::ENERGY && q.dimension != Dimension::MASS {
            return Err(r.bad_at(2, format!("reference amount `{}` must be an energy or a mass", f[2])));
        }
        if q.value.is_nan() || q.value <= 0.0 {
            return Err(r.bad_at(2, format!("reference amount `{}` must be above zero", f[2])));
        }
        let p = if r.overrides {
            self.override_definition(r, q.dimension)?
        } else {
            self.add_process(f[1], q.dimension, f[3], f[4]).map_err(|e| r.at(e))?
        };
        self.reference.insert(p, q.value);
        Ok(())
    }

    /// `override process | NAME | ...`: the earlier process of that name, its inputs and
    /// emissions dropped (the records that follow give the new ones) and its description and
    /// source replaced. It keeps its place and dimension, so what uses it stays consistent.
    fn override_definition(&mut self, r: &Record<'_>, dimension: Dimension) -> Result<usize> {
        let f = &r.fields;
        let p = self.require_process(f[1], "an override").map_err(|e| r.at(e))?;
        let old = self.processes[p].dimension;
        if old != dimension {
            return Err(r.bad_at(
                2,
                format!(
                    "`{}` is measured in {}, so its override must be too, found {}",
                    f[1],
                    old.describe(),
                    dimension.describe()
                ),
            ));
        }
        self.replace_definition(p, f[3], f[4]);
        Ok(p)
    }

    /// Process `p` defined anew (an override): its inputs and emissions dropped, its
    /// description and source replaced, its origin saying what it overrides. It keeps its place
    /// and dimension (the caller checks the dimension).
    pub(crate) fn replace_definition(&mut self, p: usize, description: &str, source: &str) {
        self.inputs.retain(|&(_, c, _)| c != p);
        self.emissions.retain(|&(_, q, _)| q != p);
        self.unknown.retain(|(_, q, _)| *q != p);
        let origin = format!("{} (overrides {})", self.origin, self.processes[p].origin);
        let process = &mut self.processes[p];
        process.description = description.into();
        process.source = source.into();
        process.origin = origin;
    }

    /// `emission | PROCESS | FLOW | AMOUNT [| SOURCE]`
    fn read_emission(&mut self, r: &Record<'_>) -> Result<()> {
        r.arity(4, 5)?;
        let f = &r.fields;
        let p = self.require_process(f[1], "an emission").map_err(|e| r.at_field(1, e))?;
        let q = r.quantity(3)?;
        if q.dimension != Dimension::MASS {
            return Err(r.bad_at(3, format!("emission amount `{}` must be a mass (kg)", f[3])));
        }
        let per = self.reference_amount(p);
        self.add_emission(f[1], f[2], q.value / per).map_err(|e| r.at_field(2, e))
    }

    /// `input | PROCESS | FROM PROCESS | AMOUNT [| SOURCE]`
    fn read_input(&mut self, r: &Record<'_>) -> Result<()> {
        r.arity(4, 5)?;
        let f = &r.fields;
        let c = self.require_process(f[1], "an input").map_err(|e| r.at_field(1, e))?;
        let s = self.require_process(f[2], format_args!("an input of `{}`", f[1])).map_err(|e| r.at_field(2, e))?;
        let q = r.quantity(3)?;
        let supplied = self.processes[s].dimension;
        if q.dimension != supplied {
            return Err(r.bad_at(
                3,
                format!(
                    "input amount `{}` is a {}, but `{}` is measured in {}",
                    f[3],
                    q.dimension.describe(),
                    f[2],
                    supplied.describe()
                ),
            ));
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

/// One line of background data, split into its fields (the first is the record's kind,
/// without a leading `override`).
struct Record<'t> {
    /// 1-based line number.
    line: usize,
    fields: Vec<&'t str>,
    /// 1-based column of each field (of its first character, or where it would be if empty).
    columns: Vec<usize>,
    /// The record starts with `override`.
    overrides: bool,
    units: &'t UnitTable,
}

impl<'t> Record<'t> {
    fn new(line: usize, raw: &'t str, units: &'t UnitTable) -> Record<'t> {
        let (mut fields, mut columns, mut start) = (Vec::new(), Vec::new(), 0);
        for piece in raw.split('|') {
            let lead = piece.len() - piece.trim_start().len();
            fields.push(piece.trim());
            columns.push(raw[..start + lead].chars().count() + 1);
            start += piece.len() + 1;
        }
        let mut overrides = false;
        if let Some(rest) = fields[0].strip_prefix("override")
            && rest.starts_with(char::is_whitespace)
        {
            overrides = true;
            fields[0] = rest.trim();
        }
        Record { line, fields, columns, overrides, units }
    }

    fn kind(&self) -> &str {
        self.fields[0]
    }

    /// An error about the whole record.
    fn bad(&self, message: String) -> LcaError {
        self.bad_at(0, message)
    }

    /// An error about field `i` (0 is the kind).
    fn bad_at(&self, i: usize, message: String) -> LcaError {
        LcaError::Data { line: self.line, column: self.columns.get(i).copied().unwrap_or(1), message }
    }

    /// A database error, placed at this line unless it names its line already.
    fn at(&self, e: LcaError) -> LcaError {
        self.at_field(1, e)
    }

    /// A database error about field `i`, placed there unless it names its line already.
    fn at_field(&self, i: usize, e: LcaError) -> LcaError {
        match e {
            LcaError::Data { .. } => e,
            other => self.bad_at(i, other.to_string()),
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

    fn number(&self, i: usize) -> Result<f64> {
        let s = self.fields[i];
        s.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| self.bad_at(i, format!("`{s}` is not a number")))
    }

    fn quantity(&self, i: usize) -> Result<Quantity> {
        self.units.parse(self.fields[i]).map_err(|e| self.bad_at(i, e.to_string()))
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

    /// Each category against its source's factors, for 1 kg of every gas: IPCC AR6 WG1
    /// (2021) Table 7.15 (GWP100: CH4 fossil 29.8, non-fossil 27.0, N2O 273; GWP20: 82.5,
    /// 79.7, 273) and IPCC AR5 WG1 (2013) Table 8.7 (GWP100: CH4 28, N2O 265).
    #[test]
    fn each_category_weighs_one_kg_of_every_gas_as_its_source_says() {
        let mut db = Database::builtin();
        db.extend_from_text(
            "process | gases | 1 kg | one kg of each gas | test\n\
             emission | gases | CO2, fossil | 1 kg\nemission | gases | CH4, fossil | 1 kg\n\
             emission | gases | CH4, non-fossil | 1 kg\nemission | gases | N2O | 1 kg\n",
        )
        .unwrap();
        let p = db.require_process("gases", "test").unwrap();
        let solved = db.solve(&db.matrices(), &[(p, 1.0)], &SolverOptions::default()).unwrap();
        let impact = |name: &str| solved.impacts[db.require_category(name).unwrap()];
        assert_eq!(impact("GWP100 (IPCC AR6)"), 1.0 + 29.8 + 27.0 + 273.0);
        assert_eq!(impact("GWP20 (IPCC AR6)"), 1.0 + 82.5 + 79.7 + 273.0);
        assert_eq!(impact("GWP100 (IPCC AR5)"), 1.0 + 28.0 + 28.0 + 265.0);
        // The GWP100-weighted flow has no GWP20 factor: not characterised, not a zero.
        let gwp20 = db.require_category("GWP20 (IPCC AR6)").unwrap();
        assert_eq!(db.factor_of(gwp20, db.require_flow(GHG_CO2_EQ, "test").unwrap()), None);
    }

    #[test]
    fn user_data_overrides_only_when_marked_and_keeps_the_dimension() {
        let mut db = Database::builtin();
        let err = db.extend_from("process | tap_water_kr | 1 t | mine | src\n", "my.txt").unwrap_err();
        assert!(err.to_string().contains("defined twice (write `override process`"), "{err}");
        assert!(matches!(err, LcaError::Data { line: 1, column: 11, .. }), "{err:?}");
        let err = db.extend_from("override process | tap_water_kr | 1 kWh | mine | src\n", "my.txt").unwrap_err();
        assert!(err.to_string().contains("measured in mass"), "{err}");
        let err = db.extend_from("override process | no_such | 1 t | mine | src\n", "my.txt").unwrap_err();
        assert!(err.to_string().contains("unknown background process `no_such`"), "{err}");
        db.extend_from(
            "override process | tap_water_kr | 2 t | mine | [S] my source\nemission | tap_water_kr | GHG (CO2-eq) | 0.5 kg\n",
            "my.txt",
        )
        .unwrap();
        let p = db.require_process("tap_water_kr", "test").unwrap();
        let ghg = db.require_flow(GHG_CO2_EQ, "test").unwrap();
        // 0.5 kg per 2 t of water: the shipped 0.221 kg/t is gone.
        assert!((db.matrices().b.get(ghg, p) - 0.5 / 2000.0).abs() < 1e-18);
        assert_eq!(db.processes()[p].source, "[S] my source");
        assert_eq!(db.processes()[p].origin, "my.txt (overrides shipped)");
        let err = db.extend_from("emission | tap_water_kr | CO2, fossil | 1 kWh\n", "my.txt").unwrap_err();
        assert!(matches!(err, LcaError::Data { line: 1, column: 41, .. }), "{err:?}");
    }

    /// An `unknown` record: its names are checked like an emission's (line and column), it
    /// matters only to a category that weighs its flow, and an override of the process
    /// (new data) drops it.
    #[test]
    fn an_unknown_amount_counts_only_where_its_flow_is_weighed() {
        let mut db = Database::builtin();
        let err = db.extend_from("unknown | no_such | Water, consumed | why\n", "my.txt").unwrap_err();
        assert!(matches!(err, LcaError::Data { line: 1, column: 11, .. }), "{err:?}");
        let err = db.extend_from("unknown | tap_water_kr | Water consumed | why\n", "my.txt").unwrap_err();
        assert!(matches!(err, LcaError::Data { line: 1, column: 26, .. }), "{err:?}");
        let p = db.require_process("tap_water_kr", "test").unwrap();
        let mut scaling = vec![0.0; db.processes().len()];
        let water = db.require_category("water consumption (ReCiPe 2016)").unwrap();
        let gwp = db.require_category("GWP100 (IPCC AR6)").unwrap();
        assert_eq!(db.unknown_in(water, &scaling).count(), 0, "an unused process does not count");
        scaling[p] = 1.0;
        assert_eq!(db.unknown_in(water, &scaling).map(|(q, _, _)| q).collect::<Vec<_>>(), vec![p]);
        assert_eq!(db.unknown_in(gwp, &scaling).count(), 0, "GWP weighs water zero");
        db.extend_from("override process | tap_water_kr | 1 t | mine | [S] my source\n", "my.txt").unwrap();
        assert_eq!(db.unknown_in(water, &scaling).count(), 0);
        // A factor override gives greenhouse gases only: the water it drops becomes unknown.
        db.extend_from("emission | tap_water_kr | Water, consumed | 3 kg\n", "my.txt").unwrap();
        db.override_process("tap_water_kr", 0.3, "a study's value").unwrap();
        assert_eq!(db.unknown_in(water, &scaling).count(), 1);
        assert_eq!(db.unknown_in(gwp, &scaling).count(), 0);
    }
}
