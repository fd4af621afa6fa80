"""The built-in demo model: a small SqueezeNet-style classifier written as ONNX
by Tessera itself, so that ``scripts/demo`` runs on a machine without the
project's fixtures.

Architecture (torchvision SqueezeNet 1.1 at a smaller width, 1x3x96x96 input):
conv3x3/2 + ReLU, maxpool 3/2, two Fire modules (squeeze 1x1, expand 1x1 and
3x3, concat), maxpool 3/2, one Fire module, conv1x1 classifier + ReLU,
GlobalAveragePool, Flatten: the same operator set as squeezenet1_1.

Weights are seeded (He-normal, numpy default_rng(seed)); biases are chosen so
that every ReLU keeps about half its inputs on the calibration images, as in a
trained network. The model classifies nothing; it exercises the pipeline.
"""
import numpy as np

INPUT_NAME = "input"
INPUT_SHAPE = (1, 3, 96, 96)
NUM_CLASSES = 10
OPSET = 17


def _conv(rng, cin, cout, k):
    fan_in = cin * k * k
    w = rng.standard_normal((cout, cin, k, k)).astype(np.float32)
    w *= np.float32(np.sqrt(2.0 / fan_in))
    b = (0.05 * rng.standard_normal(cout)).astype(np.float32)
    return w, b


def calibration_images(n=8, seed=1):
    """Smooth, image-like inputs (sums of low-frequency waves plus noise),
    normalised like ImageNet inputs: float32 [n, 3, 96, 96]."""
    rng = np.random.default_rng(seed)
    _, c, h, w = INPUT_SHAPE
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    out = np.empty((n, c, h, w), np.float32)
    for i in range(n):
        for ch in range(c):
            img = np.zeros((h, w))
            for _ in range(4):
                fx, fy, ph = rng.uniform(0.5, 4, 2).tolist() + [rng.uniform(0, 6.3)]
                img += rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * (fx * xx + fy * yy) + ph)
            img += 0.1 * rng.standard_normal((h, w))
            out[i, ch] = (img / 2.0).astype(np.float32)
    return out


def build_model(seed=0):
    """Returns the demo ModelProto (requires the onnx package)."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto

    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    counter = {"n": 0}

    def name(prefix):
        counter["n"] += 1
        return f"{prefix}_{counter['n']}"

    def conv(x, cin, cout, k, stride=1, pad=0, relu=True):
        w, b = _conv(rng, cin, cout, k)
        wn, bn, y = name("w"), name("b"), name("conv")
        inits.append(numpy_helper.from_array(w, wn))
        inits.append(numpy_helper.from_array(b, bn))
        nodes.append(helper.make_node("Conv", [x, wn, bn], [y], name=y,
                                      kernel_shape=[k, k], strides=[stride, stride],
                                      pads=[pad] * 4))
        if not relu:
            return y
        r = name("relu")
        nodes.append(helper.make_node("Relu", [y], [r], name=r))
        return r

    def maxpool(x):
        y = name("maxpool")
        nodes.append(helper.make_node("MaxPool", [x], [y], name=y, kernel_shape=[3, 3],
                                      strides=[2, 2], ceil_mode=0))
        return y

    def fire(x, cin, squeeze, expand):
        s = conv(x, cin, squeeze, 1)
        e1 = conv(s, squeeze, expand, 1)
        e3 = conv(s, squeeze, expand, 3, pad=1)
        y = name("concat")
        nodes.append(helper.make_node("Concat", [e1, e3], [y], name=y, axis=1))
        return y

    x = conv(INPUT_NAME, 3, 16, 3, stride=2)          # 47x47
    x = maxpool(x)                                     # 23x23
    x = fire(x, 16, 8, 16)
    x = fire(x, 32, 8, 16)
    x = maxpool(x)                                     # 11x11
    x = fire(x, 32, 12, 24)
    x = conv(x, 48, NUM_CLASSES, 1)
    g = name("gap")
    nodes.append(helper.make_node("GlobalAveragePool", [x], [g], name=g))
    nodes.append(helper.make_node("Flatten", [g], ["output"], name="flatten", axis=1))

    graph = helper.make_graph(
        nodes, "tessera_demo_squeezenet",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, list(INPUT_SHAPE))],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, NUM_CLASSES])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tessera-demo")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write(model_path, calib_path=None, seed=0):
    """Writes the demo model (and, if asked, calibration inputs as .npz with
    one array per image under the model's input name)."""
    import onnx
    onnx.save(build_model(seed), model_path)
    if calib_path:
        np.savez(calib_path, **{INPUT_NAME: calibration_images()})


if __name__ == "__main__":
    import sys
    write(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
