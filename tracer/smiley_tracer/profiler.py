"""The program's profile: cProfile's statistics of the program's own run, every thread of it,
and nothing of Smiley's.

The profiler starts when the interpreter starts running the program (its script, module or zip
application): the interpreter's start-up and Smiley's are not in it. Before 3.12 cProfile sees
only the thread that enables it, so each thread that ``threading`` starts gets a profiler of
its own on its first event, and their statistics are added up at the end as
``pstats.Stats.add`` does. From 3.12 one profiler sees
every thread, as plain cProfile does (it has one stack of calls for all of them).
"""

import cProfile
import os
import sys
import threading

from .filters import TRACER_DIR

PER_THREAD = sys.version_info < (3, 12)
# Smiley's own calls that a profiler can see: starting and stopping it.
_OWN_METHODS = frozenset(
    "<method '%s' of '_lsprof.Profiler' objects>" % name for name in ("enable", "disable")
)


class Profiler:
    def __init__(self):
        self.main = None  # the profiler of the thread that ran the program, or every thread's
        self.threads = []  # before 3.12: the profilers of the threads threading started
        self.state = "waiting"  # then "running", then "stopped"
        self._previous_thread_hook = None

    def start_with_program(self):
        """Start profiling when the interpreter starts running the program: a profile function
        watches this thread's start-up until then, and goes. (An audit hook would tell too, but
        it cannot be removed, and while one exists every audited operation, frame.f_code and
        sys._getframe among them, costs about a microsecond more.)"""
        sys.setprofile(self._before_program)

    def _before_program(self, frame, event, arg):
        if self.state != "waiting":  # stopped before the program started (a forked child)
            sys.setprofile(None)
            return
        code = frame.f_code
        if event == "return":
            # The main script's loader, made just before its code runs: the next call is its.
            starts = code.co_name == "__init__" and frame.f_locals.get("fullname") == "__main__"
        elif event == "call":
            # A module or zip application, run by runpy; a main script run without a loader.
            starts = code.co_name == "_run_module_as_main" or (code.co_name == "<module>" and frame.f_globals.get("__name__") == "__main__")
        else:
            return
        if starts:
            sys.setprofile(None)
            try:
                self.start()
            except Exception:
                self.state = "stopped"

    def start(self):
        if PER_THREAD:
            self._previous_thread_hook = getattr(threading, "_profile_hook", None)
            threading.setprofile(self._thread_starts)
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
            self._stop_watching()
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
        self._stop_watching()

    def _stop_watching(self):
        self.state = "stopped"
        if sys.getprofile() == self._before_program:
            sys.setprofile(None)

    def _restore_thread_hook(self):
        # As threading.setprofile does it, without running threading's code: at the end, the
        # hook still records, and would record that with --include-stdlib.
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
    ours = _ours(stats)
    # The time a function of the program spent in ours (os.fork, in the fork hooks) is taken
    # off its cumulative time; its callers keep it: the stats cannot say how much was theirs.
    in_ours = {}
    for key in ours:
        for caller, timing in stats.get(key, (0, 0, 0, 0, {}))[4].items():
            if caller not in ours:
                in_ours[caller] = in_ours.get(caller, 0.0) + timing[3]
    cleaned = {}
    for key, (primitive, calls, own, cumulative, callers) in stats.items():
        if key in ours:
            continue
        cumulative = max(cumulative - in_ours.get(key, 0.0), 0.0)
        kept = {}
        for caller, timing in callers.items():
            if caller not in ours:
                kept[caller] = timing
                continue
            # A call one of ours made is not the program's: off the callee's counts and times.
            calls -= timing[0]
            primitive -= timing[1]
            own = max(own - timing[2], 0.0)
            cumulative = max(cumulative - timing[3], 0.0)
        if calls > 0 or not callers:
            cleaned[key] = (primitive, calls, own, cumulative, kept)
    return cleaned


def _ours(stats):
    """Smiley's functions, and every function that only they called, directly or not (the
    standard library's code its fork hook runs, say)."""
    prefix = TRACER_DIR + os.sep
    callees = {}
    for key, entry in stats.items():
        for caller in entry[4]:
            callees.setdefault(caller, []).append(key)
    ours = {key for key in callees.keys() | stats.keys() if key[0].startswith(prefix) or key[2] in _OWN_METHODS}
    # The largest set of functions reached from ours whose every caller is ours or in the set.
    reached = set()
    pending = [callee for key in ours for callee in callees.get(key, ())]
    while pending:
        key = pending.pop()
        if key not in ours and key not in reached:
            reached.add(key)
            pending.extend(callees.get(key, ()))
    changed = True
    while changed:
        changed = False
        for key in list(reached):
            callers = stats[key][4]
            if not callers or any(caller not in ours and caller not in reached for caller in callers):
                reached.discard(key)
                changed = True
    return ours | reached
