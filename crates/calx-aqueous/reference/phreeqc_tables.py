#!/usr/bin/env python3
"""PHREEQC reference tables for calx-aqueous (run by hand, not by CI).

Runs PHREEQC (the IPhreeqc library shipped in the `phreeqpython` PyPI package) over grids of
temperature, CO2 partial pressure and background NaCl, and writes CSV tables that a Rust test
compares calx-aqueous against. See README.md in this folder for cases, columns and versions.

Two databases are used, each written to its own folder:

  upstream/     phreeqc.dat of usgs-coupled/phreeqc3 at commit 8176af0c (the copy in this
                folder, phreeqc-8176af0c.dat, which is where calx-aqueous takes its constants);
                two blocks that PHREEQC 3.7.3 cannot parse (GAS_BINARY_PARAMETERS,
                MEAN_GAMMAS, neither used by these cases) are commented out at run time.
  phreeqpython/ phreeqc.dat as shipped inside the phreeqpython wheel (an older, ~2015 file).

Both get the same seven minerals from llnl.dat (PHASES block below), which phreeqc.dat lacks.

Usage: python phreeqc_tables.py [--out DIR]   (normally via make-tables.sh)
"""

import argparse
import ctypes
import hashlib
import os
import re
import sys
from importlib import metadata

import phreeqpython
from phreeqpython.viphreeqc import VIPhreeqc

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM_DB = os.path.join(HERE, "phreeqc-8176af0c.dat")
UPSTREAM_COMMIT = "8176af0c5e28ac469227b932f89fac3a29d5909c"
SHIPPED_DB = os.path.join(os.path.dirname(phreeqpython.__file__), "database", "phreeqc.dat")

# Minerals missing from phreeqc.dat, copied from database/llnl.dat of usgs-coupled/phreeqc3 at
# commit 8176af0c (thermo.com.V8.R6); the same numbers as crates/calx-aqueous/data.
LLNL_PHASES = """PHASES
Portlandite
        Ca(OH)2 + 2 H+ = Ca+2 + 2 H2O
        log_k 22.5552
        -delta_H -128.686 kJ/mol
        -analytic -8.3848e+1 -1.8373e-2 9.3154e+3 3.2584e+1 1.4538e+2
Lime
        CaO + 2 H+ = Ca+2 + H2O
        log_k 32.5761
        -delta_H -193.832 kJ/mol
        -analytic -7.2686e+1 -1.7654e-2 1.2199e+4 2.8128e+1 1.9037e+2
Brucite
        Mg(OH)2 + 2 H+ = Mg+2 + 2 H2O
        log_k 16.298
        -delta_H -111.34 kJ/mol
        -analytic -1.028e+2 -1.9759e-2 9.018e+3 3.8282e+1 1.4075e+2
Periclase
        MgO + 2 H+ = H2O + Mg+2
        log_k 21.3354
        -delta_H -150.139 kJ/mol
        -analytic -8.8465e+1 -1.839e-2 1.0414e+4 3.2469e+1 1.6253e+2
Magnesite
        MgCO3 + H+ = HCO3- + Mg+2
        log_k 2.2936
        -delta_H -44.4968 kJ/mol
        -analytic -1.6665e+2 -4.9469e-2 6.4344e+3 6.5506e+1 1.0045e+2
Nesquehonite
        MgCO3:3H2O + H+ = HCO3- + Mg+2 + 3 H2O
        log_k 4.9955
        -delta_H -36.1498 kJ/mol
        -analytic 1.3771e+2 -6.0397e-2 -3.5049e+4 -1.8831e+1 4.4213e+6
Hydromagnesite
        Mg5(CO3)4(OH)2:4H2O + 6 H+ = 4 HCO3- + 5 Mg+2 + 6 H2O
        log_k 30.8539
        -delta_H -289.696 kJ/mol
        -analytic -7.9288e+2 -2.1448e-1 3.6749e+4 3.0888e+2 5.7367e+2
"""

TEMPS = [5.0, 25.0, 40.0, 60.0, 80.0]
PCO2 = [10 ** -3.5, 0.01, 0.1, 1.0]
NACL = [0.0, 0.1, 0.5]
FIXED_TEMPS = [10.0, 25.0, 60.0]

