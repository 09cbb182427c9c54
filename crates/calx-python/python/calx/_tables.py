"""Tables: a pyarrow table with `.to_pandas()` and `.to_polars()`, for results and studies.

pyarrow is the one required dependency; pandas and polars are used only when asked for, and a
missing one raises ImportError saying which package to install. pyarrow itself is imported
when the first table is made, not with `calx`: it takes longer to import than the rest of the
package together, and loading and solving need none of it.
"""

from __future__ import annotations

import io
# `typing` is not imported at run time (it imports `re`, a third of `import calx`);
# annotations are strings (`from __future__ import annotations`), read by type checkers only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator, List, Sequence, Tuple, Union

    import pyarrow as pa

__all__ = ["Table"]


class Table:
    """A table of results: a pyarrow table underneath (`.arrow`), shown as HTML in notebooks.

    `to_pandas()` and `to_polars()` convert it when those packages are installed; the Arrow
    C stream interface (`__arrow_c_stream__`) lets polars, pandas, DuckDB and others take it
    directly, without a copy.
    """

    __slots__ = ("arrow",)

    def __init__(self, arrow: "pa.Table") -> None:
        """Wrap a pyarrow table."""
        self.arrow = arrow

    @classmethod
    def from_columns(cls, columns: Sequence[Tuple[str, Sequence[Any]]]) -> "Table":
        """A table from (name, values) pairs; numbers become float64 columns, text strings."""
        import pyarrow as pa

        names = [name for name, _ in columns]
        arrays = []
        for _, values in columns:
            is_text = len(values) > 0 and isinstance(values[0], str)
            arrays.append(pa.array(values, type=pa.string() if is_text else pa.float64()))
        return cls(pa.Table.from_arrays(arrays, names=names))

    @classmethod
    def from_csv(cls, text: str) -> "Table":
        """A table from CSV text with a header line (numbers read as float64 or int64)."""
        import pyarrow.csv as pa_csv

        options = pa_csv.ReadOptions(use_threads=True)
        return cls(pa_csv.read_csv(io.BytesIO(text.encode("utf-8")), read_options=options))

    @property
    def column_names(self) -> List[str]:
        """The column names, in order."""
        return list(self.arrow.column_names)

    @property
    def num_rows(self) -> int:
        """The number of rows."""
        return self.arrow.num_rows

    def __len__(self) -> int:
        """The number of rows."""
        return self.arrow.num_rows

    def column(self, name: Union[str, int]) -> List[Any]:
        """One column's values as a Python list."""
        return self.arrow.column(name).to_pylist()

    def __getitem__(self, name: Union[str, int]) -> List[Any]:
        """One column's values as a Python list (`table["stream"]`)."""
        return self.column(name)

    def rows(self) -> List[dict]:
        """The rows as dictionaries (column name to value)."""
        return self.arrow.to_pylist()

    def __iter__(self) -> Iterator[dict]:
        """Iterate over the rows as dictionaries."""
        return iter(self.rows())

    def to_pandas(self) -> Any:
        """A pandas DataFrame (needs pandas: `pip install pandas`)."""
        try:
            import pandas  # noqa: F401  (pyarrow's conversion imports it; the message is ours)
        except ImportError as e:
            raise ImportError("Table.to_pandas needs pandas: pip install pandas") from e
        return self.arrow.to_pandas()

    def to_polars(self) -> Any:
        """A polars DataFrame (needs polars: `pip install polars`)."""
        try:
            import polars
        except ImportError as e:
            raise ImportError("Table.to_polars needs polars: pip install polars") from e
        return polars.from_arrow(self.arrow)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule stream interface, so other libraries can read the table."""
        return self.arrow.__arrow_c_stream__(requested_schema)

    def __eq__(self, other: object) -> bool:
        """Equal when the other is a Table with equal columns and values."""
        return isinstance(other, Table) and self.arrow.equals(other.arrow)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking value type: not hashable

    def __repr__(self) -> str:
        """The column names and the number of rows."""
        return f"<calx.Table {self.num_rows} rows: {', '.join(self.column_names)}>"

    def _repr_html_(self) -> str:
        """An HTML table for notebooks (numbers to 6 significant digits)."""
        import html  # only for notebooks: not imported with calx

        head = "".join(f"<th>{html.escape(str(n))}</th>" for n in self.column_names)
        body = []
        for row in self.arrow.to_pylist():
            cells = []
            for v in row.values():
                text = f"{v:.6g}" if isinstance(v, float) else ("" if v is None else str(v))
                cells.append(f"<td>{html.escape(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
