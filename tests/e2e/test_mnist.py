"""End to end on a real trained model: onnx-mlir's MNIST (MaxPool -> Reshape
-> Gemm -> Relu -> Gemm -> Softmax, opset 13) on all 10,000 MNIST test
images, run by Tessera's float reference executor, and int8 on the NPU path
(Softmax included) for rv1126, j5 and orin.

Top-1 must be exactly 92.54%, onnxruntime's float figure for this model and
data (../shared/fixtures/README.md). The images run as one batch: the model's
Reshape target is [-1, 196], so importing with image=10000x1x28x28 gives a
batched graph, and one run through tessera.run (or the tessera-run tool when
the Python module is not built) takes a few seconds."""
import gzip
import re

import numpy as np
import pytest

from conftest import need_shared, run_tool

tessera = pytest.importorskip("tessera")

N = 10000


def read_idx(path, header, shape):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


@pytest.fixture(scope="module")
def mnist():
    model = need_shared("onnx-mlir-mnist", "mnist.onnx")
    images = read_idx(need_shared("mnist-test", "t10k-images-idx3-ubyte.gz"),
                      16, (N, 1, 28, 28))
    labels = read_idx(need_shared("mnist-test", "t10k-labels-idx1-ubyte.gz"),
                      8, (N,))
    # Preprocessing as the fixture README gives it: pixel/255, then
    # (x - 0.1307) / 0.3081 (MNIST's mean and standard deviation).
    x = ((images.astype(np.float32) / 255.0 - np.float32(0.1307)) /
         np.float32(0.3081)).astype(np.float32)
    return model, x, labels


def run_batched(model, x, tmp_path):
    """prediction [N, 10] for the batch x, through the Python module when it
    has run(), else through the tessera-run tool."""
    shape = {"image": list(x.shape)}
    try:
        import tessera
        run = getattr(tessera, "run", None)
    except ImportError:
        run = None
    if run is not None:
        return run(str(model), {"image": x}, input_shapes=shape)["prediction"]
    np.save(tmp_path / "image.npy", x)
    run_tool("tessera-run", model, "--input-shape",
             "image=" + "x".join(map(str, x.shape)),
             "--input", f"image={tmp_path / 'image.npy'}",
             "--output-dir", tmp_path / "out")
    return np.load(tmp_path / "out" / "prediction.npy")


def test_mnist_top1_matches_onnxruntime(mnist, tmp_path):
    model, x, labels = mnist
    prediction = run_batched(model, x, tmp_path)
    assert prediction.shape == (N, 10)
    # Softmax rows sum to 1 (to float rounding).
    np.testing.assert_allclose(prediction.sum(axis=1), 1.0, atol=1e-5)
    correct = int((prediction.argmax(axis=1) == labels).sum())
    print(f"\nMNIST top-1: {correct}/{N} = {100.0 * correct / N:.2f}%")
    assert correct == 9254  # 92.54%, onnxruntime float


def test_mnist_first_images_match_onnxruntime(mnist, tmp_path):
    """The probabilities themselves, not only the argmax, against
    onnxruntime on the first 100 images (batch 100)."""
    ort = pytest.importorskip("onnxruntime")
    model, x, _ = mnist
    x = x[:100]
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    expected = np.concatenate([sess.run(None, {"image": x[i:i + 1]})[0]
                               for i in range(len(x))])
    got = run_batched(model, x, tmp_path)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


# --- int8 on the NPU path -------------------------------------------------
# Calibrated on test images 0-99, evaluated on images 100-9,999 (9,900),
# where onnxruntime's float top-1 is 92.53% (fixture README).
CALIB = 100
BATCH = 100


@pytest.fixture(scope="module")
def calib_npz(mnist, tmp_path_factory):
    """Images 0-99 as one .npz array [100, 1, 28, 28]: 100 samples of the
    batch-1 input, or one sample of the batch-100 input (the same values, so
    min/max calibration gives the same ranges)."""
    _, x, _ = mnist
    path = tmp_path_factory.mktemp("mnist") / "calib.npz"
    np.savez(path, image=x[:CALIB])
    return path


