#!/usr/bin/env python3
"""The reference side of `keras-bench training`: the same workloads in real Keras 3 (TensorFlow).

Prints one line per figure, in the same words as the Swift benchmark:
  mnist_mlp_epoch_s   one epoch of seed 002's MLP on 60000x784 (batch 128, adam, dropout)
  pima_epoch_s        one epoch of seed 004's model on 768x8 (batch 10, adam)
  xor_1000_epochs_s   seed 003's XOR model, 1000 epochs of its four samples (SGD)
  predict_10000_s     model.predict of 10000 samples through the MNIST MLP (batches of 32)
  predict_one_ms      model.predict of one sample through the MNIST MLP
  predict_call_ms     model(x) of one sample (the direct call)
  peak_rss_mb         the process' peak resident memory

    pip install tensorflow-cpu
    python3 Tools/bench/keras_training_reference.py
    python3 Tools/bench/keras_training_reference.py mlp [N]   # only the MNIST-MLP epoch, N rounds
    python3 Tools/bench/keras_training_reference.py mlp serve # one epoch per input line (compare_mlp_epoch.py)
"""
import os
import resource
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers

from epoch_rounds import time_epochs

rng = np.random.default_rng(0)
x = rng.random((60000, 784), dtype=np.float32)
y = keras.utils.to_categorical(rng.integers(0, 10, 60000), 10)

mlp = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                        layers.Dense(10, activation="softmax")])
mlp.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
mlp.fit(x[:1280], y[:1280], epochs=1, batch_size=128, verbose=0)  # warm-up: graph tracing
mlp_only = sys.argv[1:2] == ["mlp"]
times = time_epochs(lambda: mlp.fit(x, y, epochs=1, batch_size=128, verbose=0))
if mlp_only:
    print("mnist_mlp_epoch_rounds_s " + " ".join(f"{t:.4f}" for t in times))
print(f"mnist_mlp_epoch_s {min(times):.4f}")
if mlp_only:
    sys.exit(0)

pima_x = rng.random((768, 8), dtype=np.float32)
pima_y = (rng.random((768, 1)) > 0.65).astype(np.float32)
pima = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(12, activation="relu"), layers.Dense(1, activation="sigmoid")])
pima.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
pima.fit(pima_x, pima_y, epochs=1, batch_size=10, verbose=0)
times = []
for _ in range(5):
    start = time.perf_counter()
    pima.fit(pima_x, pima_y, epochs=1, batch_size=10, verbose=0)
    times.append(time.perf_counter() - start)
print(f"pima_epoch_s {min(times):.4f}")

xor_x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
xor_y = np.array([[0], [1], [1], [0]], np.float32)
xor = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(10), layers.Activation("tanh"), layers.Dense(1),
                        layers.Activation("sigmoid")])
xor.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy", metrics=["accuracy"])
xor.fit(xor_x, xor_y, epochs=10, verbose=0)
times = []
for _ in range(3):
    start = time.perf_counter()
    xor.fit(xor_x, xor_y, epochs=1000, verbose=0)
    times.append(time.perf_counter() - start)
print(f"xor_1000_epochs_s {min(times):.4f}")

times = []
for _ in range(5):
    start = time.perf_counter()
    mlp.predict(x[:10000], verbose=0)
    times.append(time.perf_counter() - start)
print(f"predict_10000_s {min(times):.4f}")

one = x[:1]
mlp.predict(one, verbose=0)
times = []
for _ in range(20):
    start = time.perf_counter()
    mlp.predict(one, verbose=0)
    times.append(time.perf_counter() - start)
print(f"predict_one_ms {1000 * min(times):.3f}")
mlp(one)
times = []
for _ in range(50):
    start = time.perf_counter()
    mlp(one)
    times.append(time.perf_counter() - start)
print(f"predict_call_ms {1000 * min(times):.3f}")
print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
