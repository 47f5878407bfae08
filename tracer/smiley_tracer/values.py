"""Values as the recording shows them: a bounded ``repr`` and a type name.

Rendering runs inside the traced program, on values the program owns, so it must never
raise, never recurse without bound and never take long: containers are walked with a
character budget, ``repr`` failures become the recorded text, and a type whose ``__repr__``
is slow is rendered the way ``object.__repr__`` would from then on.
"""

import re
import sys
import time
from bisect import bisect_right
from collections import deque
from itertools import accumulate, islice

ELLIPSIS = "\u2026"
REDACTED = "<redacted>"
# A __repr__ is slow past this much CPU time, or when it keeps the program waiting (I/O, a lock,
# a sleep) past the longer time on the wall clock: a busy machine that merely keeps the thread
# waiting for a core must not make a fast __repr__ look slow, and change what is recorded.
SLOW_REPR_SECONDS = 0.05
BLOCKING_REPR_SECONDS = 0.15
HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement

# Names that look like they hold secrets. Matched against variable names and string dict keys.
SECRET_NAME = re.compile(
    r"passw(or)?d|passphrase|^pwd$|secret|api_?key|apikey|access_?token|auth_?token"
    r"|refresh_?token|^token$|_token$|private_?key|credential|session_?key",
    re.IGNORECASE,
)

# Exact types rendered with the builtin repr after a size check: no user code runs.
_SCALARS = frozenset([int, float, complex, bool, type(None), type(Ellipsis)])
_SEQUENCES = {list: ("[", "]"), tuple: ("(", ")"), set: ("{", "}"), frozenset: ("frozenset({", "})"), deque: ("deque([", "])")}

# Items whose text is their repr, whatever the budget left: a run of them is rendered at once.
_BULK_ITEMS = frozenset([int, float, bool, type(None)])

# Types whose contents can change while the variable keeps pointing at the same object.
MUTABLE_TYPES = (list, dict, set, bytearray, deque)

# Python 3.8 raises one RecursionError, then none until the stack is back 50 frames below the
# limit, and aborts the process at 50 above it: one swallowed up there (say, by a repr called
# at the limit) would leave the program without its own. Later versions raise each one.
ONE_RECURSION_ERROR = sys.version_info < (3, 9)


