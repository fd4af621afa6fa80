"""Malformed models reach the user as one `error:` line naming the node or
tensor, never as "internal error", "(a bug)", a stack dump or a signal
(issue 12). Each case builds a tiny ONNX model, runs a tool from build/bin
and checks the first line of stderr, the exit code and what must not appear.
Names from the model are printed quoted and escaped (core/support/Names.h).
"""
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

from conftest import tool

FORBIDDEN = ("internal error", "a bug", "Stack dump", "LLVM ERROR",
             "PLEASE submit", "terminate called")
X = ("x", [1, 3, 8, 8])


def model(nodes, inputs, outputs, inits=(), opset=17):
    graph = h.make_graph(
        nodes, "g",
        [h.make_tensor_value_info(n, T.FLOAT, s) for n, s in inputs],
        [h.make_tensor_value_info(n, T.FLOAT, None) for n in outputs],
        [nh.from_array(a, n) for n, a in inits])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])


def weights(*shape):
    return np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)


def run(name, *args, timeout=120):
    return subprocess.run([tool(name), *map(str, args)], capture_output=True,
                          text=True, errors="replace", timeout=timeout)


def user_error(proc):
    """The first stderr line, after checking it is the only `error:` line,
    that the exit code is 1 and that nothing internal leaked."""
    out = proc.stderr + proc.stdout
    assert proc.returncode == 1, (proc.returncode, out)
    lines = proc.stderr.splitlines()
    assert lines and lines[0].startswith("error: "), out
    assert sum(l.startswith("error") for l in lines) == 1, out
    for bad in FORBIDDEN:
        assert bad not in out, out
    return lines[0]


def save(tmp_path, m, name="m.onnx"):
    path = tmp_path / name
    onnx.save(m, path)
    return path


def calibration(tmp_path, shape, name="x"):
    path = tmp_path / "cal.npz"
    rng = np.random.default_rng(1)
    np.savez(path, **{name: rng.uniform(0, 1, (2, *shape[1:])).astype(np.float32)})
    return path


def compile_(tmp_path, path, shape, input_name="x", out="m.npubin"):
    return run("tessera-compile", path, "--target", "rv1126", "--quiet",
               "--calibration", calibration(tmp_path, shape, input_name),
               "-o", tmp_path / out)


# --- the cases listed in issue 12 -------------------------------------------

def test_conv_with_zero_output_channels(tmp_path):
    m = model([h.make_node("Conv", ["x", "W"], ["y"], name="conv0")], [X],
              ["y"], [("W", np.zeros((0, 3, 3, 3), np.float32))])
    path = save(tmp_path, m)
    for t in ("tessera-import", "tessera-run"):
        line = user_error(run(t, path, "-o", tmp_path / "o.mlir") if t ==
                          "tessera-import" else run(t, path, "--print"))
        assert line == (f"error: {path}: node 'conv0' (Conv): makes an empty "
                        "tensor (shape 0x3x3x3); empty tensors are not "
                        "supported")


@pytest.mark.parametrize("bound", ["min", "max"])
def test_clip_with_nan_bound(tmp_path, bound):
    lo, hi = (np.nan, 6.0) if bound == "min" else (0.0, np.nan)
    m = model([h.make_node("Clip", ["x", "lo", "hi"], ["y"], name="clip0")],
              [X], ["y"], [("lo", np.array(lo, np.float32)),
                           ("hi", np.array(hi, np.float32))])
    path = save(tmp_path, m)
    line = user_error(run("tessera-import", path))
    assert line == f"error: {path}: node 'clip0' (Clip): {bound} is NaN"


def test_rank9_input_does_not_fit_an_npubin(tmp_path):
    # tessera-run executes rank 9; the .npubin descriptor holds rank <= 8.
    shape = [1, 2, 1, 2, 1, 2, 1, 2, 1]
    m = model([h.make_node("Relu", ["x"], ["y"], name="relu0")], [("x", shape)],
              ["y"])
    path = save(tmp_path, m)
    line = user_error(compile_(tmp_path, path, shape))
    assert line == ("error: input0 'x': rank 9 is more than the 8 an .npubin "
                    "holds")


