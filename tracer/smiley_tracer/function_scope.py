"""What the user scoped the recording to with ``--function NAME``: only what runs inside a call
of one of these functions, on any thread, with every function it calls, to any depth (the file
filter still decides which of those are recorded, so a callback from the standard library into
the program is recorded, the standard library's own frames are not).

A NAME is matched against a function's name (``parse``), its qualified name (``Parser.parse``)
or its module and qualified name (``mypkg.parser.Parser.parse``); the script run as
``__main__`` also answers to its file's name (``prog.parse``).

An event is in scope when a frame of one of those functions is on the thread's stack. The
recorder asks only when a recorded function starts (or a generator resumes) and no recorded
frame is below it: a recorded frame is there only while in scope. Each code object is matched
once; the few whose name ends like a NAME are looked at closer.
"""

import gc
import os
import sys

HAS_QUALNAME = sys.version_info >= (3, 11)


class FunctionScope:
    def __init__(self, names):
        self.names = tuple(dict.fromkeys(names))
        # The last part of each NAME: a code object of any other name matches none.
        self._last_parts = frozenset(name.rsplit(".", 1)[-1] for name in self.names)
        self._roots = {}  # id(code) -> whether it is one of the functions
        self._kept = []  # the code objects _roots knows, so that an id is never another code's
        self.matched = set()

    def is_root(self, code, module_globals):
        """Whether ``code`` is one of the named functions (decided once per code object)."""
        known = self._roots.get(id(code))
        if known is None:
            known = self._roots[id(code)] = self._decide(code, module_globals)
            self._kept.append(code)
        return known

    def covers(self, frame):
        """Whether ``frame`` runs inside a call of one of the functions: its own or a caller's."""
        roots = self._roots
        while frame is not None:
            code = frame.f_code
            known = roots.get(id(code))
            if known is None:
                known = self.is_root(code, frame.f_globals)
            if known:
                return True
            frame = frame.f_back
        return False

    def unmatched(self):
        """The NAMEs that matched no function that ran, in the order given."""
        return [name for name in self.names if name not in self.matched]

    def _decide(self, code, module_globals):
        if code.co_name not in self._last_parts:
            return False
        found = False
        for name in self.names:
            if name == code.co_name or name in _full_names(code, module_globals):
                self.matched.add(name)
                found = True
        return found


def _full_names(code, module_globals):
    qualified = _qualified_name(code)
    names = [qualified]
    module = module_globals.get("__name__") if isinstance(module_globals, dict) else None
    if isinstance(module, str):
        names.append("%s.%s" % (module, qualified))
        if module == "__main__":
            stem = os.path.splitext(os.path.basename(code.co_filename))[0]
            names.append("%s.%s" % (stem, qualified))
    return names


def _qualified_name(code):
    if HAS_QUALNAME:
        return code.co_qualname
    # Before 3.11 only the function knows it: looked for among the code's referrers, which
    # happens for the few code objects whose name is one of the NAMEs' last part.
    for referrer in gc.get_referrers(code):
        if getattr(referrer, "__code__", None) is code:
            qualified = getattr(referrer, "__qualname__", None)
            if isinstance(qualified, str):
                return qualified
    return code.co_name
