#!/usr/bin/env python3
"""Seed 002's program in real Keras (TensorFlow), as `swift run -c release examples mnist` runs it:
(Fashion-)MNIST loaded and scaled by 255, Dense(512, relu), Dropout(0.2), Dense(10, softmax), adam,
2 epochs of batch 128 with validation data and a best-only checkpoint, then evaluate and predict.
Reads the gzip IDX files of Debian's dataset-fashion-mnist (the Swift example's fallback when the
Keras cache has no mnist.npz). For peak memory side by side:

    /usr/bin/time -v .build/release/examples mnist 2>&1 | grep Maximum
    /usr/bin/time -v python3 Tools/bench/keras_mnist_program.py 2>&1 | grep Maximum
"""
import gzip
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers

folder = "/usr/share/datasets/fashion-mnist"


def idx(name, offset):
    with gzip.open(os.path.join(folder, name)) as file:
        return np.frombuffer(file.read(), np.uint8, offset=offset)


x_train = idx("train-images-idx3-ubyte.gz", 16).reshape(60000, 784).astype("float32") / 255
x_test = idx("t10k-images-idx3-ubyte.gz", 16).reshape(10000, 784).astype("float32") / 255
y_train = keras.utils.to_categorical(idx("train-labels-idx1-ubyte.gz", 8), 10)
y_test = keras.utils.to_categorical(idx("t10k-labels-idx1-ubyte.gz", 8), 10)

keras.utils.set_random_seed(2)
model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                          layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
os.makedirs("saved", exist_ok=True)
checkpoint = keras.callbacks.ModelCheckpoint("saved/model_keras.h5", monitor="val_loss", save_best_only=True)
model.fit(x_train, y_train, epochs=2, batch_size=128, callbacks=[checkpoint], validation_data=(x_test, y_test), verbose=2)
best = keras.models.load_model("saved/model_keras.h5")
loss, accuracy = best.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy of the best checkpoint: {accuracy:.4f}")
print("Predicted class of test image 9:", int(best.predict(x_test[9:10], verbose=0).argmax()), "label", int(y_test[9].argmax()))
