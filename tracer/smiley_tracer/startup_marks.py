"""Moments of the tracer's start, for ``smiley run``'s start-up breakdown (``scripts/bench``
startup section): with SMILEY_STARTUP_MARKS naming a file, each moment is appended to it as
``name seconds-since-the-epoch cpu-seconds`` (the CPU time the interpreter has used so far),
beside those smiley's own side writes there. Without it, nothing is written."""

import os
import time

_FILE = os.environ.get("SMILEY_STARTUP_MARKS")


def mark(name):
    if not _FILE:
        return
    try:
        with open(_FILE, "a") as marks:
            marks.write("%s %.6f %.6f\n" % (name, time.time(), time.process_time()))
    except OSError:
        pass
