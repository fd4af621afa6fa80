"""PP-OCR models and the text images the OCR tests read.

The models are the trained PP-OCRv4 text detector and recognizer and the
PP-OCR v2.0 direction classifier inside the pinned rapidocr-onnxruntime wheel
(python/requirements-models.txt; only its files are read, the package is
never imported). The images are made here: lines of words rendered with
Pillow in Debian's DejaVu Sans (fonts-dejavu-core), black on light paper,
upright or turned by 180 degrees. Preprocessing is RapidOCR 1.4.4's
(config.yaml and ch_ppocr_*/): BGR channel order as OpenCV reads images,
pixel / 255, then (x - 0.5) / 0.5; the recognizer's and the classifier's
inputs are 48 pixels high, resized keeping the aspect ratio and padded with
zeros to the width; the detector's input is a page whose sides are
multiples of 32."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DET = "ch_PP-OCRv4_det_infer.onnx"
CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
REC = "ch_PP-OCRv4_rec_infer.onnx"
REC_SHAPE = (3, 48, 320)
CLS_SHAPE = (3, 48, 192)

# Words the lines are drawn from: English words, numbers and codes, as on
# labels and signs (the recognizer's dictionary holds Latin letters, digits
# and punctuation besides Chinese).
WORDS = ("open close exit entry north south east west total price date "
         "model serial batch lot level floor room gate line track power "
         "input output speed limit zone area main street road park center "
         "river bridge station coffee tea water bread apple orange green "
         "blue red white black silver gold paper metal glass stone wood").split()


def model_path(name):
    """The path of a PP-OCR model file in the installed wheel; skips when
    the wheel is absent (scripts/setup installs it)."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("rapidocr-onnxruntime is not installed (scripts/setup "
                    "installs python/requirements-models.txt)")
    path = Path(list(spec.submodule_search_locations)[0]) / "models" / name
    if not path.exists():
        pytest.skip(f"{path} is missing from the rapidocr-onnxruntime wheel")
    return path


def font(size):
    ImageFont = pytest.importorskip("PIL.ImageFont")
    if not FONT.exists():
        pytest.skip(f"{FONT} is missing (apt-get install fonts-dejavu-core)")
    return ImageFont.truetype(str(FONT), size)


def text_lines(count, seed=0):
    """`count` lines of 1 to 4 words, some with a number."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(count):
        words = list(rng.choice(WORDS, size=rng.integers(1, 5)))
        if rng.random() < 0.5:
            words.insert(rng.integers(0, len(words) + 1),
                         str(rng.integers(0, 10000)))
        lines.append(" ".join(words))
    return lines


def render_line(text, size=32, rotate=False, seed=0):
    """An RGB uint8 image of one line of text, tightly cropped with a margin
    of a quarter of the font size; turned by 180 degrees if `rotate`."""
    Image = pytest.importorskip("PIL.Image")
    ImageDraw = pytest.importorskip("PIL.ImageDraw")
    rng = np.random.default_rng(seed)
    f = font(size)
    left, top, right, bottom = f.getbbox(text)
    m = size // 4
    paper = tuple(int(v) for v in rng.integers(215, 256, 3))
    ink = tuple(int(v) for v in rng.integers(0, 60, 3))
    img = Image.new("RGB", (right - left + 2 * m, bottom - top + 2 * m), paper)
    ImageDraw.Draw(img).text((m - left, m - top), text, font=f, fill=ink)
    if rotate:
        img = img.rotate(180)
    return np.asarray(img)


def render_page(lines, width=320, height=320, size=24, seed=0):
    """An RGB uint8 page with `lines` drawn one under another at varying
    left margins; also returns the boxes (x0, y0, x1, y1) of the text."""
    Image = pytest.importorskip("PIL.Image")
    ImageDraw = pytest.importorskip("PIL.ImageDraw")
    rng = np.random.default_rng(seed)
    f = font(size)
    img = Image.new("RGB", (width, height), (245, 242, 235))
    draw = ImageDraw.Draw(img)
    boxes = []
    y = size // 2
    for text in lines:
        x = int(rng.integers(4, width // 4))
        box = draw.textbbox((x, y), text, font=f)
        if box[3] > height - 4:
            break
        draw.text((x, y), text, font=f, fill=(20, 20, 30))
        boxes.append(box)
        y = box[3] + size // 2
    return np.asarray(img), boxes


def normalize(rgb):
    """RapidOCR's normalization of an RGB uint8 image to a CHW float32
    array: BGR order, pixel / 255, then (x - 0.5) / 0.5."""
    bgr = rgb[..., ::-1].astype(np.float32) / 255.0
    return np.ascontiguousarray(((bgr - 0.5) / 0.5).transpose(2, 0, 1))


def line_input(rgb, shape):
    """A line image as the recognizer's or classifier's input [1, C, H, W]:
    resized to height H keeping the aspect ratio (at most W wide), then
    padded with zeros on the right (RapidOCR's resize_norm_img)."""
    Image = pytest.importorskip("PIL.Image")
    c, h, w = shape
    ih, iw = rgb.shape[:2]
    rw = min(w, int(np.ceil(h * iw / ih)))
    resized = np.asarray(Image.fromarray(rgb).resize((rw, h), Image.BILINEAR))
    out = np.zeros(shape, np.float32)
    out[:, :, :rw] = normalize(resized)
    return out[None]


def page_input(rgb):
    """A page as the detector's input [1, 3, H, W] (sides multiples of 32)."""
    h, w = rgb.shape[:2]
    assert h % 32 == 0 and w % 32 == 0
    return normalize(rgb)[None]


def rec_characters(path):
    """The recognizer's classes: blank, the dictionary stored in the model's
    metadata ('character', one per line), then a space (RapidOCR's
    CTCLabelDecode with use_space_char)."""
    import onnx
    m = onnx.load(str(path), load_external_data=False)
    chars = {p.key: p.value for p in m.metadata_props}["character"]
    return ["blank"] + chars.splitlines() + [" "]


def ctc_decode(probs, characters):
    """Greedy CTC decoding of [1, T, classes]: the best class per step,
    repeats merged, blanks (0) dropped."""
    best = np.asarray(probs)[0].argmax(axis=1)
    out, prev = [], -1
    for k in best:
        if k != prev and k != 0:
            out.append(characters[k])
        prev = k
    return "".join(out)
