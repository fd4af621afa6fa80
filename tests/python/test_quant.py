"""tessera.quant: worked examples of the founding documents, exact oracles
(fractions, Python big integers, numpy) and onnxruntime's
DynamicQuantizeLinear. Conventions: docs/quantization.md."""
import math
import random
from fractions import Fraction

import numpy as np
import pytest

from tessera import quant

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# ---------------------------------------------------------------------------
# Worked examples (seeds 000, 002, 003)
# ---------------------------------------------------------------------------


def test_int8_asymmetric_seed_example():
    # Seed 000: scale = 2.22 / 255 = 0.0087059, Z = 127 - round(1.7 / s) = -68.
    x = np.array([-0.52, 0.3, 1.7])
    scale, zp = quant.choose_qparams(x, "int8")
    assert scale == pytest.approx(2.22 / 255, rel=1e-12)
    assert scale == pytest.approx(0.0087059, abs=5e-8)
    assert zp == -68
    q = quant.quantize(x, scale, zp, "int8")
    assert q.dtype == np.int8
    assert q.tolist() == [-128, -34, 127]
    r = quant.dequantize(q, scale, zp)
    assert r.dtype == np.float64
    np.testing.assert_allclose(r, [-0.5224, 0.2960, 1.6977], atol=1e-4)


def test_int8_without_zero_point_clips_seed_example():
    # Seed 000: same scale, no offset: [-60, 34, 195] clipped to 127.
    q = quant.quantize([-0.52, 0.3, 1.7], 2.22 / 255, 0, "int8")
    assert q.tolist() == [-60, 34, 127]


def test_int8_symmetric_seed_example():
    # Seed 000: max-abs, range +-127: [-39, 22, 127].
    x = [-0.52, 0.3, 1.7]
    scale, zp = quant.choose_qparams(x, "int8", symmetric=True)
    assert scale == pytest.approx(1.7 / 127, rel=1e-15)
    assert zp == 0
    assert quant.quantize(x, scale, zp, "int8").tolist() == [-39, 22, 127]


WEIGHTS = [0.1, 0.2, 1.2, 3, 2.1, -2.1, -3.5]


def test_int4_symmetric_seed_example():
    # Seed 003: max|w| = 3.5 over 7 -> scale 0.5.
    scale, zp = quant.choose_qparams(WEIGHTS, "int4", symmetric=True)
    assert (scale, zp) == (0.5, 0)
    q = quant.quantize(WEIGHTS, scale, zp, "int4")
    assert q.dtype == np.int8
    assert q.tolist() == [0, 0, 2, 6, 4, -4, -7]
    assert quant.dequantize(q, scale, zp).tolist() == [0, 0, 1, 3, 2, -2, -3.5]


def test_uint4_asymmetric_seed_example():
    # Seed 003: range [-3.5, 3] over 15 steps, scale 6.5 / 15, zero point
    # 0 - round(-3.5 / scale) = 8 (the seed's "-8", subtracted).
    scale, zp = quant.choose_qparams(WEIGHTS, "uint4")
    assert scale == pytest.approx(6.5 / 15, rel=1e-15)
    assert zp == 8
    q = quant.quantize(WEIGHTS, scale, zp, "uint4")
    assert q.dtype == np.uint8
    assert q.tolist() == [8, 8, 11, 15, 13, 3, 0]
    np.testing.assert_allclose(
        quant.dequantize(q, scale, zp),
        [0, 0, 1.3, 3.033, 2.167, -2.167, -3.467], atol=5e-4)


def test_round_half_to_even_seed_example():
    # Seed 002 (numpy / torch / std::nearbyint).
    x = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
    for dtype in ("int8", "int16"):
        assert quant.quantize(x, 1.0, 0, dtype).tolist() == [-2, -2, 0, 0, 2, 2]
    assert quant.quantize(x, 1.0, 0, "int8", rounding="half_up").tolist() == [
        -2, -1, 0, 1, 2, 3]


