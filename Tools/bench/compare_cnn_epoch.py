#!/usr/bin/env python3
"""The Fashion-MNIST convnet epoch in swift-keras, TensorFlow-Keras and PyTorch, alternated epoch
by epoch (each program starts once: data, model, warm-up), so that on a shared machine all see the
same background load; the order rotates each round. Prints each round with the ratios to
swift-keras, then the best epoch of each, the medians of the per-round ratios and peak memory.

    swift build -c release --product keras-bench
    python3 Tools/bench/compare_cnn_epoch.py [rounds] [path to keras-bench]
"""
import os
import statistics
import sys

from alternated_epochs import alternate, start, stop

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
bench = sys.argv[2] if len(sys.argv) > 2 else ".build/release/keras-bench"
reference = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cnn_reference.py")
programs = {"swift": start([bench, "cnn", "serve"]),
            "keras": start([sys.executable, reference, "keras", "serve"]),
            "torch": start([sys.executable, reference, "torch", "serve"])}
names = list(programs)


def print_round(index, times, load):
    s, k, t = (times[name][-1] for name in names)
    print(f"{index + 1:5d}  {s:7.3f}  {k:7.3f}  {t:7.3f}  {s / k:11.3f}  {s / t:11.3f}  {load:5.2f}", flush=True)


print("round  swift_s  keras_s  torch_s  swift/keras  swift/torch  load1")
times = alternate(programs, rounds, print_round)
memory = stop(programs)
best = {name: min(values) for name, values in times.items()}
print("best: " + ", ".join(f"{name} {best[name]:.3f} s" for name in names)
      + f"; swift/keras {best['swift'] / best['keras']:.3f}, swift/torch {best['swift'] / best['torch']:.3f}")
for other in ["keras", "torch"]:
    ratio = statistics.median(s / o for s, o in zip(times["swift"], times[other]))
    print(f"median of per-round ratios swift/{other}: {ratio:.3f}")
print("peak resident memory: " + ", ".join(f"{name} {memory[name]:.0f} MB" for name in names))