def arg_qparams(text):
    attrs = re.search(r"func.func @main\(%arg0: [^{]*\{([^}]*)\}",
                      text).group(1)
    scale = float(re.search(r"tessera.scale = ([0-9.eE+-]+)", attrs).group(1))
    zp = int(re.search(r"tessera.zero_point = (-?\d+)", attrs).group(1))
    dtype = re.search(r'tessera.dtype = "(\w+)"', attrs).group(1)
    return scale, zp, dtype


def quantize_input(text, x):
    """x quantized as the integer function's argument (the i8 image of uint8
    bytes for a uint8 input)."""
    scale, zp, dtype = arg_qparams(text)
    q = tessera.quant.quantize(x, scale, zp, dtype).astype(np.int64)
    if dtype == "uint8":
        q -= 128
    return q.astype(np.int8)


@pytest.fixture(scope="module")
def float_correct(mnist):
    """onnxruntime's float top-1 count on images 100-9,999 (the fixture
    README: 92.53%)."""
    ort = pytest.importorskip("onnxruntime")
    model, x, labels = mnist
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    pred = np.concatenate([sess.run(None, {"image": x[i:i + 1]})[0]
                           for i in range(CALIB, N)])
    correct = int((pred.argmax(axis=1) == labels[CALIB:]).sum())
    assert round(100.0 * correct / (N - CALIB), 2) == 92.53
    return correct


@pytest.mark.parametrize("target,scheme", [
    ("rv1126", None), ("j5", None), ("orin", None), ("rv1126", "dfp_i8")],
    ids=["rv1126", "j5", "orin", "rv1126-dfp_i8"])
def test_mnist_int8_top1(mnist, calib_npz, float_correct, target, scheme):
    """Top-1 of the integer program on images 100-9,999 within 0.1 point of
    float on rv1126 and j5 (orin reported and held to the same bound), and
    with rv1126's dynamic fixed point scheme (dfp_i8: every scale a power
    of two, so each rescale is a shift); the simulator running the compiled
    .npubin equals the integer reference executor bit for bit on a sample
    of images."""
    model, x, labels = mnist
    compile_args = {"target": target, "calibration": calib_npz,
                    "scheme": scheme}
    # The integer program at batch 100, run by the integer reference
    # executor in 99 batches (the Softmax is the integer tosa.custom).
    text = tessera.compile(model, input_shapes={"image": [BATCH, 1, 28, 28]},
                           emit="int", **compile_args)
    assert 'operator_name = "softmax"' in text
    data = text.encode()
    xq = quantize_input(text, x[CALIB:])
    preds = []
    for i in range(0, len(xq), BATCH):
        preds.append(tessera.run(data, {"image": xq[i:i + BATCH]})
                     ["prediction"])
    pred = np.concatenate(preds).astype(np.int64)
    assert pred.shape == (N - CALIB, 10)
    correct = int((pred.argmax(axis=1) == labels[CALIB:]).sum())
    top1 = 100.0 * correct / (N - CALIB)
    print(f"\nMNIST int8 {target} {scheme or 'default'}: top-1 {correct}/{N - CALIB} = {top1:.2f}%"
          f" (float {100.0 * float_correct / (N - CALIB):.2f}%)")
    assert abs(correct - float_correct) <= 9  # 0.1 point of 9,900 = 9.9

    # The .npubin (batch 1) on the simulator vs the integer reference
    # executor on the same batch-1 integer program, and vs the batch-100
    # rows above.
    program = tessera.compile(model, **compile_args)
    text1 = tessera.compile(model, emit="int", **compile_args)
    sample = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987,
              1597, 2584, 4181, 6765, 9899]
    for i in sample:
        img = x[CALIB + i:CALIB + i + 1]
        sim = tessera.simulate(program, {"image": img})
        ref = tessera.run(text1.encode(), {"image": quantize_input(text1, img)})
        got = sim.int_outputs["prediction"].astype(np.int64)
        np.testing.assert_array_equal(got, ref["prediction"].astype(np.int64))
        np.testing.assert_array_equal(got[0], pred[i])
