"""Flowsheets from Python against the `calx` command on the shipped flowsheets: the same
numbers bit for bit, the same diagnostics, the same report bytes."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

import calx
from conftest import FLOWSHEETS, ROOT, run_cli

REFERENCE = "flowsheets/kigam-cfbc-2022.yaml"


@pytest.fixture(scope="module")
def cli_json(calx_bin):
    return json.loads(run_cli(calx_bin, ["run", REFERENCE, "--format", "json"]).stdout)


@pytest.fixture(scope="module")
def reference():
    os.chdir(ROOT)
    return calx.load(REFERENCE).solve()


def test_reference_streams_equal_the_cli_json_bit_for_bit(reference, cli_json):
    table = reference.streams_si
    streams = cli_json["flowsheet"]["streams"]
    assert table["stream"] == [s["name"] for s in streams]
    assert table["T [K]"] == [s["stream"]["temperature"] for s in streams]
    assert table["P [Pa]"] == [s["stream"]["pressure"] for s in streams]
    for c in reference.components:
        assert table[f"{c} [kg/s]"] == [s["stream"]["flows"][c] for s in streams], c
    assert table["role"] == [s["role"] for s in streams]


def test_reference_units_closure_solver_and_analyses_equal_the_cli_json(reference, cli_json):
    flowsheet = cli_json["flowsheet"]
    mine = reference.to_dict()
    for key in ["balance", "energy", "solver", "name", "components"]:
        assert mine[key] == flowsheet[key], key
    assert [u["report"]["utilities"] for u in mine["units"]] == [
        u["report"]["utilities"] for u in flowsheet["units"]
    ]
    assert set(reference.analyses) == set(cli_json["analyses"])
    for name, analysis in reference.analyses.items():
        assert analysis.data == cli_json["analyses"][name], name
    lca = reference.analyses["lca"]
    assert lca["net_reduction_per_year"] > 0 and lca.units["net_reduction_per_year"]
    closure = reference.closure
    assert closure["relative_error"][0] == flowsheet["balance"][0]["relative_error"]
    assert reference.solver["calculation_order"] == flowsheet["solver"]["calculation_order"]
    electricity = [r for r in reference.units.rows() if r["name"] == "electricity"]
    assert [r["value"] for r in electricity] == [
        x["rate"] for u in flowsheet["units"] for x in u["report"]["utilities"] if x["utility"] == "electricity"
    ]


def test_the_text_is_what_calx_run_prints(reference, calx_bin):
    assert reference.text.rstrip() == run_cli(calx_bin, ["run", REFERENCE]).stdout.rstrip()


def test_display_units_agree_with_the_printed_table(reference, calx_bin):
    # The printed table's first block (kg/t_product, six significant digits): its `total` row.
    lines = run_cli(calx_bin, ["run", REFERENCE]).stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Streams ("))
    unit = lines[start][len("Streams (") : -1]
    names = lines[start + 1].split()
    total = next(line for line in lines[start:] if line.strip().startswith("total")).split()[1:]
    table = reference.streams
    column = table[f"total [{unit}]"]
    by_name = dict(zip(table["stream"], column))
    for name, printed in zip(names, total):
        assert by_name[name] == pytest.approx(float(printed), rel=5e-6), name
    assert f"T [degC]" in table.column_names


def test_tables_convert_to_pandas(reference):
    frame = reference.streams_si.to_pandas()
    assert list(frame.columns) == reference.streams_si.column_names
    assert frame["CaO [kg/s]"].tolist() == reference.streams_si["CaO [kg/s]"]
    with_capsule = reference.streams.__arrow_c_stream__()
    assert with_capsule is not None


def test_a_flowsheet_error_has_every_problem_with_line_and_column(calx_bin, tmp_path):
    text = (FLOWSHEETS / "kigam-cfbc-2022.yaml").read_text(encoding="utf-8")
    broken = text.replace("Ca(OH)2: 0.69993224932249", "Ca(OH)2: 1.69993224932249")
    broken = broken.replace("type: carbonator", "type: carbonater")
    assert broken != text
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    cli = run_cli(calx_bin, ["check", str(path)], check=False)
    assert cli.returncode == 2
    with pytest.raises(calx.FlowsheetError) as caught:
        calx.load(path)
    e = caught.value
    assert str(e).strip() == cli.stderr.strip()
    assert e.problems and e.file == str(path)
    positions = [f"--> {p.file}:{p.line}:{p.column}" for p in e.problems]
    assert positions == [line.strip() for line in cli.stderr.splitlines() if line.strip().startswith("-->")]
    assert (e.line, e.column) == (e.problems[0].line, e.problems[0].column)
    assert any("carbonater" in (p.found or p.message) for p in e.problems)


def test_from_yaml_names_the_text_in_its_errors():
    with pytest.raises(calx.FlowsheetError) as caught:
        calx.Flowsheet.from_yaml("name: x\nunits: [1, 2\n", name="inline.yaml")
    assert caught.value.file == "inline.yaml" and caught.value.line >= 1


def test_a_missing_file_is_file_not_found():
    with pytest.raises(FileNotFoundError):
        calx.load(FLOWSHEETS / "no-such-plant.yaml")


def test_set_then_solve_equals_editing_the_file():
    path = FLOWSHEETS / "kigam-cfbc-2022.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("Ca(OH)2: 0.69993224932249", "Ca(OH)2: 80 %")
    assert edited != text
    fs = calx.load(path)
    before = fs.solve()
    fs.set("units.carbonation.conversion.Ca(OH)2", "80 %")
    changed = fs.solve(warm=False)
    expected = calx.Flowsheet.from_yaml(edited, name=str(path), base_dir=path.parent).solve()
    assert changed.streams_si == expected.streams_si
    assert changed.analyses["lca"].data == expected.analyses["lca"].data
    assert changed.streams_si != before.streams_si
    fs.set("units.carbonation.conversion.Ca(OH)2", 0.8)
    assert fs.solve(warm=False).streams_si == expected.streams_si
    assert fs.changes[-1] == ("units.carbonation.conversion.Ca(OH)2", "0.8")
    # The file's own path says the same.
    fs.set("units.carbonation.params.conversion.Ca(OH)2", "80 %")
    assert fs.solve(warm=False).streams_si == expected.streams_si


def feed_flows(result, stream):
    table = result.streams_si
    row = table["stream"].index(stream)
    return {c: table[f"{c} [kg/s]"][row] for c in result.components}


def test_a_feed_fraction_set_alone_rescales_the_others_and_keeps_the_total():
    fs = calx.load(FLOWSHEETS / "kigam-cfbc-2022.yaml")
    before = feed_flows(fs.solve(), "raw_ash")
    fs.set("streams.raw_ash.composition.CaO", "22 wt%")
    after = feed_flows(fs.solve(warm=False), "raw_ash")
    total = sum(before.values())
    # The definition of the change: CaO is 22 % of the same total, every other component
    # keeps its share of the rest.
    assert sum(after.values()) == pytest.approx(total, rel=1e-14)
    assert after["CaO"] / total == pytest.approx(0.22, rel=1e-14)
    rest_before = total - before["CaO"]
    for c, w in before.items():
        if c != "CaO":
            assert after[c] / (total - after["CaO"]) == pytest.approx(w / rest_before, rel=1e-13, abs=0), c
    assert fs.changes[-1] == ("streams.raw_ash.composition.CaO", "22 wt%")


def test_a_feed_fraction_set_alone_gives_what_the_study_gives():
    # A study of one sample varying CaO's fraction, and `set` of the value it drew.
    definition = {
        "study": "ash",
        "flowsheet": "kigam-cfbc-2022.yaml",
        "seed": 11,
        "samples": 1,
        "parameters": [
            {"path": "streams.raw_ash.composition.CaO", "distribution": {"type": "uniform", "low": 0.15, "high": 0.3}}
        ],
        "metrics": ["analyses.lca.net_reduction_per_year", "analyses.tea.npv"],
    }
    sample = calx.study(definition, base_dir=FLOWSHEETS, progress=False).samples
    fs = calx.load(FLOWSHEETS / "kigam-cfbc-2022.yaml")
    fs.set("streams.raw_ash.composition.CaO", sample["streams.raw_ash.composition.CaO"][0])
    solved = fs.solve(warm=False)
    for metric in definition["metrics"]:
        _, analysis, name = metric.split(".")
        assert solved.analyses[analysis].metrics[name] == pytest.approx(sample[metric][0], rel=1e-12), metric


@pytest.mark.parametrize(
    "path, value, words",
    [
        ("streams.raw_ash.composition.CaO", "22 mol%", "not a mass fraction"),
        ("streams.raw_ash.composition.CaO", 1.5, "between 0 and 1"),
        ("streams.raw_ash.composition.CO2", 0.1, "CO2 is not in `raw_ash`"),
        ("streams.nowhere.composition.CaO", 0.1, "`nowhere` is not a feed"),
    ],
)
def test_a_feed_fraction_that_does_not_fit_is_refused_and_nothing_changes(path, value, words):
    fs = calx.load(FLOWSHEETS / "kigam-cfbc-2022.yaml")
    before = feed_flows(fs.solve(), "raw_ash")
    with pytest.raises(calx.FlowsheetError) as caught:
        fs.set(path, value)
    assert words in str(caught.value) and path in str(caught.value)
    assert fs.changes == []
    assert feed_flows(fs.solve(warm=False), "raw_ash") == before


def test_a_warm_resolve_starts_from_the_last_solution_and_agrees_with_a_cold_one():
    fs = calx.load(FLOWSHEETS / "nested-recycles.yaml")
    iterations = lambda r: [loop["iterations"] for loop in r.solver["loops"]]
    first = fs.solve()
    assert iterations(first) and min(iterations(first)) > 0
    # Solved again unchanged, the loops start at their solution: nothing to iterate.
    assert iterations(fs.solve()) == [0] * len(iterations(first))
    fs.set("units.classifier.split.CaO", "85 %")
    warm, cold = fs.solve(), fs.solve(warm=False)
    assert sum(iterations(warm)) <= sum(iterations(cold))
    for c in fs.components:
        for a, b in zip(warm.streams_si[f"{c} [kg/s]"], cold.streams_si[f"{c} [kg/s]"]):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12), c
    assert warm.streams_si != first.streams_si


def test_a_value_that_does_not_fit_raises_and_keeps_the_flowsheet():
    fs = calx.load(FLOWSHEETS / "kigam-cfbc-2022.yaml")
    base = fs.solve().streams_si
    with pytest.raises(calx.FlowsheetError) as caught:
        fs.set("units.carbonation.conversion.Ca(OH)2", "180 %")
    assert caught.value.problems[0].field.startswith("units.carbonation")
    assert fs.changes == []
    assert fs.solve(warm=False).streams_si == base


def test_a_plant_that_does_not_converge_raises_solve_error_naming_the_loop():
    fs = calx.load(FLOWSHEETS / "nested-recycles.yaml")
    fs.set("solver.max_iterations", 1)
    with pytest.raises(calx.SolveError) as caught:
        fs.solve()
    assert "converge" in str(caught.value) or "iteration" in str(caught.value)


def test_plugins_load_as_the_cli_loads_them(calx_bin, plugin_dir):
    path = "flowsheets/flue-gas-cyclone.yaml"
    with pytest.raises(calx.FlowsheetError) as caught:
        calx.load(ROOT / path, plugins=[ROOT / "no-plugins-here"])
    assert "calx_cyclone" in str(caught.value)
    fs = calx.load(ROOT / path, plugins=[plugin_dir])
    assert any(p.endswith("libcalx_cyclone.so") for p in fs.plugins)
    cli = json.loads(
        run_cli(calx_bin, ["run", path, "--format", "json"], env={"CALX_PLUGIN_PATH": str(plugin_dir)}).stdout
    )
    streams = cli["flowsheet"]["streams"]
    table = fs.solve().streams_si
    for c in fs.components:
        assert table[f"{c} [kg/s]"] == [s["stream"]["flows"][c] for s in streams], c


def test_the_report_is_the_one_calx_report_writes(reference, calx_bin, tmp_path):
    cli_path = tmp_path / "cli.html"
    run_cli(calx_bin, ["report", REFERENCE, "-o", str(cli_path)])
    mine = reference.report(tmp_path / "mine.html")
    assert mine.read_bytes() == cli_path.read_bytes()
    shown = reference._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "<script" not in shown
    md = reference.report(tmp_path / "mine.md")
    assert md.read_text(encoding="utf-8").startswith("#")
    assert any((tmp_path / "mine-files").iterdir())


def test_a_loaded_flowsheet_shows_its_diagram_as_written():
    fs = calx.load(ROOT / REFERENCE)
    shown = fs._repr_html_()
    assert shown.startswith("<div><svg") and "<script" not in shown
    # Every unit is drawn, and the legend says the flows come with solve().
    for name, _ in fs.units:
        assert f">{name}<" in fs.diagram(), name
    assert "solve for their flows" in fs.diagram()
    # Changes made with set are listed beside it.
    fs.set("units.hydration.conversion.CaO", "30 %")
    assert "units.hydration.conversion.CaO" in fs._repr_html_()


def largest_gap_during(call):
    """Run `call` while another Python thread ticks; the longest the ticker waited during the
    call, and how long the call took. A call that held the GIL would stop the ticker for
    all of its duration."""
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    t = threading.Thread(target=tick)
    t.start()
    try:
        time.sleep(0.01)
        started = time.perf_counter()
        call()
        ended = time.perf_counter()
    finally:
        stop.set()
        t.join()
    inside = [started] + [x for x in ticks if started < x < ended] + [ended]
    return max(b - a for a, b in zip(inside, inside[1:])), ended - started



SHIPPED = sorted(p.name for p in FLOWSHEETS.glob("*.yaml") if "uncertainty" not in p.name)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_flowsheet_equals_the_cli_json(name, calx_bin, plugin_dir):
    path = f"flowsheets/{name}"
    cli = json.loads(
        run_cli(calx_bin, ["run", path, "--format", "json"], env={"CALX_PLUGIN_PATH": str(plugin_dir)}).stdout
    )
    r = calx.load(ROOT / path, plugins=[plugin_dir]).solve()
    mine, theirs = r.to_dict(), cli["flowsheet"]
    for key in ["name", "components", "balance", "energy", "solver"]:
        assert mine[key] == theirs[key], key
    table = r.streams_si
    for c in r.components:
        assert table[f"{c} [kg/s]"] == [s["stream"]["flows"][c] for s in theirs["streams"]], c
    assert [s["aqueous"] for s in mine["streams"]] == [s["aqueous"] for s in theirs["streams"]]
    assert {n: a.data for n, a in r.analyses.items()} == cli["analyses"]


def test_a_design_that_cannot_be_met_raises_design_error_at_its_spec(calx_bin, tmp_path):
    text = (FLOWSHEETS / "kigam-cfbc-2022-co2-target.yaml").read_text(encoding="utf-8")
    edited = text.replace("co2_fixed = 2000 t/yr", "co2_fixed = 1e9 t/yr")
    assert edited != text
    path = tmp_path / "unreachable.yaml"
    path.write_text(edited, encoding="utf-8")
    cli = run_cli(calx_bin, ["run", str(path)], check=False)
    assert cli.returncode == 1
    with pytest.raises(calx.DesignError) as caught:
        calx.load(path).solve()
    e = caught.value
    assert isinstance(e, calx.SolveError) and str(e).strip() == cli.stderr.strip()
    assert e.problems[0].field == "design_specs[0].until"
    arrow = next(line.strip() for line in cli.stderr.splitlines() if line.strip().startswith("-->"))
    assert arrow == f"--> {path}:{e.line}:{e.column}"
