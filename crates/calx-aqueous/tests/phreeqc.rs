//! Cross-validation against PHREEQC (issue 15, "How it is checked"): every row of the reference
//! tables in `reference/upstream/*.csv` (IPhreeqc 3.7.3 with the phreeqc.dat of
//! usgs-coupled/phreeqc3 8176af0c, the commit `data/phreeqc-subset.dat` is taken from; see
//! `reference/README.md`) is solved with the extended Debye-Hückel model and compared: pH within
//! 0.03, dissolved totals within 3 %, saturation indices within 0.05, species molalities,
//! activity coefficients, alkalinity and water activity, and the log K of every
//! phase and species PHREEQC printed (for the equation as the database writes it) within 1e-6.
//!
//! The tables were made with llnl.dat's Portlandite (log K 22.5552 at 25 °C), while the
//! built-in database takes portlandite from Concrete_PHR.dat (Reardon 1990), which matches the
//! measured pH of saturated Ca(OH)2 (see `reference.rs`). To compare like with like, this test
//! reads the built-in database text with the Portlandite record swapped for llnl.dat's.

use std::collections::BTreeMap;
use std::path::Path;

use calx_aqueous::{Database, Element, GasCondition, Input, PASCAL_PER_ATM, System, SystemSpec};

/// One table row: column name to cell text (empty = not applicable).
type Row = BTreeMap<String, String>;

fn read_table(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_string).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(str::to_string)).collect()).collect()
}

fn num(row: &Row, col: &str) -> Option<f64> {
    row.get(col).filter(|v| !v.is_empty()).map(|v| v.parse::<f64>().unwrap_or_else(|_| panic!("{col} = {v}")))
}

/// The built-in database with llnl.dat's Portlandite (llnl.dat at usgs-coupled/phreeqc3
/// 8176af0c: Ca(OH)2 + 2 H+ = Ca+2 + 2 H2O, log_k 22.5552, -delta_H -128.686 kJ/mol,
/// -analytic -8.3848e+1 -1.8373e-2 9.3154e+3 3.2584e+1 1.4538e+2), as in the tables.
fn database_as_tabulated() -> Database {
    let text = include_str!("../data/phreeqc-subset.dat");
    let start = text.find("MINERAL Portlandite").expect("portlandite record");
    let end = start + text[start..].find("\nMINERAL ").expect("next record");
    let llnl = "MINERAL Portlandite\n  equation Ca(OH)2 + 2 H+ = Ca+2 + 2 H2O\n  log_k 22.5552\n  delta_h -128.686 kJ\n  \
                analytic -8.3848e+1 -1.8373e-2 9.3154e+3 3.2584e+1 1.4538e+2\n  source llnl.dat\n";
    Database::parse(&format!("{}{llnl}{}", &text[..start], &text[end..])).expect("database reads")
}

const ELEMENTS: [Element; 7] =
    [Element::Ca, Element::Mg, Element::Na, Element::Cl, Element::C, Element::S, Element::Si];

/// The equilibrium mineral of a case family, and the input of one row.
fn input(family: &str, row: &Row) -> (Option<&'static str>, Input) {
    let t = num(row, "T_C").expect("T_C") + 273.15;
    let mut input = Input::new(t, 1.0);
    if let Some(nacl) = num(row, "NaCl_mol_kgw") {
        input = input.with_total(Element::Na, nacl).with_total(Element::Cl, nacl);
    }
    if let Some(p) = num(row, "pCO2_atm") {
        input = input.with_gas(GasCondition::FixedCo2 { pressure: p * PASCAL_PER_ATM });
    }
    // EQUILIBRIUM_PHASES `<mineral> 0 10`: 10 mol of the mineral to start with.
    let (mineral, content): (Option<&str>, &[Element]) = match family {
        "calcite_co2" => (Some("Calcite"), &[Element::Ca, Element::C]),
        "portlandite" => (Some("Portlandite"), &[Element::Ca]),
        "gypsum" => (Some("Gypsum"), &[Element::Ca, Element::S]),
        _ => (None, &[]),
    };
    for e in content {
        input = input.with_total(*e, 10.0);
    }
    if mineral.is_some() {
        input.minerals = vec![10.0];
    }
    if family == "fixed_totals" {
        for e in ELEMENTS {
            input = input.with_total(e, num(row, &format!("in_{}_mol_kgw", e.symbol())).unwrap_or(0.0));
        }
    }
    (mineral, input)
}

