"""Type stubs of `calx._native`, the Rust half of the package (import `calx`, not this)."""

from typing import Callable, List, Optional, Sequence, Tuple, Union

__version__: str

class CalxError(Exception):
    """Base class of every error Calx raises."""

class FlowsheetError(CalxError):
    """The flowsheet has problems; every one is in `problems`, the first at file:line:column."""

    file: str
    line: Optional[int]
    column: Optional[int]
    problems: List[Problem]

class SolveError(CalxError):
    """A valid flowsheet did not give a result (not converged, a unit failed, not finite)."""

class DesignError(SolveError):
    """A design specification on an analysis metric cannot be met, or no feasible optimum."""

    file: str
    line: Optional[int]
    column: Optional[int]
    problems: List[Problem]

class AnalysisError(CalxError):
    """An analysis failed on the converged plant."""

    analysis: str

class StudyError(CalxError):
    """A study does not fit its flowsheet, or shards do not merge."""

class Problem:
    """One problem of a flowsheet, at its position in the file."""

    file: str
    line: int
    column: int
    field: str
    message: str
    found: Optional[str]
    allowed: Optional[str]
    suggestion: Optional[str]

Column = Union[List[float], List[str]]
AnalysisParts = Tuple[str, str, List[Tuple[str, float, str]], str, str, List[Tuple[str, str]]]

class Flowsheet:
    """A flowsheet loaded with its plugins (wrapped by `calx.Flowsheet`)."""

    @staticmethod
    def from_yaml(
        text: str, name: str = "<yaml>", base_dir: Optional[str] = None, plugins: Sequence[str] = ()
    ) -> Flowsheet:
        """Decode flowsheet text and load the plugin libraries it lists."""
    def set(self, path: str, value: Union[float, int, bool, str]) -> None:
        """Set a value as if written in the file (study or file path)."""
    def solve(self, warm: bool = True) -> Solution:
        """Solve and run the analyses, warm-started from the last solve unless `warm=False`."""
    @property
    def name(self) -> str:
        """The flowsheet's name."""
    @property
    def changes(self) -> List[Tuple[str, str]]:
        """The changes made with `set`."""
    @property
    def components(self) -> List[str]:
        """Component names."""
    @property
    def units(self) -> List[Tuple[str, str]]:
        """(name, type) of each unit."""
    @property
    def plugins(self) -> List[str]:
        """Paths of the loaded plugin libraries."""
    def diagram(self) -> str:
        """The flowsheet's diagram as written (units and streams, no flows), as SVG."""

class Solution:
    """A solved flowsheet (wrapped by `calx.Result`)."""

    def stream_columns(self, si: bool = False) -> List[Tuple[str, Column]]:
        """The stream table's columns, in display units or SI."""
    def unit_columns(self) -> List[Tuple[str, Column]]:
        """What each unit reports, one row per item (SI)."""
    def flowsheet_json(self) -> str:
        """The converged flowsheet as JSON (SI)."""
    def analyses(self) -> List[AnalysisParts]:
        """Each analysis as (name, type, metrics, text, JSON, CSV tables)."""
    def text(self) -> str:
        """The text `calx run` prints."""
    def html(self) -> str:
        """The report as one self-contained HTML page."""
    def markdown(self, asset_dir: str) -> Tuple[str, List[Tuple[str, str]]]:
        """The report as Markdown and its SVG figures as (file name, text)."""

class Samples:
    """Evaluated samples of a study, in index order."""

    def csv(self) -> str:
        """The rows of samples.csv (no header)."""
    def __len__(self) -> int:
        """How many samples."""
    @property
    def failed(self) -> int:
        """How many failed."""

class Study:
    """A study checked against its flowsheet, its base case solved."""

    def __init__(
        self,
        study_text: str,
        study_name: str,
        flowsheet_text: str,
        flowsheet_path: str,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        plugins: Sequence[str] = (),
    ) -> None:
        """Check the study against its flowsheet and solve the base case."""
    @staticmethod
    def flowsheet_of(study_text: str, study_name: str) -> str:
        """The flowsheet file a study names, relative to the study file."""
    @property
    def flowsheet(self) -> str:
        """The flowsheet file the study names."""
    @property
    def samples(self) -> int:
        """The number of samples."""
    @property
    def seed(self) -> int:
        """The seed."""
    @property
    def parameters(self) -> List[str]:
        """The parameter paths."""
    @property
    def metrics(self) -> List[str]:
        """The metric paths."""
    def shard_range(self, i: int, n: int) -> Tuple[int, int]:
        """Sample indices of shard i of n."""
    def check_size(self, whole: bool) -> None:
        """Refuse a study too large to run."""
    def run(
        self,
        start: int,
        end: int,
        progress: Optional[Callable[[int], object]] = None,
        threads: Optional[int] = None,
    ) -> Samples:
        """Run samples start..end with the GIL released."""
    def parse(self, csv: str) -> Samples:
        """Samples from the text of a samples.csv."""
    def merge(self, parts: Sequence[Samples]) -> Samples:
        """Merge shards' samples, checking indices and values."""
    def reports(
        self, samples: Samples, threads: Optional[int] = None
    ) -> Tuple[List[Tuple[str, str]], Optional[str]]:
        """The files beside a whole study's samples, and the analyses' error if any."""
    def header(self) -> str:
        """The header line of samples.csv."""
