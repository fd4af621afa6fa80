"""Writes the fuzzers' seed corpora into tests/fuzz/corpus/<target>/.

Each seed is a small valid input made here (numpy, onnx.helper, Pillow) or by
Tessera's own tools from those (tessera-import, tessera-compile --emit=int,
tessera-asm, tessera-compile), so that the fuzzers start inside the formats
instead of searching for a magic number. Deterministic: re-running it with
the same tools rewrites the same files. Usage:

    .venv/bin/python tests/fuzz/make_corpus.py [--build build]
"""
import argparse
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPUS = HERE / "corpus"


def reset(*targets):
    for t in targets:
        shutil.rmtree(CORPUS / t, ignore_errors=True)


def write(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def npz_bytes(compressed, **arrays):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


# --- ONNX models: one or two nodes each, float32 unless said otherwise.
def model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="tessera-fuzz-seed")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def onnx_models():
    rng = np.random.default_rng(12)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    yield "conv_relu", model(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1],
                          strides=[2, 2], name="conv"),
         helper.make_node("Relu", ["c"], ["y"], name="relu")],
        [vi("x", [1, 3, 8, 8])], [vi("y", [1, 4, 4, 4])],
        [init("w", w), init("b", b)])
    yield "add_mul", model(
        [helper.make_node("Add", ["x", "k"], ["a"], name="add"),
         helper.make_node("Mul", ["a", "x"], ["y"], name="mul")],
        [vi("x", [1, 2, 3, 4])], [vi("y", [1, 2, 3, 4])],
        [init("k", np.full((4,), 0.5, np.float32))])
    yield "pool_gemm", model(
        [helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[2, 2],
                          strides=[2, 2], name="pool"),
         helper.make_node("GlobalAveragePool", ["p"], ["g"], name="gap"),
         helper.make_node("Flatten", ["g"], ["f"], name="flat"),
         helper.make_node("Gemm", ["f", "gw", "gb"], ["y"], transB=1,
                          name="fc")],
        [vi("x", [1, 3, 4, 4])], [vi("y", [1, 2])],
        [init("gw", rng.standard_normal((2, 3)).astype(np.float32)),
         init("gb", np.zeros(2, np.float32))])
    yield "reshape_softmax", model(
        [helper.make_node("Reshape", ["x", "s"], ["r"], name="reshape"),
         helper.make_node("Transpose", ["r"], ["t"], perm=[1, 0],
                          name="transpose"),
         helper.make_node("Softmax", ["t"], ["y"], axis=1, name="softmax")],
        [vi("x", [1, 2, 3])], [vi("y", [3, 2])],
        [init("s", np.array([2, 3], np.int64))])
    yield "concat_resize", model(
        [helper.make_node("Concat", ["x", "x"], ["c"], axis=1, name="concat"),
         helper.make_node("Resize", ["c", "", "sc"], ["y"], mode="nearest",
                          name="resize")],
        [vi("x", [1, 1, 2, 2])], [vi("y", [1, 2, 4, 4])],
        [init("sc", np.array([1, 1, 2, 2], np.float32))])
    yield "qdq_conv", model(
        [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"],
                          name="q"),
         helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"],
                          name="dq"),
         helper.make_node("DequantizeLinear", ["wq", "ws"], ["wd"],
                          name="dqw"),
         helper.make_node("Conv", ["xd", "wd"], ["c"], name="conv"),
         helper.make_node("QuantizeLinear", ["c", "ys", "xz"], ["yq"],
                          name="qy"),
         helper.make_node("DequantizeLinear", ["yq", "ys", "xz"], ["y"],
                          name="dqy")],
        [vi("x", [1, 2, 3, 3])], [vi("y", [1, 2, 3, 3])],
        [init("xs", np.float32(0.05)), init("xz", np.uint8(128)),
         init("ys", np.float32(0.02)),
         init("wq", rng.integers(-20, 20, (2, 2, 1, 1)).astype(np.int8)),
         init("ws", np.float32(0.01))])


def jpeg_bytes(size, mode="RGB", **save):
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1),
                    (xx + yy) * 127 // max(h + w - 2, 1)], -1).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB").convert(mode)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=75, **save)
    return buf.getvalue()


def run(tool, build, *args):
    subprocess.run([str(build / "bin" / tool), *map(str, args)], check=True,
                   capture_output=True)


