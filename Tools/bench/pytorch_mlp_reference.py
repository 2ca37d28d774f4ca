#!/usr/bin/env python3
"""Seed 002's MNIST MLP in PyTorch, written the way a PyTorch user would (eager, torch.optim.Adam):
the third framework `keras-bench training` and `keras_training_reference.py` are compared with.

Prints, in the words of the Swift benchmark:
  mnist_mlp_epoch_s   one epoch on 60000x784 random data (batch 128, adam, dropout 0.2, shuffled)
  predict_call_ms     model(x) of one sample under torch.inference_mode(), the direct call
  predict_batch_ms    model(x) of 32 samples, likewise
  peak_rss_mb         the process' peak resident memory

    python3 Tools/bench/pytorch_mlp_reference.py           # all figures
    python3 Tools/bench/pytorch_mlp_reference.py mlp [N]   # only the epoch, N rounds
    python3 Tools/bench/pytorch_mlp_reference.py mlp serve # one epoch per input line (compare_mlp_epoch.py)
    python3 Tools/bench/pytorch_mlp_reference.py inference # only the inference figures
"""
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

from epoch_rounds import time_epochs

torch.manual_seed(0)
rng = np.random.default_rng(0)
x = torch.from_numpy(rng.random((60000, 784), dtype=np.float32))
labels = torch.from_numpy(rng.integers(0, 10, 60000))

# Keras' layers: Dense(512, relu), Dropout(0.2), Dense(10) whose softmax the loss takes
# (nn.CrossEntropyLoss is log-softmax and negative log-likelihood in one).
mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10))
optimizer = torch.optim.Adam(mlp.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
loss_function = nn.CrossEntropyLoss()


def epoch(samples=60000, batch=128):
    mlp.train()
    order = torch.randperm(samples)
    correct = 0
    for start in range(0, samples, batch):
        index = order[start:start + batch]
        xb, yb = x[index], labels[index]
        optimizer.zero_grad(set_to_none=True)
        logits = mlp(xb)
        loss = loss_function(logits, yb)
        loss.backward()
        optimizer.step()
        correct += (logits.argmax(1) == yb).sum().item()  # the accuracy metric Keras reports
    return correct / samples


epoch(1280)  # warm-up
if sys.argv[1:2] != ["inference"]:
    mlp_only = sys.argv[1:2] == ["mlp"]
    times = time_epochs(epoch)
    print("mnist_mlp_epoch_rounds_s " + " ".join(f"{t:.4f}" for t in times))
    print(f"mnist_mlp_epoch_s {min(times):.4f}")
    if mlp_only:
        sys.exit(0)

mlp.eval()
for name, rows, calls in [("predict_call_ms", 1, 2000), ("predict_batch_ms", 32, 2000)]:
    sample = x[:rows]
    with torch.inference_mode():
        mlp(sample)
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            torch.softmax(mlp(sample), dim=1)  # the model's output is the softmax, as in Keras
            times.append(time.perf_counter() - start)
    print(f"{name} {1000 * min(times):.3f}")
print(f"torch_threads {torch.get_num_threads()}")
print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