# fixed_totals compositions, mol/kgw: Ca, Mg, Na, Cl, C(4), S(6), Si. Cl is chosen so that the
# charge balance on pH lands at a plausible pH (cations - 2 S - Cl = alkalinity).
FIXED = [
    ("seawater_like", dict(Ca=0.0103, Mg=0.0528, Na=0.4690, Cl=0.5365, C=0.0021, S=0.0282, Si=0.0)),
    ("slurry_ca_alkaline", dict(Ca=0.0100, Mg=0.0, Na=0.0100, Cl=0.0100, C=0.0050, S=0.0010, Si=0.0)),
    ("slurry_mg_bicarbonate", dict(Ca=0.0050, Mg=0.0500, Na=0.0200, Cl=0.0900, C=0.0200, S=0.0100, Si=0.0)),
    ("brine_nacl_1molal", dict(Ca=0.0200, Mg=0.0100, Na=1.0000, Cl=1.0100, C=0.0100, S=0.0200, Si=0.0)),
    ("gypsum_brine", dict(Ca=0.0300, Mg=0.0, Na=0.1000, Cl=0.0995, C=0.0010, S=0.0300, Si=0.0)),
    ("silica_neutral", dict(Ca=0.0010, Mg=0.0, Na=0.0100, Cl=0.0105, C=0.0020, S=0.0, Si=0.0010)),
    ("silica_alkaline", dict(Ca=0.0010, Mg=0.0, Na=0.0100, Cl=0.0075, C=0.0020, S=0.0, Si=0.0010)),
]
TOT_ELEMENTS = ["Ca", "Mg", "Na", "Cl", "C", "S", "Si"]
PHREEQC_TOTAL = {"Ca": "Ca", "Mg": "Mg", "Na": "Na", "Cl": "Cl", "C": "C(4)", "S": "S(6)", "Si": "Si"}

SPECIES = ["CO2", "(CO2)2", "HCO3-", "CO3-2", "Ca+2", "CaHCO3+", "CaCO3", "CaOH+", "CaSO4",
           "Mg+2", "MgHCO3+", "MgCO3", "Na+", "NaCO3-", "NaHCO3", "Cl-", "SO4-2", "OH-", "H+",
           "H4SiO4", "H3SiO4-", "H2SiO4-2", "CH4"]
GAMMAS = ["Ca+2", "HCO3-", "CO3-2", "Na+", "Cl-", "OH-", "H+", "CO2"]
LK_SPECIES = ["OH-", "HCO3-", "CO2", "CaHCO3+", "CaCO3", "CaSO4", "MgHCO3+", "MgCO3", "NaCO3-",
              "NaHCO3", "H3SiO4-"]
MINERALS = ["Calcite", "Aragonite", "Dolomite", "Gypsum", "Anhydrite", "SiO2(a)", "Halite",
            "Portlandite", "Lime", "Brucite", "Periclase", "Magnesite", "Nesquehonite",
            "Hydromagnesite"]


def col(prefix, name):
    """CSV column name: prefix + species name as written in PHREEQC (no change)."""
    return prefix + name


# (column name, BASIC expression) pairs punched for every row, in order.
PUNCH = (
    [("pH", "-LA(\"H+\")"), ("mu", "MU"), ("water_kg", "TOT(\"water\")"),
     ("temp_C_out", "TC"), ("pressure_atm", "PRESSURE"),
     ("alk_eq_kgw", "ALK"), ("charge_balance_eq", "CHARGE_BALANCE"),
     ("log_a_H2O", "LA(\"H2O\")"), ("pe", "-LA(\"e-\")")]
    + [(col("tot_", e), "TOT(\"%s\")" % e) for e in TOT_ELEMENTS]
    + [(col("m_", s), "MOL(\"%s\")" % s) for s in SPECIES]
    + [(col("gamma_", s), "GAMMA(\"%s\")" % s) for s in GAMMAS]
    + [(col("SI_", m), "SI(\"%s\")" % m) for m in MINERALS + ["CO2(g)", "H2O(g)"]]
    + [(col("logK_", m), "LK_PHASE(\"%s\")" % m) for m in MINERALS + ["CO2(g)"]]
    + [(col("logK_", s), "LK_SPECIES(\"%s\")" % s) for s in LK_SPECIES]
    + [("delta_Calcite_mol", "EQUI_DELTA(\"Calcite\")"),
       ("delta_Portlandite_mol", "EQUI_DELTA(\"Portlandite\")"),
       ("delta_Gypsum_mol", "EQUI_DELTA(\"Gypsum\")"),
       ("delta_CO2g_mol", "EQUI_DELTA(\"CO2(g)\")"),
       ("PR_P_CO2g_atm", "PR_P(\"CO2(g)\")"),
       ("PR_PHI_CO2g", "PR_PHI(\"CO2(g)\")")]
)


