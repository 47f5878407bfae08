"""A program given as text rather than a file (``smiley run -c CODE``, ``smiley run -``): the
interpreter names its code ``<string>`` or ``<stdin>``, names the file filter leaves out, and
keeps no file to read it back from. Its code is recorded, with the text as its source.
"""

import linecache
import os


class MainCode:
    """The file filter, with the program's own code (by its pseudo file name) recorded too."""

    def __init__(self, file_filter, name, source):
        self._filter = file_filter
        self._name = name
        if source is not None:
            # The recorder reads a file without a path on disk from linecache; an entry without
            # a modification time is never checked against the disk, nor dropped.
            path = os.path.join(os.getcwd(), name)
            linecache.cache[path] = (len(source), None, source.splitlines(True), path)

    def wants(self, filename):
        return filename == self._name or self._filter.wants(filename)

    def why_not(self, filename):
        return None if filename == self._name else self._filter.why_not(filename)
