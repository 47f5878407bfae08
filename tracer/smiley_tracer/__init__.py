"""Smiley's tracer: records what a Python program does and streams it to ``smiley run``.

Started by ``tracer/sitecustomize.py`` when ``smiley run`` launches the interpreter with
``SMILEY_OPTIONS`` in its environment. Standard library only; CPython 3.8 to 3.13.
"""

from .session import VERSION, start_from_options

__all__ = ["VERSION", "start_from_options"]
