"""``tessera.analyze``: per-layer accuracy analysis of a quantized model.

The Python face of ``tessera-compile --accuracy-report``: the same C++ code
(compiler/analysis/Accuracy.h), the same JSON document, returned as a dict.
docs/quantization.md, "Accuracy analysis", describes every field.
"""
import json
import os

import numpy as np

from . import _tessera
from ._checks import (INT64_MAX, array_arg, flag_arg, floats_arg, int_arg,
                      path_arg, percentile_arg, shapes_arg, short, str_arg,
                      str_list_arg, target_arg)
from .pipeline import _BYTES, _calibration_array, _renamed, _temp_file


class AccuracyReport(dict):
    """The report document (a dict: "layers", "outputs", ...), plus
    ``table``: the printed table of the worst layers."""


def analyze(model, target="rv1126", calibration=None, input=None,
            mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), input_shapes=None,
            max_calibration_samples=0, calibration_method=None,
            percentile=None, scheme=None, float_nodes=None,
            dump_tensors=None, simulate=True, top=10, quiet=True):
    """Compiles ``model`` (an ONNX path or bytes; a float model) for
    ``target`` as ``tessera.compile`` does and measures, per quantized ONNX
    tensor, the integer program against the float one on one sample:
    cosine, Euclidean distance, SQNR (dB), max and mean absolute error, end
    to end ("entire") and with each layer fed float inputs ("individual");
    with ``simulate`` also the simulator's per-layer cycles, latency and
    energy and, per output, whether the simulator equals the integer
    reference executor. Returns the report as a dict (the
    ``--accuracy-report`` JSON) with a ``table`` attribute.

    calibration: as for ``compile`` (required). input: the sample analysed:
    None (the first calibration sample), a path (.npz, image or directory:
    its first sample) or an ndarray for the single input (its shape, or
    [1, ...shape]). dump_tensors: a directory for the float, entire and
    individual tensors as .npy and histograms.json. top: rows of ``table``
    (0: all). Other arguments as for ``compile`` (embed_preprocessing is
    not offered: analyse the model without it).
    """
    fn = "analyze"
    names = {}
    try:
        if isinstance(model, _BYTES):
            path = _temp_file(bytes(model), ".onnx")
            names[path] = "<memory>"
        else:
            path = path_arg(fn, "model", model)
        target = target_arg(fn, target)
        if calibration is None:
            raise ValueError("analyze: calibration is required (a directory "
                             "of images, an image, a .npz or an ndarray)")
        if isinstance(calibration, np.ndarray):
            calibration = _calibration_array(calibration)
            names[calibration] = "<calibration array>"
        else:
            calibration = path_arg(fn, "calibration", calibration)
        if isinstance(input, np.ndarray):
            a = array_arg(fn, "input", input, kinds="iuf")
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise ValueError("analyze: input holds non-finite values")
            input = _temp_file(None, ".npz", lambda f: np.savez(
                f, input=np.ascontiguousarray(a, np.float32)))
            names[input] = "<input array>"
        elif input is not None:
            input = path_arg(fn, "input", input)
        mean = floats_arg(fn, "mean", mean, 3)
        std = floats_arg(fn, "std", std, 3, positive=True)
        shapes = shapes_arg(fn, input_shapes)
        samples = int_arg(fn, "max_calibration_samples",
                          max_calibration_samples, 0, INT64_MAX)
        float_nodes = str_list_arg(fn, "float_nodes", float_nodes)
        method = str_arg(fn, "calibration_method", calibration_method,
                         optional=True) or ""
        scheme = str_arg(fn, "scheme", scheme, optional=True) or ""
        percentile = percentile_arg(fn, percentile)
        if dump_tensors is not None:
            dump_tensors = path_arg(fn, "dump_tensors", dump_tensors)
        simulate = flag_arg(fn, "simulate", simulate)
        top = int_arg(fn, "top", top, 0, INT64_MAX)
        quiet = flag_arg(fn, "quiet", quiet)
        try:
            doc, table = _tessera._analyze(
                path, target, calibration, input, mean, std, shapes, quiet,
                samples, float_nodes, method, percentile, scheme,
                dump_tensors, simulate, top)
        except (ValueError, MemoryError) as e:
            if not names:
                raise
            raise _renamed(e, names) from None
    finally:
        for tmp in names:
            os.remove(tmp)
    report = AccuracyReport(json.loads(doc))
    report.table = table
    return report
