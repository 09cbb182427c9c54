"""The scale-out recipe of docs/python.md: a study's shards run on Dask workers (separate
processes, as on a cluster) and merged give the one-process study's files byte for byte."""

from __future__ import annotations

import os

import calx
from conftest import ROOT

STUDY = ROOT / "flowsheets" / "kigam-cfbc-2022-uncertainty.yaml"
SAMPLES = 64


def test_dask_shards_merge_into_the_one_process_study():
    from distributed import Client, LocalCluster

    n = 4
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            assert os.getpid() not in client.run(os.getpid).values()
            futures = [
                client.submit(calx.study, STUDY, samples=SAMPLES, shard=(i, n), threads=1, progress=False, pure=False)
                for i in range(n)
            ]
            shards = client.gather(futures)
    whole = calx.merge(STUDY, shards, samples=SAMPLES)
    one_process = calx.study(STUDY, samples=SAMPLES, progress=False)
    assert [s.shard for s in shards] == [(i, n) for i in range(n)]
    assert whole.files == one_process.files
