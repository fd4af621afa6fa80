"""End to end on a real trained model: onnx-mlir's MNIST (MaxPool -> Reshape
-> Gemm -> Relu -> Gemm -> Softmax, opset 13) on all 10,000 MNIST test
images, run by Tessera's float reference executor.

Top-1 must be exactly 92.54%, onnxruntime's float figure for this model and
data (../shared/fixtures/README.md). The images run as one batch: the model's
Reshape target is [-1, 196], so importing with image=10000x1x28x28 gives a
batched graph, and one run through tessera.run (or the tessera-run tool when
the Python module is not built) takes a few seconds."""
import gzip

import numpy as np
import pytest

from conftest import need_shared, run_tool

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
