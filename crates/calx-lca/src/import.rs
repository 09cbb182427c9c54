//! Import of characterisation factors and simple unit processes from CSV tables, so that a
//! user can bring data from their own (licensed) database without Calx shipping it. A
//! background file whose name ends in `.csv` is read here ([`Database::extend_from_file`]);
//! the layout is told by the first header cell (docs/lca.md, "Importing CSV tables").
//!
//! **Factors** (`category` first), one factor per row, the factor's unit in the header:
//!
//! ```text
//! category,flow,factor [kg CO2-eq/kg],source
//! GWP100 (my licence),"CO2, fossil",1,ecoinvent 3.10 IPCC 2021 GWP100
//! ```
//!
//! A category not yet defined is created with the header's unit (`kg CO2-eq`) and the first
//! row's source; a defined one must have that unit. A flow not yet defined is created. A
//! factor the category has already is an error (it would add up).
//!
//! **Unit processes** (`process` first), one process per row, an exchange per column, its
//! unit in the header, amounts per the row's reference amount, empty cells for none:
//!
//! ```text
//! process,reference amount,description,source,input: electricity_kr_2014_16 [kWh],"emission: CO2, fossil [kg]"
//! my_kiln,1 t,lime kiln per t of lime,Plant data 2024,110,750
//! ```
//!
//! Inputs name a background process (of this table, the shipped data or earlier files) and
//! must have its dimension; emissions name an elementary flow and must be masses. Every
//! process needs a source. A process cell `override NAME` replaces a process defined already
//! (like an `override process` record: same dimension, its exchanges those of the row). Errors name the line, the column, the header of the column, what
//! was found and what is allowed.

use calx_core::{Dimension, UnitTable};

use crate::database::Database;
use crate::error::{CellProblem, LcaError, Result};

impl Database {
    /// Add a background file: CSV tables (a name ending in `.csv`) by this module, anything
    /// else in the record format ([`Database::extend_from`]); `shown` is its name in listings.
    pub fn extend_from_file(&mut self, text: &str, shown: &str) -> Result<()> {
        if shown.to_ascii_lowercase().ends_with(".csv") {
            extend_from_csv(self, text, shown)
        } else {
            self.extend_from(text, shown)
        }
    }
}

/// One cell: its text (unquoted) and 1-based column.
#[derive(Clone, Debug)]
struct Cell {
    text: String,
    column: usize,
}

/// The cells of one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote), or the column
/// of a quoting problem.
fn split(line: &str) -> std::result::Result<Vec<Cell>, (usize, &'static str)> {
    let mut cells = Vec::new();
    let mut chars = line.chars().enumerate().peekable();
    loop {
        // Skip blanks before a cell.
        while let Some(&(_, ' ' | '\t')) = chars.peek() {
            chars.next();
        }
        let column = chars.peek().map_or(line.chars().count() + 1, |&(i, _)| i + 1);
        let mut text = String::new();
        if let Some(&(_, '"')) = chars.peek() {
            chars.next();
            loop {
                match chars.next() {
                    Some((_, '"')) if matches!(chars.peek(), Some(&(_, '"'))) => {
                        chars.next();
                        text.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, c)) => text.push(c),
                    None => return Err((column, "a quoted cell is not closed on its line")),
                }
            }
            while let Some(&(i, c)) = chars.peek() {
                if c == ',' {
                    break;
                }
                if !c.is_whitespace() {
                    return Err((i + 1, "text after a quoted cell"));
                }
                chars.next();
            }
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if c == ',' {
                    break;
                }
                text.push(c);
                chars.next();
            }
            text = text.trim().to_string();
        }
        cells.push(Cell { text, column });
        if chars.next().is_none() {
            return Ok(cells);
        }
    }
}

/// The rows of a CSV text: (1-based line, cells), blank lines and `#` comments skipped.
fn rows(text: &str) -> Result<Vec<(usize, Vec<Cell>)>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let cells =
            split(raw).map_err(|(column, message)| LcaError::Data { line: i + 1, column, message: message.into() })?;
        out.push((i + 1, cells));
    }
    Ok(out)
}

/// Where a cell is, for errors.
struct At<'h> {
    line: usize,
    column: usize,
    field: &'h str,
}

