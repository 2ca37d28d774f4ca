#!/usr/bin/env python3
"""Reads the TensorBoard event files under a log folder with TensorBoard's own reader and prints
what it found as JSON: {run: {"scalars": {tag: [[step, value], ...]}, "histograms": {tag: [[step, count], ...]},
"texts": {tag: {"steps": [...], "values": [...]}}}}, run being the sub-folder (train, validation).

Used by the Swift test TensorBoardTests (KERAS_PYTHON_TESTS=1): pip install tensorboard."""
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

root = sys.argv[1]
result = {}
for run in sorted(os.listdir(root)):
    folder = os.path.join(root, run)
    if not os.path.isdir(folder):
        continue
    accumulator = EventAccumulator(folder, size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    result[run] = {
        "scalars": {tag: [[e.step, e.value] for e in accumulator.Scalars(tag)] for tag in tags["scalars"]},
        "histograms": {tag: [[e.step, e.histogram_value.num] for e in accumulator.Histograms(tag)] for tag in tags["histograms"]},
        "texts": {tag: {"steps": [e.step for e in accumulator.Tensors(tag)],
                        "values": [e.tensor_proto.string_val[0].decode() for e in accumulator.Tensors(tag)]}
                  for tag in tags["tensors"]},
    }
json.dump(result, sys.stdout)
