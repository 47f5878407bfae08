"""An independent reference for --function: which calls of a program's own functions happen
inside calls of the named ones. sys.setprofile reports every call and every return of a Python
frame (a generator's resume is a call, its yield a return, an exception leaving a frame a
return), so a count per thread of the named functions' frames running says whether a call is
inside one. Nothing is shared with the tracer.

Usage: python function_scope_reference.py OUTPUT.json ROOT_NAMES PROGRAM [ARGS…]
(ROOT_NAMES: comma-separated function names, as code objects name them)
"""

import json
import os
import runpy
import sys
import threading

output, roots, program = sys.argv[1], set(sys.argv[2].split(",")), os.path.abspath(sys.argv[3])
calls = {}  # thread name -> [[function name, first line], …] in scope, in order
running = threading.local()


def profile(frame, event, arg):
    if event not in ("call", "return"):
        return
    code = frame.f_code
    root = code.co_name in roots and code.co_filename == program
    depth = getattr(running, "roots", 0)
    if event == "call":
        if root:
            depth = running.roots = depth + 1
        if depth > 0 and code.co_filename == program:
            name = threading.current_thread().name
            calls.setdefault(name, []).append([code.co_name, code.co_firstlineno])
    elif root:
        running.roots = depth - 1


sys.argv = sys.argv[3:]
sys.path[0] = os.path.dirname(program)
threading.setprofile(profile)
sys.setprofile(profile)
try:
    runpy.run_path(program, run_name="__main__")
finally:
    sys.setprofile(None)
    threading.setprofile(None)
with open(output, "w") as handle:
    json.dump(calls, handle)