def punch_block():
    heads = " ".join(name for name, _ in PUNCH)
    lines = ["SELECTED_OUTPUT 1", "    -reset false", "    -state true", "USER_PUNCH 1",
             "    -headings " + heads, "    -start"]
    for i, (_, expr) in enumerate(PUNCH, start=1):
        lines.append("%d PUNCH %s" % (i * 10, expr))
    lines.append("    -end")
    return "\n".join(lines)


def solution_block(t_c, totals, charge=True):
    lines = ["SOLUTION 1", "    units mol/kgw", "    temp %r" % t_c,
             "    pH 7 charge" if charge else "    pH 7", "    pe 4", "    -water 1"]
    for el, val in totals.items():
        if val > 0:
            lines.append("    %-5s %r" % (PHREEQC_TOTAL[el], val))
    return "\n".join(lines)


def equi_block(phases):
    if not phases:
        return ""
    lines = ["EQUILIBRIUM_PHASES 1"]
    for name, si in phases:
        lines.append("    %-12s %r 10" % (name, si))
    return "\n".join(lines)


def input_text(t_c, totals, phases):
    parts = [LLNL_PHASES, solution_block(t_c, totals), equi_block(phases), punch_block(), "END"]
    return "\n".join(p for p in parts if p) + "\n"


def cases():
    """Yield (family, inputs dict, totals, equilibrium phases)."""
    for t in TEMPS:
        for p in PCO2:
            for nacl in NACL:
                tot = dict(Na=nacl, Cl=nacl)
                inp = dict(T_C=t, pCO2_atm=p, NaCl_mol_kgw=nacl)
                yield "co2_water", inp, tot, [("CO2(g)", __import__("math").log10(p))]
                yield "calcite_co2", inp, tot, [("CO2(g)", __import__("math").log10(p)),
                                               ("Calcite", 0.0)]
    for t in TEMPS:
        for nacl in NACL:
            tot = dict(Na=nacl, Cl=nacl)
            inp = dict(T_C=t, pCO2_atm=None, NaCl_mol_kgw=nacl)
            yield "portlandite", inp, tot, [("Portlandite", 0.0)]
            yield "gypsum", inp, tot, [("Gypsum", 0.0)]
    for t in FIXED_TEMPS:
        for name, tot in FIXED:
            inp = dict(T_C=t, pCO2_atm=None, NaCl_mol_kgw=None, composition=name)
            inp.update({"in_" + e: tot[e] for e in TOT_ELEMENTS})
            yield "fixed_totals", inp, tot, []


FAMILY_INPUT_COLS = {
    "fixed_totals": ["case", "composition", "T_C"] + ["in_%s_mol_kgw" % e for e in TOT_ELEMENTS],
}
DEFAULT_INPUT_COLS = ["case", "T_C", "pCO2_atm", "NaCl_mol_kgw"]


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def phases_of(family):
    return {"co2_water": ["CO2(g)"], "calcite_co2": ["CO2(g)", "Calcite"],
            "portlandite": ["Portlandite"], "gypsum": ["Gypsum"]}.get(family, [])


def clean(column, value, phases):
    """PHREEQC's placeholders for 'not present' become empty cells (see README)."""
    if column.startswith("SI_") and value == -99.99:
        return None  # a component of the phase is absent
    if column.startswith("m_") and value == 1e-99:
        return None  # species absent (an element of it has zero total)
    if column.startswith("gamma_") and value == 0.0:
        return None  # species absent
    if column.startswith("delta_"):
        phase = {"delta_CO2g_mol": "CO2(g)"}.get(column, column[6:-4])
        if phase not in phases:
            return None
    if column.startswith("PR_") and "CO2(g)" not in phases:
        return None
    return value


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def patched_upstream_text():
    """Upstream phreeqc.dat with GAS_BINARY_PARAMETERS and MEAN_GAMMAS commented out."""
    out, skip = [], False
    with open(UPSTREAM_DB, encoding="latin-1") as f:
        lines = f.read().split("\n")
    for line in lines:
        word = line.split("#")[0].strip().split()
        first = word[0] if word else ""
        if re.fullmatch(r"[A-Z][A-Z_]{3,}", first):
            skip = first in ("GAS_BINARY_PARAMETERS", "MEAN_GAMMAS")
        out.append("# [commented out for PHREEQC 3.7.3] " + line if skip else line)
    return "\n".join(out)


