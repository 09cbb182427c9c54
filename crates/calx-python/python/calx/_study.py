"""Parameter studies from Python: `study`, `merge` and `StudyResult`.

A study runs in Rust with the GIL released, in batches with a progress callback between
them. Its files are made by the functions `calx study` writes them with, so a study run here
and one run by the command on the same seed give the same bytes. A `StudyResult` holds text
only, so it pickles: shards run on other processes or machines (Dask, Ray) come back to be
merged with `merge`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# `typing` is not imported at run time (it imports `re`, a third of `import calx`);
# annotations are strings (`from __future__ import annotations`), read by type checkers only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

    PathLike = Union[str, os.PathLike[str]]
    Progress = Union[None, bool, Callable[[int, int], Any]]

from . import _native
from ._tables import Table

__all__ = ["study", "merge", "StudyResult"]



class StudyResult:
    """A study's output: the files `calx study` writes, as text, and tables of them.

    `files` maps file names (`samples.csv`, `summary.csv`, `spearman.csv`, `tornado.csv`,
    `sweep.csv`, `carbon.txt`...) to their text; a shard has `samples.csv` only. The tables
    (`samples`, `summary`...) are read from that text. Everything here is text and numbers,
    so the result pickles.
    """

    def __init__(
        self,
        files: Dict[str, str],
        shard: Optional[Tuple[int, int]],
        sample_range: Tuple[int, int],
        failed: int,
        warning: Optional[str] = None,
    ) -> None:
        """A result from its files (use `calx.study` or `calx.merge`)."""
        self.files: Dict[str, str] = files
        """File name to text, as `calx study -o DIR` writes them (no `samples.parquet`)."""
        self.shard: Optional[Tuple[int, int]] = shard
        """(i, n) for shard i of n, None for a whole study."""
        self.range: Tuple[int, int] = sample_range
        """The sample indices held, as (start, end)."""
        self.failed: int = failed
        """How many samples failed (their reasons are in `samples`)."""
        self.warning: Optional[str] = warning
        """Why the analyses could not take the samples into account, if they could not
        (the statistics files are complete; the analyses' files are then missing)."""

    def _table(self, name: str) -> Optional[Table]:
        text = self.files.get(name)
        return None if text is None else Table.from_csv(text)

    @property
    def samples(self) -> Table:
        """One row per sample: index, status, parameter values, metric values."""
        return self._table("samples.csv")  # type: ignore[return-value]

    @property
    def summary(self) -> Optional[Table]:
        """Per metric: successful and failed samples, mean, sd, P5, P50, P95 (whole studies)."""
        return self._table("summary.csv")

    @property
    def spearman(self) -> Optional[Table]:
        """Spearman rank correlations of each parameter with each metric (whole studies)."""
        return self._table("spearman.csv")

    @property
    def tornado(self) -> Optional[Table]:
        """The one-at-a-time tornado: each metric at each parameter's low and high value."""
        return self._table("tornado.csv")

    @property
    def sweep(self) -> Optional[Table]:
        """The sweep grid's metrics, when the study has a sweep."""
        return self._table("sweep.csv")

    def write(self, directory: PathLike) -> List[Path]:
        """Write every file into `directory` (created if needed); returns their paths."""
        from pathlib import Path  # here, not with calx: pathlib imports `re`

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in self.files.items():
            p = d / name
            p.write_text(text, encoding="utf-8", newline="")
            written.append(p)
        return written

    def __repr__(self) -> str:
        """Range, failures and files."""
        what = "whole study" if self.shard is None else f"shard {self.shard[0]}/{self.shard[1]}"
        return (
            f"<calx.StudyResult {what}: samples {self.range[0]}..{self.range[1]}, "
            f"{self.failed} failed; files {sorted(self.files)}>"
        )

    def _repr_html_(self) -> str:
        """The summary table (or, for a shard, its range)."""
        summary = self.summary
        head = f"<p>{self.__repr__()[1:-1].replace('<', '&lt;')}</p>"
        return head + (summary._repr_html_() if summary is not None else "")


def _read_study(
    study_file: Union[PathLike, Mapping[str, Any]], base_dir: Optional[PathLike]
) -> Tuple[str, str, str]:
    """(study text, its name for messages, the directory its flowsheet path starts from)."""
    if isinstance(study_file, Mapping):
        # JSON is YAML: the study reader takes the dictionary as its JSON text.
        import json  # here, not with calx: `import calx` stays fast
        base = os.fspath(base_dir) if base_dir is not None else ""
        return json.dumps(dict(study_file)), "<study dict>", base
    path = os.fspath(study_file)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    base = os.fspath(base_dir) if base_dir is not None else os.path.dirname(path)
    return text, path, base


def _prepare(
    study_file: Union[PathLike, Mapping[str, Any]],
    samples: Optional[int],
    seed: Optional[int],
    plugins: Sequence[PathLike],
    base_dir: Optional[PathLike],
) -> "_native.Study":
    text, name, base = _read_study(study_file, base_dir)
    flowsheet = os.path.join(base, _native.Study.flowsheet_of(text, name))
    with open(flowsheet, encoding="utf-8") as f:
        flowsheet_text = f.read()
    dirs = [os.fspath(p) for p in plugins]
    return _native.Study(text, name, flowsheet_text, flowsheet, samples, seed, dirs)


def _progress_callback(progress: Progress, total: int) -> Tuple[Optional[Callable[[int], None]], Any]:
    """The callback given to the native run (samples done so far) and a bar to close."""
    if progress is False:
        return None, None
    if callable(progress):
        return (lambda done: progress(done, total)), None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, None
    bar = tqdm(total=total, unit="samples")
    return (lambda done: bar.update(done - bar.n)), bar


def study(
    study_file: Union[PathLike, Mapping[str, Any]],
    *,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    shard: Optional[Tuple[int, int]] = None,
    threads: Optional[int] = None,
    progress: Progress = None,
    plugins: Sequence[PathLike] = (),
    base_dir: Optional[PathLike] = None,
) -> StudyResult:
    """Run a parameter study, as `calx study` does, and return its files and tables.

    `study_file` is a study file (docs/studies.md) or a dictionary of the same fields (its
    `flowsheet:` is then relative to `base_dir`, default the current directory). `samples`
    and `seed` override the file's. `shard=(i, n)` runs only shard i of n (0-based) and
    returns its samples, for `calx.merge`. `threads` sets the worker threads (default one per
    core; results do not depend on it). The GIL is released while samples run; `progress`
    is a callable `(done, total)`, False for none, or None for a tqdm bar when tqdm is
    installed. Raises `calx.StudyError` for a study that does not fit its flowsheet, and the
    flowsheet's own errors (`FlowsheetError`, `SolveError`) for its base case.
    """
    s = _prepare(study_file, samples, seed, plugins, base_dir)
    s.check_size(shard is None)
    start, end = (0, s.samples) if shard is None else s.shard_range(shard[0], shard[1])
    callback, bar = _progress_callback(progress, end - start)
    try:
        done = s.run(start, end, callback, threads)
    finally:
        if bar is not None:
            bar.close()
    files = {"samples.csv": s.header() + done.csv()}
    warning = None
    if shard is None:
        reports, warning = s.reports(done, threads)
        files.update(reports)
    return StudyResult(files, shard, (start, end), done.failed, warning)


def merge(
    study_file: Union[PathLike, Mapping[str, Any]],
    shards: Sequence[StudyResult],
    *,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    plugins: Sequence[PathLike] = (),
    base_dir: Optional[PathLike] = None,
) -> StudyResult:
    """Merge the shards of a study into what one run gives, as `calx study merge` does.

    Every sample index must be there exactly once, with the values this study draws for it
    (bit for bit): shards of another seed, sampling or file are refused with
    `calx.StudyError`. Give the same `samples` and `seed` as the shards ran with.
    """
    s = _prepare(study_file, samples, seed, plugins, base_dir)
    parts = [s.parse(r.files["samples.csv"]) for r in shards]
    whole = s.merge(parts)
    files = {"samples.csv": s.header() + whole.csv()}
    reports, warning = s.reports(whole, threads)
    files.update(reports)
    return StudyResult(files, None, (0, len(whole)), whole.failed, warning)
