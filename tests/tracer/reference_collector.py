"""A minimal sys.settrace collector: the line events CPython reports for a program's own
files, per thread. The reference the tracer's line events are checked against.

Usage: python reference_collector.py OUTPUT.json PROGRAM [ARGS…]
"""

import json
import os
import runpy
import sys
import threading

output, program = sys.argv[1], os.path.abspath(sys.argv[2])
folder = os.path.dirname(program)
lines = {}


def trace(frame, event, arg):
    if not frame.f_code.co_filename.startswith(folder + os.sep):
        return None
    if event == "line":
        name = threading.current_thread().name
        lines.setdefault(name, []).append((os.path.basename(frame.f_code.co_filename), frame.f_lineno))
    return trace


sys.argv = sys.argv[2:]
sys.path[0] = folder
threading.settrace(trace)
sys.settrace(trace)
try:
    runpy.run_path(program, run_name="__main__")
except BaseException:
    pass
finally:
    sys.settrace(None)
    threading.settrace(None)
with open(output, "w") as handle:
    json.dump(lines, handle)
