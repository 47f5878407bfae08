"""What the user scoped the recording to (``--include GLOB``, ``--exclude GLOB``): file paths
matched by shell-style globs, against the absolute path and the path relative to where the
program started (``*`` also matches ``/``: ``src/parser/*`` is everything under src/parser).

With ``--include``, only the files an include glob matches are recorded, wherever they are (the
standard library, installed packages); without it, the files recorded by default. Either way,
no file an exclude glob matches, and never Smiley's own.
"""

import fnmatch
import os

from .filters import TRACER_DIR


class Scope:
    """The file filter, narrowed or widened by the user's globs."""

    def __init__(self, file_filter, include, exclude):
        self._filter = file_filter
        self._include = tuple(include)
        self._exclude = tuple(exclude)
        self._cwd = os.getcwd()
        self._tracer = os.path.join(os.path.realpath(TRACER_DIR), "")
        self._cache = {}

    def wants(self, filename):
        known = self._cache.get(filename)
        if known is None:
            known = self._cache[filename] = self._decide(filename)
        return known

    def _decide(self, filename):
        if not filename or filename.startswith("<"):
            return self._filter.wants(filename)
        path = os.path.normpath(os.path.join(self._cwd, filename))
        if os.path.realpath(path).startswith(self._tracer):
            return False
        names = (path, os.path.relpath(path, self._cwd))
        if self._exclude and _matches(names, self._exclude):
            return False
        if self._include:
            return _matches(names, self._include)
        return self._filter.wants(filename)

    def why_not(self, filename):
        if self._include or self._exclude:
            return None  # the user chose: nothing to suggest
        return self._filter.why_not(filename)


def _matches(names, globs):
    return any(fnmatch.fnmatch(name, glob) for name in names for glob in globs)
