#!/usr/bin/env python3
"""Seed 002's MNIST-MLP epoch in swift-keras and in real Keras, alternated epoch by epoch.

Both programs start once (data, model, warm-up), then run one epoch each in turn, so that on a
shared machine both see the same background load. The order within a round alternates. Prints
each round (both times, their ratio, the load average) and the summary: the best epoch of each,
their ratio, and the median of the per-round ratios.

    swift build -c release --product keras-bench
    python3 Tools/bench/compare_mlp_epoch.py [rounds] [path to keras-bench]
"""
import os
import statistics
import subprocess
import sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
bench = sys.argv[2] if len(sys.argv) > 2 else ".build/release/keras-bench"
here = os.path.dirname(os.path.abspath(__file__))


def start(command):
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline().strip()
    if line != "ready":
        sys.exit(f"{command[0]}: expected 'ready', got {line!r}")
    return process


def epoch(process):
    process.stdin.write("epoch\n")
    process.stdin.flush()
    return float(process.stdout.readline())


programs = {"swift": start([bench, "mlp", "serve"]),
            "keras": start([sys.executable, os.path.join(here, "keras_training_reference.py"), "mlp", "serve"])}
times = {name: [] for name in programs}
print("round  swift_s  keras_s  ratio  load1")
for index in range(rounds):
    order = ["swift", "keras"] if index % 2 == 0 else ["keras", "swift"]
    for name in order:
        times[name].append(epoch(programs[name]))
    swift, keras = times["swift"][-1], times["keras"][-1]
    print(f"{index + 1:5d}  {swift:7.4f}  {keras:7.4f}  {swift / keras:5.3f}  {os.getloadavg()[0]:5.2f}", flush=True)
for process in programs.values():
    process.stdin.write("quit\n")
    process.stdin.close()
    process.wait()
best_swift, best_keras = min(times["swift"]), min(times["keras"])
print(f"best: swift {best_swift:.4f} s, keras {best_keras:.4f} s, ratio {best_swift / best_keras:.3f}")
print(f"median of per-round ratios: {statistics.median(s / k for s, k in zip(times['swift'], times['keras'])):.3f}")
