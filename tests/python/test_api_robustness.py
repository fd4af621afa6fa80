"""No argument kills the interpreter (issue 12): every bad call of
tessera.compile / run / simulate / set_max_memory and tessera.quant raises
TypeError, ValueError or MemoryError with one short line that names the
function and the argument. Calls that aborted, segfaulted or hung before the
fix run in a child interpreter, so that a regression fails one test instead
of killing pytest."""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper as h

import tessera
from tessera import quant

from conftest import run_tool

# A message that names its argument fits on a line; the TypeError
# for a wrong target embedded the whole program (4 MB).
MAX_MESSAGE = 300


def conv_relu_model():
    """x [1, 3, 8, 8] -> 1x1 Conv (3 -> 4, weights 0.25, bias 0) -> Relu -> y:
    y[0, k] = relu(0.25 * (x0 + x1 + x2)) for every output channel k."""
    w = np.full((4, 3, 1, 1), 0.25, np.float32)
    graph = h.make_graph(
        [h.make_node("Conv", ["x", "w"], ["c"], name="conv"),
         h.make_node("Relu", ["c"], ["y"], name="relu")],
        "g", [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [h.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])],
        [onnx.numpy_helper.from_array(w, "w")])
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("robust") / "conv.onnx"
    onnx.save(conv_relu_model(), path)
    return path


@pytest.fixture(scope="module")
def calib():
    return np.random.default_rng(1).uniform(-1, 1, (4, 3, 8, 8)).astype(
        np.float32)


@pytest.fixture(scope="module")
def program(model, calib):
    return tessera.compile(model, target="rv1126", calibration=calib)


@pytest.fixture
def x():
    return np.ones((1, 3, 8, 8), np.float32)


@pytest.fixture(autouse=True)
def default_budget():
    yield
    tessera.set_max_memory(tessera.DEFAULT_MAX_MEMORY)


# Two i8 vectors widened to i32 and multiplied (TOSA MUL, shift 0): a * b.
INTEGER_MLIR = b"""
func.func @main(%a: tensor<3xi8>, %b: tensor<3xi8>) -> tensor<3xi32> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %a32 = tosa.cast %a : (tensor<3xi8>) -> tensor<3xi32>
  %b32 = tosa.cast %b : (tensor<3xi8>) -> tensor<3xi32>
  %m = tosa.mul %a32, %b32, %shift : (tensor<3xi32>, tensor<3xi32>, tensor<1xi8>) -> tensor<3xi32>
  return %m : tensor<3xi32>
}
"""


def check(excinfo, *needles):
    """The exception's message is one line, short, and holds every needle."""
    msg = str(excinfo.value)
    assert msg and "\n" not in msg and len(msg) < MAX_MESSAGE, msg
    for needle in needles:
        assert needle in msg, (needle, msg)


CHILD = """
import json, sys
import numpy as np
import tessera
try:
{body}
    print(json.dumps({{"type": None, "message": ""}}))
except Exception as e:
    print(json.dumps({{"type": type(e).__name__, "message": str(e)}}))
"""


def in_child(body, timeout=60):
    """Runs `body` (Python statements) in a fresh interpreter: returns
    (exception type name or None, message). Fails if the child dies from a
    signal or does not finish in `timeout` seconds."""
    code = CHILD.format(body="\n".join("    " + l for l in body.splitlines()))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["type"], result["message"]


def check_child(body, exc_type, *needles, timeout=60):
    kind, msg = in_child(body, timeout)
    assert kind == exc_type, (kind, msg)
    assert msg and "\n" not in msg and len(msg) < MAX_MESSAGE, msg
    for needle in needles:
        assert needle in msg, (needle, msg)


# --- the cases -------------------------------------------------------


def test_run_with_a_million_threads_raises():
    # Aborted the interpreter: an add of 2^18 floats is split over threads,
    # so llvm::parallel's executor was created with a million workers and
    # spawned them until the OS refused one (std::system_error, about 3 s
    # later; the sleep keeps the child alive that long).
    check_child("""
n = 1 << 18
t = "tensor<%dxf32>" % n
text = ("func.func @main(%a: T) -> T {\\n"
        "  %b = tosa.add %a, %a : (T, T) -> T\\n"
        "  return %b : T\\n}\\n").replace("T", t)
tessera.run(text.encode(), {"arg0": np.ones(n, np.float32)}, threads=10**6)
import time; time.sleep(10)
""", "ValueError", "run: threads", "1 to 1024", "1000000")


