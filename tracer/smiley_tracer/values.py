"""Values as the recording shows them: a bounded ``repr`` and a type name.

Rendering runs inside the traced program, on values the program owns, so it must never
raise, never recurse without bound and never take long: containers are walked with a
character budget, ``repr`` failures become the recorded text, and a type whose ``__repr__``
is slow is rendered the way ``object.__repr__`` would from then on.
"""

import sys
import time
import types
from bisect import bisect_right
from collections import deque
from itertools import accumulate, islice

from . import objects
from .redaction import REDACTED, Redactor, cut_word

ELLIPSIS = "\u2026"
# A __repr__ is slow past this much CPU time, or, with --call-repr (only then can a __repr__
# of the program's wait), when it keeps the program waiting (I/O, a lock, a sleep) past the
# longer time on the wall clock: a busy machine that merely keeps the thread waiting for a core
# must not make a fast __repr__ look slow, and change what is recorded.
SLOW_REPR_SECONDS = 0.05
BLOCKING_REPR_SECONDS = 0.15
MAX_SUSPECTS = 10000
HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement

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

    def __init__(self, max_len=200, redactor=None, call_reprs=False):
        self.max_len = max(max_len, 8)
        self.shapes = objects.Shapes(call_reprs)
        self.redactor = redactor if redactor is not None else Redactor(enabled=False)
        self.redact = self.redactor.enabled
        self.slow_types = set()
        self._suspects = set()  # types whose repr's CPU time is measured (see _repr)
        self._wall = time.perf_counter
        self._cpu = getattr(time, "thread_time", time.perf_counter)
        # How many items of the outermost list, dict, set or deque the last render looked at.
        self.examined = None
        self._unfit = {}

    def is_secret(self, name):
        """True when values bound to ``name`` must not be recorded."""
        return self.redactor.is_secret(name)

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
                return repr(self._head(value, budget)) + ELLIPSIS
            return repr(value)
        if kind in _SCALARS:
            return _scalar(value, kind)
        if kind is bytes or kind is bytearray:
            if len(value) > budget:
                return repr(self._head(value, budget)) + ELLIPSIS
            return repr(value)
        if kind in _SEQUENCES:
            return self._sequence(value, kind, budget, seen)
        if kind is dict:
            return self._dict(value, budget, seen)
        return self._object(value, kind, budget, seen)

    def _head(self, value, budget):
        """The first ``budget`` characters (or bytes) of a text too long to show whole; when
        redacting, without the start of a key-like word the cut would go through, which no
        pattern could tell from the rest of a key."""
        head = value[:budget]
        if self.redact:
            start = cut_word(value, budget)
            if start is not None:
                head = head[:start]
        return head

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
                    self.redactor.remember(item)
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
                    self.redactor.remember(item)
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

    def _object(self, value, kind, budget, seen):
        shape = self.shapes.of(kind)
        if shape is objects.BY_REPR:
            return self._repr(value, kind)
        if shape is objects.PLAIN:
            return object.__repr__(value)
        if shape is objects.BY_PLAIN_FORMATTING:
            if self.shapes.holds_plain(value):
                return self._repr(value, kind)
            return self._named(type_name(kind), objects.attributes(value, kind), value, budget, seen)
        if shape is objects.BY_ATTRIBUTES:
            return self._named(type_name(kind), objects.attributes(value, kind), value, budget, seen)
        if shape is objects.BY_FIELDS:
            try:
                fields = objects.dataclass_fields(value, kind)
            except Exception as error:  # a field not set yet: what the dataclass's repr raises
                return "<repr of %s failed: %s>" % (type_name(kind), describe_error(error))
            return self._named(type_name(kind), fields, value, budget, seen)
        if shape is objects.BY_NAMED_ITEMS:
            return self._named(type.__getattribute__(kind, "__name__"), objects.named_items(value, kind), value, budget, seen)
        if shape is objects.AS_LIST or shape is objects.AS_TUPLE or shape is objects.AS_DICT:
            return self._as_base(value, shape, budget, seen)
        if shape is objects.BOUND_METHOD:
            return self._bound_method(value, budget, seen)
        if shape is objects.ENVIRONMENT:
            return _environment(value, budget)
        environment = objects.environment_of(value)  # a view: over os.environ, or another mapping
        if environment is None:
            return self._repr(value, kind)
        name = type_name(kind)
        return "%s(%s)" % (name, _environment(environment, budget - len(name) - 2))

    def _as_base(self, value, shape, budget, seen):
        """A subclass of list, tuple or dict that keeps its base's ``repr``, as its base; read
        without running the subclass's code."""
        if id(value) in seen:
            return {objects.AS_LIST: "[...]", objects.AS_TUPLE: "(...)", objects.AS_DICT: "{...}"}[shape]
        seen.add(id(value))
        try:
            if shape is objects.AS_DICT:
                return self._dict(dict.copy(value), budget, seen)
            if shape is objects.AS_LIST:
                return self._sequence(list.copy(value), list, budget, seen)
            return self._sequence(tuple(tuple.__iter__(value)), tuple, budget, seen)
        finally:
            seen.discard(id(value))

    def _named(self, name, pairs, owner, budget, seen):
        """``name(attribute=value, …)``: an object shown from its attributes or fields."""
        if id(owner) in seen:
            return name + "(...)"
        seen.add(id(owner))
        try:
            parts = [name, "("]
            used = len(name) + 2
            for attribute, item in pairs:
                separator = ", " if len(parts) > 2 else ""
                attribute = attribute if type(attribute) is str else repr(attribute)
                if self.is_secret(attribute):
                    self.redactor.remember(item)
                    item_text = REDACTED
                else:
                    room = budget - used - len(separator) - len(attribute) - 1
                    item_text = self._render(item, max(room, 1), seen)
                piece = separator + attribute + "=" + item_text
                if used + len(piece) > budget:
                    parts.append(separator + ELLIPSIS)
                    break
                parts.append(piece)
                used += len(piece)
            parts.append(")")
            return "".join(parts)
        finally:
            seen.discard(id(owner))

    def _bound_method(self, method, budget, seen):
        """``<bound method Class.name of …>``, its object rendered by these rules."""
        function = method.__func__
        if type(function) is not types.FunctionType and type(function) is not types.BuiltinFunctionType:
            return self._repr(method, type(method))
        name = function.__qualname__
        head = "<bound method %s of " % name
        owner = method.__self__
        text = self._render(owner, max(budget - len(head) - 1, 1), seen)
        failed = "<repr of %s failed: " % type_name(type(owner))
        if text.startswith(failed):  # as the method's own repr fails with its object's
            return "<repr of method failed: " + text[len(failed) :]
        return head + text + ">"

    def _repr(self, value, kind):
        """``repr(value)``, guarded: a type whose ``__repr__`` fails says so, one whose
        ``__repr__`` is slow is shown as ``object.__repr__`` would from then on."""
        if kind in self.slow_types:
            return _plain(value, kind)
        # A thread's CPU clock costs a system call: read only for a type whose repr once took
        # longer than SLOW_REPR_SECONDS by the wall clock (never shorter than its CPU time).
        suspect = kind in self._suspects
        started = self._wall()
        started_cpu = self._cpu() if suspect else 0.0
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
        elapsed = self._wall() - started
        if elapsed > SLOW_REPR_SECONDS:
            if not suspect:
                if len(self._suspects) > MAX_SUSPECTS:
                    self._suspects.clear()
                self._suspects.add(kind)
            if (suspect and self._cpu() - started_cpu > SLOW_REPR_SECONDS) or (
                self.shapes.call_reprs and elapsed > BLOCKING_REPR_SECONDS and _class_statement(kind)
            ):
                self.slow_types.add(kind)
        return text


def _environment(environment, budget):
    """os.environ with its names and without its values."""
    parts = []
    used = len("environ({})")
    for name in list(environment):
        text = "%r: %s" % (name, REDACTED)
        if used + len(text) + 2 > budget:
            parts.append(ELLIPSIS)
            break
        parts.append(text)
        used += len(text) + 2
    return "environ({%s})" % ", ".join(parts)


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
