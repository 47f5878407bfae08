"""Locals as they change: the snapshot of a frame's variables and the difference after each
event, as flat (name symbol, type symbol, text) triples.

This is the tracer's hottest code after the hook itself, so the common cases are written
out inline: a line's plan (from code_info) names the few variables it can change, each
with its symbol and whether it is secret already looked up; an unchanged object is
recognised by identity before anything is rendered; ints, floats and short strings are
rendered by their own repr without a function call.

What counts as a change: a name bound to another object whose text differs, a deleted name,
a list, dict, set, bytearray or deque whose text differs (it was changed in place), or an
object with a ``__repr__`` of its own whose attributes changed and with them its text.
"""

import types
from collections import deque
from itertools import islice
from operator import is_

from . import code_info, wire
from .code_info import IMPLICIT_NAMES
from .redaction import REDACTED
from .values import HEAP_TYPE, MUTABLE_TYPES, type_name

MISSING = object()
# Exact types whose objects never change in place: the same object means the same text. Not
# tuples and frozensets: the objects they hold can change (their fingerprint says when).
_IMMUTABLE = frozenset([int, float, bool, str, bytes, type(None), complex, range, type])
# Builtin generators and iterators: shown by their kind and address, so they keep their text
# too. _learn_stable cannot learn them: each names a __getattribute__ of its own (the generic
# one), as a class that could answer isinstance itself would.
_ITERATORS = frozenset(
    [types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType]
    + [
        type(value)
        for value in (
            iter([]),
            iter(()),
            iter(""),
            iter(b""),
            iter(range(0)),
            iter({}),
            iter({}.values()),
            iter({}.items()),
            iter(set()),
            reversed([]),
            enumerate(()),
            zip(),
            map(len, ()),
            filter(None, ()),
        )
    ]
)
_STABLE = _IMMUTABLE | _ITERATORS
LARGEST_PLAIN_INT = 10**15
SMALLEST_PLAIN_INT = -LARGEST_PLAIN_INT
# The hot paths render an int in this narrower range inline: a bound of one 30-bit digit makes
# the comparison the interpreter's quick one. Such an int's text is f"{value}": formatting an
# exact int is str(), its repr, without a call (int.__repr__ takes a slow descriptor call).
LARGEST_SMALL_INT = (1 << 30) - 1
SMALLEST_SMALL_INT = -LARGEST_SMALL_INT
# Containers whose text can be checked with a fingerprint, and the item types that allows:
# immutable, with a text fixed by the object alone.
_FINGERPRINTED = frozenset([list, dict, set, deque])
_PLAIN_ITEMS = frozenset([int, float, bool, str, bytes, type(None), complex])
_SCALARS = _PLAIN_ITEMS  # and these refer to no other object
# Tuples and frozensets of plain items count as plain items too (_fixed), up to this size and depth.
_FIXED_ITEMS = 64
_HOLDERS = (tuple, frozenset)  # immutable themselves, but holding objects that may not be
_FIXED_DEPTH = 3
_NUMBERS = frozenset([int, float, bool, type(None)])  # their texts hold no secret
_PLAIN_REPR = object.__repr__
# Builtin types whose repr is "<kind name at 0x…>", made without running any user code.
_BUILTIN_REPRS = frozenset([types.GeneratorType, types.CoroutineType, types.FunctionType])
_TYPE_ATTRIBUTE = type.__getattribute__  # bypasses a metaclass's own __getattribute__
_OBJECT_ATTRIBUTE = object.__getattribute__
_EXCEPTION_ARGS = BaseException.__dict__["args"]
_MAX_KINDS = 10000
# An object's fingerprint: the objects its attributes hold (its __dict__'s values and its
# slots'), when all are of plain types: while the same, its text is. RENDER_AGAIN: it holds
# other objects, and is rendered again at each look.
_STATE = object()
RENDER_AGAIN = (_STATE, None)


# What an object's state may hold for its fingerprint to stand for its text: objects whose text
# never changes.
_PLAIN_STATE = _PLAIN_ITEMS | {type(MISSING), range}