def make_tool_seeds(build, tmp):
    """Seeds made by the tools in build/bin from the ONNX models above."""
    # .npubin: the simulator test's hand-written program, and whole
    # compiled models.
    run("tessera-asm", build, REPO / "tests/lit/tessera-sim/Inputs/tiny.s",
        "-o", tmp / "tiny.npubin")
    write("npubin", "tiny.npubin", (tmp / "tiny.npubin").read_bytes())
    # A program with a HOST instruction and the host-segment section.
    run("tessera-compile", build,
        REPO / "tests/lit/tessera-lower-to-npu/Inputs/host_sigmoid.int.mlir",
        "--quiet", "--target", "j5", "-o", tmp / "host_sigmoid.npubin")
    write("npubin", "host_sigmoid.npubin",
          (tmp / "host_sigmoid.npubin").read_bytes())
    # The same int-level module for tessera-run (host ops in float).
    write("mlir-run", "host_sigmoid.int.mlir", (
        REPO / "tests/lit/tessera-lower-to-npu/Inputs/host_sigmoid.int.mlir"
    ).read_text())
    for name, m in onnx_models():
        path = tmp / f"{name}.onnx"
        onnx.save(m, path)
        write("onnx-import", f"{name}.onnx", path.read_bytes())
        # MLIR for tessera-run: the float import, and the integer TOSA
        # after quantization with calibration data.
        run("tessera-import", build, path, "-o", tmp / f"{name}.mlir")
        write("mlir-run", f"{name}.mlir", (tmp / f"{name}.mlir").read_text())
        x = m.graph.input[0]
        shape = [d.dim_value for d in x.type.tensor_type.shape.dim]
        calib = tmp / f"{name}.npz"
        rng = np.random.default_rng(7)
        calib.write_bytes(npz_bytes(False, **{x.name: rng.standard_normal(
            [2] + shape[1:]).astype(np.float32)}))
        try:
            run("tessera-compile", build, path, "--quiet", "--emit=int",
                "--calibration", calib, "-o", tmp / f"{name}.int.mlir")
            write("mlir-run", f"{name}.int.mlir",
                  (tmp / f"{name}.int.mlir").read_text())
            run("tessera-compile", build, path, "--quiet",
                "--calibration", calib, "-o", tmp / f"{name}.npubin")
            write("npubin", f"{name}.npubin",
                  (tmp / f"{name}.npubin").read_bytes())
        except subprocess.CalledProcessError as e:
            print(f"{name}: tessera-compile refused it, seeds skipped: "
                  f"{e.stderr.decode().strip()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=REPO / "build",
                    help="build folder with the tools (default build/)")
    args = ap.parse_args()
    reset("npy", "npz", "jpeg", "target-yaml")

    # .npy: every dtype parseNpy supports, rank 0 to 4, and version 2.0.
    for name, a in [("f32_2x3", np.arange(6, dtype=np.float32).reshape(2, 3)),
                    ("i8_4", np.array([-128, -1, 0, 127], np.int8)),
                    ("u8_1x3x2x2", np.arange(12, dtype=np.uint8).reshape(1, 3, 2, 2)),
                    ("i16_scalar", np.array(-7, np.int16)),
                    ("u16_2", np.array([1, 65535], np.uint16)),
                    ("i32_2x2", np.array([[1, -2], [3, -4]], np.int32)),
                    ("i64_3", np.array([1, 2, 3], np.int64)),
                    ("bool_3", np.array([True, False, True])),
                    ("f32_empty", np.zeros((0, 3), np.float32))]:
        write("npy", name + ".npy", npy_bytes(a))
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ones((2, 2), np.float32), version=(2, 0))
    write("npy", "f32_v2.npy", buf.getvalue())

    # .npz: stored and deflated, one and several arrays, a [N, ...] batch.
    x = np.linspace(-1, 1, 2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
    write("npz", "one_stored.npz", npz_bytes(False, input=x))
    write("npz", "one_deflated.npz", npz_bytes(True, input=x))
    write("npz", "two_arrays.npz",
          npz_bytes(True, a=np.arange(4, dtype=np.int8), b=np.eye(2, dtype=np.float32)))
    write("npz", "scalar.npz", npz_bytes(False, s=np.float32(1.5)))
    zbuf = io.BytesIO()  # what np.savez writes, but member names without .npy
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("raw", npy_bytes(np.arange(3, dtype=np.uint8)))
    write("npz", "member_without_suffix.npz", zbuf.getvalue())

    # JPEG: the fuzz target asks for 16x16; other sizes and kinds must be
    # refused (or converted) cleanly.
    write("jpeg", "rgb_16x16.jpg", jpeg_bytes((16, 16)))
    write("jpeg", "rgb_16x16_progressive.jpg", jpeg_bytes((16, 16), progressive=True))
    write("jpeg", "rgb_16x16_420.jpg", jpeg_bytes((16, 16), subsampling=2))
    write("jpeg", "gray_16x16.jpg", jpeg_bytes((16, 16), "L"))
    write("jpeg", "cmyk_16x16.jpg", jpeg_bytes((16, 16), "CMYK"))
    write("jpeg", "rgb_8x24.jpg", jpeg_bytes((8, 24)))

    # Target profiles: the shipped ones and the simulator test's hand.yaml.
    for src in sorted((REPO / "targets").glob("*.yaml")):
        write("target-yaml", src.name, src.read_bytes())
    write("target-yaml", "hand.yaml",
          (REPO / "tests/lit/tessera-sim/Inputs/hand.yaml").read_bytes())

    build = args.build.resolve()
    if not (build / "bin" / "tessera-compile").exists():
        print(f"{build}/bin has no tools: onnx-import, mlir-run and npubin "
              "seeds left as they are")
        build = None
    else:
        reset("onnx-import", "mlir-run", "npubin")
    if build is not None:
        with tempfile.TemporaryDirectory() as tmp:
            make_tool_seeds(build, Path(tmp))
    for d in sorted(CORPUS.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} seeds, "
              f"{sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
