#!/usr/bin/env python3
"""Differential check of the .npy reader against NumPy over a corpus.

    Tools/fuzz/compare_numpy.py BINARY DIR...

Runs the harness (KERAS_FUZZ_VERBOSE=1) on every npy-mode input (first byte % 10 == 0) and
compares what it reads with np.load(allow_pickle=False): the same verdict, and for files both
read, the same shape, type and Float32 values (in C order). Prints each disagreement."""
import io, os, subprocess, sys
import numpy as np

def digest(array):
    values = np.ascontiguousarray(array).astype(np.float32).reshape(-1).view(np.uint32)
    h = 0xCBF29CE484222325
    for bits in values.tolist():
        bits = 0x7FC00000 if (bits & 0x7F800000) == 0x7F800000 and (bits & 0x7FFFFF) else bits
        h = ((h ^ bits) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h

def main():
    binary, dirs = sys.argv[1], sys.argv[2:]
    files = [os.path.join(d, f) for d in dirs for f in sorted(os.listdir(d))]
    files = [f for f in files if os.path.getsize(f) > 0 and open(f, "rb").read(1)[0] % 10 == 0]
    env = dict(os.environ, KERAS_FUZZ_VERBOSE="1", SWIFT_BACKTRACE="enable=no")
    disagreements = 0
    for start in range(0, len(files), 200):
        batch = files[start:start + 200]
        out = subprocess.run([binary, *batch], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, errors="replace").stdout
        # libFuzzer may execute an input more than once: the first result after "Running: path" counts.
        results, current = {}, None
        for line in out.splitlines():
            if line.startswith("Running: "):
                current = line[len("Running: "):]
            elif line.startswith("npy: ") and line != "npy: ok" and current is not None:
                results.setdefault(current, line)
        if len(results) != len(batch):
            sys.exit(f"expected {len(batch)} results, got {len(results)}:\n{out[-2000:]}")
        for path in batch:
            line = results[path]
            data = open(path, "rb").read()[1:]
            try:
                array = np.load(io.BytesIO(data), allow_pickle=False)
                if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf" or array.dtype.itemsize > 8:
                    numpy = f"unsupported {array.dtype}"
                else:
                    shape = ",".join(map(str, array.shape))
                    numpy = f"shape={shape} type={array.dtype.str} hash={digest(array):x}"
            except Exception as e:
                numpy = f"error {type(e).__name__}: {str(e)[:100]}"
            ours = line[len("npy: "):]
            ok_ours = ours.startswith("ok ")
            ok_numpy = numpy.startswith("shape=")
            if ok_ours != ok_numpy:
                disagreements += 1
                print(f"{os.path.basename(path)}: reader: {ours[:160]} | numpy: {numpy[:160]}")
            elif ok_ours:
                fields = dict(f.split("=", 1) for f in ours[3:].split())
                theirs = dict(f.split("=", 1) for f in numpy.split())
                if fields["shape"] != theirs["shape"] or fields["hash"] != theirs["hash"] \
                        or np.dtype(fields["type"]) != np.dtype(theirs["type"]):
                    disagreements += 1
                    print(f"{os.path.basename(path)}: reader: {ours} | numpy: {numpy}")
    print(f"{len(files)} npy inputs, {disagreements} disagreements")

main()
