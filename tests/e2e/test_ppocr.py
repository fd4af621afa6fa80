"""PP-OCR's trained models (PP-OCRv4 text detector and recognizer, PP-OCR
v2.0 direction classifier, from the pinned rapidocr-onnxruntime wheel) on
text rendered by the test (tests/e2e/ppocr.py): Tessera's float reference
executor (tessera-run) agrees with onnxruntime (float) on every model, and
onnxruntime itself reads the rendered text correctly, which shows the data
is meaningful for the int8 accuracy figures (issue 10, section 5).

Skips when the wheel or the DejaVu font is absent; needs no ../shared."""
import numpy as np
import pytest

import ppocr
from conftest import cosine, run_tool

ort = pytest.importorskip("onnxruntime")


def run_float(tmp_path, model, x, tag):
    """tessera-run's float output for input `x` (name 'x', fixed shape)."""
    shape = "x".join(map(str, x.shape))
    np.save(tmp_path / f"{tag}.npy", x)
    out = tmp_path / f"out_{tag}"
    run_tool("tessera-run", model, "--input-shape", f"x={shape}",
             "--input", f"x={tmp_path / f'{tag}.npy'}", "--output-dir", out)
    (result,) = list(out.glob("*.npy"))
    return np.load(result)


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def assert_float_agrees(got, ref):
    assert got.shape == ref.shape
    cos = cosine(got, ref)
    max_diff = float(np.max(np.abs(got - ref)))
    # The bar of the float executor (tests/e2e/test_patterned.py).
    assert cos >= 0.99999, cos
    assert max_diff <= 1e-4 * float(np.max(np.abs(ref))), max_diff


def test_detector_float_matches_onnxruntime(tmp_path):
    model = ppocr.model_path(ppocr.DET)
    page, boxes = ppocr.render_page(ppocr.text_lines(12, seed=1))
    x = ppocr.page_input(page)
    ref = session(model).run(None, {"x": x})[0]
    got = run_float(tmp_path, model, x, "page")
    assert_float_agrees(got, ref)
    # The probability map (p > 0.3, RapidOCR's threshold) is the same, and
    # it covers the middle of every text line drawn (the data is text the
    # detector sees).
    assert np.array_equal(got > 0.3, ref > 0.3)
    for x0, y0, x1, y1 in boxes:
        cy, cx = (y0 + y1) // 2, (x0 + x1) // 2
        assert ref[0, 0, cy, cx] > 0.3, (x0, y0, x1, y1)


def test_classifier_float_matches_onnxruntime(tmp_path):
    model = ppocr.model_path(ppocr.CLS)
    sess = session(model)
    for i, text in enumerate(ppocr.text_lines(4, seed=2)):
        for rotate in (False, True):
            x = ppocr.line_input(ppocr.render_line(text, rotate=rotate, seed=i),
                                 ppocr.CLS_SHAPE)
            ref = sess.run(None, {"x": x})[0]
            got = run_float(tmp_path, model, x, f"l{i}{int(rotate)}")
            assert_float_agrees(got, ref)
            # Classes '0' and '180' (config.yaml label_list).
            assert int(ref.argmax()) == int(rotate), (text, rotate, ref)
            assert int(got.argmax()) == int(ref.argmax())


def test_recognizer_float_matches_onnxruntime(tmp_path):
    model = ppocr.model_path(ppocr.REC)
    sess = session(model)
    chars = ppocr.rec_characters(model)
    for i, text in enumerate(ppocr.text_lines(3, seed=3)):
        x = ppocr.line_input(ppocr.render_line(text, seed=i), ppocr.REC_SHAPE)
        ref = sess.run(None, {"x": x})[0]
        got = run_float(tmp_path, model, x, f"r{i}")
        assert_float_agrees(got, ref)
        assert ppocr.ctc_decode(ref, chars) == text
        assert ppocr.ctc_decode(got, chars) == text