def test_fixed_point_seed_examples():
    # Seed 000.
    a = quant.to_fixed(2.71875, 10, 5)
    assert a == 87
    assert format(a & 0xFFFF, "016b") == "0000000001010111"
    assert quant.from_fixed(87, 10, 5) == 2.71875
    a = quant.to_fixed(-0.499878, 2, 13)
    assert a == -4095
    assert format(a & 0xFFFF, "016b") == "1111000000000001"
    assert quant.from_fixed(-4095, 2, 13) == pytest.approx(-0.4998779, abs=1e-7)
    assert quant.to_fixed(2, 7, 0) == 2
    # S7.0 of 2.71875: the seed drops the fraction (truncation).
    assert quant.to_fixed(2.71875, 7, 0, rounding="trunc") == 2
    assert quant.to_fixed(2.71875, 7, 0) == 3


# ---------------------------------------------------------------------------
# Rounding, against exact rational arithmetic
# ---------------------------------------------------------------------------


def exact_round(x, mode):
    f = Fraction(x)
    fl = math.floor(f)
    d = f - fl
    if mode == "floor":
        return fl
    if mode == "trunc":
        return math.trunc(f)
    if d != Fraction(1, 2):
        return fl + (1 if d > Fraction(1, 2) else 0)
    if mode == "half_even":
        return fl if fl % 2 == 0 else fl + 1
    if mode == "half_up":
        return fl + 1
    assert mode == "half_away"
    return fl + 1 if f > 0 else fl


def test_rounding_modes_against_fractions():
    rng = random.Random(1)
    xs = [k / 4 for k in range(-40, 41)]
    xs += [0.49999999999999994, -0.49999999999999994, 2.0**51 + 0.5,
           -(2.0**51 + 0.5), 2.0**52 + 1]
    xs += [rng.uniform(-1e6, 1e6) for _ in range(2000)]
    arr = np.array(xs)
    for mode in quant.ROUNDINGS:
        got = quant.round_with(arr, mode)
        assert got.tolist() == [float(exact_round(x, mode)) for x in xs], mode
    np.testing.assert_array_equal(quant.round_with(arr, "half_even"),
                                  np.round(arr))


def test_rounding_modes_through_quantize():
    x = [-0.625, -0.375, -0.125, 0.125, 0.375, 0.625]  # /0.25 = +-0.5 ties
    expected = {
        "half_even": [8, 8, 10, 10, 12, 12],
        "half_away": [7, 8, 9, 11, 12, 13],
        "half_up": [8, 9, 10, 11, 12, 13],
        "floor": [7, 8, 9, 10, 11, 12],
        "trunc": [8, 9, 10, 10, 11, 12],
    }
    for mode, want in expected.items():
        assert quant.quantize(x, 0.25, 10, "int8", rounding=mode).tolist() == want


# ---------------------------------------------------------------------------
# quantize / dequantize / choose_qparams
# ---------------------------------------------------------------------------

STORAGE = {"uint8": np.uint8, "int8": np.int8, "uint16": np.uint16,
           "int16": np.int16, "uint4": np.uint8, "int4": np.int8,
           "int32": np.int32}
RANGES = {"uint8": (0, 255), "int8": (-128, 127), "uint16": (0, 65535),
          "int16": (-32768, 32767), "uint4": (0, 15), "int4": (-8, 7),
          "int32": (INT32_MIN, INT32_MAX)}


@pytest.mark.parametrize("dtype", sorted(RANGES))
def test_saturation_and_storage_dtype(dtype):
    lo, hi = RANGES[dtype]
    assert quant.quant_range(dtype) == (lo, hi)
    x = np.array([[lo - 1.0, lo, lo + 1.0], [hi - 1.0, hi, hi + 1.0]])
    q = quant.quantize(x, 1.0, 0, dtype)
    assert q.dtype == STORAGE[dtype]
    assert q.shape == (2, 3)
    assert q.tolist() == [[lo, lo, lo + 1], [hi - 1, hi, hi]]
    assert quant.quantize([1e30, -1e30], 1.0, 0, dtype).tolist() == [hi, lo]


