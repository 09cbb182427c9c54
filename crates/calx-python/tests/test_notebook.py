"""The example notebook (docs/python-walkthrough.ipynb) executes from top to bottom, so it
cannot rot: every cell runs, the plots are drawn and the report is shown inline."""

from __future__ import annotations

import nbclient
import nbformat

from conftest import ROOT


def test_the_walkthrough_notebook_executes():
    nb = nbformat.read(ROOT / "docs" / "python-walkthrough.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2
    report = nb.cells[-1].outputs[0]["data"]["text/html"]
    assert report.startswith("<iframe srcdoc=") and "<script" not in report
    summary = nb.cells[6].outputs[-1]["data"]["text/plain"]
    assert "analyses.tea.npv" in summary
