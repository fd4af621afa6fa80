"""Command line and onnxruntime-vs-tessera-run runs of the lit generators.

Shared by make_model_opsa.py and make_model_qdq.py: `GEN CASE OUT.onnx`
writes a case's model and its inputs (OUT.onnx.npz); `GEN --compare MODEL
INPUTS MLIR` runs MODEL in onnxruntime (the oracle) and MLIR in tessera-run
(the float reference executor, on PATH) and judges each output with the
generator's own compare().
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx


def free_inputs(m):
    """(ValueInfoProto, static shape) of each graph input of model `m` that
    is not an initializer: the ones a case's inputs must supply."""
    inits = {i.name for i in m.graph.initializer}
    return [(vi, [d.dim_value for d in vi.type.tensor_type.shape.dim])
            for vi in m.graph.input if vi.name not in inits]


def run_both(model_path, inputs_path, mlir_path):
    """Returns [(name, ort_result, tessera_run_result)], one per graph output.

    The inputs come from the .npz `inputs_path`, keyed by ONNX input name.
    Exits with tessera-run's stderr if it fails.
    """
    import onnxruntime as ort
    inputs = dict(np.load(inputs_path))
    sess = ort.InferenceSession(model_path,
                                providers=["CPUExecutionProvider"])
    expected = sess.run(None, inputs)
    names = [o.name for o in sess.get_outputs()]
    with tempfile.TemporaryDirectory() as tmp:
        args = ["tessera-run", mlir_path, "--output-dir", tmp]
        for name, arr in inputs.items():
            path = os.path.join(tmp, f"in_{name}.npy")
            np.save(path, arr)
            args += ["--input", f"{name}={path}"]
        run = subprocess.run(args, capture_output=True, text=True)
        if run.returncode:
            sys.exit("tessera-run failed:\n" + run.stderr)
        return [(name, ref, np.load(os.path.join(tmp, f"{name}.npy")))
                for name, ref in zip(names, expected)]


def main(prog, cases, make_inputs, compare, tolerances=None):
    """The generators' command line. `compare(model, inputs, mlir, **tol)`
    returns True on agreement; `tolerances` ({"rtol": 1e-5, ...}) adds one
    float option per key, passed to compare by name."""
    if len(sys.argv) > 1 and sys.argv[1] == "--compare":
        ap = argparse.ArgumentParser(prog=prog)
        ap.add_argument("--compare", action="store_true")
        ap.add_argument("model")
        ap.add_argument("inputs")
        ap.add_argument("mlir")
        for name, default in (tolerances or {}).items():
            ap.add_argument("--" + name, type=float, default=default)
        a = ap.parse_args()
        tol = {name: getattr(a, name) for name in tolerances or {}}
        sys.exit(0 if compare(a.model, a.inputs, a.mlir, **tol) else 1)
    if len(sys.argv) != 3 or sys.argv[1] not in cases:
        sys.exit(f"usage: {prog} CASE OUT.onnx\ncases: " +
                 " ".join(sorted(cases)))
    case, out = sys.argv[1], sys.argv[2]
    m = cases[case]()
    onnx.save(m, out)
    np.savez(out + ".npz", **make_inputs(m, case))