def test_narrow_range():
    assert quant.quant_range("int8", symmetric=True) == (-127, 127)
    assert quant.quant_range("uint8", symmetric=True) == (0, 255)
    assert quant.quantize([-200.0], 1.0, 0, "int8").tolist() == [-128]
    assert quant.quantize([-200.0], 1.0, 0, "int8",
                          narrow_range=True).tolist() == [-127]


def test_quantize_matches_numpy_oracle():
    rng = np.random.default_rng(0)
    x = rng.normal(size=5000) * 3
    for dtype in ("uint8", "int8", "int16", "uint4", "int4"):
        for symmetric in (False, True):
            scale, zp = quant.choose_qparams(x, dtype, symmetric=symmetric)
            lo, hi = RANGES[dtype]
            want = np.clip(np.round(x / scale) + zp, lo, hi)
            got = quant.quantize(x, scale, zp, dtype)
            np.testing.assert_array_equal(got.astype(np.float64), want)
            np.testing.assert_allclose(quant.dequantize(got, scale, zp),
                                       scale * (want - zp), rtol=1e-15)


def test_choose_qparams_degenerate_ranges():
    assert quant.choose_qparams([0.0, 0.0], "uint8") == (1.0, 0)
    assert quant.choose_qparams([0.0], "int8", symmetric=True) == (1.0, 0)
    assert quant.choose_qparams([0.0], "uint8", symmetric=True) == (1.0, 128)
    scale, zp = quant.choose_qparams([2.0, 2.0], "int8")
    assert (scale, zp) == (2.0 / 255, -128)
    scale, zp = quant.choose_qparams([-3.0, -1.0], "uint8")
    assert (scale, zp) == (3.0 / 255, 255)
    assert quant.quantize([-3.0, -1.0, 0.0], scale, zp, "uint8").tolist() == [
        0, 170, 255]


def test_zero_is_exactly_representable():
    rng = np.random.default_rng(5)
    for _ in range(200):
        x = rng.uniform(-1, 1, size=8) * 10.0 ** rng.integers(-20, 20)
        if rng.random() < 0.3:
            x = np.abs(x) * (1 if rng.random() < 0.5 else -1)
        for dtype in RANGES:
            for symmetric in (False, True):
                scale, zp = quant.choose_qparams(x, dtype, symmetric=symmetric)
                lo, hi = RANGES[dtype]
                assert lo <= zp <= hi
                q = quant.quantize([0.0], scale, zp, dtype)
                assert int(q[0]) == zp
                assert quant.dequantize(q, scale, zp).tolist() == [0.0]


def onnxruntime_dynamic_quantize(x):
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    node = helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])
    graph = helper.make_graph(
        [node], "dql",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [len(x)])],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, [len(x)]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, []),
         helper.make_tensor_value_info("z", TensorProto.UINT8, [])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    sess = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": np.asarray(x, dtype=np.float32)})


def test_uint8_matches_onnxruntime_dynamic_quantize_linear():
    # ONNX DynamicQuantizeLinear: range extended to 0, scale = (max - min) /
    # 255, zero point = round_half_even(0 - min / scale): the same convention,
    # computed in float32 by onnxruntime.
    rng = np.random.default_rng(3)
    for trial in range(20):
        x = (rng.normal(size=64) * rng.uniform(0.1, 10) +
             rng.uniform(-3, 3)).astype(np.float32)
        if trial == 0:
            x = np.array([-0.52, 0.3, 1.7], dtype=np.float32)
        y, s, z = onnxruntime_dynamic_quantize(x)
        scale, zp = quant.choose_qparams(x, "uint8")
        assert scale == pytest.approx(float(s), rel=1e-6)
        assert abs(zp - int(z)) <= 1
        if zp == int(z):
            q = quant.quantize(x, float(s), zp, "uint8")
            # onnxruntime divides in float32: a near-tie may differ by 1.
            assert np.max(np.abs(q.astype(int) - y.astype(int))) <= 1
            assert np.mean(q == y) > 0.95


# ---------------------------------------------------------------------------
# Fixed point
# ---------------------------------------------------------------------------


