"""Starts Smiley's tracer in an interpreter launched by ``smiley run``, or in a Python process
that a recorded program (or ``smiley ci``'s command) started, then runs the ``sitecustomize``
module this one shadows, if there is one.

``smiley run`` puts this folder first on PYTHONPATH and its options in SMILEY_OPTIONS. Both
are removed here, so the program sees its own sys.path and environment. When children are
recorded (SMILEY_CHILDREN, see smiley_tracer/children.py), this folder stays on the
environment's PYTHONPATH, so that every Python process started from here comes back here.
"""

import os
import sys


def _start_smiley():
    here = os.path.dirname(os.path.abspath(__file__))
    raw = os.environ.pop("SMILEY_OPTIONS", None)
    options = children = None
    if raw is not None:
        import json

        options = json.loads(raw)
        original = options.get("pythonPath")
        if "SMILEY_CHILDREN" in os.environ:
            pass  # children find the tracer the same way
        elif original is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = original
        if sys.version_info < (3, 8):
            sys.stderr.write("smiley: Python %d.%d is too old to trace (3.8 or newer is needed)\n" % sys.version_info[:2])
            os._exit(2)
        with _own_bytecode_cache():
            import smiley_tracer
    elif os.environ.get("SMILEY_CHILDREN") and sys.version_info >= (3, 8):
        with _own_bytecode_cache():
            from smiley_tracer import children
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    _run_shadowed_sitecustomize()
    if options is not None:
        # Last, so that neither the shadowed module nor this one is traced or profiled.
        smiley_tracer.start_from_options(options)
    elif children is not None:
        try:
            children.start_new_interpreter()
        except Exception as error:  # the child runs on unrecorded, as a tracer failure does
            sys.stderr.write("smiley: this process is not recorded (internal error: %r)\n" % (error,))


class _own_bytecode_cache:
    """The tracer's compiled modules read from and written to Smiley's cache folder, whatever
    the program's own settings (PYTHONDONTWRITEBYTECODE, a read-only install): compiling them
    again at every start would cost more than the rest of the start-up. Restored on exit, so
    the program's modules are cached, or not, as it asked."""

    def __enter__(self):
        self.saved = sys.pycache_prefix, sys.dont_write_bytecode
        base = os.environ.get("SMILEY_CACHE") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "smiley"
        )
        sys.pycache_prefix = os.path.join(base, "bytecode")
        sys.dont_write_bytecode = False

    def __exit__(self, *exc):
        sys.pycache_prefix, sys.dont_write_bytecode = self.saved


def _run_shadowed_sitecustomize():
    import importlib.machinery
    import importlib.util

    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", sys.path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_start_smiley()
