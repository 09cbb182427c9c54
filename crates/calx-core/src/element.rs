//! The chemical elements a carbon-mineralization flowsheet needs, with standard atomic weights.
//!
//! Sources. The ten elements that make up the project's main species (H, C, N, O, Mg, Al, Si,
//! S, Ca, Fe) use exactly the values of the project's reference data, `CalebBell/chemicals`,
//! file `chemicals/Misc/Element data.csv`, so that molar masses agree with the reference table
//! (`docs/sources.md §Molar masses`). Two of them differ slightly from the current IUPAC values:
//! Si 28.086 (IUPAC 28.085) and S 32.067 (IUPAC 32.06); the effect on any molar mass is below
//! 0.01 %. Cl 35.453 and Ar 39.948 are the conventional values most thermodynamic databases
//! still use (IUPAC abridged 35.45 and 39.95).
//!
//! All other elements use the abridged standard atomic weights of the IUPAC/CIAAW 2021 table
//! (T. Prohaska et al., "Standard atomic weights of the elements 2021", Pure Appl. Chem. 94
//! (2022) 573-600), i.e. five significant figures, with the conventional value where IUPAC
//! gives an interval (Li, B, Br, Tl, Pb). The selection covers ash and slag oxides, flue-gas
//! species, cement phases, common reagents and the trace elements regulated in ash and flue
//! gas (As, Cd, Hg, Pb, Se, ...).
//!
//! Weights are in g/mol, the way tables print them; [`crate::formula::Formula::molar_mass`]
//! converts to SI (kg/mol).

/// A chemical element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Element {
    /// Symbol as written in formulas ("Ca").
    pub symbol: &'static str,
    /// English name ("calcium").
    pub name: &'static str,
    /// Standard atomic weight in g/mol (not SI: tables are written this way).
    pub atomic_weight: f64,
}

const fn el(symbol: &'static str, name: &'static str, atomic_weight: f64) -> Element {
    Element { symbol, name, atomic_weight }
}

/// The element table, in order of atomic number.
pub static ELEMENTS: &[Element] = &[
    el("H", "hydrogen", 1.008),
    el("He", "helium", 4.0026),
    el("Li", "lithium", 6.94),
    el("Be", "beryllium", 9.0122),
    el("B", "boron", 10.81),
    el("C", "carbon", 12.011),
    el("N", "nitrogen", 14.007),
    el("O", "oxygen", 15.999),
    el("F", "fluorine", 18.998),
    el("Ne", "neon", 20.180),
    el("Na", "sodium", 22.990),
    el("Mg", "magnesium", 24.305),
    el("Al", "aluminium", 26.982),
    el("Si", "silicon", 28.086),
    el("P", "phosphorus", 30.974),
    el("S", "sulfur", 32.067),
    el("Cl", "chlorine", 35.453),
    el("Ar", "argon", 39.948),
    el("K", "potassium", 39.098),
    el("Ca", "calcium", 40.078),
    el("Sc", "scandium", 44.956),
    el("Ti", "titanium", 47.867),
    el("V", "vanadium", 50.942),
    el("Cr", "chromium", 51.996),
    el("Mn", "manganese", 54.938),
    el("Fe", "iron", 55.845),
    el("Co", "cobalt", 58.933),
    el("Ni", "nickel", 58.693),
    el("Cu", "copper", 63.546),
    el("Zn", "zinc", 65.38),
    el("Ga", "gallium", 69.723),
    el("Ge", "germanium", 72.630),
    el("As", "arsenic", 74.922),
    el("Se", "selenium", 78.971),
    el("Br", "bromine", 79.904),
    el("Rb", "rubidium", 85.468),
    el("Sr", "strontium", 87.62),
    el("Y", "yttrium", 88.906),
    el("Zr", "zirconium", 91.224),
    el("Mo", "molybdenum", 95.95),
    el("Ag", "silver", 107.87),
    el("Cd", "cadmium", 112.41),
    el("Sn", "tin", 118.71),
    el("Sb", "antimony", 121.76),
    el("I", "iodine", 126.90),
    el("Cs", "caesium", 132.91),
    el("Ba", "barium", 137.33),
    el("La", "lanthanum", 138.91),
    el("Ce", "cerium", 140.12),
    el("W", "tungsten", 183.84),
    el("Hg", "mercury", 200.59),
    el("Tl", "thallium", 204.38),
    el("Pb", "lead", 207.2),
    el("Th", "thorium", 232.04),
    el("U", "uranium", 238.03),
];

/// The element with this exact symbol (case-sensitive: "Co" is cobalt, "CO" is not a symbol).
pub fn element(symbol: &str) -> Option<&'static Element> {
    // A linear scan: the table is short and lookups happen only while parsing formulas.
    ELEMENTS.iter().find(|e| e.symbol == symbol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_weights_match_chemicals_element_data() {
        // Values of CalebBell/chemicals `chemicals/Misc/Element data.csv` (project reference).
        let reference = [
            ("H", 1.008),
            ("C", 12.011),
            ("N", 14.007),
            ("O", 15.999),
            ("Mg", 24.305),
            ("Al", 26.982),
            ("Si", 28.086),
            ("S", 32.067),
            ("Ca", 40.078),
            ("Fe", 55.845),
        ];
        for (symbol, weight) in reference {
            let e = element(symbol).unwrap_or_else(|| panic!("{symbol} missing"));
            assert_eq!(e.atomic_weight, weight, "{symbol}");
        }
    }

    #[test]
    fn lookup_is_exact_and_case_sensitive() {
        assert_eq!(element("Na").map(|e| e.name), Some("sodium"));
        assert_eq!(element("Co").map(|e| e.name), Some("cobalt"));
        assert!(element("CO").is_none());
        assert!(element("ca").is_none());
        assert!(element("Xx").is_none());
        assert!(element("").is_none());
    }

    #[test]
    fn table_is_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for e in ELEMENTS {
            assert!(seen.insert(e.symbol), "duplicate {}", e.symbol);
            let mut chars = e.symbol.chars();
            assert!(chars.next().is_some_and(|c| c.is_ascii_uppercase()), "{}", e.symbol);
            assert!(chars.all(|c| c.is_ascii_lowercase()), "{}", e.symbol);
            assert!(e.symbol.len() <= 2, "{}", e.symbol);
        }
        // Catches a slipped digit; weights do not increase strictly (Ar > K, Co > Ni).
        assert!(ELEMENTS.iter().all(|e| e.atomic_weight > 1.0 && e.atomic_weight < 240.0));
        assert!(ELEMENTS.len() >= 40);
    }
}
