"""What the epoch comparisons share: the driver side (compare_cnn_epoch.py, compare_rnn_epoch.py
start each program once, then ask for one epoch of each in turn, so that on a shared machine all
see the same background load) and the serving side (cnn_reference.py, rnn_reference.py and
`keras-bench cnn|rnn ... serve` answer): the program prints `ready`, then answers each line of
standard input: `epoch` runs one epoch and prints its seconds, `memory` prints the peak resident
memory in MB, `quit` ends.
"""
import os
import resource
import subprocess
import sys
import time


def start(command):
    """Starts a serving program and waits for its `ready`."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline().strip()
    if line != "ready":
        sys.exit(f"{command}: expected 'ready', got {line!r}")
    return process


def ask(process, command):
    """Sends `command` and returns the number the program answers."""
    process.stdin.write(command + "\n")
    process.stdin.flush()
    return float(process.stdout.readline())


def alternate(programs, rounds, print_round):
    """One epoch of each program per round, the order rotating each round; after each round
    calls `print_round(index, times, load)`. Returns each program's epoch times."""
    names = list(programs)
    times = {name: [] for name in names}
    for index in range(rounds):
        order = names[index % len(names):] + names[:index % len(names)]
        for name in order:
            times[name].append(ask(programs[name], "epoch"))
        print_round(index, times, os.getloadavg()[0])
    return times


def stop(programs):
    """Asks each program for its peak memory (MB), then ends it. Returns the memories."""
    memory = {name: ask(process, "memory") for name, process in programs.items()}
    for process in programs.values():
        process.stdin.write("quit\n")
        process.stdin.close()
        process.wait()
    return memory


def peak_mb():
    """This process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(epoch):
    """The serving side: `ready`, then `epoch`, `memory` and `quit` lines as above."""
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command == "memory":
            print(f"{peak_mb():.1f}", flush=True)
            continue
        began = time.perf_counter()
        epoch()
        print(f"{time.perf_counter() - began:.4f}", flush=True)
