"""Numpy oracle for tiny.s: checks tessera-sim's outputs independently.

Reads the constant image from the .data lines of tiny.s, computes the
program's two layers with int64 numpy following the TOSA pseudo-code
(conv: sum (x - zp) * w over the padded window, + bias, apply_scale_32 with
single rounding: (acc * m + 2^(s-1)) >> s, + out_zp, clamp; max pool 2x2/2),
and compares with y.int.npy (exact) and y.npy (= 0.1 * (q + 3)).
Usage: oracle.py tiny.s x.npy OUTDIR
"""
import sys

import numpy as np


def constants(path):
    image = bytearray()
    for line in open(path):
        if line.startswith(".data "):
            _, offset, hexbytes = line.split()
            assert int(offset, 16) == len(image)
            image += bytes.fromhex(hexbytes)
    return bytes(image)


def main():
    image = constants(sys.argv[1])
    w = np.frombuffer(image[0:72], np.int8).reshape(4, 3, 3, 2).astype(np.int64)
    bias = np.frombuffer(image[0x80:0x90], np.int32).astype(np.int64)
    m, s = np.frombuffer(image[0xC0:0xC8], np.int32).astype(np.int64)
    x = np.load(sys.argv[2]).astype(np.float64)  # [1, 2, 4, 4]
    q = np.clip(np.round(x / 0.05) - 1, -128, 127).astype(np.int64)  # half even
    xp = np.pad(q[0] + 1, ((0, 0), (1, 1), (1, 1)))  # x - zp, zero padded
    acc = np.zeros((4, 4, 4), np.int64)  # [oc, h, w]
    for o in range(4):
        for y in range(4):
            for xx in range(4):
                win = xp[:, y:y + 3, xx:xx + 3]  # [ic, 3, 3]
                acc[o, y, xx] = np.sum(win * w[o].transpose(2, 0, 1)) + bias[o]
    v = ((acc * m + (1 << (s - 1))) >> s) - 3
    conv = np.clip(v, -3, 127)
    pool = conv.reshape(4, 2, 2, 2, 2).max(axis=(2, 4))  # [oc, 2, 2]
    want = pool.reshape(1, 4, 2, 2)
    got = np.load(sys.argv[3] + "/y.int.npy")
    assert got.dtype == np.int8, got.dtype
    assert got.shape == (1, 4, 2, 2), got.shape
    assert np.array_equal(got.astype(np.int64), want), (got, want)
    got_f = np.load(sys.argv[3] + "/y.npy")
    assert got_f.dtype == np.float32, got_f.dtype
    assert np.allclose(got_f, 0.1 * (want + 3), rtol=0, atol=1e-6)
    print("oracle: y matches,", int((want > -3).sum()), "positive of",
          want.size)


if __name__ == "__main__":
    main()
