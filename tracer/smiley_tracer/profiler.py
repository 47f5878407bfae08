"""The program's profile: cProfile's statistics of the program's own run, every thread of it,
and nothing of Smiley's.

The profiler starts when the interpreter starts running the program (its script, module, zip
application, command or standard input), told by an audit hook: the interpreter's start-up
and Smiley's are not in it. Before 3.12 cProfile sees only the thread that enables it, so each
thread that ``threading`` starts gets a profiler of its own on its first event, and their
statistics are added up at the end as ``pstats.Stats.add`` does. From 3.12 one profiler sees
every thread, as plain cProfile does (it has one stack of calls for all of them).
"""

import cProfile
import functools
import os
import sys
import threading

from .filters import TRACER_DIR

# The audit events raised as the interpreter starts running the program (3.8 and later).
PROGRAM_STARTS = ("cpython.run_file", "cpython.run_module", "cpython.run_command", "cpython.run_stdin")
PER_THREAD = sys.version_info < (3, 12)
# Smiley's own calls that a profiler can see: starting and stopping it.
_OWN_METHODS = frozenset(
    "<method '%s' of '_lsprof.Profiler' objects>" % name for name in ("enable", "disable")
)


class _Starts:
    """Read as ``getattr(starts, event, args)`` for every audit event: an attribute lookup
    that misses, in C, for every event but the program's start, which is a property. So the
    hook runs no Python code, which a profiler or ``--include-stdlib`` would see, for the
    other events (audit hooks cannot be removed)."""

    __slots__ = ()


class Profiler:
    def __init__(self):
        self.main = None  # the profiler of the thread that ran the program, or every thread's
        self.threads = []  # before 3.12: the profilers of the threads threading started
        self.state = "waiting"  # then "running", then "stopped"
        self._previous_thread_hook = None

    def start_with_program(self):
        """Start profiling when the interpreter starts running the program."""
        starts = type("_Starts", (_Starts,), {event: property(self._program_starts) for event in PROGRAM_STARTS})
        sys.addaudithook(functools.partial(getattr, starts()))

    def _program_starts(self, _starts):
        if self.state == "waiting":
            try:
                self.start()
            except Exception:
                self.state = "stopped"
        return None

    def start(self):
        if PER_THREAD:
            # As threading.setprofile does, without running threading's code, which
            # --include-stdlib would record.
            self._previous_thread_hook = getattr(threading, "_profile_hook", None)
            threading._profile_hook = self._thread_starts
        profiler = cProfile.Profile()
        try:
            profiler.enable()
        except ValueError:
            self.state = "stopped"  # another profiler owns the interpreter
            self._restore_thread_hook()
            return
        self.main = profiler
        self.state = "running"

    def _thread_starts(self, frame, event, arg):
        """A new thread's first event, before 3.12: it gets a profiler of its own."""
        sys.setprofile(None)
        if self.state != "running":
            return
        profiler = cProfile.Profile()
        try:
            profiler.enable()
        except Exception:
            return
        self.threads.append(profiler)

    def stop(self):
        """Stop every profiler; threads still running (daemons) are not profiled further. Before
        3.12 the profiler of another thread cannot be taken off it: it is marked stopped, and
        its calls in progress counted as ended now, as the main thread's are."""
        if self.state != "running":
            self.state = "stopped"
            return
        self.state = "stopped"
        self._restore_thread_hook()
        for profiler in [self.main] + self.threads:
            profiler.disable()

    def forked(self):
        """In a forked child: stop, and send nothing."""
        if self.state == "running":
            self._restore_thread_hook()
            sys.setprofile(None)
            self.main.disable()
        self.state = "stopped"

    def _restore_thread_hook(self):
        if PER_THREAD and getattr(threading, "_profile_hook", None) is self._thread_starts:
            threading._profile_hook = self._previous_thread_hook

    def stats(self):
        """The profile, as ``pstats`` stores it: every thread's, without Smiley's own calls."""
        merged = {}
        for profiler in ([self.main] if self.main is not None else []) + self.threads:
            profiler.snapshot_stats()
            _add(merged, profiler.stats)
        return without_tracer(merged)


def _add(total, stats):
    """Add ``stats`` to ``total``, as ``pstats.Stats.add`` does."""
    for key, (primitive, calls, own, cumulative, callers) in stats.items():
        known = total.get(key)
        if known is None:
            total[key] = (primitive, calls, own, cumulative, dict(callers))
            continue
        merged_callers = known[4]
        for caller, timing in callers.items():
            before = merged_callers.get(caller)
            merged_callers[caller] = timing if before is None else tuple(a + b for a, b in zip(before, timing))
        total[key] = (known[0] + primitive, known[1] + calls, known[2] + own, known[3] + cumulative, merged_callers)


def without_tracer(stats):
    """``stats`` without Smiley's own functions, and without the calls they made: a safety
    net, for the tracer's work that a profiler may see (its start and end, the program's
    own calls of the functions Smiley wraps: os._exit, os.fork's hooks, os.exec*)."""
    prefix = TRACER_DIR + os.sep
    ours = {key for key in stats if key[0].startswith(prefix) or key[2] in _OWN_METHODS}
    ours.update(key for key in _callers_of(stats) if key[0].startswith(prefix))
    cleaned = dict(stats)
    for key in ours:
        cleaned.pop(key, None)
    # A call made by one of ours is not the program's: taken off the callee's counts and times,
    # and a function only ours called is ours too (its own calls are then taken off in turn).
    pending = list(ours)
    seen = set(ours)
    while pending:
        caller = pending.pop()
        for key, entry in list(cleaned.items()):
            timing = entry[4].get(caller)
            if timing is None:
                continue
            calls, primitive, own, cumulative = timing
            callers = dict(entry[4])
            del callers[caller]
            left = (entry[0] - primitive, entry[1] - calls, max(entry[2] - own, 0.0), max(entry[3] - cumulative, 0.0), callers)
            if left[1] > 0:
                cleaned[key] = left
            else:
                del cleaned[key]
                if key not in seen:
                    seen.add(key)
                    pending.append(key)
    return cleaned


def _callers_of(stats):
    for entry in stats.values():
        yield from entry[4]
