"""Writes x.npy for tiny.s: float32 [1, 2, 4, 4] (or another shape / dtype).
Usage: make_input.py OUT.npy [SHAPE e.g. 1x2x4x4] [DTYPE e.g. float32]"""
import sys

import numpy as np

shape = tuple(int(d) for d in (sys.argv[2] if len(sys.argv) > 2
                               else "1x2x4x4").split("x"))
dtype = sys.argv[3] if len(sys.argv) > 3 else "float32"
rng = np.random.default_rng(3)
x = rng.uniform(-3.0, 3.0, size=shape)
if dtype != "float32":
    x = np.round(x * 20)
np.save(sys.argv[1], x.astype(dtype))