class Renderer:
    """Turns values into bounded text. One per run; caches per type and per name."""

    def __init__(self, max_len=200, redact=True):
        self.max_len = max(max_len, 8)
        self.redact = redact
        self._secret_names = {}
        self.slow_types = set()
        self._wall = time.perf_counter
        self._cpu = getattr(time, "thread_time", time.perf_counter)
        # How many items of the outermost list, dict, set or deque the last render looked at.
        self.examined = None
        self._unfit = {}

    def is_secret(self, name):
        """True when values bound to ``name`` must not be recorded."""
        if not self.redact:
            return False
        known = self._secret_names.get(name)
        if known is None:
            if len(self._secret_names) > 10000:
                self._secret_names.clear()
            known = self._secret_names[name] = bool(SECRET_NAME.search(name))
        return known

    def render(self, value):
        """The bounded text of ``value``; never raises an ``Exception``."""
        self.examined = None
        # The largest room in which each container did not fit whole, for this render: a
        # deeply nested one is measured once, not again at each level cut.
        self._unfit = {}
        try:
            text = self._render(value, self.max_len, set())
        except RuntimeError as error:
            if type(error) is RecursionError and _program_at_limit():
                raise
            self.examined = None
            # A container changed size while a nested __repr__ let another thread run.
            text = "<%s changing while rendered: %s>" % (type_name(type(value)), describe_error(error))
        if len(text) > self.max_len:
            text = text[: self.max_len - 1] + ELLIPSIS
        return text

    def _render(self, value, budget, seen):
        kind = type(value)
        if kind is str:
            if len(value) > budget:
                return repr(value[:budget]) + ELLIPSIS
            return repr(value)
        if kind in _SCALARS:
            return _scalar(value, kind)
        if kind is bytes or kind is bytearray:
            if len(value) > budget:
                return repr(value[:budget]) + ELLIPSIS
            return repr(value)
        if kind in _SEQUENCES:
            return self._sequence(value, kind, budget, seen)
        if kind is dict:
            return self._dict(value, budget, seen)
        return self._object(value, kind)

    def _sequence(self, value, kind, budget, seen):
        if id(value) in seen:
            return "[...]" if kind is list else "(...)"
        open_, close = _SEQUENCES[kind]
        if not value:
            self.examined = 0
            return {list: "[]", tuple: "()", set: "set()", frozenset: "frozenset()", deque: "deque([])"}[kind]
        end = "," + close if kind is tuple and len(value) == 1 else close
        whole = self._whole_sequence(value, open_, end, budget - len(end), seen)
        if whole is not None:
            return whole
        count = " (%d items)" % len(value)
        room = budget - len(close) - 3 - len(count)
        if room <= len(open_):
            # Not even one item fits (the text the loop would give, without looking deeper: a
            # list nested a million deep costs no more than a flat one).
            self.examined = 1
            return open_ + ELLIPSIS + close + count
        text = self._bulk(value, kind, open_, close, count, room)
        if text is not None:
            return text
        seen.add(id(value))
        try:
            parts = [open_]
            used = len(open_)
            first = True
            looked = 0
            for item in value:
                text = self._render(item, max(room - used, 1), seen)
                looked += 1
                if not first:
                    text = ", " + text
                if used + len(text) > room:
                    parts.append(", " + ELLIPSIS if not first else ELLIPSIS)
                    parts.append(close)
                    parts.append(count)
                    self.examined = looked
                    return "".join(parts)
                parts.append(text)
                used += len(text)
                first = False
            if kind is tuple and len(value) == 1:
                parts.append(",")
            parts.append(close)
            self.examined = looked
            return "".join(parts)
        finally:
            seen.discard(id(value))

    def _whole_sequence(self, value, open_, end, room, seen):
        """The whole text of a sequence, when it fits in ``room`` (the end apart) with nothing
        inside it cut, else None: a container is cut only when it does not fit."""
        if len(open_) + 3 * len(value) - 2 > room or self._unfit.get(id(value), -1) >= room:
            return None  # each item takes a character and a separator at least
        seen.add(id(value))
        try:
            parts = []
            used = len(open_)
            for item in value:
                separator = 2 if parts else 0
                text = self._exact(item, room - used - separator, seen)
                if text is None:
                    self._unfit[id(value)] = room
                    return None
                used += separator + len(text)
                parts.append(text)
        finally:
            seen.discard(id(value))
        self.examined = len(parts)
        return open_ + ", ".join(parts) + end

    def _whole_dict(self, value, room, seen):
        """_whole_sequence for a dict."""
        if 1 + 6 * len(value) - 2 > room or self._unfit.get(id(value), -1) >= room:
            return None  # "k: v" and a separator at least
        seen.add(id(value))
        try:
            parts = []
            used = 1
            for key, item in value.items():
                separator = 2 if parts else 0
                key_text = self._exact(key, room - used - separator - 3, seen)
                item_text = None
                if key_text is not None and type(key) is str and self.is_secret(key):
                    item_text = REDACTED
                elif key_text is not None:
                    item_text = self._exact(item, room - used - separator - len(key_text) - 2, seen)
                if item_text is None:
                    self._unfit[id(value)] = room
                    return None
                used += separator + len(key_text) + 2 + len(item_text)
                if used > room:
                    self._unfit[id(value)] = room
                    return None
                parts.append(key_text + ": " + item_text)
        finally:
            seen.discard(id(value))
        self.examined = len(parts)
        return "{" + ", ".join(parts) + "}"

    def _exact(self, value, room, seen):
        """The text of ``value`` when it fits in ``room`` with nothing in it cut, else None."""
        if room < 1:
            return None
        kind = type(value)
        if kind in _SEQUENCES and value and id(value) not in seen:
            open_, close = _SEQUENCES[kind]
            end = "," + close if kind is tuple and len(value) == 1 else close
            return self._whole_sequence(value, open_, end, room - len(end), seen)
        if kind is dict and value and id(value) not in seen:
            return self._whole_dict(value, room - 1, seen)
        text = self._render(value, room, seen)
        return text if len(text) <= room else None

    def _bulk(self, value, kind, open_, close, count, room):
        """What the loop of _sequence gives for items that are all ints, floats, booleans or
        None, computed at C speed: their texts, their running widths, and where they stop
        fitting. None when the items are not all of these."""
        limit = room // 3 + 2  # more items than can fit: each takes 3 characters or more
        shown = value[:limit] if kind is list or kind is tuple else tuple(islice(value, limit))
        if not _BULK_ITEMS.issuperset(map(type, shown)):
            return None
        try:
            texts = list(map(repr, shown))
        except ValueError:  # an int too long to convert: the loop says so
            return None
        # Item i fits while len(open_) + its width with those before, ", " included, <= room.
        fitting = bisect_right(list(accumulate(len(text) + 2 for text in texts)), room - len(open_) + 2)
        if fitting == len(value):
            self.examined = fitting
            end = "," + close if kind is tuple and fitting == 1 else close
            return open_ + ", ".join(texts) + end
        if fitting == len(shown):
            return None
        self.examined = fitting + 1
        return open_ + ", ".join(texts[:fitting]) + (", " + ELLIPSIS if fitting else ELLIPSIS) + close + count

    def _dict(self, value, budget, seen):
        if id(value) in seen:
            return "{...}"
        if not value:
            self.examined = 0
            return "{}"
        whole = self._whole_dict(value, budget - 1, seen)
        if whole is not None:
            return whole
        count = " (%d items)" % len(value)
        room = budget - 4 - len(count)
        if room < 5:
            # Not even "k: v" fits, as in _sequence.
            self.examined = 1
            return "{" + ELLIPSIS + "}" + count
        seen.add(id(value))
        try:
            parts = ["{"]
            used = 1
            first = True
            looked = 0
            for key, item in value.items():
                looked += 1
                key_text = self._render(key, max(room - used, 1), seen)
                if type(key) is str and self.is_secret(key):
                    item_text = REDACTED
                else:
                    item_text = self._render(item, max(room - used - len(key_text), 1), seen)
                text = key_text + ": " + item_text
                if not first:
                    text = ", " + text
                if used + len(text) > room:
                    parts.append(", " + ELLIPSIS if not first else ELLIPSIS)
                    parts.append("}")
                    parts.append(count)
                    self.examined = looked
                    return "".join(parts)
                parts.append(text)
                used += len(text)
                first = False
            parts.append("}")
            self.examined = looked
            return "".join(parts)
        finally:
            seen.discard(id(value))

    def _object(self, value, kind):
        if kind in self.slow_types:
            return _plain(value, kind)
        started = self._wall()
        started_cpu = self._cpu()
        try:
            text = repr(value)
            if type(text) is not str:
                text = "<repr of %s returned %s>" % (type_name(kind), type_name(type(text)))
        except RecursionError:
            if _program_at_limit():
                raise
            text = "<repr of %s failed: RecursionError>" % type_name(kind)
        except Exception as error:
            text = "<repr of %s failed: %s>" % (type_name(kind), describe_error(error))
        if self._cpu() - started_cpu > SLOW_REPR_SECONDS or (
            self._wall() - started > BLOCKING_REPR_SECONDS and _class_statement(kind)
        ):
            self.slow_types.add(kind)
        return text


