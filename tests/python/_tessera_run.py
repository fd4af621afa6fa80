"""Helpers for tests that run TOSA .mlir text through the tessera-run tool
(the reference executors): MLIR text builders and a subprocess wrapper."""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]

MLIR_TYPES = {
    np.dtype(np.float32): "f32",
    np.dtype(np.int8): "i8",
    np.dtype(np.uint8): "ui8",
    np.dtype(np.int16): "i16",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
}


def tessera_run_path():
    """The tessera-run binary: $TESSERA_RUN, then PATH, then build*/bin."""
    env = os.environ.get("TESSERA_RUN")
    if env:
        return env
    found = shutil.which("tessera-run")
    if found:
        return found
    build = os.environ.get("TESSERA_BUILD_DIR", str(REPO / "build"))
    for cand in [Path(build) / "bin" / "tessera-run",
                 *sorted(REPO.glob("build*/bin/tessera-run"))]:
        if cand.exists():
            return str(cand)
    pytest.skip("tessera-run is not built (set TESSERA_RUN or build it)")


def ttype(shape, dtype):
    """'tensor<1x2xi8>' for a shape and a numpy dtype or MLIR element name."""
    et = dtype if isinstance(dtype, str) else MLIR_TYPES[np.dtype(dtype)]
    dims = "x".join(str(d) for d in shape)
    return f"tensor<{dims}x{et}>" if dims else f"tensor<{et}>"


def const(name, arr, et=None):
    """A tosa.const holding `arr` exactly, as a hex dense attribute."""
    arr = np.ascontiguousarray(arr)
    t = ttype(arr.shape, et or arr.dtype)
    return (f'%{name} = "tosa.const"() {{values = dense<"0x'
            f'{arr.tobytes().hex().upper()}"> : {t}}} : () -> {t}')


def run_mlir(tmp_path, text, inputs, function=None, extra=()):
    """Runs `text` with tessera-run on `inputs` ({arg name: array}) and
    returns {output name: array}."""
    tool = tessera_run_path()
    src = tmp_path / "model.mlir"
    src.write_text(text)
    out = tmp_path / "out"
    cmd = [tool, str(src), "--output-dir", str(out), *extra]
    if function:
        cmd += ["--function", function]
    for name, arr in inputs.items():
        path = tmp_path / f"in_{name}.npy"
        np.save(path, arr)
        cmd += ["--input", f"{name}={path}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return {p.stem: np.load(p) for p in out.glob("*.npy")}


def run_mlir_error(tmp_path, text, inputs, extra=()):
    """Runs tessera-run expecting failure; returns stderr."""
    tool = tessera_run_path()
    src = tmp_path / "model.mlir"
    src.write_text(text)
    cmd = [tool, str(src), "--output-dir", str(tmp_path / "out"), *extra]
    for name, arr in inputs.items():
        path = tmp_path / f"in_{name}.npy"
        np.save(path, arr)
        cmd += ["--input", f"{name}={path}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode != 0
    return proc.stderr
