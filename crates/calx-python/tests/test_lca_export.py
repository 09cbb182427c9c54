"""`calx lca export` read back by the reference implementations from PyPI (installed by
`cargo xtask python`, versions pinned in xtask/src/python.rs): the `olca-schema` package parses
every entity of the openLCA zip, and bw2io imports the Brightway package into a temporary
project where bw2calc computes the score of one functional unit, compared with Calx's own
`emissions` figure of every impact category.

The flowsheets: the KIGAM 2022 reference plant with both of its `lca` analyses (the paper's
implied grid factor and the official one) and the mine-backfill plant (cement, tap water and
grid electricity from three background processes), and the reference plant again with its
grid given a loop through the background and a second gas (records written by the test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import olca_schema as o
import olca_schema.zipio as zipio
import pytest

from conftest import ROOT, run_cli

# The grid of the reference plant given upkeep that needs the grid again (a loop in the
# background: 1 / (1 - 0.01 x 20) = 1.25 kWh made per kWh delivered) and a CH4 emission, so the
# solvers of openLCA-style and Brightway matrices meet a loop and two gases. Test data [U].
LOOP = """    records:
      - "override process | electricity_kigam_2022_implied | 1 kWh | grid with upkeep | [U] test: a loop"
      - "emission | electricity_kigam_2022_implied | GHG (CO2-eq) | 0.3 kg"
      - "input | electricity_kigam_2022_implied | grid_upkeep | 0.01 t"
      - "process | grid_upkeep | 1 t | upkeep of the grid | [U] test: a loop"
      - "input | grid_upkeep | electricity_kigam_2022_implied | 20 kWh"
      - "emission | grid_upkeep | CH4, fossil | 1 kg"
"""

CASES = [
    ("flowsheets/kigam-cfbc-2022.yaml", "lca", None),
    ("flowsheets/kigam-cfbc-2022.yaml", "lca_official_grid", None),
    ("flowsheets/mine-backfill.yaml", "lca", None),
    ("flowsheets/kigam-cfbc-2022.yaml", "lca", LOOP),
]
IDS = ["kigam-paper-grid", "kigam-official-grid", "mine-backfill", "kigam-looped-grid"]


def flowsheet_of(tmp_path: Path, flowsheet: str, records) -> str:
    """The flowsheet, or a copy with `records` added to its `lca` block."""
    if records is None:
        return flowsheet
    text = (ROOT / flowsheet).read_text()
    assert "\n  lca:\n" in text
    path = tmp_path / "looped.yaml"
    path.write_text(text.replace("\n  lca:\n", "\n  lca:\n" + records, 1))
    return str(path)

ROOT_TYPES = [o.UnitGroup, o.FlowProperty, o.Flow, o.Process, o.ImpactCategory, o.ImpactMethod, o.ProductSystem]


def calx_categories(calx_bin: Path, flowsheet: str, analysis: str) -> dict:
    """Calx's emissions per functional unit in every category of the analysis."""
    out = run_cli(calx_bin, ["run", flowsheet, "--format", "json"])
    lca = json.loads(out.stdout)["analyses"][analysis]
    return {c["name"]: c["emissions"]["per_functional_unit"] for c in lca["categories"]}


def export(calx_bin: Path, tmp_path: Path, flowsheet: str, analysis: str, fmt: str, name: str) -> Path:
    path = tmp_path / name
    run_cli(calx_bin, ["lca", "export", flowsheet, str(path), "--format", fmt, "--analysis", analysis])
    return path


def olca_scores(reader: zipio.ZipReader) -> dict:
    """The functional unit's score in every category, solved from the package's processes:
    technosphere A (products x processes), interventions B, factors C, A s = f."""
    processes = list(reader.read_each(o.Process))
    products = {}
    for p in processes:
        (ref,) = [x for x in p.exchanges if x.is_quantitative_reference]
        products[ref.flow.id] = len(products)
    index = {p.id: products[[x for x in p.exchanges if x.is_quantitative_reference][0].flow.id] for p in processes}
    flows = {f.id: i for i, f in enumerate(f for f in reader.read_each(o.Flow) if f.flow_type == o.FlowType.ELEMENTARY_FLOW)}
    a = np.zeros((len(products), len(products)))
    b = np.zeros((len(flows), len(products)))
    for p in processes:
        j = index[p.id]
        for x in p.exchanges:
            if x.flow.id in flows:
                b[flows[x.flow.id], j] += -x.amount if x.is_input else x.amount
            else:
                # Inputs are linked: the provider's product row.
                i = index[x.default_provider.id] if x.is_input else products[x.flow.id]
                a[i, j] += -x.amount if x.is_input else x.amount
    (system,) = list(reader.read_each(o.ProductSystem))
    f = np.zeros(len(products))
    f[index[system.ref_process.id]] = system.target_amount
    g = b @ np.linalg.solve(a, f)
    scores = {}
    for c in reader.read_each(o.ImpactCategory):
        scores[c.name] = sum(g[flows[k.flow.id]] * k.value for k in c.impact_factors or [])
    return scores


@pytest.mark.parametrize("flowsheet,analysis,records", CASES, ids=IDS)
def test_the_olca_package_parses_entity_by_entity_and_scores_as_calx(calx_bin, tmp_path, flowsheet, analysis, records):
    flowsheet = flowsheet_of(tmp_path, flowsheet, records)
    path = export(calx_bin, tmp_path, flowsheet, analysis, "olca", "export.zip")
    expected = calx_categories(calx_bin, flowsheet, analysis)
    with zipio.ZipReader(path) as reader:
        counts = {}
        ids = set()
        for t in ROOT_TYPES:
            entities = list(reader.read_each(t))
            assert len(entities) == len(reader.ids_of(t))
            counts[t.__name__] = len(entities)
            ids.update(e.id for e in entities)
        # Every reference resolves to an entity of the package.
        for p in reader.read_each(o.Process):
            for x in p.exchanges:
                assert x.flow.id in ids and x.unit.id and x.flow_property.id in ids
                if x.default_provider is not None:
                    assert x.default_provider.id in ids
        (system,) = list(reader.read_each(o.ProductSystem))
        root = reader.read(o.Process, system.ref_process.id)
        assert "Calx" in root.description and analysis in root.description
        assert {p.name for p in root.parameters} == {"seconds_per_functional_unit", "functional_units_per_year"}
        assert counts["ImpactCategory"] == len(expected) and counts["ImpactMethod"] == 1
        scores = olca_scores(reader)
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


@pytest.mark.parametrize("flowsheet,analysis,records", CASES, ids=IDS)
def test_brightway_imports_the_package_and_bw2calc_gives_calx_score(calx_bin, tmp_path, flowsheet, analysis, records):
    flowsheet = flowsheet_of(tmp_path, flowsheet, records)
    path = export(calx_bin, tmp_path, flowsheet, analysis, "brightway", "export.bw2package")
    expected = calx_categories(calx_bin, flowsheet, analysis)
    home = tmp_path / "brightway"
    home.mkdir()
    env = dict(os.environ, BRIGHTWAY2_DIR=str(home))
    script = Path(__file__).with_name("brightway_score.py")
    out = subprocess.run([sys.executable, str(script), str(path)], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["metadata"]["parameters"]["analysis"] == analysis
    assert got["metadata"]["calx_version"]
    for name, value in expected.items():
        # bw2calc over the imported exchanges at their float64 values: Calx's figure.
        assert got["float64"][name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
        # Brightway's own matrices hold float32 amounts (bw_processing): about 6e-8 each.
        assert got["standard"][name] == pytest.approx(value, rel=1e-6, abs=1e-9), name
