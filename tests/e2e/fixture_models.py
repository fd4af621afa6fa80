"""The fixture models of ../shared/fixtures as the model matrix
(tests/e2e/test_model_matrix.py), tests/e2e/test_ptq_vs_ort.py,
tests/e2e/test_tosa_reference.py and benchmarks/ptq_vs_ort.py use them: which models, their preprocessing, the
scheme Tessera applies on each target, and onnxruntime's static
quantization of a model on that scheme (the peer). One definition for the
tests and the benchmark; no pytest here.

Fixture paths are found by a `find(*parts)` callable: conftest.need_shared in
the tests (a skip when ../shared is absent), `fixture` below in the
benchmark (a FixtureMissing error).
"""
import contextlib
import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("TESSERA_SHARED_DIR", REPO.parent / "shared"))

IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
UNIT = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))

# model -> (source: "models" | "patterned" | "mnist", calibration dir,
#           golden photo, (mean, std))
MODELS = {
    "squeezenet1_1": ("models", "calib224", "golden224_rocket.jpg", IMAGENET),
    "mobilenet_v2": ("models", "calib224", "golden224_rocket.jpg", IMAGENET),
    "yolov5s": ("models", "calib640", "golden640_rocket.jpg", UNIT),
    "resnet18": ("patterned", "calib224", "golden224_rocket.jpg", IMAGENET),
    "resnet50": ("patterned", "calib224", "golden224_rocket.jpg", IMAGENET),
    "efficientnet_b0": ("patterned", "calib224", "golden224_rocket.jpg",
                        IMAGENET),
    "mnist": ("mnist", None, None, None),
}
TARGETS = ["rv1126", "j5", "orin"]

# MNIST's golden image: the first test image from 100 on (the README's
# "images 100-9,999" leave 0-99 for calibration) where onnxruntime float's
# top probability is below 0.9 (0.739 for a 4, 0.257 for a 6; asserted by
# the model matrix): on a confident image every quantization scores cosine
# 1.000000.
GOLDEN_MNIST = 121


class FixtureMissing(FileNotFoundError):
    """A file of ../shared/fixtures is absent."""


def fixture(*parts):
    """The path of a fixture under ../shared/fixtures; FixtureMissing when
    absent (the benchmark's `find`)."""
    p = SHARED.joinpath("fixtures", *parts)
    if not p.exists():
        raise FixtureMissing(f"fixture {p} not available (../shared is "
                             f"absent; set TESSERA_SHARED_DIR)")
    return p


# --- the scheme Tessera applies on a target ---------------------------------

def target_default_scheme(target):
    """{"name", "activation": {...}, "weight": {...}} of the default scheme in
    targets/TARGET.yaml (flow mappings `{ dtype: int8, symmetric: true }`
    as the profiles write them; no YAML package in .venv)."""
    text = (REPO / "targets" / f"{target}.yaml").read_text()
    name = re.search(r"^\s*default_scheme:\s*(\w+)", text, re.M).group(1)
    block = re.search(r"- name:\s*" + name + r"\b(.*?)(?=\n\s*- name:|\n\S)",
                      text, re.S).group(1)

    def mapping(key):
        body = re.search(r"\b" + key + r":\s*\{([^}]*)\}", block).group(1)
        pairs = (p.split(":") for p in body.split(","))
        return {k.strip(): v.strip() for k, v in pairs}
    return {"name": name, "activation": mapping("activation"),
            "weight": mapping("weight")}


def scheme_of(target):
    """What tessera-compile applies on `target` (Compile.cpp
    quantizeOptionsFor): the default scheme as written. Returns (scheme,
    (activation dtype, activation symmetric, weight dtype, weight
    symmetric, weight per-channel))."""
    s = target_default_scheme(target)
    act, w = s["activation"], s["weight"]
    return (s["name"], (act["dtype"], act["symmetric"] == "true",
                        w["dtype"], w["symmetric"] == "true",
                        w["per_channel"] == "true"))


# --- inputs: models, calibration samples, golden input ----------------------

def image_input(path, mean_std):
    """A JPEG as the model's input: RGB NCHW float32, pixel/255, then
    (x - mean) / std (decoded with PIL)."""
    from PIL import Image
    mean, std = (np.array(v, np.float32) for v in mean_std)
    x = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255.0
    return np.ascontiguousarray(((x - mean) / std).transpose(2, 0, 1)[None])