impl At<'_> {
    fn error(&self, message: impl Into<String>, found: &str, allowed: impl Into<String>) -> LcaError {
        LcaError::Cell(Box::new(CellProblem {
            line: self.line,
            column: self.column,
            field: self.field.to_string(),
            message: message.into(),
            found: found.to_string(),
            allowed: allowed.into(),
        }))
    }
}

/// Read a CSV table of factors or unit processes into `db`, each definition recording `origin`.
fn extend_from_csv(db: &mut Database, text: &str, origin: &str) -> Result<()> {
    let rows = rows(text)?;
    let Some((line, header)) = rows.first() else { return Ok(()) };
    let at = At { line: *line, column: header[0].column, field: "(first header cell)" };
    let body = &rows[1..];
    let kind = header[0].text.as_str();
    if kind != "category" && kind != "process" {
        return Err(at.error(
            "unknown table layout",
            kind,
            "`category` (a factor table) or `process` (a process table)",
        ));
    }
    db.with_origin(origin, |db| {
        if kind == "category" { factors(db, *line, header, body, origin) } else { processes(db, *line, header, body) }
    })
}

/// The header cells must read `expected` (the unit-bearing one is checked by the caller).
fn expect_header(line: usize, header: &[Cell], expected: &[&str]) -> Result<()> {
    for (i, want) in expected.iter().enumerate() {
        let found = header.get(i).map_or("", |c| c.text.as_str());
        if !want.is_empty() && found != *want {
            let column = header.get(i).map_or(header[header.len() - 1].column, |c| c.column);
            let at = At { line, column, field: "(header)" };
            return Err(at.error(format!("header cell {} must be `{want}`", i + 1), found, expected.join(",")));
        }
    }
    Ok(())
}

/// A row's cells, one per header cell (missing trailing cells are empty).
fn cells_of<'r>(line: usize, row: &'r [Cell], header: &[Cell]) -> Result<Vec<&'r Cell>> {
    if row.len() > header.len() {
        let extra = &row[header.len()];
        let at = At { line, column: extra.column, field: "(row)" };
        return Err(at.error("more cells than the header has", &extra.text, format!("{} cells", header.len())));
    }
    static EMPTY: Cell = Cell { text: String::new(), column: 0 };
    Ok((0..header.len()).map(|i| row.get(i).unwrap_or(&EMPTY)).collect())
}

/// Where a cell is: its own column, or its header's for a cell missing from a short row.
fn at<'h>(line: usize, cell: &Cell, header: &'h Cell) -> At<'h> {
    let column = if cell.column == 0 { header.column } else { cell.column };
    At { line, column, field: &header.text }
}

/// A required, non-empty cell.
fn required<'c>(line: usize, cell: &'c Cell, header: &Cell, what: &str) -> Result<&'c str> {
    if cell.text.is_empty() {
        return Err(at(line, cell, header).error("empty", "", what));
    }
    Ok(&cell.text)
}

/// A finite number.
fn number(line: usize, cell: &Cell, header: &Cell) -> Result<f64> {
    cell.text
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| at(line, cell, header).error("not a number", &cell.text, "a finite number"))
}

/// `NAME [UNIT]`: the name and the unit in the brackets at the end of a header cell.
fn bracketed(cell: &Cell) -> Option<(&str, &str)> {
    let (name, rest) = cell.text.rsplit_once('[')?;
    Some((name.trim(), rest.strip_suffix(']')?.trim()))
}

