"""Shared pytest helpers: where the built tools are and where ../shared is.

scripts/test puts build/bin on PATH; a tool that is missing there is a test
failure, not a skip. Fixture-dependent tests skip cleanly without ../shared.
"""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TESSERA_SHARED_DIR", REPO.parent / "shared"))
MODELS = SHARED / "fixtures" / "models"


def tool(name):
    """Path of a Tessera tool: PATH first, then $TESSERA_BUILD_DIR/bin or build/bin."""
    found = shutil.which(name)
    if found:
        return found
    build = Path(os.environ.get("TESSERA_BUILD_DIR", REPO / "build"))
    cand = build / "bin" / name
    if cand.exists():
        return str(cand)
    pytest.fail(f"{name} is not built (run scripts/build)")


def run_tool(name, *args, check=True):
    """Runs a tool; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([tool(name), *map(str, args)], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{name} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def need_shared(*parts):
    """The path of a fixture under ../shared/fixtures; skips when absent."""
    p = SHARED.joinpath("fixtures", *parts)
    if not p.exists():
        pytest.skip(f"fixture {p} not available (../shared is absent)")
    return p


def cosine(a, b):
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