def test_fixed_point_saturation_and_round_trip():
    assert quant.to_fixed(200.0, 7, 0) == 127
    assert quant.to_fixed(-200.0, 7, 0) == -128
    assert quant.to_fixed(1.0, 0, 7) == 127
    assert quant.to_fixed(4.0, 2, 13) == 32767
    assert quant.to_fixed(-4.5, 2, 13) == -32768
    assert quant.to_fixed(1e300, 31, 31) == 2**62 - 1
    assert quant.to_fixed(-1e300, 31, 31) == -(2**62)
    rng = random.Random(2)
    for _ in range(500):
        n, m = rng.randint(0, 20), rng.randint(0, 30)
        a = rng.randint(-(2 ** (n + m)), 2 ** (n + m) - 1)
        x = quant.from_fixed(a, n, m)
        assert x == a / 2**m
        assert quant.to_fixed(x, n, m) == a


# ---------------------------------------------------------------------------
# Multiplier / shift and TOSA apply_scale
# ---------------------------------------------------------------------------


def test_quantize_multiplier():
    assert quant.quantize_multiplier(1.0) == (1 << 30, 30)  # TOSA: scale 1.0
    assert quant.quantize_multiplier(1.0, scale32=False) == (1 << 14, 14)
    assert quant.quantize_multiplier(0.75) == (3 << 29, 31)
    assert quant.quantize_multiplier(1 - 2.0**-32) == (1 << 30, 30)  # carry
    assert quant.quantize_multiplier(2.0**-32) == (1 << 30, 62)
    assert quant.quantize_multiplier(2.0**-33) == (0, 2)  # flushed
    assert quant.quantize_multiplier(0.0) == (0, 2)
    assert quant.quantize_multiplier(2.0**28) == (1 << 30, 2)
    rng = random.Random(4)
    for _ in range(2000):
        m = 2.0 ** rng.uniform(-32, 28)
        mult, shift = quant.quantize_multiplier(m)
        assert 2**30 <= mult < 2**31 and 2 <= shift <= 62
        assert abs(Fraction(mult, 2**shift) - Fraction(m)) <= Fraction(1, 2 ** (shift + 1))


def tosa_apply_scale_32(value, multiplier, shift, double_round):
    """The TOSA pseudo-code with Python's unbounded integers."""
    rnd = 1 << (shift - 1)
    if double_round and shift > 31:
        rnd += (1 << 30) if value >= 0 else -(1 << 30)
    return (value * multiplier + rnd) >> shift


def test_apply_scale_against_spec_formula():
    rng = random.Random(7)
    checked = 0
    while checked < 5000:
        shift = rng.randint(2, 62)
        bound = min(1 << (shift - 1), 2**31)
        value = rng.randint(-bound, bound - 1)
        mult = rng.randint(0, INT32_MAX)
        dr = rng.random() < 0.5
        want = tosa_apply_scale_32(value, mult, shift, dr)
        assert INT32_MIN <= want <= INT32_MAX  # the REQUIRE guarantees it
        assert quant.apply_scale(value, mult, shift, double_round=dr) == want
        checked += 1


def test_apply_scale_boundaries():
    half = 1 << 30
    assert quant.apply_scale(1, half, 31) == 1      # 0.5 -> 1
    assert quant.apply_scale(-1, half, 31) == 0     # -0.5 -> 0 (half up)
    assert quant.apply_scale(-3, half, 31) == -1    # -1.5 -> -1
    assert quant.apply_scale(1, INT32_MAX, 32) == 0
    assert quant.apply_scale(1, INT32_MAX, 32, double_round=True) == 1
    assert quant.apply_scale(-1, INT32_MAX, 32, double_round=True) == -1
    assert quant.apply_scale(INT32_MIN, half, 62) == 0
    assert quant.apply_scale(INT32_MIN, half, 62, double_round=True) == -1
    assert quant.apply_scale(1, INT32_MAX, 2) == 2**29
    for v in (INT32_MIN, -1, 0, 1, INT32_MAX):
        assert quant.apply_scale(v, 1 << 30, 30, strict=False) == v
    # Outside the TOSA value REQUIRE: ValueError, or saturation on request.
    with pytest.raises(ValueError, match="apply_scale_32"):
        quant.apply_scale(INT32_MAX, INT32_MAX, 2)
    assert quant.apply_scale(INT32_MAX, INT32_MAX, 2, strict=False) == INT32_MAX
    assert quant.apply_scale(INT32_MIN, INT32_MAX, 2, strict=False) == INT32_MIN


