"""PP-OCR's trained models in int8 on every target (issue 10, section 5):
the PP-OCRv4 text detector and recognizer and the PP-OCR v2.0 direction
classifier from the pinned rapidocr-onnxruntime wheel, calibrated on text
rendered by tests/e2e/ppocr.py with seeds the evaluation never uses, then
compared with onnxruntime's float result on other rendered text:

- detector: the probability map thresholded at 0.3 (RapidOCR's threshold)
  has IoU >= 0.95 with float's on rendered pages;
- classifier: float's class ('0' or '180') on >= 99% of the lines, half of
  them turned by 180 degrees;
- recognizer: float's decoded string (greedy CTC) on >= 95% of the lines.

The int8 results are the simulator's (the .npubin); on the first item the
integer reference executor (tessera-compile --emit=int, then tessera-run)
must equal it bit for bit. The recognizer, attention products (MatMul of
two activations) included, compiles with no host op at all
(test_recognizer_on_npu, with no_fallback).

CI evaluates TESSERA_PPOCR_LINES classifier lines (default 8),
TESSERA_PPOCR_REC_LINES recognizer lines (default 4, rv1126 and j5: about
1 s per line on the simulator) and TESSERA_PPOCR_PAGES
pages (default 3): about 1.5 minutes on 2 shared cores. The figures in
docs/quantization-passes.md ("PP-OCRv4 in int8") are for 200 classifier
lines, 24 recognizer lines and 8 pages (TESSERA_PPOCR_LINES=200
TESSERA_PPOCR_REC_LINES=24 TESSERA_PPOCR_PAGES=8). The detector and the
recognizer miss their thresholds: strict xfails (on the assertion) with the
measured numbers; the defaults include a page and a line that miss (j5:
page 3 at 0.946, line 4 with a leading space), so the xfails are
deterministic."""
import os

import numpy as np
import pytest

import ppocr
import tessera
from conftest import quantized_input

ort = pytest.importorskip("onnxruntime")

TARGETS = ["rv1126", "j5", "orin"]
LINES = int(os.environ.get("TESSERA_PPOCR_LINES", "8"))
REC_LINES = int(os.environ.get("TESSERA_PPOCR_REC_LINES", "4"))
PAGES = int(os.environ.get("TESSERA_PPOCR_PAGES", "3"))
CALIB_LINES = 8
CALIB_PAGES = 2
# Calibration and evaluation text never share a seed.
CALIB_SEED, EVAL_SEED = 1000, 7


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def line_batch(count, shape, seed, rotate_odd=False):
    texts = ppocr.text_lines(count, seed=seed)
    xs, rotated = [], []
    for i, text in enumerate(texts):
        rot = rotate_odd and i % 2 == 1
        img = ppocr.render_line(text, rotate=rot, seed=seed * 1000 + i)
        xs.append(ppocr.line_input(img, shape))
        rotated.append(rot)
    return texts, np.concatenate(xs), rotated


def page_batch(count, seed):
    xs = []
    for i in range(count):
        page, _ = ppocr.render_page(ppocr.text_lines(12, seed=seed + i),
                                    seed=seed + i)
        xs.append(ppocr.page_input(page))
    return np.concatenate(xs)


class Int8Model:
    """One model compiled for one target: the integer program (run by the
    integer reference executor) and, if `npu`, the .npubin (run by the
    simulator)."""

    def __init__(self, tmp_path, model, target, calib, shape, npu=True):
        self.shapes = {"x": [1, *shape]}
        self.text = tessera.compile(model, target=target, calibration=calib,
                                    input_shapes=self.shapes, emit="int")
        self.int_path = tmp_path / f"{target}.int.mlir"
        self.int_path.write_text(self.text)
        self.program = (tessera.compile(model, target=target,
                                        calibration=calib,
                                        input_shapes=self.shapes)
                        if npu else None)

    def simulate(self, x):
        sim = tessera.simulate(self.program, {"x": x})
        (name,) = sim.outputs
        return sim.outputs[name]

    def run_int(self, x):
        """(integers, dequantized output) of the integer program."""
        xq = quantized_input(self.int_path, x)
        out = tessera.run(self.text.encode(), {"x": xq})
        (q,) = out.values()
        return q

    def check_simulator(self, x):
        """The simulator equals the integer reference executor on `x`;
        returns the dequantized output."""
        sim = tessera.simulate(self.program, {"x": x})
        (name,) = sim.int_outputs
        np.testing.assert_array_equal(sim.int_outputs[name],
                                      self.run_int(x).astype(np.int64))
        return sim.outputs[name]

    def dequantize(self, q):
        import re
        m = re.search(r"->\s*\(?tensor<[^>]*>\s*\{([^}]*)\}", self.text)
        scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)",
                                m.group(1)).group(1))
        zp = int(re.search(r"tessera.zero_point = (-?\d+)",
                           m.group(1)).group(1))
        dtype = re.search(r'tessera.dtype = "(\w+)"', m.group(1)).group(1)
        q = q.astype(np.int64) + (128 if dtype == "uint8" else 0)
        return ((q - zp) * scale).astype(np.float32)


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "measured over 8 pages, IoU(p > 0.3) min / mean: rv1126 0.921 / 0.940 "
    "(asymmetric uint8 weights; 0.930 / 0.948 with symmetric int8 ones), "
    "j5 and orin 0.941 / 0.952 (per page j5 0.962 0.953 0.946 0.951 0.967 "
    "0.941 0.953 0.942): the mask's border pixels flip; the general cause "
    "is not found yet"))
