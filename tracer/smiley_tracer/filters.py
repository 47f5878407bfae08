"""Which files are the user's own code, and so recorded.

By default everything is recorded except the standard library, installed packages
(site-packages), frozen and generated modules (file names like ``<string>``) and the tracer
itself. Options widen the set.
"""

import importlib.util
import os
import site
import sys
import sysconfig

TRACER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _normalise(path):
    return os.path.normcase(os.path.realpath(path)).rstrip(os.sep) + os.sep


def _stdlib_dirs():
    dirs = set()
    for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        paths = sysconfig.get_paths(vars=scheme_vars) if scheme_vars else sysconfig.get_paths()
        for key in ("stdlib", "platstdlib"):
            if paths.get(key):
                dirs.add(paths[key])
    dirs.add(os.path.dirname(os.__file__))
    return dirs


def _site_dirs():
    dirs = set()
    paths = sysconfig.get_paths()
    for key in ("purelib", "platlib"):
        if paths.get(key):
            dirs.add(paths[key])
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:
        pass
    try:
        dirs.add(site.getusersitepackages())
    except AttributeError:
        pass
    dirs.update(p for p in sys.path if os.path.basename(p.rstrip(os.sep)) in ("site-packages", "dist-packages"))
    return dirs


def _package_dirs(names):
    dirs = set()
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        if spec.submodule_search_locations:
            dirs.update(spec.submodule_search_locations)
        elif spec.origin and os.path.isabs(spec.origin):
            dirs.add(spec.origin)
    return dirs


class FileFilter:
    """Decides, per file name, whether code from that file is recorded."""

    def __init__(self, include_stdlib=False, include_site_packages=False, include_packages=()):
        self._stdlib = _longest_first(_stdlib_dirs() if not include_stdlib else ())
        self._site = _longest_first(_site_dirs() if not include_site_packages else ())
        self._excluded = _longest_first(self._stdlib + self._site)
        included = _package_dirs(include_packages)
        self._included = _longest_first(included)
        self._included_files = frozenset(p.rstrip(os.sep) for p in self._included)
        self._tracer = _normalise(TRACER_DIR)
        self._cwd = os.getcwd()  # relative file names are relative to where the program started
        self._cache = {}

    def wants(self, filename):
        known = self._cache.get(filename)
        if known is None:
            known = self._cache[filename] = self._decide(filename)
        return known

    def _decide(self, filename):
        if not filename or filename.startswith("<"):
            return False
        path = _normalise(os.path.join(self._cwd, filename))
        if path.startswith(self._tracer):
            return False
        if path.rstrip(os.sep) in self._included_files or path.startswith(self._included):
            return True
        return not path.startswith(self._excluded)

    def why_not(self, filename):
        """(where, the option that records it) for code from ``filename`` that is not recorded
        by default; None when it is recorded."""
        if self.wants(filename):
            return None
        path = _normalise(os.path.join(self._cwd, filename))
        # site-packages usually lies inside the standard library's folder: look there first.
        if path.startswith(self._site):
            return "installed packages (site-packages)", "--include-site-packages"
        if path.startswith(self._stdlib):
            return "the standard library", "--include-stdlib"
        return None


def _longest_first(paths):
    return tuple(sorted({_normalise(p) for p in paths}, key=len, reverse=True))