def mnist_images(find, first, count):
    """MNIST test images first..first+count-1 as [count, 1, 28, 28] float32,
    preprocessed as the fixture README says: pixel/255, then
    (x - 0.1307) / 0.3081."""
    path = find("mnist-test", "t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as f:
        f.seek(16 + first * 784)
        raw = np.frombuffer(f.read(count * 784), np.uint8)
    x = raw.reshape(count, 1, 28, 28).astype(np.float32) / 255.0
    return ((x - np.float32(0.1307)) / np.float32(0.3081)).astype(np.float32)


def mnist_labels(find, first, count):
    path = find("mnist-test", "t10k-labels-idx1-ubyte.gz")
    with gzip.open(path, "rb") as f:
        f.seek(8 + first)
        return np.frombuffer(f.read(count), np.uint8).astype(np.int64)


def model_file(find, model, workdir):
    """The float ONNX file of `model`: the fixture itself, or a patterned
    skeleton materialized into `workdir` (once: an existing file is kept)."""
    source = MODELS[model][0]
    if source == "models":
        return find("models", f"{model}.onnx")
    if source == "mnist":
        return find("onnx-mlir-mnist", "mnist.onnx")
    skeleton = find("patterned", f"{model}.skeleton.onnx")
    path = Path(workdir) / f"{model}.onnx"
    if not path.exists():
        tmp = path.with_suffix(".onnx.part")
        subprocess.run([sys.executable, str(skeleton.parent / "materialize.py"),
                        str(skeleton), str(tmp)], check=True)
        tmp.replace(path)
    return path


def calibration_photos(find, model):
    """The model's calibration JPEGs, sorted by name."""
    return sorted(p for p in find("models", MODELS[model][1]).iterdir()
                  if p.suffix.lower() in (".jpg", ".jpeg"))


# --- onnxruntime's own static quantization, the peer -----------------------

# Tessera's calibration method -> onnxruntime's CalibrationMethod name and
# the extra_options that make it the same method (None: onnxruntime has no
# counterpart). moving_average is onnxruntime's MinMax with
# CalibMovingAverage, its nearest counterpart, not the same method:
# quantize_static collects all batches at once, and onnxruntime then
# averages their min/max with a plain mean (np.nanmean); its exponential
# average (constant 0.01, as Tessera's m += 0.01 (x_s - m)) applies only
# between chunks, and CalibMaxIntermediateOutputs, which would make one
# batch a chunk, drops the held batches without using them in 1.32
# (clear_collected_data: "No data is collected.").
ORT_METHODS = {
    "minmax": ("MinMax", {}),
    "moving_average": ("MinMax", {"CalibMovingAverage": True}),
    "percentile": ("Percentile", {}),
    "kl": ("Entropy", {}),
    "mse": None,
}


def ort_pre_process(src, dst):
    """onnxruntime's quant_pre_process (which folds the patterned models'
    BatchNormalization into their convolutions, as Tessera's graph passes
    do). sympy (symbolic shape inference) is not in .venv; the fixture
    models have static shapes, which ONNX's shape inference covers."""
    from onnxruntime.quantization.shape_inference import quant_pre_process
    quant_pre_process(str(src), str(dst), skip_symbolic_shape=True)


def ort_quantize(pre, dst, input_name, samples, quant, method="minmax",
                 percentile=None):
    """onnxruntime's quantize_static of the pre-processed model `pre` into
    `dst`: QDQ format, the scheme `quant` = scheme_of(target)[1]
    (activation dtype and symmetry, weight dtype, symmetry and
    per-channel), calibrated on
    `samples` [N, ...] (one sample per calibration batch) with Tessera's
    `method` mapped by ORT_METHODS (percentile: CalibPercentile). Its
    calibrator's prints go to stderr. Returns the settings used, as
    {"calibrate_method", "activation_type", "weight_type", "per_channel",
    "extra_options"}."""
    from onnxruntime.quantization import (CalibrationDataReader,
                                          CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)
    types = {"int8": QuantType.QInt8, "uint8": QuantType.QUInt8,
             "int16": QuantType.QInt16, "uint16": QuantType.QUInt16}
    act_dtype, symmetric, w_dtype, w_symmetric, per_channel = quant
    ort_method, extra = ORT_METHODS[method]
    extra = {"ActivationSymmetric": symmetric, "WeightSymmetric": w_symmetric,
             **extra}
    if ort_method == "Percentile":
        # The percentile of |x| where the activations are symmetric, both
        # tails of x otherwise, as Tessera's percentile does (onnxruntime's
        # Entropy ignores the flag: its histogram is always of x).
        extra["CalibTensorRangeSymmetric"] = symmetric
        if percentile is not None:
            extra["CalibPercentile"] = percentile

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter({input_name: s[None]} for s in samples)

        def get_next(self):
            return next(self.it, None)

    with contextlib.redirect_stdout(sys.stderr):
        quantize_static(
            str(pre), str(dst), Reader(), quant_format=QuantFormat.QDQ,
            calibrate_method=getattr(CalibrationMethod, ort_method),
            activation_type=types[act_dtype], weight_type=types[w_dtype],
            per_channel=per_channel, extra_options=extra)
    return {"calibrate_method": ort_method,
            "activation_type": types[act_dtype].name,
            "weight_type": types[w_dtype].name,
            "per_channel": per_channel, "extra_options": extra}


def ort_sessions(path, threads=0):
    """(default optimized session, ORT_DISABLE_ALL session) of a QDQ model:
    the second evaluates QDQ as written in float32; the first may run
    integer kernels that saturate on AVX2 without VNNI
    (tests/e2e/test_ort_qdq.py). threads: intra-op threads (0: default)."""
    import onnxruntime as ort
    sessions = []
    for level in (None, ort.GraphOptimizationLevel.ORT_DISABLE_ALL):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        if level is not None:
            so.graph_optimization_level = level
        sessions.append(ort.InferenceSession(
            str(path), so, providers=["CPUExecutionProvider"]))
    return tuple(sessions)
