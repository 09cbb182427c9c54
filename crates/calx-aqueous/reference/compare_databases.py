#!/usr/bin/env python3
"""Compare two PHREEQC databases (log_k, delta_h, -analytic, -gamma, equation) for the species
and phases of Ca, Mg, Na, K, C(4), S(6), Cl, Si, Al, Fe(2) (plus H, O), redox species left out.

Usage: python compare_databases.py OLD.dat NEW.dat [--old-name X --new-name Y] > out.md
Used by make-tables.sh with OLD = phreeqc.dat shipped in phreeqpython and NEW = the copy of
usgs-coupled/phreeqc3 database/phreeqc.dat in this folder. Writes a Markdown report.
"""

import argparse
import re

ALLOWED = {"Ca", "Mg", "Na", "K", "C", "S", "Cl", "Si", "Al", "Fe", "H", "O"}
# species of other redox states (C(-4), S(-2), Fe(3), H(0), O(0)) and PHREEQC's redox-uncoupled
# gases; an equation naming any of them is left out.
EXCLUDED_SPECIES = {"e-", "Fe+3", "HS-", "S-2", "H2S", "CH4", "H2", "O2", "Hdg", "Oxg", "Mtg",
                    "Ntg", "H2Sg", "HSg-", "Sg"}
KCAL = 4.184


def strip_comment(line):
    return line.split("#", 1)[0]


def species_tokens(side):
    out = []
    for term in side.split(" + "):
        term = term.strip()
        m = re.match(r"^([0-9.]+)?\s*(\S+)$", term)
        if m:
            out.append(m.group(2))
    return out


def elements_of(name):
    name = re.sub(r"[+-]\d*$", "", name)  # charge
    return set(re.findall(r"[A-Z][a-z]?", name))


def is_relevant(equation):
    lhs, rhs = equation.split("=", 1)
    toks = species_tokens(lhs) + species_tokens(rhs)
    for t in toks:
        if t in EXCLUDED_SPECIES or "(HS)" in t:
            return False
        if not elements_of(t) <= ALLOWED:
            return False
    return True


def normalise_eq(eq):
    eq = re.sub(r"\s+", " ", eq.strip())
    eq = re.sub(r"(^|[=+] )(\d+(?:\.\d+)?)\s*([A-Z(])", r"\1\2 \3", eq)  # "2H+" -> "2 H+"
    eq = re.sub(r"\s+([=+])\s+", r" \1 ", eq)
    return eq


def parse_value_unit(text):
    parts = text.split()
    if not parts:
        return None
    v = float(parts[0])
    unit = parts[1].lower() if len(parts) > 1 else "kj"
    if unit.startswith("kcal"):
        return v * KCAL
    if unit.startswith("cal"):
        return v * KCAL / 1000.0
    if unit.startswith("j"):
        return v / 1000.0
    return v  # kJ (PHREEQC's default unit)


OPTION = {
    "log_k": "log_k", "logk": "log_k",
    "delta_h": "delta_h", "-delta_h": "delta_h", "deltah": "delta_h",
    "analytic": "analytic", "analytical_expression": "analytic", "a_e": "analytic",
    "analytical": "analytic", "gamma": "gamma",
}


def parse(path):
    """Return {('species'|'phase', name): record}."""
    with open(path, encoding="latin-1") as f:
        text = f.read().replace("\r", "")
    block = None
    records = {}
    cur = None
    phase_name = None
    for raw in text.split("\n"):
        line = strip_comment(raw).rstrip()
        if not line.strip():
            continue
        first = line.strip().split()[0]
        if re.fullmatch(r"[A-Z][A-Z_]{3,}", first) and not line.startswith((" ", "\t")):
            block = first
            cur = None
            continue
        if block not in ("SOLUTION_SPECIES", "PHASES"):
            continue
        for piece in line.split(";"):
            piece_s = piece.strip()
            if not piece_s:
                continue
            word = piece_s.split()[0]
            key = OPTION.get(word.lstrip("-").lower())
            if "=" in piece_s and key is None:
                # an equation
                eq = normalise_eq(piece_s)
                if block == "SOLUTION_SPECIES":
                    name = species_tokens(eq.split("=", 1)[1])[0]
                    cur = {"kind": "species", "name": name, "equation": eq}
                    records[("species", name)] = cur
                else:
                    cur = {"kind": "phase", "name": phase_name, "equation": eq}
                    records[("phase", phase_name)] = cur
                continue
            if key is None:
                if block == "PHASES":
                    phase_name = piece_s.split()[0]
                    cur = None
                continue
            if cur is None:
                continue
            rest = piece_s.split(None, 1)[1] if len(piece_s.split(None, 1)) > 1 else ""
            if key == "log_k":
                cur["log_k"] = float(rest.split()[0])
            elif key == "delta_h":
                cur["delta_h_kJ"] = parse_value_unit(rest)
            elif key == "analytic":
                cur["analytic"] = tuple(float(x) for x in rest.split())
            elif key == "gamma":
                cur["gamma"] = tuple(float(x) for x in rest.split()[:2])
    return {k: v for k, v in records.items() if v.get("equation") and is_relevant(v["equation"])}


def fmt(v):
    if v is None:
        return "—"
    if isinstance(v, tuple):
        return " ".join("%g" % x for x in v)
    if isinstance(v, float):
        return "%g" % v
    return "`%s`" % v


def same(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, tuple):
        a = tuple(a) + (0.0,) * (6 - len(a))
        b = tuple(b) + (0.0,) * (6 - len(b))
        return all(abs(x - y) <= 1e-9 * max(1.0, abs(x)) for x, y in zip(a, b))
    if isinstance(a, float):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a))
    return a == b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--old-name", default="old")
    ap.add_argument("--new-name", default="new")
    a = ap.parse_args()
    old, new = parse(a.old), parse(a.new)
    print("| kind | name | field | %s | %s |" % (a.old_name, a.new_name))
    print("|---|---|---|---|---|")
    fields = ["equation", "log_k", "delta_h_kJ", "analytic", "gamma"]
    only_old, only_new, n_same = [], [], 0
    for key in sorted(set(old) | set(new), key=lambda k: (k[0] != "species", k[1])):
        if key not in new:
            only_old.append(key)
            continue
        if key not in old:
            only_new.append(key)
            continue
        diff = False
        for f in fields:
            if not same(old[key].get(f), new[key].get(f)):
                diff = True
                print("| %s | %s | %s | %s | %s |" % (key[0], key[1], f, fmt(old[key].get(f)),
                                                      fmt(new[key].get(f))))
        n_same += not diff
    print()
    print("Identical in both (all five fields): %d entries." % n_same)
    print()
    print("Only in %s: %s" % (a.old_name, ", ".join("%s `%s`" % k for k in only_old) or "none"))
    print()
    print("Only in %s: %s" % (a.new_name, ", ".join("%s `%s`" % k for k in only_new) or "none"))


if __name__ == "__main__":
    main()