def _class_statement(kind):
    """Whether ``kind`` was made by a class statement, so that its ``__repr__`` can wait (on
    I/O, a lock, a sleep): a builtin type's cannot, and only the machine's load makes it wait."""
    try:
        return bool(type.__getattribute__(kind, "__flags__") & HEAP_TYPE)
    except Exception:
        return True


def _program_at_limit():
    """Whether a RecursionError just caught is the program's, to go on to it: on 3.8, when the
    stack is still too close to the limit for the interpreter to raise the next one."""
    if not ONE_RECURSION_ERROR:
        return False
    limit = sys.getrecursionlimit()
    rearmed = limit - 50 if limit > 200 else 3 * (limit >> 2)
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth + 10 >= rearmed  # frames undercount the depth by the C calls between them


def _scalar(value, kind):
    try:
        return repr(value)
    except ValueError:
        # CPython 3.11+ refuses to convert huge ints to text (sys.set_int_max_str_digits).
        return "<int of %d bits>" % value.bit_length()


def _plain(value, kind):
    return "<%s object at %#x>" % (type_name(kind), id(value))


def type_name(kind):
    """The name a type is recorded under."""
    try:
        name = kind.__qualname__
    except Exception:
        name = None
    return name if type(name) is str else "?"


def describe_error(error):
    """``Type: message`` for an exception, without running more than ``str`` on it."""
    name = type_name(type(error))
    try:
        message = str(error)
    except Exception:
        message = "<unprintable>"
    if len(message) > 200:
        message = message[:199] + ELLIPSIS
    return "%s: %s" % (name, message) if message else name


def exception_message(error, max_len):
    """The bounded message of an exception, as ``str(error)`` gives it."""
    try:
        message = str(error)
        if type(message) is not str:
            message = "<unprintable>"
    except Exception as failure:
        message = "<str of %s failed: %s>" % (type_name(type(error)), describe_error(failure))
    if len(message) > max_len:
        message = message[: max_len - 1] + ELLIPSIS
    return message
