#!/usr/bin/env python3
"""h5py's side of `keras-bench hdf5`: writes and reads the same 134 MB weights file (32 layers of
1024x1024 float32 and their biases), best of 5 rounds, in MB/s.

    python3 Tools/bench/hdf5_reference.py [FILE]
"""
import os
import sys
import time

import h5py
import numpy as np

layers, rows, columns = 32, 1024, 1024
path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/hdf5-reference-%d.weights.h5" % os.getpid()
index = np.arange(rows * columns, dtype=np.int64)
weights = [((index * 2654435761 + layer) % 1000 / 1000).astype("f4").reshape(rows, columns) for layer in range(layers)]
megabytes = layers * (rows * columns + columns) * 4 / 1e6
best_write = best_read = float("inf")
for _ in range(5):
    start = time.perf_counter()
    with h5py.File(path, "w") as f:
        for layer, w in enumerate(weights):
            f["layers/dense_%d/vars/0" % layer] = w
            f["layers/dense_%d/vars/1" % layer] = w[0]
        f["optimizer/vars/0"] = np.int64(100)
    os.sync()
    best_write = min(best_write, time.perf_counter() - start)
    start = time.perf_counter()
    with h5py.File(path, "r") as f:
        arrays = [f["layers/dense_%d/vars/%d" % (layer, v)][()] for layer in range(layers) for v in (0, 1)]
    best_read = min(best_read, time.perf_counter() - start)
if len(sys.argv) <= 1:
    os.remove(path)
print("h5py %s: write %.1f ms, %.1f MB/s; read %.1f ms, %.1f MB/s"
      % (h5py.__version__, best_write * 1000, megabytes / best_write, best_read * 1000, megabytes / best_read))