def test_apply_scale_16():
    assert quant.apply_scale_16(12345, 1 << 14, 14) == 12345
    assert quant.apply_scale_16(-(2**47), 32767, 62) == -1
    with pytest.raises(ValueError, match="int32"):
        quant.apply_scale_16(2**47 - 1, 1 << 14, 14)
    assert quant.apply_scale_16(2**47 - 1, 1 << 14, 14, strict=False) == INT32_MAX


# ---------------------------------------------------------------------------
# Bad arguments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("call, match", [
    (lambda: quant.choose_qparams([1.0], "int7"), "unknown dtype 'int7'"),
    (lambda: quant.choose_qparams([], "int8"), "empty"),
    (lambda: quant.choose_qparams([1.0, float("nan")]), "non-finite"),
    (lambda: quant.choose_qparams([float("inf")]), "non-finite"),
    (lambda: quant.quantize([1.0], 0.1, 0, rounding="nearest"),
     "unknown rounding 'nearest'"),
    (lambda: quant.quantize([float("nan")], 0.1, 0), "non-finite"),
    (lambda: quant.quantize([1.0], 0.0, 0), "scale"),
    (lambda: quant.quantize([1.0], float("nan"), 0), "scale"),
    (lambda: quant.quantize([1.0], 0.1, 300, "uint8"), "zero point 300"),
    (lambda: quant.quantize([1.0], 0.1, -1, "uint4"), "zero point -1"),
    (lambda: quant.dequantize([1], -1.0, 0), "scale"),
    (lambda: quant.dequantize(np.array([1.5]), 1.0, 0), "integer"),
    (lambda: quant.to_fixed(1.0, 31, 32), "S31.32"),
    (lambda: quant.to_fixed(1.0, -1, 3), "S-1.3"),
    (lambda: quant.to_fixed(float("inf"), 7, 0), "finite"),
    (lambda: quant.to_fixed(1.0, 7, 0, rounding="up"), "unknown rounding"),
    (lambda: quant.from_fixed(128, 7, 0), "does not fit S7.0"),
    (lambda: quant.quantize_multiplier(-0.5), ">= 0"),
    (lambda: quant.quantize_multiplier(float("nan")), "finite"),
    (lambda: quant.quantize_multiplier(2.0**29), "too large"),
    (lambda: quant.quantize_multiplier(2.0**13, scale32=False), "too large"),
    (lambda: quant.apply_scale(1, 1 << 30, 1), "shift"),
    (lambda: quant.apply_scale(1, 1 << 30, 63), "shift"),
    (lambda: quant.apply_scale(1, -1, 31), "multiplier"),
    (lambda: quant.apply_scale(1, 2**31, 31), "multiplier"),
    (lambda: quant.apply_scale(2**31, 1 << 30, 40), "int32"),
    (lambda: quant.apply_scale(2**70, 1 << 30, 40), "int64"),
    (lambda: quant.apply_scale(1 << 30, 1 << 30, 31), "required by TOSA"),
    (lambda: quant.apply_scale_16(1, 32768, 20), "multiplier"),
    (lambda: quant.apply_scale_16(2**47, 1, 20), "int48"),
    (lambda: quant.quant_range("float32"), "unknown dtype"),
])
def test_bad_arguments_raise_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_api_names():
    for name in ("choose_qparams", "quantize", "dequantize", "to_fixed",
                 "from_fixed", "quantize_multiplier", "apply_scale"):
        assert callable(getattr(quant, name)), name
    assert quant.DTYPES == ("uint8", "int8", "uint16", "int16", "uint4",
                            "int4", "int32")
    assert set(quant.ROUNDINGS) == {"half_even", "half_away", "half_up",
                                    "floor", "trunc"}
