"""Shared by the workloads: how much work to do, and the one JSON line each prints.

The harness passes a scale factor as the first argument; only the timed work is measured,
so interpreter start-up and the tracer's own start-up stay out of the figures.
"""

import json
import sys
import time


def measure(work, size):
    """Runs ``work(n)`` once with n = size × scale and prints its checksum and duration."""
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    n = max(1, int(round(size * scale)))
    start = time.perf_counter()
    used = time.process_time()
    checksum = work(n)
    seconds = time.perf_counter() - start
    # The interpreter's CPU time over the same work, its threads' included (Smiley's flusher
    # too): what a loaded machine changes least.
    cpu = time.process_time() - used
    print(json.dumps({"checksum": checksum, "seconds": seconds, "cpu": cpu}))