def _layout(kind):
    """(has a __dict__, the descriptors of its slots) of objects of ``kind`` whose own
    ``__repr__`` makes their text from their attributes; False when their text cannot change
    while they stay the same object (object.__repr__, or no attributes of their own), or when
    reading their attributes could run the class's own code."""
    try:
        if _TYPE_ATTRIBUTE(kind, "__repr__") is _PLAIN_REPR:
            return False
        mro = _TYPE_ATTRIBUTE(kind, "__mro__")
        slots = []
        for base in mro:
            namespace = _TYPE_ATTRIBUTE(base, "__dict__")
            if "__getattribute__" in namespace and _TYPE_ATTRIBUTE(base, "__flags__") & HEAP_TYPE:
                return False  # a class's own: reading an attribute would run its code
            slots.extend(d for d in namespace.values() if type(d) is types.MemberDescriptorType)
            if base is BaseException:
                slots.append(_EXCEPTION_ARGS)  # what an exception's repr is made of
        has_dict = _TYPE_ATTRIBUTE(kind, "__dictoffset__") != 0
    except Exception:
        return False
    if not has_dict and not slots:
        return False
    return has_dict, tuple(slots)


def _fixed(item, depth=0):
    """Whether the text of ``item`` is fixed by the object alone: a plain item, or a tuple or
    frozenset (exactly) of a few such items, nested a few deep. A dict of tuples of floats is
    then recognised unchanged by identities, not rendered again at each line."""
    kind = type(item)
    if kind in _PLAIN_ITEMS:
        return True
    if (kind is tuple or kind is frozenset) and len(item) <= _FIXED_ITEMS and depth < _FIXED_DEPTH:
        return all(_fixed(inner, depth + 1) for inner in item)
    return False


def _mutable(value):
    """isinstance(value, MUTABLE_TYPES); False for an object whose own ``__class__`` raises."""
    try:
        return isinstance(value, MUTABLE_TYPES)
    except Exception:
        return False


