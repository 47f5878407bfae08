"""The cheapest possible tracer, as a floor for Smiley's overhead.

Usage: python settrace_baseline.py WORKLOAD [ARGS...]

Installs ``sys.settrace`` and ``threading.settrace`` with a global function that returns a
local one, both only counting events, then runs the workload as ``__main__``. Unlike Smiley
it traces every frame, the standard library's included, because that is what a tracer pays
before it has decided anything. The count goes to stderr as one JSON line so the workload's
stdout stays its own; increments racing between threads may lose a few, which is fine for
a count that is only reported, never compared.
"""

import json
import os
import runpy
import sys
import threading

events = 0


def local_trace(frame, event, arg):
    global events
    events += 1
    return local_trace


def global_trace(frame, event, arg):
    global events
    events += 1
    return local_trace


def main():
    path = os.path.abspath(sys.argv[1])
    # As if started with `python WORKLOAD ARGS...`: the workload finds its neighbours on sys.path.
    sys.argv = [path] + sys.argv[2:]
    sys.path[0] = os.path.dirname(path)
    threading.settrace(global_trace)
    sys.settrace(global_trace)
    try:
        runpy.run_path(path, run_name="__main__")
    finally:
        sys.settrace(None)
        threading.settrace(None)
        sys.stderr.write(json.dumps({"settraceEvents": events}) + "\n")


if __name__ == "__main__":
    main()
