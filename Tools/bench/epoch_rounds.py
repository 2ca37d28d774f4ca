"""The epoch-timing part the reference scripts share: `mlp serve` (one epoch per line of standard
input, for compare_mlp_epoch.py) or N rounds of one epoch each."""
import sys
import time


def time_epochs(epoch, default_rounds=3):
    """Runs `epoch()` as the command line asks; returns the rounds' seconds (exits after serving)."""
    if sys.argv[1:3] == ["mlp", "serve"]:
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() == "quit":
                break
            start = time.perf_counter()
            epoch()
            print(f"{time.perf_counter() - start:.4f}", flush=True)
        sys.exit(0)
    mlp_only = sys.argv[1:2] == ["mlp"]
    times = []
    for _ in range(int(sys.argv[2]) if mlp_only and len(sys.argv) > 2 else default_rounds):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    return times