class LocalsTracker:
    def __init__(self, stream, renderer):
        self.stream = stream
        self.renderer = renderer
        self.redactor = renderer.redactor
        self.max_len = renderer.max_len
        self.type_symbols = {}
        self.names = {}  # name -> (symbol, secret)
        # Exact types whose objects keep their text while a variable keeps the same object: the
        # immutable ones, builtin generators and iterators, and those learnt to be none of
        # MUTABLE_TYPES (see compare).
        self.stable_kinds = set(_STABLE)
        self._layouts = {}  # kind -> (has a __dict__, its slots' descriptors), or False

    def type_symbol(self, kind):
        known = self.type_symbols.get(kind)
        if known is None:
            known = self.type_symbols[kind] = self.stream.symbol(type_name(kind))
        return known

    def name_info(self, name):
        """(symbol, secret) of a variable name."""
        known = self.names.get(name)
        if known is None:
            known = self.names[name] = (self.stream.symbol(name), self.renderer.is_secret(name))
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
        """The bounded text of ``value`` (of type ``kind``), secrets redacted."""
        text = self.render_text(value, kind)
        if kind in _NUMBERS or not self.redactor.enabled:
            return text
        return self.redactor.scrub_value(value, text)

    def render_text(self, value, kind):
        """The bounded text of ``value`` (of type ``kind``), as it is."""
        if kind is int:
            if SMALLEST_PLAIN_INT < value < LARGEST_PLAIN_INT:
                return f"{value}"
        elif kind is str:
            if len(value) < self.max_len:
                text = f"{value!r}"
                if len(text) <= self.max_len:
                    return text
        elif kind is float or kind is bool or value is None:
            return repr(value)
        elif kind in _BUILTIN_REPRS:
            # "<generator object f at 0x…>" and the like: no user code runs.
            text = repr(value)
            if len(text) <= self.max_len:
                return text
        else:
            try:
                # The class's own __repr__ as type.__getattribute__ finds it; read as an attribute
                # (half the cost) when no metaclass could answer for it.
                found = kind.__repr__ if type(kind) is type else _TYPE_ATTRIBUTE(kind, "__repr__")
                plain = found is _PLAIN_REPR
            except Exception:
                plain = False
            if plain:
                # "<T object at 0x…>": no user code runs, so no guard is needed.
                text = _PLAIN_REPR(value)
                if len(text) <= self.max_len:
                    return text
        return self.renderer.render(value)

    def snapshot_all(self, mapping, state):
        """Every local, for a call event; fills the frame's snapshot."""
        snapshot = state.snapshot
        skip_implicit = state.record.module_level
        names = self.names
        flat = []
        for name, value in mapping.items():
            if skip_implicit and name in IMPLICIT_NAMES:
                continue
            symbol, secret = names.get(name) or self.name_info(name)
            kind = type(value)
            if kind is int and not secret and SMALLEST_SMALL_INT < value < LARGEST_SMALL_INT:
                text = f"{value}"
                snapshot[name] = (value, text, None)
                flat += (symbol, self.type_symbols.get(int) or self.type_symbol(int), text)
            else:
                flat += self.first_look(name, symbol, secret, value, kind, snapshot)
        return tuple(flat) if flat else None

    def first_look(self, name, symbol, secret, value, kind, snapshot):
        """The (symbol, type symbol, text) triple of a local not in the snapshot yet, entered there."""
        if secret:
            self.redactor.remember(value)
            snapshot[name] = (value, REDACTED, None)
            text = REDACTED
        else:
            text = self.text(value, kind)
            snapshot[name] = (value, text, self.fingerprint(value, kind, True))
        return (symbol, self.type_symbols.get(kind) or self.type_symbol(kind), text)

    def diff(self, mapping, plan, state):
        """What changed among the locals a plan names (FULL: all of them) since the last look."""
        if plan is code_info.FULL:
            return self.diff_all(mapping, state)
        snapshot = state.snapshot
        stable_kinds = self.stable_kinds
        flat = None
        for name, symbol, secret in plan:
            value = mapping.get(name, MISSING)
            previous = snapshot.get(name)
            kind = type(value)
            if previous is not None and previous[0] is value and kind in stable_kinds:
                continue
            # The commonest change, a small int, without a call.
            if kind is int and not secret and SMALLEST_SMALL_INT < value < LARGEST_SMALL_INT:
                text = f"{value}"
                snapshot[name] = (value, text, None)
                if previous is not None and text == previous[1]:
                    continue
                entry = (symbol, self.type_symbols.get(int) or self.type_symbol(int), text)
            else:
                entry = self.compare(name, symbol, secret, value, previous, snapshot)
                if entry is None:
                    continue
            flat = entry if flat is None else flat + entry
        return flat

    def diff_all(self, mapping, state):
        """What changed among all the locals since the last look."""
        if state.record.module_level:
            return self._diff_namespace(mapping, state)
        snapshot = state.snapshot
        snapshot_get = snapshot.get
        stable_kinds = self.stable_kinds
        unchanged = self.unchanged
        flat = None
        for name, value in mapping.items():
            previous = snapshot_get(name)
            if previous is not None and previous[0] is value:
                kind = type(value)
                if kind in stable_kinds or (previous[2] is not None and unchanged(value, kind, previous[2])):
                    continue
            symbol, secret = self.names.get(name) or self.name_info(name)
            entry = self.compare(name, symbol, secret, value, previous, snapshot)
            if entry is not None:
                flat = entry if flat is None else flat + entry
        # Every name bound now is in the snapshot: any more there were deleted.
        if len(snapshot) > len(mapping):
            flat = self.deleted(mapping, snapshot, flat)
        return flat

    def deleted(self, mapping, snapshot, flat):
        """``flat`` and the names in ``snapshot`` no longer in ``mapping``, now forgotten."""
        for name in [name for name in snapshot if name not in mapping]:
            del snapshot[name]
            flat = (flat or ()) + (self.name_info(name)[0], wire.DELETED, None)
        return flat

    def _diff_namespace(self, mapping, state):
        """diff_all for module-level code, whose namespace holds names of the interpreter's too."""
        snapshot = state.snapshot
        flat = None
        seen = 0
        for name, value in mapping.items():
            if name in IMPLICIT_NAMES:
                continue
            seen += 1
            symbol, secret = self.name_info(name)
            entry = self.compare(name, symbol, secret, value, snapshot.get(name), snapshot)
            if entry is not None:
                flat = entry if flat is None else flat + entry
        if len(snapshot) > seen:
            flat = self.deleted(mapping, snapshot, flat)
        return flat

    def compare(self, name, symbol, secret, value, previous, snapshot):
        """One local (``value`` MISSING: unbound) against its ``previous`` snapshot entry: the
        (symbol, type symbol, text) triple to record when it changed, else None. Updates the
        snapshot."""
        if value is MISSING:
            if previous is None:
                return None
            del snapshot[name]
            return (symbol, wire.DELETED, None)
        kind = type(value)
        if previous is not None and previous[0] is value:
            if secret or kind in _IMMUTABLE:
                return None
            if previous[2] is None:
                if kind is tuple or kind is frozenset:
                    return None  # what it shows is fixed (fingerprint)
                if not _mutable(value):
                    self._learn_stable(kind)
                    return None
            if previous[2] is not None and self.unchanged(value, kind, previous[2]):
                return None
        if secret:
            self.redactor.remember(value)
            snapshot[name] = (value, REDACTED, None)
            return (symbol, self.type_symbols.get(kind) or self.type_symbol(kind), REDACTED)
        text = self.text(value, kind)
        snapshot[name] = (value, text, self.fingerprint(value, kind, True))
        if previous is not None and text == previous[1]:
            return None
        return (symbol, self.type_symbols.get(kind) or self.type_symbol(kind), text)

    def _learn_stable(self, kind):
        """Objects of ``kind`` are none of MUTABLE_TYPES: unless the class answers ``isinstance``
        itself (its own ``__class__`` or ``__getattribute__``), so are all its objects. Never
        a tuple or frozenset subclass: another of its objects may hold a list."""
        try:
            if issubclass(kind, _HOLDERS):
                return
            for base in _TYPE_ATTRIBUTE(kind, "__mro__")[:-1]:
                namespace = _TYPE_ATTRIBUTE(base, "__dict__")
                if "__class__" in namespace or "__getattribute__" in namespace:
                    return
            if len(self.stable_kinds) > _MAX_KINDS:
                self.stable_kinds.intersection_update(_STABLE)  # classes made at run time in a loop
            self.stable_kinds.add(kind)
        except Exception:
            pass

    # Containers changed in place: a list, dict, set or deque whose items are all of plain types
    # renders to the same text while its length and the items that can be shown are the same
    # objects, so comparing those identities stands in for rendering it again. So it does when
    # some of those items are shown by object.__repr__, while their classes keep that __repr__
    # and their names (the text is made of those and the address).

    def fingerprint(self, value, kind, objects=False):
        """(length, shown items) of a container of plain items just rendered, or None; with
        ``objects``, also of one whose other shown items object.__repr__ shows, with (their
        types, (class, module, qualified name) of each such class) as a third item. For an
        object with a ``__repr__`` of its own, its state (object_state). For a tuple or a
        frozenset, None when what it shows is fixed (fixed_items)."""
        if kind is tuple or kind is frozenset:
            return self.fixed_items(value, kind, objects)
        if kind not in _FINGERPRINTED:
            if issubclass(kind, _HOLDERS):
                return self.fixed_subclass(value, kind)
            # A container of another type (a dict subclass, say) is rendered again at each look.
            if kind in self.stable_kinds or _mutable(value):
                return None
            return self.object_state(value, kind)
        count = self.renderer.examined
        if count is None:
            return None
        try:
            if kind is list:
                shown = value[:count]
            elif kind is dict:
                keys = tuple(islice(value, count))
                shown = keys + tuple(islice(value.values(), len(keys)))
            else:
                shown = tuple(islice(value, count))
            if not _PLAIN_ITEMS.issuperset(map(type, shown)) and not all(map(_fixed, shown)):
                return self._with_objects(value, shown) if objects else None
            return len(value), shown
        except RuntimeError:  # changed size while another thread ran
            return None

    def fixed_items(self, value, kind, objects):
        """The fingerprint of a tuple or frozenset just rendered: None when the items it shows
        are plain items or tuples of them (_fixed), so the same object shows the same text;
        with ``objects``, as for a list, when some are shown by object.__repr__; else
        RENDER_AGAIN: it holds a list, a dict or an object whose text can change in place."""
        count = self.renderer.examined
        if count is None:
            return RENDER_AGAIN
        shown = value[:count] if kind is tuple else tuple(islice(value, count))
        if all(map(_fixed, shown)):
            return None
        if objects:
            return self._with_objects(value, shown) or RENDER_AGAIN
        return RENDER_AGAIN

    def fixed_subclass(self, value, kind):
        """fixed_items for a tuple or frozenset subclass (a named tuple, say), whose own
        __repr__ may show every item: None when all its items are fixed and it has no
        attributes of its own, its state (object_state) when they are plain, else
        RENDER_AGAIN."""
        if len(value) > _FIXED_ITEMS or not all(map(_fixed, value)):
            return RENDER_AGAIN
        return self.object_state(value, kind)

    def object_state(self, value, kind):
        """The fingerprint of an object whose text its own ``__repr__`` makes: (_STATE, the
        objects its attributes hold) when all are of plain types, RENDER_AGAIN when some are
        not, None when its text cannot change while it is the same object (``object.__repr__``,
        a container, or a type without attributes of its own, such as most builtin types)."""
        layout = self._layouts.get(kind)
        if layout is None:
            if len(self._layouts) > _MAX_KINDS:
                self._layouts.clear()  # classes made at run time in a loop
            layout = self._layouts[kind] = _layout(kind)
        if layout is False:
            return None
        has_dict, slots = layout
        try:
            if has_dict:
                namespace = _OBJECT_ATTRIBUTE(value, "__dict__")
                state = tuple(namespace) + tuple(namespace.values())
            else:
                state = ()
            for slot in slots:
                try:
                    state += (slot.__get__(value, kind),)
                except AttributeError:
                    state += (MISSING,)
        except Exception:
            return RENDER_AGAIN
        if not _PLAIN_STATE.issuperset(map(type, state)):
            return RENDER_AGAIN
        return _STATE, state

    def _with_objects(self, value, shown):
        kinds = tuple(map(type, shown))
        classes = []
        for kind in set(kinds).difference(_PLAIN_ITEMS):
            names = self._plain_names(kind)
            if names is None:
                return None
            classes.append((kind,) + names)
        return len(value), shown, (kinds, tuple(classes))

    def _plain_names(self, kind):
        """(module, qualified name) of a class whose objects object.__repr__ shows by those
        and their address alone, else None."""
        try:
            if type(kind) is not type or kind.__repr__ is not _PLAIN_REPR or kind in self.renderer.slow_types:
                return None
            module = kind.__module__
            qualname = kind.__qualname__
        except Exception:
            return None
        if type(module) is not str or module == "builtins" or type(qualname) is not str:
            return None  # then the text is made of the type's name, which can change
        return module, qualname

    def unchanged(self, value, kind, fingerprint):
        """True when ``value`` certainly renders as it did when ``fingerprint`` was taken."""
        shown = fingerprint[1]
        if fingerprint[0] is _STATE:
            if shown is None:
                return False
            now = self.object_state(value, kind)
            return now is not RENDER_AGAIN and now is not None and len(now[1]) == len(shown) and all(map(is_, now[1], shown))
        if len(value) != fingerprint[0]:
            return False
        try:
            if kind is list:
                now = value[: len(shown)]
            elif kind is dict:
                half = len(shown) // 2
                now = tuple(islice(value, half)) + tuple(islice(value.values(), half))
            else:
                now = tuple(islice(value, len(shown)))
        except RuntimeError:
            return False
        if len(now) != len(shown) or not all(map(is_, now, shown)):
            return False
        if len(fingerprint) == 2:
            return True
        kinds, classes = fingerprint[2]
        if not all(map(is_, map(type, shown), kinds)):
            return False  # an object's __class__ was reassigned
        for kind, module, qualname in classes:
            names = self._plain_names(kind)
            if names is None or names[0] is not module or names[1] is not qualname:
                return False
        return True

    @staticmethod
    def forget_objects(state):
        """Keep only the texts of a suspended generator's locals, not the objects: a kept
        object could keep a cycle holding the generator alive. Plain scalars refer to nothing,
        so they are kept, and a resumed generator need not render them again."""
        snapshot = state.snapshot
        for name, entry in list(snapshot.items()):
            if type(entry[0]) not in _SCALARS:
                snapshot[name] = (MISSING, entry[1], None)
