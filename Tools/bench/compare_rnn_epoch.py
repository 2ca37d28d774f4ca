#!/usr/bin/env python3
"""The recurrent benchmark of issue 12: swift-keras, Keras 3 (TensorFlow backend) and PyTorch
train the same model on the same data, epoch by epoch in turn, so that on a shared machine all
three see the same background load.

Embedding(10000, 128) → LSTM(128) (or GRU) → Dense(1, sigmoid); random sequences of 100
tokens (6400 by default: 100 steps of batch 64 an epoch), adam. Prints each round, then the best
epoch of each, the per-step time, the ratios swift/keras and swift/torch, and each process's
peak memory.

    swift build -c release --product keras-bench
    python3 Tools/bench/compare_rnn_epoch.py lstm [rounds] [path to keras-bench] [sequences]
"""
import os
import statistics
import sys
import tempfile

import numpy as np

from alternated_epochs import alternate, start, stop

kind = sys.argv[1] if len(sys.argv) > 1 else "lstm"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
bench = sys.argv[3] if len(sys.argv) > 3 else ".build/release/keras-bench"
here = os.path.dirname(os.path.abspath(__file__))
SAMPLES = int(sys.argv[4]) if len(sys.argv) > 4 else 6400
LENGTH, BATCH = 100, 64

rng = np.random.default_rng(7)
data = os.path.join(tempfile.mkdtemp(), "rnn.npz")
np.savez(data, x=rng.integers(0, 10000, (SAMPLES, LENGTH)).astype(np.float32),
         y=rng.integers(0, 2, (SAMPLES, 1)).astype(np.float32))

reference = os.path.join(here, "rnn_reference.py")
programs = {"swift": start([bench, "rnn", kind, "serve", data]),
            "keras": start([sys.executable, reference, "keras", kind, "serve", data]),
            "torch": start([sys.executable, reference, "torch", kind, "serve", data])}
names = list(programs)
print(f"{kind}: {SAMPLES} sequences of {LENGTH} steps, batch {BATCH}; seconds per epoch")
print("round  " + "  ".join(f"{name:>7}" for name in names) + "  load1")
times = alternate(programs, rounds, lambda index, times, load: print(
    f"{index + 1:5d}  " + "  ".join(f"{times[name][-1]:7.3f}" for name in names) + f"  {load:5.2f}", flush=True))
memory = stop(programs)
steps = SAMPLES // BATCH
for name in names:
    best = min(times[name])
    print(f"{name:6s} best epoch {best:7.3f} s  step {best / steps * 1000:7.2f} ms  peak memory {memory[name]:7.1f} MB")
for other in ["keras", "torch"]:
    ratios = [s / o for s, o in zip(times["swift"], times[other])]
    print(f"swift / {other}: best {min(times['swift']) / min(times[other]):.3f}, median of rounds {statistics.median(ratios):.3f}")
