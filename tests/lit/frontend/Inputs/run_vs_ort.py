"""Runs an imported model through MLIR's own TOSA lowering and compares it
with onnxruntime.

usage: run_vs_ort.py MODEL.onnx IMPORTED.mlir [--input-shape name=1x3x8x8]
                     [--atol A] [--rtol R] [--input FILE.npz]

IMPORTED.mlir is tessera-import's output for MODEL.onnx. The script appends a
driver (`@entry`: constant inputs, call @main, printMemrefF32 per result),
lowers with upstream mlir-opt (tosa-to-linalg-pipeline, bufferization, LLVM),
executes with mlir-runner, and checks every output against onnxruntime on
the same inputs (seeded uniform [-1, 1), or the arrays of --input). Prints
one line per output: "output NAME: max_abs_err=E ... OK|MISMATCH".
Exit 1 on mismatch. Two independent implementations (upstream MLIR's TOSA
semantics, onnxruntime) agreeing is what makes this a check of the
importer's layouts, weights and padding.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

LLVM_BIN = "/usr/lib/llvm-22/bin"
LLVM_LIB = "/usr/lib/llvm-22/lib"
LOWERING = [
    "--tosa-to-linalg-pipeline", "--tosa-to-arith", "--tosa-to-tensor",
    # arith.divf (Div) and math.roundeven (Round) on tensors -> linalg.
    "--convert-elementwise-to-linalg",
    "--one-shot-bufferize=bufferize-function-boundaries",
    "--convert-linalg-to-loops", "--lower-affine", "--convert-scf-to-cf",
    "--expand-strided-metadata", "--lower-affine",
    "--finalize-memref-to-llvm",
    "--convert-math-to-llvm", "--convert-arith-to-llvm",
    "--convert-func-to-llvm", "--convert-cf-to-llvm",
    "--reconcile-unrealized-casts",
]


def mlir_tensor_type(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("imported")
    ap.add_argument("--input-shape", action="append", default=[])
    ap.add_argument("--input", help="npz with arrays named like the inputs")
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--rtol", type=float, default=1e-4)
    args = ap.parse_args()

    model = onnx.load(args.model)
    init_names = {i.name for i in model.graph.initializer}
    overrides = {}
    for s in args.input_shape:
        name, dims = s.rsplit("=", 1)
        overrides[name] = [int(d) for d in dims.split("x")]
    given = dict(np.load(args.input)) if args.input else {}
    rng = np.random.default_rng(0)
    inputs = {}
    for vi in model.graph.input:
        if vi.name in init_names:
            continue
        if vi.name in given:
            inputs[vi.name] = given[vi.name].astype(np.float32)
            continue
        shape = overrides.get(vi.name) or [
            d.dim_value for d in vi.type.tensor_type.shape.dim]
        inputs[vi.name] = rng.uniform(-1, 1, shape).astype(np.float32)

    sess = ort.InferenceSession(args.model,
                               providers=["CPUExecutionProvider"])
    expected = sess.run(None, inputs)
    out_names = [o.name for o in sess.get_outputs()]

    text = open(args.imported).read()
    sig = re.search(r"func\.func @main\((.*?)\) -> \(?(.*?)\)? \{\n", text)
    if not sig:
        sys.exit("run_vs_ort: cannot find func @main in " + args.imported)
    arg_types = re.findall(r"tensor<[^>]*>", sig.group(1))
    res_types = re.findall(r"tensor<[^>]*>", sig.group(2))
    body = text.rstrip()
    assert body.endswith("}"), "module must end with }"
    body = body[:-1]
    driver = ["  func.func @entry() {"]
    args_ssa = []
    names = [vi.name for vi in model.graph.input if vi.name not in init_names]
    for i, (name, ty) in enumerate(zip(names, arg_types)):
        data = inputs[name]
        assert mlir_tensor_type(data.shape) == ty, (data.shape, ty)
        hexdata = data.astype("<f4").tobytes().hex().upper()
        driver.append(f'    %in{i} = arith.constant dense<"0x{hexdata}"> : {ty}')
        args_ssa.append(f"%in{i}")
    driver.append(f"    %r:{len(res_types)} = call @main({', '.join(args_ssa)}) : "
                  f"({', '.join(arg_types)}) -> ({', '.join(res_types)})")
    for i, ty in enumerate(res_types):
        driver.append(f"    %u{i} = tensor.cast %r#{i} : {ty} to tensor<*xf32>")
        driver.append(f"    call @printMemrefF32(%u{i}) : (tensor<*xf32>) -> ()")
    driver.append("    return")
    driver.append("  }")
    driver.append("  func.func private @printMemrefF32(tensor<*xf32>) "
                  "attributes {llvm.emit_c_interface}")
    program = body + "\n".join(driver) + "\n}\n"

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "prog.mlir")
        low = os.path.join(tmp, "low.mlir")
        open(src, "w").write(program)
        subprocess.run([f"{LLVM_BIN}/mlir-opt", src, *LOWERING, "-o", low],
                       check=True)
        libs = ",".join(f"{LLVM_LIB}/lib{n}.so"
                        for n in ("mlir_runner_utils", "mlir_c_runner_utils"))
        run = subprocess.run(
            [f"{LLVM_BIN}/mlir-runner", low, "-e", "entry", "-O0",
             "-entry-point-result=void", f"-shared-libs={libs}"],
            capture_output=True, text=True)
        if run.returncode:
            sys.exit("mlir-runner failed:\n" + run.stderr[-3000:])

    chunks = run.stdout.split("Unranked Memref")[1:]
    if len(chunks) != len(expected):
        sys.exit(f"run_vs_ort: expected {len(expected)} printed results, "
                 f"got {len(chunks)}")
    ok = True
    for name, ref, chunk in zip(out_names, expected, chunks):
        data = chunk.split("data =", 1)[1]
        got = np.array([float(x) for x in re.findall(
            r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf)", data)],
            dtype=np.float32)
        if got.size != ref.size:
            print(f"output {name}: size {got.size} != {ref.size} MISMATCH")
            ok = False
            continue
        got = got.reshape(ref.shape)
        err = float(np.max(np.abs(got - ref))) if ref.size else 0.0
        good = np.allclose(got, ref, atol=args.atol, rtol=args.rtol)
        ok &= bool(good)
        print(f"output {name}: shape {'x'.join(map(str, ref.shape))} "
              f"max_abs_err={err:.3g} max_abs_ref={float(np.max(np.abs(ref))):.3g} "
              f"{'OK' if good else 'MISMATCH'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
