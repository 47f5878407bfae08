"""Locals as they change: the snapshot of a frame's variables and the difference after each
event, as flat (name symbol, type symbol, text) triples.

This is the tracer's hottest code after the hook itself, so the common cases are written
out inline: a line's plan (from code_info) names the few variables it can change, each
with its symbol and whether it is secret already looked up; an unchanged object is
recognised by identity before anything is rendered; ints, floats and short strings are
rendered by their own repr without a function call.

What counts as a change: a name bound to another object whose text differs, a deleted name,
or a list, dict, set, bytearray or deque whose text differs (it was changed in place).
"""

from . import code_info, wire
from .code_info import IMPLICIT_NAMES
from .values import MUTABLE_TYPES, REDACTED, type_name

_MISSING = object()
# Exact types whose objects never change in place: the same object means the same text.
_IMMUTABLE = frozenset([int, float, bool, str, bytes, type(None), tuple, frozenset, complex, range, type])
_LARGEST_PLAIN_INT = 10**15


class LocalsTracker:
    def __init__(self, stream, renderer):
        self.stream = stream
        self.renderer = renderer
        self.max_len = renderer.max_len
        self._type_symbols = {}
        self._names = {}  # name -> (symbol, secret)

    def type_symbol(self, kind):
        known = self._type_symbols.get(kind)
        if known is None:
            known = self._type_symbols[kind] = self.stream.symbol(type_name(kind))
        return known

    def name_info(self, name):
        """(symbol, secret) of a variable name."""
        known = self._names.get(name)
        if known is None:
            known = self._names[name] = (self.stream.symbol(name), self.renderer.is_secret(name))
        return known

    def compile_plans(self, plans):
        """Plans from code_info with each name's symbol and secrecy looked up once."""
        compiled = {}
        for line, plan in plans.items():
            if plan is code_info.FULL:
                compiled[line] = plan
            else:
                compiled[line] = tuple((name,) + self.name_info(name) for name in plan)
        return compiled

    def text(self, value, kind):
        """The bounded text of ``value`` (of type ``kind``)."""
        if kind is int:
            if -_LARGEST_PLAIN_INT < value < _LARGEST_PLAIN_INT:
                return int.__repr__(value)
        elif kind is str:
            if len(value) < self.max_len:
                text = str.__repr__(value)
                if len(text) <= self.max_len:
                    return text
        elif kind is float or kind is bool or value is None:
            return repr(value)
        return self.renderer.render(value)

    def snapshot_all(self, mapping, state):
        """Every local, for a call event; fills the frame's snapshot."""
        snapshot = state.snapshot
        skip_implicit = state.record.module_level
        flat = []
        for name, value in mapping.items():
            if skip_implicit and name in IMPLICIT_NAMES:
                continue
            symbol, secret = self._names.get(name) or self.name_info(name)
            kind = type(value)
            text = REDACTED if secret else self.text(value, kind)
            snapshot[name] = (value, text)
            flat.append(symbol)
            flat.append(self._type_symbols.get(kind) or self.type_symbol(kind))
            flat.append(text)
        return tuple(flat) if flat else None

    def diff(self, mapping, plan, state):
        """What changed among the locals a plan names (FULL: all of them) since the last look."""
        if plan is code_info.FULL:
            return self._diff_all(mapping, state)
        snapshot = state.snapshot
        flat = None
        get = mapping.get
        for name, symbol, secret in plan:
            value = get(name, _MISSING)
            previous = snapshot.get(name)
            if value is _MISSING:
                if previous is not None:
                    del snapshot[name]
                    flat = (flat or []) + [symbol, wire.DELETED, None]
                continue
            kind = type(value)
            if previous is not None and previous[0] is value:
                if secret or kind in _IMMUTABLE or not isinstance(value, MUTABLE_TYPES):
                    continue
            text = REDACTED if secret else self.text(value, kind)
            if previous is not None and text == previous[1] and not secret:
                snapshot[name] = (value, text)
                continue
            snapshot[name] = (value, text)
            entry = [symbol, self._type_symbols.get(kind) or self.type_symbol(kind), text]
            if flat is None:
                flat = entry
            else:
                flat += entry
        return tuple(flat) if flat else None

    def _diff_all(self, mapping, state):
        snapshot = state.snapshot
        skip_implicit = state.record.module_level
        flat = []
        seen = 0
        for name, value in mapping.items():
            if skip_implicit and name in IMPLICIT_NAMES:
                continue
            seen += 1
            previous = snapshot.get(name)
            kind = type(value)
            symbol, secret = self._names.get(name) or self.name_info(name)
            if previous is not None and previous[0] is value:
                if secret or kind in _IMMUTABLE or not isinstance(value, MUTABLE_TYPES):
                    continue
            text = REDACTED if secret else self.text(value, kind)
            if previous is not None and text == previous[1] and not secret:
                snapshot[name] = (value, text)
                continue
            snapshot[name] = (value, text)
            flat.append(symbol)
            flat.append(self._type_symbols.get(kind) or self.type_symbol(kind))
            flat.append(text)
        if len(snapshot) > seen:
            for name in [name for name in snapshot if name not in mapping]:
                del snapshot[name]
                flat.append(self.name_info(name)[0])
                flat.append(wire.DELETED)
                flat.append(None)
        return tuple(flat) if flat else None

    @staticmethod
    def forget_objects(state):
        """Keep only the texts of a suspended generator's locals, not the objects."""
        snapshot = state.snapshot
        for name, (_, text) in list(snapshot.items()):
            snapshot[name] = (_MISSING, text)
