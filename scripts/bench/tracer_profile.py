"""Where the tracer spends a workload's time, line by line.

    python3.11 scripts/bench/tracer_profile.py scripts/bench/workloads/recursion.py [--scale 3]

Runs the workload under the tracer, set up as ``npm run bench`` sets it up (its stream thrown
away), and samples the process every millisecond of CPU time (``ITIMER_PROF``). Each sample
counts against the line of Python running when the interpreter handles the signal: a line of
the tracer or of the program. The interpreter handles signals only at some instructions (a
call, a function's start, a loop's jump back), and time spent in C (calling the trace function,
``marshal``, ``perf_counter``) counts against the next such point, so figures are per line
give or take a neighbour: a trace function's ``def`` line carries the cost of calling it, and
the line that waits for the flusher carries the flusher's own work (encoding and writing the
batch). cProfile cannot see any of this: the interpreter hides trace functions from profilers.
"""

import argparse
import collections
import json
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRACER = os.path.join(HERE, "..", "..", "tracer")
SHOWN = 25
# Its file name starts with "<": the tracer records no code from such a file.
SAMPLER = """
def on_sample(signum, frame):
    code = frame.f_code
    samples[(code.co_filename, code.co_name, frame.f_lineno)] += 1
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", help="a program that takes a scale factor as its argument (scripts/bench/workloads/*.py)")
    parser.add_argument("--scale", default="1", help="the workload's scale factor (default 1)")
    parser.add_argument("--accelerator", choices=("python", "native"), default="python", help="the tracer's hot path (default python)")
    parser.add_argument("--sampled", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if not os.path.isfile(arguments.workload):
        parser.exit(2, "tracer_profile: no such workload: %s\n" % arguments.workload)
    if arguments.sampled:
        sample(arguments.workload, arguments.scale)
    else:
        sys.exit(launch(arguments))


def launch(arguments):
    """Runs this script again under the tracer, its stream sent to /dev/null."""
    sink = os.open(os.devnull, os.O_WRONLY)
    options = {
        "fd": sink,
        "run": "tracer-profile",
        "pythonPath": os.environ.get("PYTHONPATH"),
        "maxRepr": 200,
        "redact": True,
        "profile": True,
        "includeStdlib": False,
        "includeSitePackages": False,
        "includePackages": [],
        "accelerator": arguments.accelerator,
    }
    path = os.pathsep.join(filter(None, [os.path.abspath(TRACER), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path, SMILEY_OPTIONS=json.dumps(options))
    command = [sys.executable, os.path.abspath(__file__), "--sampled", "--scale", arguments.scale, arguments.workload]
    try:
        return subprocess.run(command, env=env, pass_fds=(sink,)).returncode
    finally:
        os.close(sink)


def sample(workload, scale):
    import runpy

    samples = collections.Counter()
    namespace = {"samples": samples}
    exec(compile(SAMPLER, "<tracer-profile>", "exec"), namespace)
    signal.signal(signal.SIGPROF, namespace["on_sample"])
    sys.argv = [workload, scale]
    sys.path.insert(0, os.path.dirname(os.path.abspath(workload)))
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
    try:
        runpy.run_path(workload, run_name="__main__")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        report(samples, workload)


def report(samples, workload):
    total = sum(samples.values())
    if not total:
        print("no samples: the workload ran for less than a millisecond of CPU time")
        return
    tracer = os.path.join(os.path.abspath(TRACER), "")
    parts = collections.Counter()
    lines = collections.Counter()
    for (filename, function, line), count in samples.items():
        if os.path.abspath(filename).startswith(tracer):
            name = os.path.relpath(filename, tracer)
            parts["tracer %s %s()" % (name, function)] += count
            lines[(filename, line, function)] += count
        else:
            parts["program %s" % os.path.basename(filename)] += count
    print("%d samples of 1 ms CPU time: %s, %s" % (total, os.path.basename(workload), sys.version.split()[0]))
    print()
    for part, count in parts.most_common(SHOWN):
        print("%5.1f%%  %s" % (100 * count / total, part))
    print()
    for (filename, line, function), count in lines.most_common(SHOWN):
        print("%5.1f%%  %s:%s  %s" % (100 * count / total, os.path.basename(filename), line or "?", _source(filename, line)))


def _source(filename, line):
    try:
        with open(filename, encoding="utf-8") as handle:
            for number, text in enumerate(handle, 1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return ""


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the reader (head, less) stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