def test_compile_of_model_bytes_has_a_message(model):
    # compile(b"...") raised ValueError('') (a NUL byte cut the message);
    # bytes are now the model itself, as for tessera.run.
    with pytest.raises(ValueError) as e:
        tessera.compile(b"...")
    check(e, "<memory>", "not a valid ONNX model")


def test_compile_of_real_model_bytes_equals_compile_of_the_path(model):
    text = tessera.compile(model.read_bytes(), emit="tosa")
    assert text == tessera.compile(model, emit="tosa")


def test_compile_wrong_target_type_is_short(model):
    with pytest.raises(TypeError) as e:
        tessera.compile(model.read_bytes(), target=123)
    check(e, "compile: target", "got int")


def test_simulate_wrong_target_type_is_short(program, x):
    # Was a 62 KB TypeError holding the program's repr.
    with pytest.raises(TypeError) as e:
        tessera.simulate(program, {"x": x}, target=123)
    check(e, "simulate: target", "got int")


# --- tessera.run ---------------------------------------------------------------


@pytest.mark.parametrize("threads", [2**32, 2**70, -1, 1025])
def test_run_threads_out_of_range(model, x, threads):
    with pytest.raises(ValueError) as e:
        tessera.run(model, {"x": x}, threads=threads)
    check(e, "run: threads")


@pytest.mark.parametrize("threads", [1.5, "2", None, True])
def test_run_threads_wrong_type(model, x, threads):
    with pytest.raises(TypeError) as e:
        tessera.run(model, {"x": x}, threads=threads)
    check(e, "run: threads must be an int")


def test_run_threads_at_the_limit_gives_the_same_result(model, x):
    # relu(0.25 * (1 + 1 + 1)) = 0.75 everywhere, for any thread count.
    for threads in (0, 1, 1024, np.int64(2)):
        y = tessera.run(model, {"x": x}, threads=threads)["y"]
        np.testing.assert_array_equal(y, np.full((1, 4, 8, 8), 0.75,
                                                 np.float32))


@pytest.mark.parametrize("bad", [None, 123, 1.5])
def test_run_model_wrong_type(x, bad):
    with pytest.raises(TypeError) as e:
        tessera.run(bad, {"x": x})
    check(e, "run: model must be a path")


def test_run_model_dev_zero_is_refused(x):
    # Read forever.
    check_child('tessera.run("/dev/zero", {"x": np.ones((1, 3, 8, 8))})',
                "ValueError", "/dev/zero: not a regular file", timeout=30)


