#!/usr/bin/env python3
"""The recurrent benchmark of issue 12 in Keras 3 (TensorFlow backend) and in PyTorch:
Embedding(10000, 128) → LSTM(128) or GRU(128) → Dense(1, sigmoid), sequences of 100 steps,
batch 64, Adam (lr 1e-3), binary crossentropy, shuffled each epoch — as `keras-bench rnn` builds it.

    python3 Tools/bench/rnn_reference.py keras|torch lstm|gru serve data.npz
Prints "ready", then for each line of input: "epoch" → the epoch's seconds; "memory" → the peak
resident memory in MB; "quit" ends. Tools/bench/compare_rnn_epoch.py drives it.
"""
import os
import sys

from alternated_epochs import serve

framework, kind, _, path = sys.argv[1:5]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np

data = np.load(path)
x, y = data["x"], data["y"]
BATCH = 64


def keras_runner():
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras
    keras.utils.set_random_seed(0)
    recurrent = keras.layers.GRU(128) if kind == "gru" else keras.layers.LSTM(128)
    model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Embedding(10000, 128), recurrent,
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    xs, ys = x.astype("int32"), y.astype("float32")
    model.fit(xs[:2 * BATCH], ys[:2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    return lambda: model.fit(xs, ys, batch_size=BATCH, epochs=1, verbose=0)


def torch_runner():
    import torch
    from torch import nn
    torch.manual_seed(0)
    # As many threads as the cores this process may use (the default can count the host's cores).
    torch.set_num_threads(len(os.sched_getaffinity(0)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(10000, 128)
            self.recurrent = (nn.GRU if kind == "gru" else nn.LSTM)(128, 128, batch_first=True)
            self.dense = nn.Linear(128, 1)

        def forward(self, tokens):
            outputs, _ = self.recurrent(self.embedding(tokens))
            return self.dense(outputs[:, -1])

    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    xs, ys = torch.from_numpy(x.astype("int64")), torch.from_numpy(y.astype("float32"))

    def epoch(limit=None):
        order = torch.randperm(len(xs))[:limit]
        for start in range(0, len(order), BATCH):
            index = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(net(xs[index]), ys[index])
            loss.backward()
            optimizer.step()

    epoch(2 * BATCH)
    return epoch


serve(keras_runner() if framework == "keras" else torch_runner())
