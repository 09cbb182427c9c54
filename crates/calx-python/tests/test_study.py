"""Studies from Python against `calx study` on the shipped study: the same files byte for
byte, shards that merge into the whole study, progress reported, the GIL released."""

from __future__ import annotations

import pickle

import pytest

import calx
from conftest import FLOWSHEETS, ROOT, run_cli
from test_flowsheet import largest_gap_during

STUDY = "flowsheets/kigam-cfbc-2022-uncertainty.yaml"
SAMPLES = 96


@pytest.fixture(scope="module")
def whole():
    return calx.study(ROOT / STUDY, samples=SAMPLES, progress=False)


def test_a_study_equals_calx_study_byte_for_byte(whole, calx_bin, tmp_path):
    run_cli(calx_bin, ["study", STUDY, "--samples", str(SAMPLES), "-o", str(tmp_path)])
    # calx-output.json is the command's manifest of the files it wrote (their SHA-256), and
    # samples.parquet a second copy of samples.csv: the package gives the files themselves.
    written = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("samples.parquet", "calx-output.json"))
    assert sorted(whole.files) == written
    for name in written:
        assert whole.files[name].encode("utf-8") == (tmp_path / name).read_bytes(), name
    assert "carbon.txt" in whole.files and whole.warning is None


def test_a_shard_equals_calx_study_shard(calx_bin, tmp_path):
    run_cli(calx_bin, ["study", STUDY, "--samples", str(SAMPLES), "--shard", "1/3", "-o", str(tmp_path)])
    shard = calx.study(ROOT / STUDY, samples=SAMPLES, shard=(1, 3), progress=False)
    assert shard.files["samples.csv"].encode("utf-8") == (tmp_path / "samples.csv").read_bytes()
    assert shard.range == (32, 64) and shard.summary is None


def test_shards_merge_into_the_whole_study(whole):
    shards = [calx.study(ROOT / STUDY, samples=SAMPLES, shard=(i, 3), threads=1, progress=False) for i in range(3)]
    # Shards travel between processes (Dask, Ray) pickled.
    shards = [pickle.loads(pickle.dumps(s)) for s in reversed(shards)]
    merged = calx.merge(ROOT / STUDY, shards, samples=SAMPLES)
    assert merged.files == whole.files


def test_a_shard_of_another_seed_does_not_merge():
    a = calx.study(ROOT / STUDY, samples=SAMPLES, shard=(0, 2), progress=False)
    b = calx.study(ROOT / STUDY, samples=SAMPLES, shard=(1, 2), seed=7, progress=False)
    with pytest.raises(calx.StudyError):
        calx.merge(ROOT / STUDY, [a, b], samples=SAMPLES)


def test_tables_and_summary(whole):
    samples = whole.samples
    assert samples.num_rows == SAMPLES
    assert samples["sample"] == list(range(SAMPLES))
    summary = whole.summary.to_pandas()
    assert list(summary["metric"]) == [
        "analyses.tea.benefit_cost_ratio",
        "analyses.tea.npv",
        "analyses.tea.unit_production_cost",
        "analyses.lca.net_reduction_per_functional_unit",
        "analyses.lca_official_grid.net_reduction_per_functional_unit",
        "analyses.carbon.credited_per_year",
    ]
    npv = [x for x, ok in zip(samples["analyses.tea.npv"], samples["status"]) if ok == "ok"]
    assert summary["mean"][1] == pytest.approx(sum(npv) / len(npv), rel=1e-12)


def test_a_study_given_as_a_dictionary_equals_its_file():
    definition = {
        "study": "conversion",
        "flowsheet": "kigam-cfbc-2022.yaml",
        "seed": 5,
        "samples": 40,
        "sampling": "lhs",
        "parameters": [
            {
                "path": "units.carbonation.conversion.Ca(OH)2",
                "distribution": {"type": "uniform", "low": 0.6, "high": 0.9},
            }
        ],
        "metrics": ["analyses.lca.net_reduction_per_year"],
    }
    from_dict = calx.study(definition, base_dir=FLOWSHEETS, progress=False)
    text = """study: conversion
flowsheet: kigam-cfbc-2022.yaml
seed: 5
samples: 40
sampling: lhs
parameters:
  - path: units.carbonation.conversion.Ca(OH)2
    distribution: { type: uniform, low: 0.6, high: 0.9 }
metrics:
  - analyses.lca.net_reduction_per_year
"""
    path = FLOWSHEETS / "_python_test_study.yaml"
    try:
        path.write_text(text, encoding="utf-8")
        from_file = calx.study(path, progress=False)
    finally:
        path.unlink()
    assert from_dict.files == from_file.files


def test_progress_is_reported_and_the_gil_released():
    seen = []
    result = {}

    def run():
        result["r"] = calx.study(
            ROOT / STUDY, samples=256, shard=(0, 1), progress=lambda done, total: seen.append((done, total))
        )

    gap, took = largest_gap_during(run)
    assert seen[-1] == (256, 256) and len(seen) >= 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert gap < took / 2, (gap, took)


def test_a_study_that_does_not_fit_raises_study_error():
    with pytest.raises(calx.StudyError) as caught:
        calx.study(
            {"study": "x", "flowsheet": "kigam-cfbc-2022.yaml", "samples": 4, "seed": 1,
             "parameters": [{"path": "units.nowhere.conversion", "distribution": {"type": "uniform", "low": 0, "high": 1}}],
             "metrics": ["analyses.lca.net_reduction_per_year"]},
            base_dir=FLOWSHEETS,
            progress=False,
        )
    assert "units.nowhere" in str(caught.value)


def test_without_a_callback_the_progress_is_a_tqdm_bar(capsys):
    calx.study(ROOT / STUDY, samples=SAMPLES, shard=(0, 2))
    err = capsys.readouterr().err
    assert "48/48" in err and "samples" in err