def test_rank9_intermediate_names_its_node(tmp_path):
    m = model([h.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsq0")],
              [X], ["y"], [("axes", np.array([0, 1, 2, 3, 4], np.int64))])
    path = save(tmp_path, m)
    line = user_error(compile_(tmp_path, path, X[1]))
    assert "(ONNX node 'unsq0')" in line
    assert line.endswith("rank 9 is more than the 8 an .npubin holds")


def test_graph_output_listed_twice(tmp_path):
    m = model([h.make_node("Relu", ["x"], ["y"], name="relu0")], [X],
              ["y", "y"])
    path = save(tmp_path, m)
    line = user_error(run("tessera-import", path))
    assert line == (f"error: {path}: graph output 'y' is listed twice "
                    "(outputs 0 and 1)")


def test_two_nodes_define_the_same_tensor(tmp_path):
    m = model([h.make_node("Relu", ["x"], ["y"], name="relu0"),
               h.make_node("Sigmoid", ["x"], ["y"], name="sig0")], [X], ["y"])
    path = save(tmp_path, m)
    line = user_error(run("tessera-import", path))
    assert line == (f"error: {path}: tensor 'y' is defined twice: by node "
                    "'relu0' and by node 'sig0'")


def test_node_output_shadows_a_graph_input(tmp_path):
    m = model([h.make_node("Relu", ["x"], ["x"], name="relu0")], [X], ["x"])
    path = save(tmp_path, m)
    line = user_error(run("tessera-import", path))
    assert line == (f"error: {path}: tensor 'x' is defined twice: by a graph "
                    "input and by node 'relu0'")


def chain(n):
    """x -> Add(., c) -> ... n times: n layers that each stay a layer on the
    NPU (a Relu chain folds into one clamp)."""
    nodes = [h.make_node("Add", ["x" if i == 0 else f"t{i - 1}", "c"],
                         ["y" if i == n - 1 else f"t{i}"], name=f"n{i}")
             for i in range(n)]
    return model(nodes, [("x", [1, 4, 4, 4])], ["y"],
                 [("c", np.full((1, 4, 1, 1), 1e-3, np.float32))])


def test_70000_layers(tmp_path):
    path = save(tmp_path, chain(70000))
    # The float executor runs the whole chain: nothing recurses per node.
    x = np.random.default_rng(2).uniform(0, 1, (1, 4, 4, 4)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    ran = run("tessera-run", path, "--input", f"x={tmp_path / 'x.npy'}",
              "--output-dir", tmp_path / "out", timeout=300)
    assert ran.returncode == 0, ran.stderr
    # 70000 additions of 1e-3 (in float32, as ONNX computes them).
    want = x.copy()
    for _ in range(70000):
        want = want + np.float32(1e-3)
    np.testing.assert_allclose(np.load(tmp_path / "out" / "y.npy"), want,
                               rtol=1e-6)
    # Layer ids are 16 bits in the instruction encoding, 0xFFFF meaning "no
    # layer" and the table at most 65534 rows: node n65534 is one too many.
    line = user_error(compile_(tmp_path, path, [1, 4, 4, 4]))
    assert line.startswith("error: 'npu.add' (ONNX node 'n65534')")
    assert line.endswith(": layer 65535 of the model; an .npubin holds at "
                         "most 65534 layers; split the model")


def test_70000_character_output_name(tmp_path):
    name = "y" * 70000
    m = model([h.make_node("Relu", ["x"], [name], name="relu0")], [X], [name])
    path = save(tmp_path, m)
    shown = "'" + "y" * 100 + "...' (70000 bytes)"
    want = (f"error: {path}: node output name {shown} is longer than 4096 "
            "bytes")
    assert user_error(run("tessera-import", path)) == want
    assert user_error(compile_(tmp_path, path, X[1])) == want


def test_4096_character_names_round_trip_through_the_npubin(tmp_path):
    # The documented limit compiles, and tessera-sim reads the program back
    # and writes the output (under a file name it can create).
    name = "y" * 4096
    inp = "x" * 4096
    m = model([h.make_node("Relu", [inp], [name], name="n" * 4096)],
              [(inp, X[1])], [name])
    path = save(tmp_path, m)
    proc = compile_(tmp_path, path, X[1], input_name=inp)
    assert proc.returncode == 0, proc.stderr
    np.save(tmp_path / "x.npy", np.zeros(X[1], np.float32))
    sim = run("tessera-sim", tmp_path / "m.npubin", "--quiet", "--input",
              f"{inp}={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "sim")
    assert sim.returncode == 0, sim.stderr
    ran = run("tessera-run", path, "--input", f"{inp}={tmp_path / 'x.npy'}",
              "--output-dir", tmp_path / "run")
    assert ran.returncode == 0, ran.stderr
    # NAME.npy under a file name the file system takes (at most 255 bytes):
    # the first 183 bytes of the name, '_' and a hash.
    for d, files in (("sim", 2), ("run", 1)):
        names = sorted(p.name for p in (tmp_path / d).iterdir())
        assert len(names) == files, names
        assert all(n.startswith("y" * 183 + "_") and len(n) <= 255
                   for n in names), names


def test_stride_2_62_is_refused_and_100_runs(tmp_path):
    # TOSA takes strides as 32-bit values: 2^62 is one clean error naming
    # the node and the attribute (it reached an internal error before).
    # Stride 100 (one output window: floor((20 + 2 - 3) / 100) + 1 = 1)
    # imports, runs and compiles.
    def conv(stride):
        return model([h.make_node("Conv", ["x", "W"], ["y"], name="conv0",
                                  strides=[stride, stride],
                                  pads=[1, 1, 1, 1])],
                     [("x", [1, 3, 20, 20])], ["y"], [("W", weights(4, 3, 3, 3))])
    x = np.random.default_rng(3).uniform(0, 1, (1, 3, 20, 20)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    path = save(tmp_path, conv(2**62), "big.onnx")
    ran = run("tessera-run", path, "--input", f"x={tmp_path / 'x.npy'}",
              "--print")
    first = user_error(ran)
    assert "node 'conv0' (Conv)" in first, first
    assert ("attribute 'strides' value 4611686018427387904 is outside the "
            "32-bit range TOSA takes") in first, first
    path = save(tmp_path, conv(100), "s100.onnx")
    ran = run("tessera-run", path, "--input", f"x={tmp_path / 'x.npy'}",
              "--print")
    assert ran.returncode == 0 and "y: 1x4x1x1xf32" in ran.stdout, ran.stderr
    proc = compile_(tmp_path, path, [1, 3, 20, 20], out="s100.npubin")
    assert proc.returncode == 0, proc.stderr
    sim = run("tessera-sim", tmp_path / "s100.npubin", "--quiet",
              "--input", f"x={tmp_path / 'x.npy'}", "--output-dir",
              tmp_path / "out")
    assert sim.returncode == 0, sim.stderr


def test_stride_wider_than_the_instruction_field(tmp_path):
    # Two output rows 300 apart: the 8-bit stride field cannot encode it (it
    # was silently truncated to 300 - 256 = 44 before).
    m = model([h.make_node("Conv", ["x", "W"], ["y"], name="conv0",
                           strides=[300, 300])],
              [("x", [1, 3, 302, 302])], ["y"], [("W", weights(4, 3, 1, 1))])
    path = save(tmp_path, m)
    line = user_error(compile_(tmp_path, path, [1, 3, 302, 302]))
    assert "(ONNX node 'conv0')" in line
    assert line.endswith("vertical stride 300 is more than the NPU's CONV "
                         "instruction holds (255)")


# --- names are printed escaped ------------------------------------------------

def test_node_name_cannot_forge_an_error_line(tmp_path):
    node = "c\nerror: forged\x1b[31m"
    m = model([h.make_node("Conv", ["x", "W"], ["y"], name=node)], [X], ["y"],
              [("W", weights(4, 5, 3, 3))])  # 5 channels for a 3-channel x
    path = save(tmp_path, m)
    line = user_error(run("tessera-import", path))
    assert line.startswith(f"error: {path}: node 'c\\nerror: forged\\x1B[31m' "
                           "(Conv): ")
    assert "\x1b" not in line


def test_invalid_utf8_in_a_tensor_name_is_escaped(tmp_path):
    m = model([h.make_node("Relu", ["x"], ["y"], name="relu0")], [X], ["y"])
    # Protobuf's Python API only takes valid UTF-8: write a placeholder of
    # the same length and patch the byte.
    m.graph.node[0].input[0] = "nope\nZ"
    raw = m.SerializeToString().replace(b"nope\nZ", b"nope\n\xff")
    path = tmp_path / "m.onnx"
    path.write_bytes(raw)
    proc = subprocess.run([tool("tessera-import"), str(path)],
                          capture_output=True)
    assert proc.returncode == 1
    err = proc.stderr.decode("ascii")  # escaped: pure ASCII
    assert err.splitlines() == [
        f"error: {path}: node 'relu0' (Relu): input 'nope\\n\\xFF' is not "
        "defined by an earlier node, an initializer or a graph input"]


def test_npubin_names_are_escaped_by_tessera_sim(tmp_path):
    inp = "x\nerror: forged"
    m = model([h.make_node("Conv", [inp, "W"], ["y"], name="c\n0")],
              [(inp, X[1])], ["y"], [("W", weights(4, 3, 1, 1))])
    path = save(tmp_path, m)
    proc = compile_(tmp_path, path, X[1], input_name=inp)
    assert proc.returncode == 0, proc.stderr
    np.save(tmp_path / "x.npy", np.zeros(X[1], np.float32))
    line = user_error(run("tessera-sim", tmp_path / "m.npubin", "--input",
                          f"nope={tmp_path / 'x.npy'}"))
    assert line == ("error: --input nope: the program has no such input "
                    "(inputs: 'x\\nerror: forged')")
    # The report table shows the layer name escaped, on one line.
    sim = run("tessera-sim", tmp_path / "m.npubin")
    assert sim.returncode == 0, sim.stderr
    assert "c\\n0" in sim.stdout
    assert not any(l.startswith("error") for l in sim.stdout.splitlines())


# --- beyond the list ----------------------------------------------------------

def test_zero_extent_input(tmp_path):
    m = model([h.make_node("Relu", ["x"], ["y"], name="relu0")],
              [("x", [1, 0, 4, 4])], ["y"])
    path = save(tmp_path, m)
    line = user_error(run("tessera-import", path))
    assert line == (f"error: {path}: input 'x' has dimension 1 of extent 0 in "
                    "shape 1x0x4x4; empty tensors are not supported")


def test_graph_input_listed_twice(tmp_path):
    m = model([h.make_node("Relu", ["x"], ["y"], name="relu0")], [X, X], ["y"])
    path = save(tmp_path, m)
    line = user_error(run("tessera-import", path))
    assert line == f"error: {path}: graph input 'x' is listed twice"


@pytest.mark.parametrize("case,node,want", [
    ("group", h.make_node("Conv", ["x", "W"], ["y"], name="conv0", group=2),
     "node 'conv0' (Conv): attribute 'group' = 2 does not fit input channels 3 "
     "and weight shape 4x1x3x3"),
    ("kernel", h.make_node("MaxPool", ["x"], ["y"], name="p0",
                           kernel_shape=[-2, -2]),
     "node 'p0' (MaxPool): attribute 'kernel_shape' must hold 2 positive "
     "values (2-D window), got 2 values"),
    ("axis", h.make_node("Concat", ["x", "x"], ["y"], name="c0", axis=7),
     "node 'c0' (Concat): attribute 'axis' = 7 is out of range for rank 4"),
    ("reshape", h.make_node("Reshape", ["x", "s"], ["y"], name="r0"),
     "node 'r0' (Reshape): cannot reshape 1x3x8x8 to 1x5x7"),
    ("gather", h.make_node("Gather", ["x", "i"], ["y"], name="g0", axis=1),
     "node 'g0' (Gather): index 5 is out of range for axis extent 3"),
    ("split", h.make_node("Split", ["x", "sp"], ["y", "z"], name="s0", axis=1),
     "node 's0' (Split): split sizes add up to 2, expected the axis extent 3"),
])
def test_attribute_and_constant_values_out_of_range(tmp_path, case, node, want):
    inits = {"group": [("W", weights(4, 1, 3, 3))],
             "reshape": [("s", np.array([1, 5, 7], np.int64))],
             "gather": [("i", np.array([5], np.int64))],
             "split": [("sp", np.array([1, 1], np.int64))]}.get(case, [])
    path = save(tmp_path, model([node], [X], list(node.output), inits))
    assert user_error(run("tessera-import", path)) == f"error: {path}: {want}"
