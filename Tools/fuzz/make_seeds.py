#!/usr/bin/env python3
"""Writes the small hand-made seeds of Tools/fuzz/corpus: inputs for the harness modes that the
fixtures of Tests/Fixtures/numpy do not cover (the first byte of each file is the mode)."""
import io, os, struct, zlib
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
NPY, NPZ, IDX, IDX_GZ, RAW, GZIP, ZLIB, CSV, NPZ_BUILT, GZIP_BUILT, TAR, PICKLE = range(12)

def raw(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
    return c.compress(data) + c.flush()

def npy(array, **kw):
    f = io.BytesIO(); np.save(f, array, **kw); return f.getvalue()

def idx(code, shape, data):
    return bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + data

def write(name, mode, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([mode]) + data)

os.makedirs(OUT, exist_ok=True)
write("npy-f2-3d", NPY, npy(np.arange(24, dtype="<f2").reshape(2, 3, 4)))
write("npy-fortran-u2", NPY, npy(np.asfortranarray(np.arange(12, dtype=">u2").reshape(3, 4))))
write("npy-zero-axis", NPY, npy(np.zeros((3, 0, 2), dtype="<i8")))
idx_file = idx(0x0B, [2, 3], bytes(range(12)))
write("idxgz-i2", IDX_GZ, raw(idx_file))
write("idxgz-fixed", IDX_GZ, raw(idx(0x08, [40], bytes(40)), strategy=zlib.Z_FIXED))
write("idx-f4", IDX, idx(0x0D, [2, 1], struct.pack(">2f", 1.5, -2)))
write("raw-dynamic", RAW, raw(b"abcabcabcd" * 20 + bytes(range(64))))
write("raw-fixed", RAW, raw(b"hello hello hello", strategy=zlib.Z_FIXED))
write("raw-stored", RAW, raw(b"stored", level=0))
write("zlib-small", ZLIB, zlib.compress(b"zlib zlib zlib"))
c = zlib.compressobj(6, zlib.DEFLATED, 31); write("gzip-small", GZIP, c.compress(b"gzip gzip") + c.flush())
csv_option = lambda delimiter=0, header=False, skip=0, no_comment=False, columns=False: \
    delimiter | header << 3 | skip << 4 | no_comment << 6 | columns << 7
write("csv-header", CSV, bytes([csv_option(header=True)]) + b'a,"b ""x""",c\n1,2.5,nan\n-3,1e-3,\n# note\n4,NA,inf\n')
write("csv-space-skip", CSV, bytes([csv_option(delimiter=5, skip=1)]) + b"title\n1 2\t3\r\n4 5 6 # c\n")
write("csv-columns", CSV, bytes([csv_option(delimiter=1, header=True, columns=True)]) + b"a;b;c\n1;2;3\n")

def member(flags, name, payload):
    return bytes([flags, len(name)]) + name + struct.pack("<H", len(payload)) + payload
a = npy(np.arange(6, dtype="<f4").reshape(2, 3)); b = npy(np.array([True, False]))
write("npzbuilt-two", NPZ_BUILT, member(2, b"a", a) + member(3, b"b", raw(b)))
write("npzbuilt-zip64", NPZ_BUILT, member(2 | 4 | 8, b"w", a) + member(16, b"dir", b""))
g1, g2 = raw(b"first member "), raw(b"second", strategy=zlib.Z_FIXED)
write("gzipbuilt-two", GZIP_BUILT, bytes([0x1E]) + struct.pack("<H", len(g1)) + g1
      + bytes([0x80]) + struct.pack("<H", len(g2)) + g2)
