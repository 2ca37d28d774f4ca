#!/usr/bin/env python3
"""Seed 002's MNIST-MLP epoch in swift-keras, in real Keras and (with --pytorch) in PyTorch,
alternated epoch by epoch.

Each program starts once (data, model, warm-up), then they run one epoch each in turn, so that
on a shared machine all see the same background load. The order within a round rotates. Prints
each round (the times, their ratios to swift-keras', the load average) and the summary: the best
epoch of each, their ratios, and the medians of the per-round ratios.

    swift build -c release --product keras-bench
    python3 Tools/bench/compare_mlp_epoch.py [rounds] [path to keras-bench] [--pytorch]
"""
import os
import statistics
import sys

from alternated_epochs import alternate, start

flags = [a for a in sys.argv[1:] if a.startswith("--")]
positional = [a for a in sys.argv[1:] if not a.startswith("--")]
rounds = int(positional[0]) if positional else 7
bench = positional[1] if len(positional) > 1 else ".build/release/keras-bench"
here = os.path.dirname(os.path.abspath(__file__))

programs = {"swift": start([bench, "mlp", "serve"]),
            "keras": start([sys.executable, os.path.join(here, "keras_training_reference.py"), "mlp", "serve"])}
if "--pytorch" in flags:
    programs["pytorch"] = start([sys.executable, os.path.join(here, "pytorch_mlp_reference.py"), "mlp", "serve"])
names = list(programs)
others = names[1:]
print("round  " + "  ".join(f"{name + '_s':>9}" for name in names) + "  "
      + "  ".join(f"{'swift/' + name:>13}" for name in others) + "  load1")


def print_round(index, times, load):
    swift = times["swift"][-1]
    print(f"{index + 1:5d}  " + "  ".join(f"{times[name][-1]:9.4f}" for name in names) + "  "
          + "  ".join(f"{swift / times[name][-1]:13.3f}" for name in others) + f"  {load:5.2f}", flush=True)


times = alternate(programs, rounds, print_round)
for process in programs.values():
    process.stdin.write("quit\n")
    process.stdin.close()
    process.wait()
best = {name: min(times[name]) for name in names}
print("best: " + ", ".join(f"{name} {best[name]:.4f} s" for name in names) + "; "
      + ", ".join(f"swift/{name} {best['swift'] / best[name]:.3f}" for name in others))
print("median of per-round ratios: " + ", ".join(
    f"swift/{name} {statistics.median(s / o for s, o in zip(times['swift'], times[name])):.3f}" for name in others))
