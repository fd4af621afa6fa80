"""Model-zoo operators through the float reference executor: each synthetic
model of tests/lit/frontend/Inputs/make_model_zoo.py (opsets 7-10 upgraded by
ONNX's version converter, Dropout with an unused mask, LRN, variadic
Sum/Mean/Max/Min, MaxPool dilations, 1-D Conv/ConvTranspose/pools/
BatchNormalization) runs in tessera-run straight from the .onnx and agrees
with onnxruntime (float): cosine >= 0.99999 and max|diff| <= 1e-4 * max|ref|
per output. LRN's hand case also checks the hand-computed values."""
import sys

import numpy as np
import onnx
import pytest

from conftest import REPO, run_tool

ort = pytest.importorskip("onnxruntime")
sys.path.insert(0, str(REPO / "tests" / "lit" / "frontend" / "Inputs"))
import make_model_zoo as zoo  # noqa: E402


def run_case(tmp_path, case):
    m = zoo.CASES[case]()
    path = tmp_path / f"{case}.onnx"
    onnx.save(m, path)
    feeds = zoo.make_inputs(m, case)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    refs = dict(zip([o.name for o in sess.get_outputs()],
                    sess.run(None, feeds)))
    args = []
    for name, arr in feeds.items():
        np.save(tmp_path / f"in_{name}.npy", arr)
        args += ["--input", f"{name}={tmp_path / f'in_{name}.npy'}"]
    proc = run_tool("tessera-run", path, *args, "--output-dir",
                    tmp_path / "out")
    got = {n: np.load(tmp_path / "out" / f"{n}.npy") for n in refs}
    return refs, got, proc


@pytest.mark.parametrize("case", zoo.NUMERIC)
def test_zoo_case_matches_onnxruntime(tmp_path, case):
    refs, got, proc = run_case(tmp_path, case)
    for name, ref in refs.items():
        assert got[name].shape == ref.shape, name
        cos, diff, bound, ok = zoo.numeric(ref, got[name])
        print(f"{case} {name}: cosine {cos:.8f} max|diff| {diff:.3g} "
              f"(bound {bound:.3g})")
        assert ok, (name, cos, diff, bound)
    if case.startswith("opset"):
        opset = case[len("opset"):]
        assert (f"note: {tmp_path / case}.onnx: opset {opset} upgraded to "
                "opset 11 by ONNX's version converter") in proc.stderr


def test_lrn_hand_values(tmp_path):
    # x = [1, 2, 3], size 3, alpha 3, beta 1, bias 1: y = x / (1 + window
    # sum of squares) = [1/6, 2/15, 3/14].
    _, got, _ = run_case(tmp_path, "lrn_hand")
    np.testing.assert_allclose(got["y"].ravel(), [1 / 6, 2 / 15, 3 / 14],
                               rtol=1e-6)


def test_where_hand_values(tmp_path):
    # Equal is exact: the two elements set to k's value become -1; w3 is
    # the elementwise minimum of x and y; w4 takes x where the constant
    # condition [T, F, F, T] holds.
    refs, got, _ = run_case(tmp_path, "where_runtime")
    x = zoo.make_inputs(zoo.CASES["where_runtime"](), "where_runtime")
    w2 = got["w2"]
    assert w2[0, 0, 0] == -1 and w2[1, 2, 3] == -1
    assert np.count_nonzero(w2 == -1) == 2
    np.testing.assert_array_equal(got["w3"], np.minimum(x["x"], x["y"]))
    np.testing.assert_array_equal(
        got["w4"], np.where([True, False, False, True], x["x"], x["y"]))
    np.testing.assert_array_equal(got["w1"], np.where(x["x"] > 0.25, x["x"],
                                                      0))


@pytest.mark.parametrize("case,message", [
    ("where_float_cond", "node 'w0' (Where): condition 'c' is not bool"),
    ("opset6", "opset 6 is not supported (supported: 7 to 22; 7 to 10 are "
               "upgraded to 11)"),
    ("bn_spatial0", "opset 7 could not be upgraded to opset 11 by ONNX's "
                    "version converter"),
    ("dropout_mask_used", "node 'drop0' (Dropout): output 'mask' ('mask') "
                          "is used"),
])
def test_zoo_errors(tmp_path, case, message):
    path = tmp_path / f"{case}.onnx"
    onnx.save(zoo.CASES[case](), path)
    proc = run_tool("tessera-import", path, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert proc.stderr.count("error:") == 1