@pytest.mark.parametrize("target", TARGETS)
def test_detector_int8(tmp_path, target):
    model = ppocr.model_path(ppocr.DET)
    calib = page_batch(CALIB_PAGES, CALIB_SEED)
    m = Int8Model(tmp_path, model, target, calib, (3, 320, 320))
    sess = session(model)
    pages = page_batch(PAGES, EVAL_SEED)
    ious = []
    for k in range(PAGES):
        x = pages[k:k + 1]
        ref = sess.run(None, {"x": x})[0]
        got = m.check_simulator(x) if k == 0 else m.simulate(x)
        a, b = got > 0.3, ref > 0.3
        ious.append((a & b).sum() / max(1, (a | b).sum()))
    print(f"\ndetector int8 on {target}: IoU(p > 0.3) min {min(ious):.4f} "
          f"mean {np.mean(ious):.4f} over {PAGES} page(s)")
    assert min(ious) >= 0.95


@pytest.mark.parametrize("target", TARGETS)
def test_classifier_int8(tmp_path, target):
    model = ppocr.model_path(ppocr.CLS)
    _, calib, _ = line_batch(CALIB_LINES, ppocr.CLS_SHAPE, CALIB_SEED,
                             rotate_odd=True)
    m = Int8Model(tmp_path, model, target, calib, ppocr.CLS_SHAPE)
    sess = session(model)
    _, xs, _ = line_batch(LINES, ppocr.CLS_SHAPE, EVAL_SEED, rotate_odd=True)
    agree = 0
    for k in range(LINES):
        x = xs[k:k + 1]
        ref = sess.run(None, {"x": x})[0]
        got = m.check_simulator(x) if k == 0 else m.simulate(x)
        agree += int(got.argmax()) == int(ref.argmax())
    print(f"\nclassifier int8 on {target}: float's class on {agree}/{LINES}")
    assert agree >= 0.99 * LINES


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "measured on 24 lines: rv1126 2/24 (garbled strings, e.g. 'rivrflpr' "
    "for 'river coffe gold 555 park'; with symmetric int8 weights every "
    "string was empty: rv1126's scheme has per-tensor weights, and in the "
    "480->480 1x1 convs p2o.Conv.28 and p2o.Conv.32 63% of the output "
    "channels get fewer than 4 weight steps; with those two pinned to the "
    "host 3 of 3 lines decoded to nearly float's string, spaces lost: "
    "int16 or host for them is issue 11's mixed precision), j5 15/24 (extra "
    "leading/trailing spaces, one case change); orin has j5's scheme"))
@pytest.mark.parametrize("target", ["rv1126", "j5"])
def test_recognizer_int8(tmp_path, target):
    model = ppocr.model_path(ppocr.REC)
    chars = ppocr.rec_characters(model)
    _, calib, _ = line_batch(CALIB_LINES, ppocr.REC_SHAPE, CALIB_SEED)
    m = Int8Model(tmp_path, model, target, calib, ppocr.REC_SHAPE)
    sess = session(model)
    _, xs, _ = line_batch(REC_LINES, ppocr.REC_SHAPE, EVAL_SEED)
    agree, misses = 0, []
    for k in range(REC_LINES):
        x = xs[k:k + 1]
        ref = ppocr.ctc_decode(sess.run(None, {"x": x})[0], chars)
        got = ppocr.ctc_decode(
            m.check_simulator(x) if k == 0 else m.simulate(x), chars)
        if got == ref:
            agree += 1
        else:
            misses.append((ref, got))
    print(f"\nrecognizer int8 on {target}: float's string on {agree}/"
          f"{REC_LINES}; misses {misses[:5]}")
    assert agree >= 0.95 * REC_LINES


def test_recognizer_on_npu(tmp_path):
    """With no_fallback (no host op allowed) the recognizer compiles for
    j5, attention products included, and the simulator equals the integer
    reference executor on a line."""
    model = ppocr.model_path(ppocr.REC)
    _, calib, _ = line_batch(2, ppocr.REC_SHAPE, CALIB_SEED)
    shapes = {"x": [1, *ppocr.REC_SHAPE]}
    text = tessera.compile(model, target="j5", calibration=calib,
                           input_shapes=shapes, emit="int", no_fallback=True)
    assert 'tessera.device = "cpu"' not in text
    program = tessera.compile(model, target="j5", calibration=calib,
                              input_shapes=shapes, no_fallback=True)
    path = tmp_path / "rec.int.mlir"
    path.write_text(text)
    x = calib[:1]
    sim = tessera.simulate(program, {"x": x})
    (name,) = sim.int_outputs
    ref = tessera.run(text.encode(), {"x": quantized_input(path, x)})
    (q,) = ref.values()
    np.testing.assert_array_equal(sim.int_outputs[name], q.astype(np.int64))