/// Worst deviations seen, for the report printed at the end.
#[derive(Default)]
struct Worst {
    ph: f64,
    total: f64,
    si: f64,
    log_k: f64,
    molality: f64,
    gamma: f64,
    water: f64,
}

fn compare_row(db: &Database, sys: &System, family: &str, row: &Row, worst: &mut Worst) -> Vec<String> {
    let (_, input) = input(family, row);
    let at = format!(
        "{family} T={} p={:?} NaCl={:?} {:?}",
        row["T_C"],
        num(row, "pCO2_atm"),
        num(row, "NaCl_mol_kgw"),
        row.get("composition")
    );
    let eq = match sys.solve(&mut sys.workspace(), &input) {
        Ok(eq) => eq,
        Err(e) => return vec![format!("{at}: {e}")],
    };
    let mut bad = Vec::new();
    let ph = num(row, "pH").expect("pH");
    worst.ph = worst.ph.max((eq.ph - ph).abs());
    if (eq.ph - ph).abs() > 0.03 {
        bad.push(format!("{at}: pH {} against PHREEQC {ph}", eq.ph));
    }
    let water = num(row, "water_kg").unwrap_or(1.0);
    for e in ELEMENTS {
        // PHREEQC's molalities are per final kg of water; calx-aqueous keeps 1 kg.
        let reference = num(row, &format!("tot_{}", e.symbol())).unwrap_or(0.0) * water;
        if reference > 1e-12 {
            let rel = (eq.total(e) - reference).abs() / reference;
            worst.total = worst.total.max(rel);
            if rel > 0.03 {
                bad.push(format!("{at}: total {} {} against PHREEQC {reference}", e.symbol(), eq.total(e)));
            }
        }
    }
    for (name, si) in eq.mineral_names().iter().zip(eq.saturation_indices.iter()) {
        let reference = num(row, &format!("SI_{name}"));
        match (si, reference) {
            (Some(si), Some(r)) => {
                worst.si = worst.si.max((si - r).abs());
                if (si - r).abs() > 0.05 {
                    bad.push(format!("{at}: SI {name} {si} against PHREEQC {r}"));
                }
            }
            (None, Some(r)) if r > -99.0 => bad.push(format!("{at}: SI {name} missing, PHREEQC {r}")),
            _ => {}
        }
        if let (Some(lk), Some(m)) = (num(row, &format!("logK_{name}")), db.mineral(name)) {
            let d = (m.log_k_as_written.at(input.temperature) - lk).abs();
            worst.log_k = worst.log_k.max(d);
            if d > 1e-6 {
                bad.push(format!(
                    "{at}: log K {name} {} against PHREEQC {lk}",
                    m.log_k_as_written.at(input.temperature)
                ));
            }
        }
    }
    bad.extend(compare_species_log_k(db, row, input.temperature, &at, worst));
    bad.extend(compare_species(&eq, row, &at, worst));
    bad
}