/// `category,flow,factor [UNIT/kg],source`.
fn factors(db: &mut Database, hl: usize, header: &[Cell], body: &[(usize, Vec<Cell>)], origin: &str) -> Result<()> {
    expect_header(hl, header, &["category", "flow", "", "source"])?;
    let unit_cell = &header[2];
    let unit = match bracketed(unit_cell) {
        Some(("factor", u)) => u.strip_suffix("/kg").map(str::trim).filter(|u| !u.is_empty()),
        _ => None,
    };
    let Some(unit) = unit else {
        let at = At { line: hl, column: unit_cell.column, field: "(header)" };
        return Err(at.error(
            "the factor's unit per kg of flow",
            &unit_cell.text,
            "`factor [UNIT/kg]`, e.g. `factor [kg CO2-eq/kg]`",
        ));
    };
    for (line, row) in body {
        let line = *line;
        let cells = cells_of(line, row, header)?;
        let category = required(line, cells[0], &header[0], "an impact category")?;
        let flow = required(line, cells[1], &header[1], "an elementary flow")?;
        let value = number(line, cells[2], &header[2])?;
        let source = required(line, cells[3], &header[3], "the factor's source")?;
        let c = match db.require_category(category) {
            Ok(c) => {
                let has = &db.categories()[c].unit;
                if has != unit {
                    let at = At { line, column: cells[0].column, field: &header[0].text };
                    return Err(at.error(
                        format!("the category's unit is `{has}`, the header's `{unit}`"),
                        category,
                        format!("a category in {unit}, or a new one (write its factors in `factor [{has}/kg]` in another file)"),
                    ));
                }
                c
            }
            Err(_) => db.add_category(category, unit, &format!("{source} (imported from {origin})"))?,
        };
        let f = match db.require_flow(flow, "") {
            Ok(f) => f,
            Err(_) => db.add_flow(flow, &format!("imported with factors from {origin}"))?,
        };
        if db.factor_of(c, f).is_some() {
            let at = At { line, column: cells[1].column, field: &header[1].text };
            return Err(at.error(
                format!("`{category}` has a factor for this flow already (they would add up)"),
                flow,
                "a flow the category has no factor for (replace a category with an `override category` record)",
            ));
        }
        db.add_factor(category, flow, value)?;
    }
    Ok(())
}

/// One exchange column of a process table.
struct Exchange<'h> {
    header: &'h Cell,
    /// An input (of a process) or an emission (of a flow).
    input: bool,
    name: &'h str,
    /// SI per unit of the header's unit.
    factor: f64,
}

/// The exchange columns of a process table's header.
fn exchange_columns<'h>(line: usize, header: &'h [Cell], db: &Database) -> Result<Vec<Exchange<'h>>> {
    let units = UnitTable::builtin();
    let allowed = "`input: PROCESS [UNIT]` or `emission: FLOW [UNIT]`";
    let mut out = Vec::new();
    for cell in &header[4..] {
        let at = At { line, column: cell.column, field: "(header)" };
        let Some((name, unit)) = bracketed(cell) else {
            return Err(at.error("no unit in brackets", &cell.text, allowed));
        };
        let (input, name) = match (name.strip_prefix("input:"), name.strip_prefix("emission:")) {
            (Some(n), _) => (true, n.trim()),
            (_, Some(n)) => (false, n.trim()),
            _ => return Err(at.error("not an exchange", &cell.text, allowed)),
        };
        let q = units
            .parse(&format!("1 {unit}"))
            .map_err(|e| at.error(e.to_string(), unit, "a unit of `calx units-of-measure`"))?;
        let dimension = if input {
            let p = db
                .require_process(name, "a process table")
                .map_err(|e| at.error(e.to_string(), name, "a background process"))?;
            db.processes()[p].dimension
        } else {
            db.require_flow(name, "a process table")
                .map_err(|e| at.error(e.to_string(), name, "an elementary flow"))?;
            Dimension::MASS
        };
        if q.dimension != dimension {
            let what = if input {
                format!("`{name}` is measured in {}", dimension.describe())
            } else {
                "an emission is a mass".into()
            };
            return Err(at.error(what, unit, format!("a unit of {}", dimension.describe())));
        }
        out.push(Exchange { header: cell, input, name, factor: q.value });
    }
    Ok(out)
}

