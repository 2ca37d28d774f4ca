#!/usr/bin/env python3
"""Writes Sources/Examples/Data/pima-indians-diabetes.csv from Debian's r-cran-mlbench.

The Pima Indians diabetes table (768 rows, 8 features, 0/1 outcome) of seed 004, in the
layout the tutorial's `numpy.loadtxt("pima-indians-diabetes.csv", delimiter=",")` reads:
no header, comma-separated, the outcome last.

Regenerate:
    apt-get download r-cran-mlbench && dpkg-deb -x r-cran-mlbench_*.deb mlbench
    pip install rdata
    python3 Tools/data/make_pima_csv.py mlbench/usr/lib/R/site-library/mlbench/data/PimaIndiansDiabetes.rda
"""
import os
import sys

import rdata

source = sys.argv[1]
frame = rdata.read_rda(source)["PimaIndiansDiabetes"]
columns = ["pregnant", "glucose", "pressure", "triceps", "insulin", "mass", "pedigree", "age"]
here = os.path.dirname(os.path.abspath(__file__))
target = os.path.join(here, "..", "..", "Sources", "Examples", "Data", "pima-indians-diabetes.csv")
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target + ".tmp", "w") as out:
    for _, row in frame.iterrows():
        values = [row[c] for c in columns]
        outcome = 1 if str(row["diabetes"]) == "pos" else 0
        out.write(",".join(f"{v:g}" for v in values) + f",{outcome}\n")
os.replace(target + ".tmp", target)
print(f"wrote {len(frame)} rows to {os.path.normpath(target)}")