/// Molalities (within 3 %, above 1e-12 mol/kg), activity coefficients (within 1 %),
/// alkalinity (within 3 % of max(|alk|, 1e-6 eq/kg)) and log10 a(H2O) (within 1e-3).
fn compare_species(eq: &calx_aqueous::Equilibrium, row: &Row, at: &str, worst: &mut Worst) -> Vec<String> {
    let mut bad = Vec::new();
    let water = num(row, "water_kg").unwrap_or(1.0);
    for name in eq.species_names() {
        if let (Some(m), Some(r)) = (eq.molality(name), num(row, &format!("m_{name}")).filter(|r| *r > 1e-12)) {
            let rel = (m - r * water).abs() / (r * water);
            worst.molality = worst.molality.max(rel);
            if rel > 0.03 {
                bad.push(format!("{at}: m({name}) {m} against PHREEQC {r}"));
            }
        }
        if let (Some(g), Some(r)) =
            (eq.activity_coefficient(name), num(row, &format!("gamma_{name}")).filter(|r| *r > 0.0))
        {
            worst.gamma = worst.gamma.max((g - r).abs() / r);
            if (g - r).abs() > 0.01 * r {
                bad.push(format!("{at}: gamma({name}) {g} against PHREEQC {r}"));
            }
        }
    }
    if let Some(alk) = num(row, "alk_eq_kgw") {
        let d = (eq.alkalinity - alk * water).abs() / alk.abs().max(1e-6);
        worst.total = worst.total.max(d);
        if d > 0.03 {
            bad.push(format!("{at}: alkalinity {} against PHREEQC {alk}", eq.alkalinity));
        }
    }
    if let Some(law) = num(row, "log_a_H2O") {
        worst.water = worst.water.max((eq.water_activity.log10() - law).abs());
        if (eq.water_activity.log10() - law).abs() > 1e-3 {
            bad.push(format!("{at}: log a(H2O) {} against PHREEQC {law}", eq.water_activity.log10()));
        }
    }
    bad
}

/// log K of the species' formation from master species, as PHREEQC stores it.
fn compare_species_log_k(db: &Database, row: &Row, t: f64, at: &str, worst: &mut Worst) -> Vec<String> {
    let mut bad = Vec::new();
    for s in &db.species {
        let Some(lk) = num(row, &format!("logK_{}", s.name)).filter(|v| *v > -999.0) else { continue };
        let d = (s.log_k_as_written.at(t) - lk).abs();
        worst.log_k = worst.log_k.max(d);
        if d > 1e-6 {
            bad.push(format!("{at}: log K {} {} against PHREEQC {lk}", s.name, s.log_k_as_written.at(t)));
        }
    }
    bad
}

#[test]
fn calx_aqueous_matches_the_phreeqc_tables() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/upstream");
    let db = database_as_tabulated();
    let mut bad = Vec::new();
    let mut worst = Worst::default();
    let mut rows = 0;
    for family in ["co2_water", "calcite_co2", "portlandite", "gypsum", "fixed_totals"] {
        let table = read_table(&dir.join(format!("{family}.csv")));
        assert!(!table.is_empty(), "{family}: no rows");
        let (mineral, _) = input(family, &table[0]);
        let spec = SystemSpec::new(&ELEMENTS).with_minerals(mineral.as_slice());
        let sys = System::new(&db, &spec).expect("system builds");
        for row in &table {
            rows += 1;
            bad.extend(compare_row(&db, &sys, family, row, &mut worst));
        }
    }
    println!(
        "{rows} rows; worst |ΔpH| {:.2e}, total or alkalinity {:.2e} relative, |ΔSI| {:.2e}, |Δlog K| {:.2e}, \
         molality {:.2e} relative, γ {:.2e} relative, |Δlog a(H2O)| {:.2e}",
        worst.ph, worst.total, worst.si, worst.log_k, worst.molality, worst.gamma, worst.water
    );
    assert!(rows >= 150, "only {rows} rows");
    assert!(bad.is_empty(), "{} disagreements with PHREEQC:\n{}", bad.len(), bad.join("\n"));
    // The same equations and data give far closer agreement than the tolerances (the
    // totals differ by PHREEQC's change of water mass, at most 0.13 % for gypsum in 0.5 molal
    // NaCl, reference/README.md): hold it, so that a regression shows before it reaches them.
    assert!(
        worst.ph < 1e-3
            && worst.total < 3e-3
            && worst.si < 5e-3
            && worst.log_k < 1e-9
            && worst.molality < 5e-3
            && worst.gamma < 1e-3
            && worst.water < 1e-4,
        "agreement degraded"
    );
}
