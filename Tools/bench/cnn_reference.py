#!/usr/bin/env python3
"""Keras' Fashion-MNIST convnet epoch in TensorFlow-Keras or PyTorch, the same model, data and
optimizer as `keras-bench cnn` (Conv2D 32 3x3 relu, MaxPooling2D, Conv2D 64 3x3 relu,
MaxPooling2D, Flatten, Dropout 0.5, Dense 10 softmax; adam 1e-3, epsilon 1e-7; batch 128, shuffled).

    python3 Tools/bench/cnn_reference.py keras|torch [serve]

Without `serve`: three epochs, their seconds and the peak resident size. With `serve`: prints
`ready`, then runs one epoch per `epoch` line of standard input (printing its seconds) and prints
the peak resident size in MB for a `memory` line, until `quit`.
Data: Debian's /usr/share/datasets/fashion-mnist (or random images of the same shape).
"""
import gzip
import os
import resource
import sys
import time

import numpy as np

FOLDER = "/usr/share/datasets/fashion-mnist"


def data():
    try:
        with gzip.open(os.path.join(FOLDER, "train-images-idx3-ubyte.gz")) as f:
            x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(60000, 28, 28, 1)
        with gzip.open(os.path.join(FOLDER, "train-labels-idx1-ubyte.gz")) as f:
            y = np.frombuffer(f.read(), np.uint8, offset=8)
    except OSError:
        rng = np.random.default_rng(1)
        x, y = rng.integers(0, 256, (60000, 28, 28, 1), dtype=np.uint8), rng.integers(0, 10, 60000)
    return x.astype(np.float32) / 255, y.astype(np.int64)


def keras_epoch():
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras import layers
    x, labels = data()
    y = keras.utils.to_categorical(labels, 10)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x[:1280], y[:1280], batch_size=128, epochs=1, verbose=0)
    return lambda: model.fit(x, y, batch_size=128, epochs=1, verbose=0), f"keras {keras.__version__}"


def torch_epoch():
    import torch
    from torch import nn
    x, y = data()
    x, y = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss = nn.CrossEntropyLoss()

    def epoch(count=60000):
        model.train()
        order = torch.randperm(count)
        for start in range(0, count, 128):
            batch = order[start:start + 128]
            optimizer.zero_grad()
            loss(model(x[batch]), y[batch]).backward()
            optimizer.step()

    epoch(1280)
    return epoch, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    framework = sys.argv[1] if len(sys.argv) > 1 else "keras"
    epoch, version = {"keras": keras_epoch, "torch": torch_epoch}[framework]()
    if len(sys.argv) > 2 and sys.argv[2] == "serve":
        print("ready", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                break
            if command == "memory":
                print(f"{peak_mb():.0f}", flush=True)
                continue
            start = time.perf_counter()
            epoch()
            print(f"{time.perf_counter() - start:.4f}", flush=True)
        return
    times = []
    for _ in range(3):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    print(f"{version}: cnn_epoch_s {min(times):.3f} (rounds {' '.join(f'{t:.3f}' for t in times)}), peak {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
