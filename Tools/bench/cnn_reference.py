#!/usr/bin/env python3
"""Keras' Fashion-MNIST convnet epoch in TensorFlow-Keras or PyTorch, the same model, data and
optimizer as `keras-bench cnn` (Conv2D 32 3x3 relu, MaxPooling2D, Conv2D 64 3x3 relu,
MaxPooling2D, Flatten, Dropout 0.5, Dense 10 softmax; adam 1e-3, epsilon 1e-7; batch 128, shuffled).

    python3 Tools/bench/cnn_reference.py keras|torch [serve]
    python3 Tools/bench/cnn_reference.py keras accuracy [seed ...]

Without `serve`: three epochs, their seconds and the peak resident size. With `serve`: prints
`ready`, then runs one epoch per `epoch` line of standard input (printing its seconds) and prints
the peak resident size in MB for a `memory` line, until `quit`.
With `accuracy`: for each seed (`keras.utils.set_random_seed`), Keras trains the model 10 epochs
on the 60000 training images exactly as the swift-keras real-data test does (no validation
split, batch 128, shuffled) and prints the test accuracy after each epoch (the 10000 test images
as `validation_data`, which does not change the training).
Data: Debian's /usr/share/datasets/fashion-mnist (or random images of the same shape).
"""
import gzip
import os
import sys
import time

import numpy as np

from alternated_epochs import peak_mb, serve

FOLDER = "/usr/share/datasets/fashion-mnist"


def data(part="train"):
    """The training (`train`, 60000) or test (`t10k`, 10000) images scaled to [0, 1] and their labels."""
    try:
        with gzip.open(os.path.join(FOLDER, f"{part}-images-idx3-ubyte.gz")) as f:
            x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
        with gzip.open(os.path.join(FOLDER, f"{part}-labels-idx1-ubyte.gz")) as f:
            y = np.frombuffer(f.read(), np.uint8, offset=8)
    except OSError:
        rng = np.random.default_rng(1 if part == "train" else 2)
        count = 60000 if part == "train" else 10000
        x, y = rng.integers(0, 256, (count, 28, 28, 1), dtype=np.uint8), rng.integers(0, 10, count)
    return x.astype(np.float32) / 255, y.astype(np.int64)


def import_keras():
    """Keras 3 on the TensorFlow backend."""
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    return keras


def keras_model():
    """The convnet compiled as `keras-bench cnn` and the swift-keras example compile it."""
    keras = import_keras()
    layers = keras.layers
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
    return model


def keras_epoch():
    keras = import_keras()
    model = keras_model()
    x, labels = data()
    y = keras.utils.to_categorical(labels, 10)
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


def keras_accuracy(seeds, epochs=10):
    """Test accuracy after each of `epochs` epochs for each seed, trained as the real-data test trains."""
    keras = import_keras()
    (x, labels), (xt, test_labels) = data(), data("t10k")
    y, yt = keras.utils.to_categorical(labels, 10), keras.utils.to_categorical(test_labels, 10)
    finals = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        model = keras_model()
        history = model.fit(x, y, batch_size=128, epochs=epochs, validation_data=(xt, yt), verbose=0)
        curve = history.history["val_accuracy"]
        finals.append(curve[-1])
        print(f"seed {seed}: test accuracy by epoch " + " ".join(f"{a:.4f}" for a in curve), flush=True)
    print(f"keras {keras.__version__}, {epochs} epochs, seeds {seeds}: final test accuracy "
          + " ".join(f"{a:.4f}" for a in finals) + f"; mean {np.mean(finals):.4f}")


def main():
    framework = sys.argv[1] if len(sys.argv) > 1 else "keras"
    if len(sys.argv) > 2 and sys.argv[2] == "accuracy":
        keras_accuracy([int(seed) for seed in sys.argv[3:]] or [1, 2, 3])
        return
    epoch, version = {"keras": keras_epoch, "torch": torch_epoch}[framework]()
    if len(sys.argv) > 2 and sys.argv[2] == "serve":
        serve(epoch)
        return
    times = []
    for _ in range(3):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    print(f"{version}: cnn_epoch_s {min(times):.3f} (rounds {' '.join(f'{t:.3f}' for t in times)}), peak {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