/// `process,reference amount,description,source,EXCHANGE [UNIT]...`.
fn processes(db: &mut Database, hl: usize, header: &[Cell], body: &[(usize, Vec<Cell>)]) -> Result<()> {
    expect_header(hl, header, &["process", "reference amount", "description", "source"])?;
    let units = UnitTable::builtin();
    // Every process first, so that inputs may name processes of later rows.
    let mut defined = Vec::new();
    for (line, row) in body {
        let line = *line;
        let cells = cells_of(line, row, header)?;
        let name = required(line, cells[0], &header[0], "a process name")?;
        let reference = required(line, cells[1], &header[1], "a reference amount, e.g. `1 t`, `1 kWh`")?;
        let description = required(line, cells[2], &header[2], "what the process is")?;
        let source = required(line, cells[3], &header[3], "where the data come from")?;
        let at = At { line, column: cells[1].column, field: &header[1].text };
        let q =
            units.parse(reference).map_err(|e| at.error(e.to_string(), reference, "an energy or a mass above zero"))?;
        if (q.dimension != Dimension::ENERGY && q.dimension != Dimension::MASS)
            || q.value.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        {
            return Err(at.error(
                "not an energy or a mass above zero",
                reference,
                "an energy or a mass above zero, e.g. `1 t`, `1 kWh`",
            ));
        }
        let name_at = At { line, column: cells[0].column, field: &header[0].text };
        let name = match name.strip_prefix("override ") {
            Some(replaced) => {
                let replaced = replaced.trim();
                let p = db.require_process(replaced, "an override").map_err(|e| {
                    name_at.error(e.to_string(), replaced, "`override NAME` of a process defined already")
                })?;
                let had = db.processes()[p].dimension;
                if had != q.dimension {
                    return Err(at.error(
                        format!("`{replaced}` is measured in {}, so its override must be too", had.describe()),
                        reference,
                        format!("a reference amount in {}", had.describe()),
                    ));
                }
                db.replace_definition(p, description, source);
                replaced
            }
            None => {
                db.add_process(name, q.dimension, description, source).map_err(|e| {
                    name_at.error(e.to_string(), name, "a name not defined yet, or `override NAME` to replace it")
                })?;
                name
            }
        };
        defined.push((line, name.to_string(), q.value, cells));
    }
    let columns = exchange_columns(hl, header, db)?;
    for (line, name, per, cells) in defined {
        for (i, x) in columns.iter().enumerate() {
            let cell = cells[4 + i];
            if cell.text.is_empty() {
                continue;
            }
            let amount = number(line, cell, x.header)? * x.factor / per;
            if x.input {
                db.add_input(&name, x.name, amount)?;
            } else {
                db.add_emission(&name, x.name, amount)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GHG_CO2_EQ;

    fn cell_error(db: &mut Database, text: &str) -> (usize, usize, String, String, String) {
        match db.extend_from_file(text, "t.csv").unwrap_err() {
            LcaError::Cell(c) => (c.line, c.column, c.field, c.found, c.allowed),
            other => panic!("not a cell error: {other:?}"),
        }
    }

    #[test]
    fn cells_are_split_with_quotes_and_their_columns() {
        let cells = split(r#"a, "b, c" ,"say ""hi""",,d"#).unwrap();
        let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["a", "b, c", "say \"hi\"", "", "d"]);
        let columns: Vec<usize> = cells.iter().map(|c| c.column).collect();
        assert_eq!(columns, [1, 4, 12, 25, 26]);
        assert_eq!(split("a,\"b").unwrap_err(), (3, "a quoted cell is not closed on its line"));
    }

    /// A unit-process table reads into the same matrices as the same process written as
    /// records: 2.4336 kg CO2 and 0.0396 kg CO2-eq per tonne hauled, 0.05 kWh of grid
    /// electricity per tonne (values of the truck haul of tests/it/lca.rs).
    #[test]
    fn a_process_table_reads_as_the_same_records() {
        let mut from_records = Database::builtin();
        from_records
            .extend_from_text(
                "process | haul | 1 t | ash hauled | [D] test\n\
                 input | haul | electricity_kr_2014_16 | 0.05 kWh\n\
                 emission | haul | CO2, fossil | 2.4336 kg\n\
                 emission | haul | GHG (CO2-eq) | 39.6 g\n",
            )
            .unwrap();
        let mut from_csv = Database::builtin();
        from_csv
            .extend_from_file(
                "process,reference amount,description,source,input: electricity_kr_2014_16 [kWh],\
                 \"emission: CO2, fossil [kg]\",emission: GHG (CO2-eq) [g]\n\
                 haul,1 t,ash hauled,[D] test,0.05,2.4336,39.6\n",
                "haul.csv",
            )
            .unwrap();
        let (a, b) = (from_records.matrices(), from_csv.matrices());
        let p = from_csv.require_process("haul", "test").unwrap();
        let e = from_csv.require_process("electricity_kr_2014_16", "test").unwrap();
        let ghg = from_csv.require_flow(GHG_CO2_EQ, "test").unwrap();
        assert_eq!(a.a.get(e, p), b.a.get(e, p));
        assert_eq!(b.a.get(e, p), -0.05 * 3.6e6 / 1000.0);
        assert_eq!(a.b.get(ghg, p), b.b.get(ghg, p));
        assert_eq!(from_csv.processes()[p].origin, "haul.csv");
    }

    /// `override NAME` replaces a shipped process: the grid at 0.5 kg CO2-eq/kWh (a user's
    /// value) instead of the shipped 0.45941, its source and origin those of the table.
    #[test]
    fn a_process_table_overrides_a_shipped_process_when_marked() {
        let mut db = Database::builtin();
        db.extend_from_file(
            "process,reference amount,description,source,emission: GHG (CO2-eq) [kg]\n\
             override electricity_kr_2014_16,1 MWh,my grid,[S] my licence,500\n",
            "grid.csv",
        )
        .unwrap();
        let p = db.require_process("electricity_kr_2014_16", "test").unwrap();
        let ghg = db.require_flow(GHG_CO2_EQ, "test").unwrap();
        assert_eq!(db.matrices().b.get(ghg, p), 500.0 / 3.6e9);
        assert_eq!(db.processes()[p].source, "[S] my licence");
        assert_eq!(db.processes()[p].origin, "grid.csv (overrides shipped)");
    }

    #[test]
    fn a_factor_table_adds_a_category_flows_and_factors() {
        let mut db = Database::builtin();
        db.extend_from_file(
            "# my licensed set\ncategory,flow,factor [kg SO2-eq/kg],source\n\
             Acidification (mine),SO2,1,[S] my licence\nAcidification (mine),NOx,0.7,[S] my licence\n",
            "acid.csv",
        )
        .unwrap();
        let c = db.require_category("Acidification (mine)").unwrap();
        assert_eq!(db.categories()[c].unit, "kg SO2-eq");
        assert_eq!(db.categories()[c].origin, "acid.csv");
        let nox = db.require_flow("NOx", "test").unwrap();
        assert_eq!(db.factor_of(c, nox), Some(0.7));
        assert_eq!(db.flows()[nox].origin, "acid.csv");
    }

    #[test]
    fn table_errors_give_line_column_field_found_and_allowed() {
        let mut db = Database::builtin();
        let header = "category,flow,factor [kg CO2-eq/kg],source\n";
        // A number that is not one: line 2, column of the cell.
        let e = cell_error(&mut db, &format!("{header}GWP20 (IPCC AR6),N2O,lots,[S] x\n"));
        assert_eq!(e, (2, 22, "factor [kg CO2-eq/kg]".into(), "lots".into(), "a finite number".into()));
        // A factor the category has: it would add up.
        let e = cell_error(&mut db, &format!("{header}GWP20 (IPCC AR6),N2O,1,[S] x\n"));
        assert_eq!((e.0, e.1, e.3.as_str()), (2, 18, "N2O"));
        // A unit that is not the category's.
        let e = cell_error(&mut db, "category,flow,factor [mol H+-eq/kg],source\nGWP20 (IPCC AR6),SO2,1,[S] x\n");
        assert_eq!((e.0, e.1, e.2.as_str()), (2, 1, "category"));
        // No unit in the header.
        let e = cell_error(&mut db, "category,flow,factor,source\n");
        assert_eq!((e.0, e.1, e.3.as_str()), (1, 15, "factor"));
        // An input in a unit of the wrong dimension: at its header cell.
        let process = "process,reference amount,description,source,input: tap_water_kr [kWh]\n";
        let e = cell_error(&mut db, &format!("{process}p,1 t,d,[S] x,1\n"));
        assert_eq!((e.0, e.1, e.3.as_str()), (1, 45, "kWh"));
        assert!(e.4.contains("mass"), "{}", e.4);
        // A process without its source.
        let e = cell_error(&mut db, "process,reference amount,description,source\np,1 t,d,\n");
        assert_eq!((e.0, e.2.as_str(), e.3.as_str()), (2, "source", ""));
        // A name that is taken.
        let e = cell_error(&mut db, "process,reference amount,description,source\ntap_water_kr,1 t,d,s\n");
        assert_eq!((e.0, e.1, e.2.as_str()), (2, 1, "process"));
        // An override of another dimension.
        let e = cell_error(&mut db, "process,reference amount,description,source\noverride tap_water_kr,1 kWh,d,s\n");
        assert_eq!((e.0, e.1, e.3.as_str()), (2, 23, "1 kWh"));
        // A short row: the missing cell is placed at its header.
        let e = cell_error(&mut db, &format!("{header}GWP20 (IPCC AR6),SO2\n"));
        assert_eq!((e.0, e.1, e.3.as_str()), (2, 15, ""));
        // An unknown layout.
        let e = cell_error(&mut db, "flows,x\n");
        assert_eq!((e.0, e.1, e.3.as_str()), (1, 1, "flows"));
    }
}
