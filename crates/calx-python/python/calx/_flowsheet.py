"""Flowsheets and their results: `load`, `Flowsheet`, `Result`, `Analysis`."""

from __future__ import annotations

import os
# `typing` is not imported at run time (it imports `re`, a third of `import calx`);
# annotations are strings (`from __future__ import annotations`), read by type checkers only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

    PathLike = Union[str, os.PathLike[str]]

from . import _native
from ._tables import Table

__all__ = ["load", "Flowsheet", "Result", "Analysis"]


def _dirs(plugins: Sequence[PathLike]) -> List[str]:
    return [os.fspath(p) for p in plugins]


def load(path: PathLike, plugins: Sequence[PathLike] = ()) -> "Flowsheet":
    """Read a flowsheet file and load the plugin libraries its `plugins:` lists.

    Bare library names (`calx_cyclone`) are looked for in the file's directory, then in the
    directories `plugins`, then in those of `CALX_PLUGIN_PATH`, as `calx run` does. Raises
    `FileNotFoundError` for a missing file and `calx.FlowsheetError` (with every problem, its
    line and column) for a file with problems.
    """
    path = os.fspath(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return Flowsheet.from_yaml(text, name=path, base_dir=os.path.dirname(path), plugins=plugins)


class Flowsheet:
    """A flowsheet, loaded with its plugins, ready to change and solve.

    >>> fs = calx.load("flowsheets/kigam-cfbc-2022.yaml")
    >>> fs.set("units.carbonation.conversion.Ca(OH)2", "80 %")
    >>> result = fs.solve()
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_native.Flowsheet") -> None:
        """Wrap a native flowsheet (use `calx.load` or `Flowsheet.from_yaml`)."""
        self._native = native

    @classmethod
    def from_yaml(
        cls,
        text: str,
        name: str = "<yaml>",
        base_dir: Optional[PathLike] = None,
        plugins: Sequence[PathLike] = (),
    ) -> "Flowsheet":
        """Decode flowsheet text; `name` names it in error messages.

        Relative `plugins:` entries start from `base_dir` (default: the current directory).
        Raises `calx.FlowsheetError` with every problem and its position.
        """
        base = None if base_dir is None else os.fspath(base_dir)
        return cls(_native.Flowsheet.from_yaml(text, name, base, _dirs(plugins)))

    def set(self, path: str, value: Union[float, int, bool, str]) -> "Flowsheet":
        """Set a value as if it were written in the file at the dotted `path`; returns self.

        Paths and units are those of a study's `set:` and parameters:
        `units.carbonation.conversion.Ca(OH)2` with `0.8` or `"80 %"`,
        `streams.raw_ash.composition.CaO` with `"22 wt%"` (a mass fraction: the feed's other
        components are scaled to keep its total, as a study does). A value that does not fit
        raises `calx.FlowsheetError` at its position and leaves the flowsheet as it was.
        """
        self._native.set(path, value)
        return self

    def solve(self, warm: bool = True) -> "Result":
        """Solve the plant and run its analyses (the GIL is released meanwhile).

        With `warm=True`, recycle loops start from the previous solve's converged values;
        `warm=False` starts cold, exactly like `calx run` on the file. Raises
        `calx.SolveError` (naming the unit, stream or loop) when the plant does not converge
        or a number is not finite, `calx.DesignError` when a design specification cannot be
        met, `calx.AnalysisError` when an analysis fails.
        """
        return Result(self._native.solve(warm))

    @property
    def name(self) -> str:
        """The flowsheet's name."""
        return self._native.name

    @property
    def components(self) -> List[str]:
        """Component names, in flow-vector order."""
        return self._native.components

    @property
    def units(self) -> List[Tuple[str, str]]:
        """(name, type) of each unit, in file order."""
        return self._native.units

    @property
    def changes(self) -> List[Tuple[str, str]]:
        """The changes made with `set`, as (path, value as written)."""
        return self._native.changes

    @property
    def plugins(self) -> List[str]:
        """Paths of the plugin libraries loaded for this flowsheet."""
        return self._native.plugins

    def __repr__(self) -> str:
        """Name, number of units and components."""
        return repr(self._native)

    def diagram(self) -> str:
        """The diagram as written (units and streams, no flows yet), as SVG; a solved
        `Result`'s report draws it with its flows."""
        return self._native.diagram()

    def _repr_html_(self) -> str:
        """The diagram as written (the report's renderer), units, components and changes;
        flows, key figures and closure are the Result's (solve)."""
        import html  # only for notebooks: not imported with calx

        rows = "".join(
            f"<tr><td>{html.escape(n)}</td><td>{html.escape(t)}</td></tr>" for n, t in self.units
        )
        changes = "".join(
            f"<li><code>{html.escape(p)}</code> = {html.escape(v)}</li>" for p, v in self.changes
        )
        return (
            f"<div>{self.diagram()}<p><strong>{html.escape(self.name)}</strong>: {len(self.units)} units, "
            f"{len(self.components)} components ({html.escape(', '.join(self.components))})</p>"
            f"<table><thead><tr><th>unit</th><th>type</th></tr></thead><tbody>{rows}</tbody></table>"
            + (f"<p>Changed with set:</p><ul>{changes}</ul>" if changes else "")
            + "<p><em>solve() for the flows, stream table, closure and analyses.</em></p></div>"
        )


class Analysis:
    """One analysis's output (LCA, TEA, carbon ledger...): metrics, text, JSON and tables."""

    __slots__ = ("name", "type", "metrics", "units", "text", "data", "tables")

    def __init__(self, parts: tuple) -> None:
        """From the native parts (name, type, metrics, text, JSON, CSV tables)."""
        import json  # here, not with calx: `import calx` stays fast (json pulls in re)

        name, type_name, metrics, text, data, tables = parts
        self.name: str = name
        """Its name in the flowsheet (`lca`)."""
        self.type: str = type_name
        """Its type (`lca`, `tea`)."""
        self.metrics: Dict[str, float] = {m: v for m, v, _ in metrics}
        """Headline figures by name, in the units of `units`."""
        self.units: Dict[str, str] = {m: u for m, _, u in metrics}
        """The unit of measure of each metric."""
        self.text: str = text
        """The text report `calx run` prints for it."""
        self.data: Any = json.loads(data) if data else None
        """Its full result: what `calx run --format json` gives under `analyses.NAME`."""
        self.tables: Dict[str, Table] = {
            (part or "main"): Table.from_csv(csv) for part, csv in tables
        }
        """Its tables by part (`main`, `cash-flow`...), as `calx run --format csv` writes them."""

    def __getitem__(self, metric: str) -> float:
        """A metric's value (`result.analyses["lca"]["net_reduction_per_year"]`)."""
        return self.metrics[metric]

    def __repr__(self) -> str:
        """Name, type and metrics."""
        return f"<calx.Analysis {self.name} ({self.type}): {self.metrics}>"

    def _repr_html_(self) -> str:
        """The metrics as a table."""
        import html  # only for notebooks: not imported with calx

        rows = "".join(
            f"<tr><td>{html.escape(m)}</td><td>{v:.6g}</td><td>{html.escape(self.units[m])}</td></tr>"
            for m, v in self.metrics.items()
        )
        return f"<table><caption>{html.escape(self.name)} ({html.escape(self.type)})</caption>{rows}</table>"


class Result:
    """A solved flowsheet: streams, units, closure, solver summary and analyses.

    Tables are `calx.Table` (pyarrow underneath; `.to_pandas()`, `.to_polars()`).
    """

    __slots__ = ("_native", "_json", "_analyses")

    def __init__(self, native: "_native.Solution") -> None:
        """Wrap a native solution (use `Flowsheet.solve`)."""
        self._native = native
        self._json: Optional[dict] = None
        self._analyses: Optional[Dict[str, Analysis]] = None

    @property
    def streams(self) -> Table:
        """One row per stream: stream, role, from, to, T, P, total and one column per
        component, in the flowsheet's display units (named in each column)."""
        return Table.from_columns(self._native.stream_columns(False))

    @property
    def streams_si(self) -> Table:
        """The stream table in K, Pa and kg/s: the numbers of `calx run --format json`."""
        return Table.from_columns(self._native.stream_columns(True))

    @property
    def units(self) -> Table:
        """What each unit reports, one row per utility, make-up material and size (SI)."""
        return Table.from_columns(self._native.unit_columns())

    @property
    def closure(self) -> Table:
        """Balance closure, one row per quantity (mass, elements, energy) over the whole
        flowsheet (`scope` "flowsheet") and over each unit: inflow, outflow, relative error."""
        f = self.to_dict()
        rows: List[Tuple[str, dict]] = [("flowsheet", c) for c in f["balance"]]
        if "inflow" in f["energy"]:
            rows.append(("flowsheet", f["energy"]))
        for u in f["units"]:
            rows.extend((u["name"], c) for c in u["balance"])
            if "inflow" in u["energy"]:
                rows.append((u["name"], u["energy"]))
        return Table.from_columns(
            [
                ("scope", [s for s, _ in rows]),
                ("quantity", [c["quantity"] for _, c in rows]),
                ("inflow", [float(c["inflow"]) for _, c in rows]),
                ("outflow", [float(c["outflow"]) for _, c in rows]),
                ("relative_error", [float(c["relative_error"]) for _, c in rows]),
            ]
        )

    @property
    def solver(self) -> dict:
        """The solver summary: calculation order, recycle loops (iterations, residuals),
        design specifications, unit calculations."""
        return self.to_dict()["solver"]

    @property
    def analyses(self) -> Dict[str, Analysis]:
        """The analyses by name, in run order (`result.analyses["lca"].metrics`)."""
        if self._analyses is None:
            self._analyses = {a[0]: Analysis(a) for a in self._native.analyses()}
        return self._analyses

    @property
    def components(self) -> List[str]:
        """Component names, in flow-vector order."""
        return list(self.to_dict()["components"])

    def to_dict(self) -> dict:
        """The converged flowsheet as `calx run --format json` gives it under `flowsheet`
        (SI units), except that stream flows are lists in the order of `components`."""
        if self._json is None:
            import json  # here, not with calx: `import calx` stays fast

            self._json = json.loads(self._native.flowsheet_json())
        return self._json

    @property
    def text(self) -> str:
        """The text `calx run` prints (display units)."""
        return self._native.text()

    def __str__(self) -> str:
        """The text `calx run` prints."""
        return self.text

    def html(self) -> str:
        """The full report as one self-contained HTML page (what `calx report` writes)."""
        return self._native.html()

    def report(self, path: PathLike) -> Path:
        """Write the report: self-contained HTML, or Markdown with its SVG figures in a
        `NAME-files/` directory beside it when `path` ends in `.md`. Returns the path."""
        from pathlib import Path  # here, not with calx: pathlib imports `re`

        path = Path(path)
        if path.suffix == ".md":
            assets = path.with_name(path.stem + "-files")
            text, files = self._native.markdown(assets.name)
            if files:
                assets.mkdir(parents=True, exist_ok=True)
            for name, content in files:
                (assets / name).write_text(content, encoding="utf-8")
            path.write_text(text, encoding="utf-8")
        else:
            path.write_text(self.html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        """The report (diagram, key figures, stream table, closure, analyses) in an isolated
        frame: the same page as `calx report`, offline and without scripts."""
        import html  # only for notebooks: not imported with calx

        page = html.escape(self.html(), quote=True)
        return (
            f'<iframe srcdoc="{page}" style="width:100%;height:640px;border:1px solid #ddd" '
            'sandbox="" title="Calx report"></iframe>'
        )

    def __repr__(self) -> str:
        """Name, streams and analyses."""
        f = self.to_dict()
        return (
            f"<calx.Result {f['name']!r}: {len(f['streams'])} streams, "
            f"analyses {list(self.analyses)}>"
        )
