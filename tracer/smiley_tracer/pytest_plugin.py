"""The pytest plugin of ``smiley run --per-test -m pytest`` (``smiley pytest``): each test is a
run of its own, from its setup to its teardown, named by its node id and ended with its outcome.

Loaded by pytest through PYTEST_PLUGINS, which ``test_runs.install`` sets and this module puts
back as it loads: nothing is installed, and the tests see the environment they were given.
Fixtures of a wider scope than the function (class, module, package, session) are set up and
torn down in the session's run, where their values are shared from, although pytest does both
inside the first and the last test that uses them.
"""

import sys

import pytest

from . import test_runs

test_runs.restore_environment()

_PHASES = ("setup", "call", "teardown")


class _Test:
    """What the phases of one test said, as pytest reported them."""

    __slots__ = ("id", "reports", "errors")

    def __init__(self, test_id):
        self.id = test_id
        self.reports = {}  # phase -> report
        self.errors = {}  # phase -> the exception it raised

    def outcome(self):
        """The test's outcome, as pytest's summary counts it, and the exception behind it."""
        setup, call, teardown = (self.reports.get(phase) for phase in _PHASES)
        if setup is not None and setup.failed:
            return "error", self.errors.get("setup")
        if setup is not None and setup.skipped:
            return "skipped", None
        if call is not None:
            expected = hasattr(call, "wasxfail")
            if call.failed:
                return "failed", self.errors.get("call")
            if call.skipped:
                return ("xfailed" if expected else "skipped"), None
            if expected:
                return "xpassed", None
        if teardown is not None and teardown.failed:
            return "error", self.errors.get("teardown")
        return "passed", None

    def duration(self):
        return sum(getattr(report, "duration", 0.0) or 0.0 for report in self.reports.values())


_current = None


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    global _current
    runs = test_runs.runs
    if runs is None or runs.current:
        yield
        return
    _current = _Test(runs.begin(item.nodeid))
    made = yield
    test, _current = _current, None
    if _raised(made):
        # Interrupted (KeyboardInterrupt, pytest.exit): the test has no outcome; its run ends
        # with the session, and what follows is the session's.
        runs.within(0)
        return
    outcome, error = test.outcome()
    runs.end(test.id, outcome, test.duration(), error)


def _raised(made):
    """Whether the hooks inside this wrapper raised (pluggy's result, old and new)."""
    found = getattr(made, "exception", None)
    if found is None:
        found = getattr(made, "excinfo", None)
    return found is not None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    made = yield
    test = _current
    if test is None:
        return
    report = made.get_result()
    test.reports[report.when] = report
    excinfo = call.excinfo
    if excinfo is not None:
        test.errors[report.when] = excinfo.value


def pytest_unconfigure(config):
    """pytest leaves the last failing test's exception in sys.last_value, for debuggers: it is
    not how the session ended."""
    runs = test_runs.runs
    if runs is not None:
        runs.handled(getattr(sys, "last_exc", None) or getattr(sys, "last_value", None))


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    test = _leave_for_session(fixturedef)
    try:
        yield
    finally:
        _come_back(test)


def _leave_for_session(fixturedef):
    """For a fixture of a wider scope, the events from now on are the session's: the test's
    run to come back to (None: stay)."""
    runs = test_runs.runs
    if runs is None or _current is None or getattr(fixturedef, "scope", "function") == "function":
        return None
    test = runs.current
    runs.within(0)
    return test


def _come_back(test):
    if test is not None:
        test_runs.runs.within(test)


def _finishing_in_session(finish):
    def finished(self, *args, **kwargs):
        test = _leave_for_session(self)
        try:
            return finish(self, *args, **kwargs)
        finally:
            _come_back(test)

    return finished


def _tear_down_in_session():
    """pytest has no hook before a fixture's teardown: its ``FixtureDef.finish`` is wrapped."""
    try:
        from _pytest.fixtures import FixtureDef
    except ImportError:
        return
    finish = getattr(FixtureDef, "finish", None)
    if callable(finish):
        FixtureDef.finish = _finishing_in_session(finish)


_tear_down_in_session()
