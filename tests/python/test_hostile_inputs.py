"""Hostile and careless inputs from files: each case of issue 12 that
crashed, hung or misbehaved (oversized claims in .npy/.npz headers, ONNX
initializers and attributes, JPEG headers) must end in one `error:` line
naming the file, node or tensor, a non-zero exit, and quickly."""
import io
import struct
import subprocess
import time
import zipfile

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper as h

from conftest import tool


def run(name, *args, timeout=30):
    start = time.monotonic()
    proc = subprocess.run([tool(name), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)
    proc.seconds = time.monotonic() - start
    return proc


def assert_user_error(proc, *needles, max_seconds=10):
    """A clean failure: exit 1 (not a signal), stderr starting with one
    `error:` line that holds every needle, no crash report, no internal
    error, and fast."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    # Progress lines ("tessera-compile: importing ...") may come first.
    lines = [l for l in proc.stderr.splitlines()
             if not l.startswith("tessera-")]
    first = lines[0] if lines else ""
    assert first.startswith("error: "), proc.stderr[-2000:]
    for needle in needles:
        assert needle in first, (needle, first)
    for bad in ("internal error", "a bug", "Stack dump", "LLVM ERROR",
                "terminate called", "Segmentation"):
        assert bad not in proc.stderr, proc.stderr[-2000:]
    assert proc.seconds < max_seconds, proc.seconds


def save(model, path):
    onnx.save(model, path)
    return path


def graph_model(nodes, inputs, outputs, inits=(), opset=17):
    g = h.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    return h.make_model(g, opset_imports=[h.make_opsetid("", opset)])


def npy_header(shape, descr="<f4"):
    """The bytes of a version 1.0 .npy header claiming `shape` (no data)."""
    dict_ = ("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }"
             % (descr, "".join(f"{d}, " for d in shape)))
    dict_ += " " * ((64 - (10 + len(dict_) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(dict_)) + dict_.encode()


def relu_model(shape):
    return graph_model(
        [h.make_node("Relu", ["x"], ["y"], name="relu")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, shape)])


# --- .npy inputs -----------------------------------------------------------

def test_npy_claiming_10_to_the_20_elements(tmp_path):
    # 100000^4 elements: the count overflowed and std::length_error aborted
    # tessera-run and tessera-sim.
    model = save(relu_model([1, 4]), tmp_path / "m.onnx")
    bad = tmp_path / "x.npy"
    bad.write_bytes(npy_header([100000] * 4))
    assert_user_error(run("tessera-run", model, "--input", f"x={bad}",
                          "--output-dir", tmp_path / "out"),
                      "x.npy", "more bytes than fit in 64 bits")
    prog = tmp_path / "m.npubin"
    calib = tmp_path / "c.npz"
    np.savez(calib, x=np.ones((2, 1, 4), np.float32))
    run("tessera-compile", model, "--target", "rv1126", "--calibration",
        calib, "-o", prog, "--quiet").check_returncode()
    assert_user_error(run("tessera-sim", prog, "--input", f"x={bad}",
                          "--output-dir", tmp_path / "out2"),
                      "x.npy", "more bytes than fit in 64 bits")


def test_npy_whose_claim_exceeds_its_bytes(tmp_path):
    model = save(relu_model([1, 4]), tmp_path / "m.onnx")
    bad = tmp_path / "x.npy"
    bad.write_bytes(npy_header([1000, 1000, 1000]) + b"\0" * 16)
    assert_user_error(run("tessera-run", model, "--input", f"x={bad}",
                          "--output-dir", tmp_path / "out"),
                      "expected 4000000000 data bytes", "got 16")


# --- calibration .npz ------------------------------------------------------

def npz_with_entry(path, name, payload):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(name, payload)


def test_npz_claiming_2_to_the_52_samples(tmp_path):
    # The element count overflowed, passed the size check, and memcpy read
    # out of bounds (segfault).
    model = save(relu_model([1, 3, 224, 224]), tmp_path / "m.onnx")
    calib = tmp_path / "c.npz"
    npz_with_entry(calib, "x.npy", npy_header([2**52, 3, 224, 224]))
    assert_user_error(run("tessera-compile", model, "--calibration", calib,
                          "-o", tmp_path / "m.npubin"),
                      "c.npz", "more bytes than fit in 64 bits")


def test_npz_claiming_6_gb_reads_only_the_samples_used(tmp_path):
    # 10,000 x 3 x 224 x 224 f32 = 6 GB claimed, 3 samples present: with
    # --max-calibration-samples 3 only those are read (it allocated 6 GB and
    # hung for 20 s).
    model = save(relu_model([1, 3, 224, 224]), tmp_path / "m.onnx")
    calib = tmp_path / "c.npz"
    x = np.random.default_rng(0).standard_normal((3, 3, 224, 224)).astype(
        np.float32)
    npz_with_entry(calib, "x.npy",
                   npy_header([10000, 3, 224, 224]) + x.tobytes())
    proc = run("tessera-compile", model, "--calibration", calib,
               "--max-calibration-samples", "3", "--quiet",
               "-o", tmp_path / "m.npubin")
    assert proc.returncode == 0, proc.stderr
    assert proc.seconds < 10
    # Without the cap all 10,000 samples are wanted: over the 4 GiB budget.
    assert_user_error(run("tessera-compile", model, "--calibration", calib,
                          "-o", tmp_path / "m2.npubin"),
                      "c.npz", "10000 samples", "over the memory budget")
    # Four samples wanted, three present: truncated.
    assert_user_error(run("tessera-compile", model, "--calibration", calib,
                          "--max-calibration-samples", "4",
                          "-o", tmp_path / "m3.npubin"),
                      "c.npz", "truncated")


def test_rank0_input_calibrates_from_npz(tmp_path):
    # A rank-0 model input with a calibration .npz segfaulted.
    model = graph_model(
        [h.make_node("Mul", ["x", "two"], ["y"], name="mul")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, [])],
        [h.make_tensor("two", TensorProto.FLOAT, [], [2.0])])
    path = save(model, tmp_path / "m.onnx")
    calib = tmp_path / "c.npz"
    np.savez(calib, x=np.linspace(-1, 1, 5).astype(np.float32))
    proc = run("tessera-compile", path, "--calibration", calib, "--quiet",
               "-o", tmp_path / "m.npubin")
    assert proc.returncode == 0, proc.stderr
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.ones((2, 2), np.float32))
    assert_user_error(run("tessera-compile", path, "--calibration", bad,
                          "-o", tmp_path / "m2.npubin"),
                      "has shape 2x2, expected scalar or N")


# --- JPEG calibration images -----------------------------------------------

def jpeg_claiming(width, height):
    """A valid 8x8 JPEG whose SOF0 header is patched to claim width x height."""
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "JPEG", quality=90)
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def test_jpeg_header_is_checked_before_decoding(tmp_path):
    model = save(relu_model([1, 3, 224, 224]), tmp_path / "m.onnx")
    images = tmp_path / "images"
    images.mkdir()
    (images / "huge.jpg").write_bytes(jpeg_claiming(65500, 65500))
    assert_user_error(run("tessera-compile", model, "--calibration", images,
                          "-o", tmp_path / "m.npubin"),
                      "huge.jpg", "image is 65500x65500",
                      "needs 224x224", max_seconds=5)


# --- ONNX initializers and attributes --------------------------------------

def raw_initializer(name, dims, raw=b""):
    t = onnx.TensorProto()
    t.name, t.data_type = name, TensorProto.FLOAT
    t.dims.extend(dims)
    t.raw_data = raw
    return t


@pytest.mark.parametrize("dims, needle", [
    ([2**62, 3, 1, 1], "more bytes than fit in 64 bits"),
    # 2^62 x 8 elements wrapped to 0 and matched the empty payload: exit 0
    # and a .npy claiming that shape with 0 bytes.
    ([2**62, 1, 1, 8], "more bytes than fit in 64 bits"),
    ([2**20, 2**20, 1, 1], "over the memory budget"),
])
def test_initializer_dims_without_data(tmp_path, dims, needle):
    model = graph_model(
        [h.make_node("Add", ["x", "w"], ["y"], name="add")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 1, 1])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [raw_initializer("w", dims)])
    path = save(model, tmp_path / "m.onnx")
    x = tmp_path / "x.npy"
    np.save(x, np.ones((1, 1, 1, 1), np.float32))
    assert_user_error(run("tessera-run", path, "--input", f"x={x}",
                          "--output-dir", tmp_path / "out"),
                      "initializer 'w'", needle)
    assert not (tmp_path / "out").exists() or not any(
        (tmp_path / "out").iterdir())


def conv_model(**attrs):
    w = h.make_tensor("w", TensorProto.FLOAT, [2, 3, 3, 3], [0.1] * 54)
    return graph_model(
        [h.make_node("Conv", ["x", "w"], ["y"], name="conv", **attrs)],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])


@pytest.mark.parametrize("attrs, needle", [
    # Ran with exit 0 and a wrong output shape.
    (dict(pads=[2**63 - 1] * 4), "attribute 'pads' value 9223372036854775807"),
    # Out-of-memory abort.
    (dict(pads=[2**31] * 4), "attribute 'pads' value 2147483648"),
    (dict(strides=[2**62, 1]), "attribute 'strides' value 4611686018427387904"),
    # Within 32 bits, but 1x(2^31+6)x(2^31+6)x2 f32 overflows 64 bits...
    (dict(pads=[2**30] * 4), "more bytes than fit in 64 bits"),
    # ... and 1x(2^21+6)x(2^21+6)x2 f32 (32 TiB) is over the budget.
    (dict(pads=[2**20] * 4), "over the memory budget"),
])
def test_conv_attributes_out_of_range(tmp_path, attrs, needle):
    path = save(conv_model(**attrs), tmp_path / "m.onnx")
    assert_user_error(run("tessera-import", path), "node 'conv' (Conv)",
                      needle)


def test_pad_of_2_to_the_30(tmp_path):
    model = graph_model(
        [h.make_node("Pad", ["x", "p"], ["y"], name="pad")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [h.make_tensor("p", TensorProto.INT64, [8],
                       [0, 0, 0, 2**30, 0, 0, 0, 2**30])])
    path = save(model, tmp_path / "m.onnx")
    assert_user_error(run("tessera-import", path), "node 'pad' (Pad)",
                      "over the memory budget")


def test_resize_by_a_million(tmp_path):
    model = graph_model(
        [h.make_node("Resize", ["x", "", "s"], ["y"], name="resize",
                     mode="nearest")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 224, 224])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [h.make_tensor("s", TensorProto.FLOAT, [4], [1, 1, 1e6, 1e6])])
    path = save(model, tmp_path / "m.onnx")
    assert_user_error(run("tessera-import", path), "node 'resize' (Resize)",
                      "over the memory budget", max_seconds=5)


def test_constant_of_shape_and_range_are_bounded(tmp_path):
    model = graph_model(
        [h.make_node("ConstantOfShape", ["s"], ["c"], name="cos"),
         h.make_node("Add", ["x", "c"], ["y"], name="add")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [h.make_tensor("s", TensorProto.INT64, [2], [2**40, 2**40])])
    path = save(model, tmp_path / "m.onnx")
    assert_user_error(run("tessera-import", path),
                      "node 'cos' (ConstantOfShape)", "more bytes than fit")
    model = graph_model(
        [h.make_node("Range", ["a", "b", "d"], ["r"], name="range"),
         h.make_node("Add", ["x", "r"], ["y"], name="add")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [h.make_tensor("a", TensorProto.FLOAT, [], [0.0]),
         h.make_tensor("b", TensorProto.FLOAT, [], [1.0]),
         h.make_tensor("d", TensorProto.FLOAT, [], [1e-30])])
    path = save(model, tmp_path / "m.onnx")
    assert_user_error(run("tessera-import", path), "node 'range' (Range)",
                      "too many elements")


def test_model_input_over_the_budget(tmp_path):
    path = save(relu_model([100000, 100000, 100000]), tmp_path / "m.onnx")
    assert_user_error(run("tessera-import", path), "input 'x'",
                      "over the memory budget")


def test_mlir_text_over_the_budget(tmp_path):
    # The MLIR text entry of tessera-run: a splat constant of 2^40 floats
    # costs nothing to parse but 4 TiB to execute.
    src = tmp_path / "big.mlir"
    src.write_text(
        "func.func @main(%x: tensor<1xf32>) -> tensor<1099511627776xf32> {\n"
        "  %c = \"tosa.const\"() {values = dense<1.0> : "
        "tensor<1099511627776xf32>} : () -> tensor<1099511627776xf32>\n"
        "  return %c : tensor<1099511627776xf32>\n}\n")
    x = tmp_path / "x.npy"
    np.save(x, np.ones((1,), np.float32))
    assert_user_error(run("tessera-run", src, "--input", f"arg0={x}",
                          "--output-dir", tmp_path / "out"),
                      "tosa.const", "over the memory budget")


def test_external_data_that_is_a_device(tmp_path):
    # An initializer whose external data file links to /dev/zero would be
    # read forever; only regular files within the budget are read.
    t = raw_initializer("w", [1, 1, 1, 1])
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    entry = t.external_data.add()
    entry.key, entry.value = "location", "w.bin"
    (tmp_path / "w.bin").symlink_to("/dev/zero")
    model = graph_model(
        [h.make_node("Add", ["x", "w"], ["y"], name="add")],
        [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 1, 1])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, None)], [t])
    path = tmp_path / "m.onnx"
    path.write_bytes(model.SerializeToString())
    assert_user_error(run("tessera-import", path), "initializer 'w'",
                      "not a regular file", max_seconds=5)


def test_max_memory_option(tmp_path):
    # 1x3x32x32 f32 = 12 KiB: fine under the default budget, refused under
    # --max-memory 8K by every tool that reads it, with the budget named.
    model = save(relu_model([1, 3, 32, 32]), tmp_path / "m.onnx")
    x = tmp_path / "x.npy"
    np.save(x, np.ones((1, 3, 32, 32), np.float32))
    ok = run("tessera-run", model, "--input", f"x={x}", "--output-dir",
             tmp_path / "out")
    assert ok.returncode == 0, ok.stderr
    assert_user_error(run("tessera-run", model, "--max-memory", "8K",
                          "--input", f"x={x}", "--output-dir",
                          tmp_path / "out2"),
                      "x", "over the memory budget of 8 KiB (--max-memory)")
    assert_user_error(run("tessera-import", model, "--max-memory", "8K"),
                      "input 'x'", "12 KiB")
    for tool_name in ("tessera-run", "tessera-import", "tessera-compile",
                      "tessera-sim", "tessera-asm"):
        assert_user_error(run(tool_name, model, "--max-memory", "lots"),
                          "--max-memory: expected a byte count")
        assert "--max-memory" in run(tool_name, "--help").stdout


def test_mlir_dense_array_of_index(tmp_path):
    # MLIR 22's own parser segfaults on array<index: ...>
    # (llvm/llvm-project#179045): refused before parsing.
    src = tmp_path / "idx.mlir"
    src.write_text("func.func @main(%x: tensor<1xf32>) -> tensor<1xf32> "
                   "attributes {a = array<index: 1>} {\n"
                   "  return %x : tensor<1xf32>\n}\n")
    x = tmp_path / "x.npy"
    np.save(x, np.ones((1,), np.float32))
    assert_user_error(run("tessera-run", src, "--input", f"arg0={x}",
                          "--output-dir", tmp_path / "out"),
                      "idx.mlir", "dense arrays of 'index'",
                      "llvm/llvm-project#179045")
