"""Calx: process-simulation flowsheets from Python.

Load a flowsheet (YAML), change its values, solve it and read its results as tables; run
parameter studies, whole or in shards. Everything runs in Rust (the `calx` library the
command uses), with the GIL released while it works.

>>> import calx
>>> fs = calx.load("flowsheets/kigam-cfbc-2022.yaml")
>>> r = fs.solve()
>>> r.streams.to_pandas()                       # one row per stream, display units
>>> r.analyses["lca"].metrics["net_reduction_per_year"]
>>> fs.set("units.carbonation.conversion.Ca(OH)2", "80 %").solve()
>>> s = calx.study("flowsheets/kigam-cfbc-2022-uncertainty.yaml", samples=1000)
>>> s.summary.to_pandas()
"""

from ._flowsheet import Analysis, Flowsheet, Result, load
from ._native import (
    AnalysisError,
    CalxError,
    DesignError,
    FlowsheetError,
    Problem,
    SolveError,
    StudyError,
    __version__,
)
from ._study import StudyResult, merge, study
from ._tables import Table

__all__ = [
    "load",
    "Flowsheet",
    "Result",
    "Analysis",
    "Table",
    "study",
    "merge",
    "StudyResult",
    "CalxError",
    "FlowsheetError",
    "SolveError",
    "DesignError",
    "AnalysisError",
    "StudyError",
    "Problem",
    "__version__",
]
