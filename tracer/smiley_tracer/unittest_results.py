"""unittest under ``smiley run --per-test``: each test a run of its own, from ``startTest`` to
``stopTest`` of its result (setUp, the test and tearDown), named by its id.

``unittest.TestResult`` is patched in place, so every runner's result (``TextTestResult`` and
any that derives from it) reports to ``test_runs``. ``setUpClass`` and ``setUpModule`` run
outside any test: in the session's run. A test running inside pytest is pytest's plugin's.
"""

import time
import unittest


class _Test:
    __slots__ = ("id", "started", "outcome", "error")

    def __init__(self, test_id):
        self.id = test_id
        self.started = time.perf_counter()
        self.outcome = "passed"
        self.error = None

    def settle(self, outcome, err=None):
        """The first failure is the test's; a later success does not undo it."""
        if self.outcome in ("failed", "error"):
            return
        self.outcome = outcome
        if err is not None:
            self.error = err[1]


def patch(runs):
    result = unittest.TestResult
    original = {name: getattr(result, name) for name in ("startTest", "stopTest", "addError", "addFailure", "addSkip", "addExpectedFailure", "addUnexpectedSuccess", "addSubTest")}
    tests = {}  # id(result) -> the _Test it runs

    def start_test(self, test):
        original["startTest"](self, test)
        if not runs.current:
            tests[id(self)] = _Test(runs.begin(_name(test)))

    def stop_test(self, test):
        found = tests.pop(id(self), None)
        if found is not None:
            error = found.error if found.outcome in ("failed", "error") else None
            runs.end(found.id, found.outcome, time.perf_counter() - found.started, error)
        original["stopTest"](self, test)

    def settling(name, outcome):
        def add(self, test, *rest):
            found = tests.get(id(self))
            if found is not None:
                err = rest[0] if rest and isinstance(rest[0], tuple) else None
                found.settle(outcome, err)
            return original[name](self, test, *rest)

        return add

    def add_sub_test(self, test, subtest, err):
        found = tests.get(id(self))
        if found is not None and err is not None:
            found.settle("failed" if issubclass(err[0], test.failureException) else "error", err)
        return original["addSubTest"](self, test, subtest, err)

    result.startTest = start_test
    result.stopTest = stop_test
    result.addError = settling("addError", "error")
    result.addFailure = settling("addFailure", "failed")
    result.addSkip = settling("addSkip", "skipped")
    result.addExpectedFailure = settling("addExpectedFailure", "xfailed")
    result.addUnexpectedSuccess = settling("addUnexpectedSuccess", "xpassed")
    result.addSubTest = add_sub_test


def _name(test):
    try:
        return test.id()
    except Exception:
        return type(test).__qualname__
