"""One run per test (``smiley run --per-test``): the boundaries of each test in the stream.

The tracer records as it always does; this module only marks, in the stream, where a test
starts (``TEST``), where the events of a test's setup leave it for the session and come back
(``WITHIN``, for fixtures shared by several tests) and how it ended (``OUTCOME``). The recorder
makes each test a run of its own from those marks. The test runners' own hooks call it:
``pytest_plugin`` for pytest, ``unittest_results`` for unittest.
"""

import itertools
import os
import time
import traceback

from . import wire

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
MAX_TRACEBACK = 64 * 1024
PLUGIN = "smiley_tracer.pytest_plugin"

# The boundaries of this process's tests, once ``install`` has run.
runs = None
# PYTEST_PLUGINS as the program was given it (None: unset), put back as the plugin loads.
_given_plugins = None


class TestRuns:
    def __init__(self, session):
        self._session = session
        self._stream = session.stream
        self._recorder = session.recorder
        self._filter = session.filter
        self._ids = itertools.count(1)
        self.current = 0  # the test whose events are being recorded; 0: the session

    def begin(self, name):
        """A test called ``name`` (its node id) starts: its id."""
        test = next(self._ids)
        self._stream.append((wire.TEST, test, {"id": name, "started": time.time(), "clock": time.perf_counter()}))
        self.current = test
        return test

    def within(self, test):
        """The events from now on are ``test``'s (0: the session's)."""
        if test != self.current:
            self._stream.append((wire.WITHIN, test))
            self.current = test

    def end(self, test, outcome, duration, error=None):
        """``test`` ended with ``outcome`` (one of OUTCOMES) after ``duration`` seconds; ``error``
        is what made it fail, when something did."""
        info = {"outcome": outcome, "duration": float(duration), "ended": time.time()}
        if error is not None:
            info["exception"] = self.describe(error)
        self._stream.append((wire.OUTCOME, test, info))
        self.current = 0

    def handled(self, error):
        """``error``, left in sys.last_value by the test runner, is a test's: not the session's end."""
        self._session.handled = error

    def describe(self, error):
        """An exception as a run's error: its type, message and the traceback from the first frame
        in recorded code (the test runner's own frames left out), as Python prints it."""
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else "%s.%s" % (kind.__module__, kind.__qualname__)
        tb = error.__traceback__
        first = tb
        while first is not None and not self._filter.wants(first.tb_frame.f_code.co_filename):
            first = first.tb_next
        try:
            text = "".join(traceback.format_exception(kind, error, first or tb))
        except Exception as failure:  # a __str__ that raises
            text = "<traceback unavailable: %s: %s>" % (type(failure).__name__, failure)
        if len(text) > MAX_TRACEBACK:
            text = "\u2026" + text[-MAX_TRACEBACK:]
        return {"type": name, "message": self._recorder.exception(error)[1], "traceback": text}


def install(session):
    """Mark each test of this process as its own run: pytest loads the plugin through
    PYTEST_PLUGINS (taken out of the environment again as it loads), unittest's results are
    patched."""
    global runs, _given_plugins
    runs = TestRuns(session)
    _given_plugins = given = os.environ.get("PYTEST_PLUGINS")
    os.environ["PYTEST_PLUGINS"] = PLUGIN if not given else "%s,%s" % (given, PLUGIN)
    from . import unittest_results

    unittest_results.patch(runs)


def restore_environment():
    """PYTEST_PLUGINS as it was: the tests and the processes they start see it unchanged."""
    if _given_plugins is None:
        os.environ.pop("PYTEST_PLUGINS", None)
    else:
        os.environ["PYTEST_PLUGINS"] = _given_plugins
