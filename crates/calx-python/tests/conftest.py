"""Shared fixtures: the repository's root, the `calx` command the Python results are compared
with, and a runner for it. Nothing is skipped: a missing command is an error that says how to
build it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[3]
FLOWSHEETS = ROOT / "flowsheets"


def _target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


@pytest.fixture(scope="session")
def calx_bin() -> Path:
    """The `calx` command (CALX_BIN, else the workspace's debug build)."""
    path = Path(os.environ.get("CALX_BIN", _target_dir() / "debug" / "calx"))
    if not path.is_file():
        pytest.fail(f"no calx command at {path}: run `cargo build -p calx-cli` or set CALX_BIN")
    return path


@pytest.fixture(scope="session")
def plugin_dir() -> Path:
    """The directory `cargo xtask build-plugins` builds the plugin libraries into."""
    path = Path(os.environ.get("CALX_PLUGIN_DIR", _target_dir() / "debug"))
    if not (path / "libcalx_cyclone.so").is_file():
        pytest.fail(f"no libcalx_cyclone.so in {path}: run `cargo xtask build-plugins`")
    return path


def run_cli(calx_bin: Path, args: List[str], env: dict = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run `calx ARGS` in the repository root; its output as text."""
    full_env = dict(os.environ)
    full_env.pop("CALX_PLUGIN_PATH", None)
    full_env.update(env or {})
    out = subprocess.run(
        [str(calx_bin), *args], cwd=ROOT, env=full_env, capture_output=True, text=True
    )
    if check and out.returncode != 0:
        raise AssertionError(f"calx {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
    return out