@pytest.mark.parametrize("name", ["m.onnx", "m.mlir"])
def test_run_model_fifo_is_refused(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    # Blocked until a writer came.
    check_child(f'tessera.run({str(fifo)!r}, {{}})', "ValueError",
                name + ": not a regular file", timeout=30)


def test_run_model_path_with_nul(x):
    with pytest.raises(ValueError) as e:
        tessera.run("m\0.onnx", {"x": x})
    check(e, "run: model", "NUL byte")


def test_run_empty_model_bytes(x):
    with pytest.raises(ValueError) as e:
        tessera.run(b"", {"x": x})
    check(e, "<memory>", "empty")


@pytest.mark.parametrize("text", [
    b"module {" + b"func.func @f() {" * 100000,
    b"#a = " + b"[" * 100000,
    b"func.func @main() -> " + b"tuple<" * 100000,
    b"#a = " + b"(" * 100000,
], ids=["regions", "arrays", "types", "parens"])
def test_run_deeply_nested_mlir(text, tmp_path):
    # Overflowed the MLIR parser's stack (segfault), as bytes and as a file.
    path = tmp_path / "deep.mlir"
    path.write_bytes(text)
    check_child(f"tessera.run(open({str(path)!r}, 'rb').read(), {{}})",
                "ValueError", "<memory>:1: brackets nest deeper than 256")
    check_child(f"tessera.run({str(path)!r}, {{}})", "ValueError",
                "deep.mlir:1: brackets nest deeper than 256")


def test_run_nesting_below_the_limit_still_parses():
    # 200 nested parentheses in an attribute-free type: parsed (and then
    # rejected as not a module of ops, which is the parser talking).
    with pytest.raises(ValueError) as e:
        tessera.run(b"#a = " + b"(" * 200, {})
    assert "nest deeper" not in str(e.value)


@pytest.mark.parametrize("inputs", [None, [np.ones(3)], "x"])
def test_run_inputs_not_a_dict(model, inputs):
    with pytest.raises(TypeError) as e:
        tessera.run(model, inputs)
    check(e, "run: inputs must be a dict")


def test_run_inputs_key_wrong_type(model, x):
    with pytest.raises(TypeError) as e:
        tessera.run(model, {(1, 2): x})
    check(e, "run: inputs keys must be input names")


def test_run_inputs_key_not_utf8(model, x):
    with pytest.raises(ValueError) as e:
        tessera.run(model, {"\udcff": x})
    check(e, "run: inputs key", "UTF-8")


def test_run_inputs_int_key_is_a_position(model, x):
    y = tessera.run(model, {0: x})["y"]
    assert float(y.max()) == 0.75


@pytest.mark.parametrize("value, what", [
    (None, "NoneType"),
    ("abc", "str"),
    (np.ones((1, 3, 8, 8), object), "dtype object"),
    (np.ones((1, 3, 8, 8), np.complex64), "dtype complex64"),
    (np.zeros((1, 3, 8, 8), "U3"), "dtype <U3"),
], ids=["none", "str", "object", "complex", "unicode"])
def test_run_input_value_wrong_type(model, value, what):
    # An object array of None ran as NaN; complex lost its imaginary part.
    with pytest.raises(TypeError) as e:
        tessera.run(model, {"x": value})
    check(e, "run: inputs['x'] must be an array of bool, integer or float",
          what)


def test_run_input_ragged_list(model):
    with pytest.raises(ValueError) as e:
        tessera.run(model, {"x": [[1, 2], [3]]})
    check(e, "run: inputs['x'] is not an array")


def test_run_input_strided_fortran_float64_and_bool_are_converted(model):
    base = np.ones((1, 3, 8, 16))
    for x in (base[..., ::2], np.asfortranarray(base[..., :8]),
              base[..., :8].astype(bool)):
        assert float(tessera.run(model, {"x": x})["y"].max()) == 0.75


def test_run_huge_wrong_shape_input_is_not_converted(model):
    # 2^50 float32 elements (a 4 PiB view): rejected by shape, not copied.
    x = np.broadcast_to(np.float32(0), (2**20, 2**20, 2**10))
    with pytest.raises(ValueError) as e:
        tessera.run(model, {"x": x})
    check(e, "input 'x': expected tensor<1x3x8x8xf32>")


@pytest.mark.parametrize("value, shown", [
    (np.array([1.5, 0, 0]), "1.5"),
    (np.array([np.nan, 0, 0]), "nan"),
    (np.array([300, 0, 0]), "300"),
    (np.array([-129, 0, 0], np.int16), "-129"),
    (np.array([2**63, 0, 0], np.uint64), "9223372036854775808"),
], ids=["fraction", "nan", "300", "-129", "uint64"])
def test_run_integer_argument_takes_only_exact_values(value, shown):
    # numpy's cast wrapped 300 to 44 and turned NaN into an arbitrary int8.
    with pytest.raises(ValueError) as e:
        tessera.run(INTEGER_MLIR, {"arg0": value, "arg1": [1, 1, 1]})
    check(e, "arg0", shown)


def test_run_integer_argument_exact_values_pass():
    # (7 * 3, -7 * 3, -128 * 1) >> 0; float 7.0 and int64 -128 are exact i8.
    got = tessera.run(INTEGER_MLIR, {"arg0": np.array([7.0, -7, -128]),
                                     "arg1": np.array([3, 3, 1], np.int64)})
    np.testing.assert_array_equal(got["output0"], [21, -21, -128])


@pytest.mark.parametrize("shapes, exc, needle", [
    ([1, 2], TypeError, "input_shapes must be a dict"),
    ({1: [1]}, TypeError, "input_shapes keys must be input names"),
    ({"x": None}, TypeError, "input_shapes['x'] must be a sequence"),
    ({"x": "1x3"}, TypeError, "input_shapes['x'] must be a sequence"),
    ({"x": [1.5, 3, 8, 8]}, TypeError, "dimension must be an int"),
    ({"x": [2**70, 3, 8, 8]}, ValueError, "dimension must be in [1, "),
    ({"x": [0, 3, 8, 8]}, ValueError, "got 0"),
    ({"x": [-1, 3, 8, 8]}, ValueError, "got -1"),
], ids=["list", "int-key", "none", "str", "float", "2^70", "zero",
        "negative"])
def test_run_input_shapes_invalid(model, x, shapes, exc, needle):
    with pytest.raises(exc) as e:
        tessera.run(model, {"x": x}, input_shapes=shapes)
    check(e, "run: input_shapes", needle)


def test_run_input_shape_over_the_budget(model, x):
    with pytest.raises(MemoryError) as e:
        tessera.run(model, {"x": x}, input_shapes={"x": [2**40, 3, 8, 8]})
    check(e, "input 'x'", "over the memory budget",
          "(tessera.set_max_memory)")


def test_run_function_wrong_type(model, x):
    with pytest.raises(TypeError) as e:
        tessera.run(model, {"x": x}, function=12)
    check(e, "run: function must be a str")


def test_run_dump_all_wrong_type(model, x):
    with pytest.raises(TypeError) as e:
        tessera.run(model, {"x": x}, dump_all="yes")
    check(e, "run: dump_all must be a bool")


# --- tessera.compile ---------------------------------------------------------


@pytest.mark.parametrize("bad", [None, 123, [1]])
def test_compile_model_wrong_type(bad):
    with pytest.raises(TypeError) as e:
        tessera.compile(bad)
    check(e, "compile: model must be a path")


def test_compile_target_dev_zero_is_refused(model):
    # Read forever.
    check_child(f'tessera.compile({str(model)!r}, target="/dev/zero", '
                'emit="tosa")', "ValueError", "/dev/zero: not a regular file",
                timeout=30)


def test_compile_target_none(model):
    with pytest.raises(TypeError) as e:
        tessera.compile(model, target=None)
    check(e, "compile: target must be a profile name or a path")


def test_compile_target_not_utf8(model):
    with pytest.raises(ValueError) as e:
        tessera.compile(model, target="\udcff")
    check(e, "compile: target", "UTF-8")


@pytest.mark.parametrize("kwargs, exc, needle", [
    (dict(emit=5), TypeError, "compile: emit must be a str"),
    (dict(quiet="no"), TypeError, "compile: quiet must be a bool"),
    (dict(mean=None), TypeError, "compile: mean must be a sequence"),
    (dict(mean="abc"), TypeError, "compile: mean must be a sequence"),
    (dict(mean=(1, 2)), ValueError, "compile: mean needs 3 values"),
    (dict(std=(0, 0, 0)), ValueError, "compile: std values must be finite "
                                      "and > 0"),
    (dict(std=(float("nan"),) * 3), ValueError, "compile: std values"),
    (dict(mean=(0, float("inf"), 0)), ValueError, "compile: mean values"),
    (dict(max_calibration_samples=-1), ValueError,
     "compile: max_calibration_samples must be in [0, "),
    (dict(max_calibration_samples=2**70), ValueError,
     "compile: max_calibration_samples must be in [0, "),
    (dict(max_calibration_samples="3"), TypeError,
     "compile: max_calibration_samples must be an int"),
    (dict(output=5), TypeError, "compile: output must be a path"),
    (dict(output="out\0.npubin"), ValueError, "compile: output"),
    (dict(calibration=[[1.0]]), TypeError,
     "compile: calibration must be a path"),
    (dict(calibration="/dev/null", emit=None), ValueError,
     "/dev/null: expected a directory of JPEG images, a .jpg or a .npz"),
    (dict(calibration=np.ones((2, 3, 8, 8), object)), TypeError,
     "compile: calibration must be an array of integer or float values"),
    (dict(calibration=np.full((2, 3, 8, 8), np.nan, np.float32)), ValueError,
     "compile: calibration holds nan at flat index 0"),
], ids=["emit", "quiet", "mean-none", "mean-str", "mean-2", "std-0",
        "std-nan", "mean-inf", "samples-neg", "samples-2^70", "samples-str",
        "output-int", "output-nul", "calib-list", "calib-devnull",
        "calib-object", "calib-nan"])
def test_compile_bad_argument(model, calib, kwargs, exc, needle):
    kwargs.setdefault("emit", "tosa")
    with pytest.raises(exc) as e:
        tessera.compile(model, **kwargs)
    check(e, needle)


def test_compile_calibration_array_errors_name_the_array(model):
    # The temporary .npz's path no longer shows in the message.
    with pytest.raises(ValueError) as e:
        tessera.compile(model, calibration=np.zeros((2, 3, 4, 4), np.float32))
    check(e, "<calibration array>", "2x3x4x4")
    assert "/tmp" not in str(e.value)


def test_compile_huge_calibration_array_is_checked_before_copying(model):
    # A 4 PiB broadcast view: over the budget before numpy copies it.
    samples = np.broadcast_to(np.float32(0), (2**20, 2**20, 2**10))
    with pytest.raises(MemoryError) as e:
        tessera.compile(model, calibration=samples)
    check(e, "compile: calibration array", "over the memory budget")


def test_compile_budget_names_the_python_setter(model, calib):
    # One 1x3x8x8 float sample is 768 bytes.
    tessera.set_max_memory(512)
    with pytest.raises(MemoryError) as e:
        tessera.compile(model, calibration=calib[:1])
    check(e, "over the memory budget", "(tessera.set_max_memory)")


# --- tessera.simulate --------------------------------------------------------


def test_simulate_target_dev_zero_is_refused(program):
    # Read forever.
    check_child(f'tessera.simulate({bytes(program)!r}, target="/dev/zero")',
                "ValueError", "/dev/zero: not a regular file", timeout=30)


@pytest.mark.parametrize("bad", [None, 123])
def test_simulate_program_wrong_type(bad):
    with pytest.raises(TypeError) as e:
        tessera.simulate(bad)
    check(e, "simulate: program must be a path")


def test_simulate_program_missing(tmp_path):
    with pytest.raises(ValueError) as e:
        tessera.simulate(tmp_path / "missing.npubin")
    check(e, "missing.npubin: cannot open")


def test_simulate_program_fifo_is_refused(tmp_path):
    fifo = tmp_path / "p.npubin"
    os.mkfifo(fifo)
    check_child(f"tessera.simulate({str(fifo)!r})", "ValueError",
                "p.npubin: not a regular file", timeout=30)


def test_simulate_inputs_not_a_dict(program, x):
    with pytest.raises(TypeError) as e:
        tessera.simulate(program, [x])
    check(e, "simulate: inputs must be a dict")


def test_simulate_inputs_key_not_str(program, x):
    # Was a 62 KB pybind11 TypeError.
    with pytest.raises(TypeError) as e:
        tessera.simulate(program, {0: x})
    check(e, "simulate: inputs keys must be input names (str)")


@pytest.mark.parametrize("value, what", [
    (None, "NoneType"),
    (np.ones((1, 3, 8, 8), object), "dtype object"),
    (np.ones((1, 3, 8, 8), np.complex64), "dtype complex64"),
    (np.ones((1, 3, 8, 8), bool), "dtype bool"),
    (np.zeros((1, 3, 8, 8), "U3"), "dtype <U3"),
], ids=["none", "object", "complex", "bool", "unicode"])
def test_simulate_input_value_wrong_type(program, value, what):
    with pytest.raises(TypeError) as e:
        tessera.simulate(program, {"x": value})
    check(e, "simulate: inputs['x'] must be an array of integer or float",
          what)


def test_simulate_uint64_input_beyond_int64(program):
    # Wrapped to a negative number in the error message before.
    with pytest.raises(ValueError) as e:
        tessera.simulate(program, {"x": np.full((1, 3, 8, 8), 2**63,
                                                np.uint64)})
    check(e, "simulate: inputs['x']", "9223372036854775808",
          "does not fit int64")


def test_simulate_huge_wrong_shape_input_is_not_converted(program):
    x = np.broadcast_to(np.float32(0), (2**20, 2**20, 2**10))
    with pytest.raises(ValueError) as e:
        tessera.simulate(program, {"x": x})
    check(e, "input 'x': expected shape [1,3,8,8]")


def test_simulate_timing_only_wrong_type(program, x):
    with pytest.raises(TypeError) as e:
        tessera.simulate(program, {"x": x}, timing_only="x")
    check(e, "simulate: timing_only must be a bool")


def test_simulate_strided_input_equals_contiguous(program):
    x = np.random.default_rng(2).uniform(-1, 1, (1, 3, 8, 16)).astype(
        np.float32)
    a = tessera.simulate(program, {"x": x[..., ::2]})
    b = tessera.simulate(program, {"x": np.ascontiguousarray(x[..., ::2])})
    np.testing.assert_array_equal(a.int_outputs["y"], b.int_outputs["y"])


# --- memory budget -------------------------------------------------------------


def test_memory_budget_round_trip():
    assert tessera.DEFAULT_MAX_MEMORY == 4 * 2**30
    assert tessera.max_memory() == tessera.DEFAULT_MAX_MEMORY
    tessera.set_max_memory(2**20)
    assert tessera.max_memory() == 2**20
    tessera.set_max_memory(np.int64(2**48))
    assert tessera.max_memory() == 2**48


@pytest.mark.parametrize("value, exc", [
    (0, ValueError), (-1, ValueError), (2**48 + 1, ValueError),
    (2**80, ValueError), ("4G", TypeError), (1.5, TypeError),
    (None, TypeError),
], ids=["0", "-1", "2^48+1", "2^80", "str", "float", "none"])
def test_memory_budget_invalid(value, exc):
    with pytest.raises(exc) as e:
        tessera.set_max_memory(value)
    check(e, "set_max_memory: bytes")
    assert tessera.max_memory() == tessera.DEFAULT_MAX_MEMORY


def test_memory_budget_applies_to_run(model, x):
    # The 1x3x8x8 float input needs 768 bytes, the conv's 1x4x8x8 result
    # 1024.
    tessera.set_max_memory(512)
    with pytest.raises(MemoryError) as e:
        tessera.run(model, {"x": x})
    check(e, "input 'x'", "needs 768 bytes", "over the memory budget of 512 "
          "bytes (tessera.set_max_memory)")
    tessera.set_max_memory(768)
    with pytest.raises(MemoryError) as e:
        tessera.run(model, {"x": x})
    check(e, "node 'conv' (Conv)", "needs 1024 bytes")
    tessera.set_max_memory(1024)
    assert float(tessera.run(model, {"x": x})["y"].max()) == 0.75


def test_memory_budget_applies_to_simulate(program, x):
    tessera.set_max_memory(64)
    with pytest.raises(MemoryError) as e:
        tessera.simulate(program, {"x": x})
    check(e, "program DRAM", "over the memory budget of 64 bytes "
          "(tessera.set_max_memory)")


def test_memory_budget_applies_to_mlir_constants():
    text = (b'func.func @main(%x: tensor<1xf32>) -> tensor<1099511627776xf32> {'
            b'  %c = "tosa.const"() {values = dense<1.0> : '
            b'tensor<1099511627776xf32>} : () -> tensor<1099511627776xf32>'
            b'  return %c : tensor<1099511627776xf32> }')
    with pytest.raises(MemoryError) as e:
        tessera.run(text, {"arg0": np.ones(1, np.float32)})
    check(e, "tosa.const", "over the memory budget")


# --- tessera.quant -------------------------------------------------------------


@pytest.mark.parametrize("call, exc, needle", [
    (lambda: quant.quantize([1.0], 0.1, 0, dtype=5), TypeError,
     "quantize: dtype must be a str"),
    (lambda: quant.quantize([1.0], 0.1, 0, rounding=None), TypeError,
     "quantize: rounding must be a str"),
    (lambda: quant.quantize([1.0], 0.1, 0, narrow_range="x"), TypeError,
     "quantize: narrow_range must be a bool"),
    (lambda: quant.quantize([1.0], "0.1", 0), TypeError,
     "quantize: scale must be a real number"),
    (lambda: quant.quantize([1.0], 0.1, 0.5), TypeError,
     "quantize: zero_point must be an int"),
    (lambda: quant.quantize(None, 0.1, 0), TypeError,
     "quantize: x must hold bool, integer or float values, got NoneType"),
    (lambda: quant.quantize(np.ones(2, object), 0.1, 0), TypeError,
     "quantize: x must hold bool, integer or float values, got an array of "
     "dtype object"),
    (lambda: quant.quantize(np.ones(2, complex), 0.1, 0), TypeError,
     "dtype complex128"),
    (lambda: quant.quantize(["a"], 0.1, 0), TypeError, "got list"),
    (lambda: quant.choose_qparams(None), TypeError,
     "choose_qparams: x must hold"),
    (lambda: quant.choose_qparams([1.0], symmetric="yes"), TypeError,
     "choose_qparams: symmetric must be a bool"),
    (lambda: quant.dequantize(np.ones(2, object), 0.1, 0), TypeError,
     "dequantize: q must hold"),
    (lambda: quant.dequantize([1], "x", 0), TypeError,
     "dequantize: scale must be a real number"),
    (lambda: quant.dequantize(np.array([2**64 - 1], np.uint64), 0.1, 0),
     ValueError, "dequantize: q holds 18446744073709551615, which does not "
                 "fit int64"),
    (lambda: quant.round_with(None), TypeError, "round_with: x must hold"),
    (lambda: quant.to_fixed(1.0, 2**31, 0), ValueError,
     "to_fixed: int_bits = 2147483648 is out of range"),
    (lambda: quant.to_fixed(1.0, 0, 2**40), ValueError,
     "to_fixed: frac_bits = 1099511627776 is out of range"),
    (lambda: quant.to_fixed(1.0, 3.5, 4), TypeError,
     "to_fixed: int_bits must be an int"),
    (lambda: quant.to_fixed("1", 3, 4), TypeError,
     "to_fixed: x must be a real number"),
    (lambda: quant.from_fixed(1, 2**31, 0), ValueError,
     "from_fixed: int_bits = 2147483648 is out of range"),
    (lambda: quant.from_fixed(1.5, 3, 4), TypeError,
     "from_fixed: a must be an int"),
    (lambda: quant.quantize_multiplier("x"), TypeError,
     "quantize_multiplier: m must be a real number"),
    (lambda: quant.quantize_multiplier(1j), TypeError,
     "quantize_multiplier: m must be a real number, got complex"),
    (lambda: quant.quantize_multiplier(2**2000), ValueError,
     "does not fit a double"),
    (lambda: quant.apply_scale(1.5, 1, 2), TypeError,
     "apply_scale: value must be an int"),
    (lambda: quant.apply_scale(1, 1 << 30, 31, strict=None), TypeError,
     "apply_scale: strict must be a bool"),
    (lambda: quant.apply_scale_16(1, 1, 2**40), ValueError,
     "apply_scale_16: shift must be in [2, 62]"),
    (lambda: quant.quant_range(None), TypeError,
     "quant_range: dtype must be a str"),
], ids=lambda v: None)
def test_quant_bad_argument(call, exc, needle):
    with pytest.raises(exc) as e:
        call()
    check(e, needle)


def test_quant_bad_argument_with_a_long_list_is_short():
    # pybind11's overload failure printed the list: a 5 MB TypeError.
    xs = [1.0] * 1000000
    with pytest.raises(TypeError) as e:
        quant.quantize(xs, "bad", 0)
    check(e, "quantize: scale")
    with pytest.raises(TypeError) as e:
        quant.quantize(xs, 0.1)  # zero_point missing: Python's own message
    check(e, "zero_point")


def test_quant_good_arguments_of_every_accepted_type():
    # 1.0 / 0.1 = 10; numpy scalars, bools and int arrays are accepted.
    assert quant.quantize([1.0], 0.1, 0).tolist() == [10]
    assert quant.quantize(np.array([True, False]), np.float32(0.5),
                          np.int64(1), "uint8").tolist() == [3, 1]
    assert quant.quantize([1.0], 0.1, 0, narrow_range=np.bool_(True),
                          dtype="int8").tolist() == [10]
    assert quant.to_fixed(0.5, np.int32(3), 4) == 8
    assert quant.from_fixed(np.int16(8), 3, 4) == 0.5
    assert quant.dequantize(np.array([5], np.uint64), 0.5, 1).tolist() == [2.0]


def test_cli_num_threads_agrees(tmp_path):
    # tessera-run --num-threads and tessera.run(threads=) share one check.
    src = tmp_path / "m.mlir"
    src.write_bytes(INTEGER_MLIR)
    proc = run_tool("tessera-run", src, "--print", "--num-threads", "1000000",
                    check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        "error: --num-threads: must be 0 (every core) or 1 to 1024, got "
        "1000000"), proc.stderr