class Phreeqc:
    def __init__(self, db_text):
        self.ip = VIPhreeqc()
        dll = self.ip.dll
        dll.GetVersionString.restype = ctypes.c_char_p
        dll.GetErrorString.restype = ctypes.c_char_p
        dll.GetErrorString.argtypes = [ctypes.c_int]
        dll.GetWarningString.restype = ctypes.c_char_p
        dll.GetWarningString.argtypes = [ctypes.c_int]
        self.version = dll.GetVersionString().decode()
        self.ip.load_database_string(db_text)
        if self.ip.phc_database_error_count:
            raise RuntimeError("database errors:\n" + dll.GetErrorString(self.ip.id_).decode())

    def run(self, text):
        """Run an input; return (last selected-output row as dict, warnings)."""
        dll = self.ip.dll
        n = dll.RunString(self.ip.id_, ctypes.c_char_p(text.encode()))
        if n:
            raise RuntimeError(dll.GetErrorString(self.ip.id_).decode())
        rows = self.ip.get_selected_output_array()
        head, last = rows[0], rows[-1]
        warn = (dll.GetWarningString(self.ip.id_) or b"").decode().strip()
        return dict(zip(head, last)), warn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()

    pp_version = metadata.version("phreeqpython")
    databases = [
        ("upstream", patched_upstream_text(),
         "phreeqc-8176af0c.dat (usgs-coupled/phreeqc3 database/phreeqc.dat at %s; "
         "GAS_BINARY_PARAMETERS and MEAN_GAMMAS commented out at run time)" % UPSTREAM_COMMIT,
         sha256(UPSTREAM_DB)),
        ("phreeqpython", open(SHIPPED_DB, encoding="latin-1").read(),
         "phreeqpython/database/phreeqc.dat as shipped in phreeqpython %s" % pp_version,
         sha256(SHIPPED_DB)),
    ]
    all_cases = list(cases())
    for tag, db_text, db_desc, db_sha in databases:
        pq = Phreeqc(db_text)
        outdir = os.path.join(args.out, tag)
        os.makedirs(outdir, exist_ok=True)
        by_family = {}
        warnings = []
        for family, inp, tot, phases in all_cases:
            text = input_text(inp["T_C"], tot, phases)
            row, warn = pq.run(text)
            if warn:
                warnings.append("%s %r: %s" % (family, inp, warn.replace("\n", " | ")))
            if row.get("state") != ("react" if phases else "i_soln"):
                raise RuntimeError("unexpected state %r for %s %r" % (row.get("state"), family, inp))
            by_family.setdefault(family, []).append((inp, row))
        header_comments = [
            "# PHREEQC reference table for calx-aqueous (see README.md beside this folder)",
            "# PHREEQC: IPhreeqc %s (bundled in phreeqpython)" % pq.version,
            "# phreeqpython: %s" % pp_version,
            "# database: %s" % db_desc,
            "# database sha256: %s" % db_sha,
            "# extra PHASES from llnl.dat (usgs-coupled/phreeqc3 %s): Portlandite Lime Brucite "
            "Periclase Magnesite Nesquehonite Hydromagnesite" % UPSTREAM_COMMIT[:8],
            "# generated by: crates/calx-aqueous/reference/make-tables.sh "
            "(python phreeqc_tables.py)",
            "# units: T degC; molalities mol/kg of final water; pressures atm; delta_* mol "
            "(change of the phase's moles: negative = dissolved into the solution); SI and "
            "logK log10; empty cell = species or phase absent (see README)",
        ]
        for family, rows in by_family.items():
            in_cols = FAMILY_INPUT_COLS.get(family, DEFAULT_INPUT_COLS)
            out_cols = [name for name, _ in PUNCH]
            path = os.path.join(outdir, family + ".csv")
            with open(path, "w") as f:
                for c in header_comments:
                    f.write(c + "\n")
                f.write(",".join(in_cols + out_cols) + "\n")
                for inp, row in rows:
                    vals = []
                    for c in in_cols:
                        if c == "case":
                            vals.append(family)
                        elif c.startswith("in_"):
                            vals.append(fmt(inp["in_" + c[3:].split("_")[0]]))
                        else:
                            vals.append(fmt(inp.get(c)))
                    vals += [fmt(clean(c, row[c], phases_of(family))) for c in out_cols]
                    f.write(",".join(vals) + "\n")
            print("wrote %s (%d rows)" % (os.path.relpath(path, args.out), len(rows)))
        if warnings:
            print("%s: %d PHREEQC warnings, first: %s" % (tag, len(warnings), warnings[0][:400]))


if __name__ == "__main__":
    sys.exit(main())
