"""``tessera.compile`` and ``tessera.simulate``: the two tools as functions.

Both call the same C++ code as ``tessera-compile`` and ``tessera-sim``; errors
raise ``ValueError`` with the tool's one-line message (``MemoryError`` for a
size over the memory budget). Arguments are checked first (``_checks``): a
bad one is a ``TypeError`` or ``ValueError`` naming it.
"""
import json
import os
import tempfile

import numpy as np

from . import _tessera
from ._checks import (INT64_MAX, array_arg, flag_arg, floats_arg,
                      inputs_arg, int_arg, path_arg, shapes_arg, short,
                      percentile_arg, str_arg, str_list_arg, target_arg)

_BYTES = (bytes, bytearray, memoryview)


def _temp_file(data, suffix, writer=None):
    """A temporary file holding `data` (bytes, or written by `writer`)."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            if writer:
                writer(f)
            else:
                f.write(data)
    except BaseException:
        os.remove(path)
        raise
    return path


def _renamed(error, names):
    """`error` with each temporary path in its message replaced by what the
    caller passed ("<memory>", "<calibration array>")."""
    msg = str(error)
    for path, name in names.items():
        msg = msg.replace(path, name)
    return type(error)(msg)


def _calibration_array(samples):
    """Checks an ndarray of calibration samples and writes it to a temporary
    .npz; returns its path."""
    a = array_arg("compile", "calibration", samples, kinds="iuf")
    # The float32 copy (and the file) would be this large: the same budget
    # the C++ side applies to a .npz entry, checked before numpy allocates.
    nbytes = a.size * 4
    if nbytes > max_memory():
        raise MemoryError(
            "compile: calibration array %s needs %d bytes as float32, over "
            "the memory budget of %d bytes (tessera.set_max_memory)"
            % ("x".join(map(str, a.shape)) or "scalar", nbytes, max_memory()))
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        i = int(np.flatnonzero(~np.isfinite(a.ravel()))[0])
        raise ValueError("compile: calibration holds %s at flat index %d"
                         % (a.ravel()[i], i))
    # A single array serves the model's single input, whatever its name.
    return _temp_file(None, ".npz", lambda f: np.savez(
        f, samples=np.ascontiguousarray(a, np.float32)))


def compile(model, output=None, target="rv1126", calibration=None,
            mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), input_shapes=None,
            emit=None, quiet=True, max_calibration_samples=0,
            embed_preprocessing=False, input_layout="nchw",
            input_color="rgb", float_nodes=None, no_fallback=False,
            calibration_method=None, percentile=None, scheme=None,
            config=None, write_config=None, node_dtypes=None):
    """Compiles ``model`` (an ONNX file path, or the file's bytes; or the
    path of an integer-level ``.mlir``, e.g. ``emit="int"`` output, possibly
    with host-fallback ops, which is lowered directly: docs/lowering.md
    "Host segments") for ``target`` (a profile name or a YAML profile path).

    calibration: a directory of JPEGs, one JPEG, a .npz path (one [N, ...]
    array per input), or an ndarray of samples [N, ...] for the single input,
    which is written to a temporary .npz. mean/std: per-channel image
    preprocessing after pixel/255 (3 finite values; std > 0). input_shapes:
    {name: shape} for dynamic inputs. emit: "tosa", "quant", "int", "npu" or
    "asm" returns that level as text instead of compiling. Otherwise returns
    the .npubin bytes (and writes them to ``output`` if given).
    max_calibration_samples: 0 (all) or at most that many samples.
    embed_preprocessing: the program takes raw uint8 pixels (scale 1, zero
    point 0) in ``input_layout`` ("nchw" or "nhwc") and ``input_color``
    ("rgb" or "bgr") order and applies mean/std itself (docs/tools.md).
    float_nodes: ONNX node names or glob patterns whose ops run in float on
    the host CPU (a pattern matching no node is an error). no_fallback: an
    op that cannot be folded to integer is an error instead of running on
    the host (contradicts float_nodes). calibration_method: "minmax",
    "moving_average", "percentile", "kl" or "mse" (None: the target
    profile's calibration_method; docs/quantization.md "Calibration
    methods"); percentile: the percentile kept by "percentile", in
    (0, 100] (None: 99.99). scheme: a quantization scheme of the target
    profile by name (None: its default_scheme; e.g. rv1126's "dfp_i8",
    dynamic fixed point with power-of-two scales; j5's "int16_activations",
    orin's "int16_symmetric", rv1126's "dfp_i16": int16 activations).
    config: a per-node
    configuration YAML to apply (dtype, scheme, calibration method and
    device per ONNX node name or glob; docs/quantization.md "Per-node
    configuration"); write_config: a path to write the per-node choices
    the compiler made to, in the same format (needs the integer level: not
    with emit="tosa" or "quant").
    node_dtypes: per-node precision, {pattern: "int8" | "int16"} (an ONNX
    node name or glob pattern; docs/quantization.md "Per-node precision").
    """
    fn = "compile"
    names = {}  # temporary path -> how messages name it
    try:
        if isinstance(model, _BYTES):
            path = _temp_file(bytes(model), ".onnx")
            names[path] = "<memory>"
        else:
            path = path_arg(fn, "model", model)
        if output is not None:
            output = path_arg(fn, "output", output)
        target = target_arg(fn, target)
        if isinstance(calibration, np.ndarray):
            calibration = _calibration_array(calibration)
            names[calibration] = "<calibration array>"
        elif calibration is not None:
            calibration = path_arg(fn, "calibration", calibration)
        mean = floats_arg(fn, "mean", mean, 3)
        std = floats_arg(fn, "std", std, 3, positive=True)
        shapes = shapes_arg(fn, input_shapes)
        emit = str_arg(fn, "emit", emit, optional=True)
        quiet = flag_arg(fn, "quiet", quiet)
        samples = int_arg(fn, "max_calibration_samples",
                          max_calibration_samples, 0, INT64_MAX)
        embed = flag_arg(fn, "embed_preprocessing", embed_preprocessing)
        layout = str_arg(fn, "input_layout", input_layout)
        color = str_arg(fn, "input_color", input_color)
        if layout not in ("nchw", "nhwc"):
            raise ValueError("compile: input_layout: expected 'nchw' or "
                             "'nhwc', got %r" % layout)
        if color not in ("rgb", "bgr"):
            raise ValueError("compile: input_color: expected 'rgb' or 'bgr', "
                             "got %r" % color)
        if not embed and (layout, color) != ("nchw", "rgb"):
            raise ValueError("compile: input_layout and input_color describe the "
                             "pixels of embed_preprocessing, which is False")
        float_nodes = str_list_arg(fn, "float_nodes", float_nodes)
        no_fallback = flag_arg(fn, "no_fallback", no_fallback)
        method = str_arg(fn, "calibration_method", calibration_method,
                         optional=True) or ""
        scheme = str_arg(fn, "scheme", scheme, optional=True) or ""
        if config is not None:
            config = path_arg(fn, "config", config)
        if write_config is not None:
            write_config = path_arg(fn, "write_config", write_config)
        if node_dtypes is None:
            node_dtypes = {}
        if not isinstance(node_dtypes, dict):
            raise TypeError("%s: node_dtypes must be a dict {pattern: dtype}, "
                            "got %s" % (fn, type(node_dtypes).__name__))
        node_dtypes = [(str_arg(fn, "node_dtypes key", k),
                        str_arg(fn, "node_dtypes[%r]" % k, v))
                       for k, v in node_dtypes.items()]
        percentile = percentile_arg(fn, percentile)
        try:
            return _tessera._compile(path, output, target, calibration, mean,
                                     std, shapes, emit, quiet, samples, embed,
                                     layout == "nhwc", color == "bgr",
                                     float_nodes, no_fallback, method,
                                     percentile, scheme, config,
                                     write_config, node_dtypes)
        except (ValueError, MemoryError) as e:
            if not names:
                raise
            raise _renamed(e, names) from None
    finally:
        for tmp in names:
            os.remove(tmp)


class SimulationResult(tuple):
    """``(outputs, report)``: outputs maps each model output name to its
    dequantized float32 array; report is a list of per-layer dicts (layer id,
    name, op, device ("npu", or "cpu" for a host segment), macs, cycles,
    latency_us, achieved_tops, dram_bytes, energy_uj, host_us, ...). Also: ``int_outputs`` (the raw integers), ``totals`` (the same fields
    for the whole run), ``json`` (the full report document, as tessera-sim
    --report writes it) and ``table`` (the printed table)."""

    def __new__(cls, outputs, int_outputs, report_json, table):
        doc = json.loads(report_json)
        self = super().__new__(cls, (outputs, doc["layers"]))
        self.outputs = outputs
        self.report = doc["layers"]
        self.int_outputs = int_outputs
        self.totals = doc["totals"]
        self.json = doc
        self.table = table
        return self


def simulate(program, inputs=None, target=None, timing_only=False,
             trace=None):
    """Runs a compiled program (.npubin path or the bytes ``compile``
    returned) on the simulator. inputs: {name: ndarray}; float arrays are
    quantized with the input's scale and zero point, integer arrays are taken
    as already quantized (uint8 ones as the input's uint8 view: bytes XOR
    0x80 for an int8 input, e.g. raw pixels for a program compiled with
    embed_preprocessing). Inputs not given hold their zero point. target:
    another profile to time the same program on (default: the program's).
    trace: a path to write the timeline to as Chrome trace-event JSON
    (Perfetto UI, chrome://tracing), as ``tessera-sim --trace`` does
    (docs/simulator.md, "Timeline trace")."""
    fn = "simulate"
    program = (bytes(program) if isinstance(program, _BYTES)
               else path_arg(fn, "program", program))
    # Bool arrays are refused: the NPU has no bool inputs, and 0/1 taken as
    # already-quantized integers is rarely what a caller meant.
    arrays = inputs_arg(fn, {} if inputs is None else inputs,
                        positional=False, kinds="iuf")
    target = target_arg(fn, target, optional=True)
    timing_only = flag_arg(fn, "timing_only", timing_only)
    if trace is not None:
        trace = path_arg(fn, "trace", trace)
    return SimulationResult(*_tessera._simulate(program, arrays, target,
                                                timing_only, trace))


def _is_mlir_text(data):
    """Whether in-memory model bytes are MLIR text rather than an ONNX
    protobuf (which is binary and never starts with these)."""
    head = bytes(data[:4096]).lstrip()
    if not head.startswith((b"module", b"func.func", b"#", b"//", b"{-#")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def run(model, inputs, dump_all=False, input_shapes=None, function=None,
        threads=0):
    """Runs ``model`` with Tessera's reference executors and returns
    ``{output name: ndarray}``.

    model: a path to an .onnx model (imported exactly as ``tessera-compile``
    imports it, graph clean-up included) or to a .mlir file of TOSA, or the
    file's bytes. Float TOSA runs on the float executor; integer TOSA (e.g.
    ``compile(..., emit="int")``) on the bit-exact integer executor.
    inputs: ``{name: ndarray}`` by ONNX input name (or "arg0", "0", ...);
    arrays are cast to the argument's element type. input_shapes: ``{name:
    shape}`` for ONNX inputs with dynamic dimensions. function: the function
    to run in a multi-function module (default @main or the only one).
    threads: how many threads the float executor splits its work over
    (0: every core, at most 1024); the results are identical for any count.
    Without
    ``dump_all``, a float Conv followed by its Relu/Clip or SiLU runs as one
    fused op (same values, fewer passes over memory).

    With ``dump_all=True`` returns ``(outputs, intermediates)``, where
    intermediates maps every ONNX tensor computed on the way (by its ONNX
    name, in ONNX layout: NCHW for 4-D activations) to its value. A tensor
    folded away at import (e.g. a Conv output whose BatchNormalization was
    folded into the Conv) has no entry; the Conv then produces the
    BatchNormalization's output.
    """
    fn = "run"
    if isinstance(model, _BYTES):
        data = bytes(model)
        is_onnx = not _is_mlir_text(data)
    elif isinstance(model, str) or hasattr(model, "__fspath__"):
        data = path_arg(fn, "model", model)
        is_onnx = not data.lower().endswith(".mlir")
    else:
        raise TypeError("run: model must be a path (str or os.PathLike) or "
                        "the model's bytes, got %s" % type(model).__name__)
    arrays = inputs_arg(fn, inputs, positional=True)
    shapes = shapes_arg(fn, input_shapes)
    function = str_arg(fn, "function", function, optional=True)
    dump_all = flag_arg(fn, "dump_all", dump_all)
    # threads: converted and range-checked by the binding
    # (reference::checkThreadCount, shared with tessera-run --num-threads).
    outputs, intermediates = _tessera._run(data, is_onnx, arrays, shapes,
                                           dump_all, function, threads)
    if dump_all:
        return outputs, intermediates
    return outputs


def set_max_memory(bytes):
    """Sets the memory budget (in bytes, 1 to 2^48): the largest tensor,
    .npz entry or decoded image that compile, run and simulate allocate for
    data whose size comes from a model or a file. Over it, the call raises
    ``MemoryError`` naming the tensor and its size instead of allocating.
    Process-wide, like the tools' ``--max-memory``; default 4 GiB."""
    _tessera._set_max_memory(bytes)


def max_memory():
    """The memory budget in bytes (see ``set_max_memory``)."""
    return _tessera._max_memory()


DEFAULT_MAX_MEMORY = _tessera._DEFAULT_MAX_MEMORY
