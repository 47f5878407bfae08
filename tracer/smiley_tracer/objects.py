"""How an object that is not a builtin scalar or container is shown, without running code
of the program's that could change what it does.

A ``__repr__`` written in the program (or in an installed package) is called only when it is
plain formatting: its code (read, not run) reads attributes and formats them with a few
builtins (``repr``, ``len``, ``str.join``…), and calls nothing else; the same holds for the
``__str__`` and ``__format__`` of the class and of the objects it holds. Anything more could
take a lock the caller holds, wait on an event, do I/O, change the object or start a thread,
none of which the program itself would do at that moment: such an object is shown from its
attributes instead, ``Name(attribute=value, …)``, each rendered by the same rules. The
``__repr__`` of a dataclass or a namedtuple is not called either: their text is made the same
way they would make it. Builtin types and the standard library's own classes are shown by
their ``__repr__``; ``os.environ`` by its names only. ``--call-repr`` calls every ``__repr__``.
"""

import os
import sys
import types
from collections.abc import ItemsView, KeysView, ValuesView

from .filters import TRACER_DIR, _normalise, _site_dirs, _stdlib_dirs

# How the objects of a type are shown.
BY_REPR = "repr"  # their own __repr__: builtin or the standard library's
BY_PLAIN_FORMATTING = "formatting"  # their own __repr__, plain formatting: when what they hold is too
PLAIN = "plain"  # object.__repr__: "<module.Class object at 0x…>"
BY_ATTRIBUTES = "attributes"  # Name(attribute=value, …), from __dict__ then slots
BY_FIELDS = "fields"  # a dataclass's generated __repr__, made here
BY_NAMED_ITEMS = "named items"  # a namedtuple's __repr__, made here
AS_LIST = "list"  # a subclass of list, tuple or dict that keeps its base's __repr__
AS_TUPLE = "tuple"
AS_DICT = "dict"
BOUND_METHOD = "bound method"
ENVIRONMENT = "environment"  # os.environ and os.environb
ENVIRONMENT_VIEW = "environment view"  # os.environ.keys(), .values(), .items(): if they are

_ENVIRONMENT_TYPES = frozenset(type(mapping) for mapping in (os.environ, getattr(os, "environb", os.environ)))
_VIEWS = frozenset([KeysView, ValuesView, ItemsView])
_BASES = {list.__repr__: AS_LIST, tuple.__repr__: AS_TUPLE, dict.__repr__: AS_DICT}
_PLAIN_KINDS = frozenset([int, float, complex, bool, str, bytes, type(None), type(Ellipsis), range, type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType])
_CONTAINERS = frozenset([list, tuple, dict, set, frozenset])
MOST_ITEMS = 64  # a container holding more is not looked through: its holder is not called
_TYPE_ATTRIBUTE = type.__getattribute__


class Shapes:
    """Decides, once per type, how its objects are shown."""

    def __init__(self, call_reprs=False):
        self.call_reprs = call_reprs
        self._known = {}
        self._trusted_dirs = None
        self._untrusted_dirs = None

    def of(self, kind):
        try:
            method = _TYPE_ATTRIBUTE(kind, "__repr__")
        except Exception:
            return BY_ATTRIBUTES
        known = self._known.get(kind)
        if known is None or known[1] is not method:  # decided again when the class changes
            if len(self._known) > 10000:
                self._known.clear()  # classes made at run time in a loop
            try:
                shape = self._decide(kind)
            except Exception:
                shape = BY_ATTRIBUTES
            known = self._known[kind] = (shape, method)
        return known[0]

    def _decide(self, kind):
        if kind is types.MethodType:
            return BOUND_METHOD
        if kind in _ENVIRONMENT_TYPES:
            return ENVIRONMENT
        if kind in _VIEWS:
            return ENVIRONMENT_VIEW
        owner, method = _own(kind, "__repr__")
        if method is object.__repr__:
            return PLAIN
        base = _BASES.get(method)
        if base is not None:
            return base
        code = getattr(getattr(method, "__wrapped__", method), "__code__", None)
        if type(code) is not types.CodeType:
            return BY_REPR  # written in C
        namespace = _TYPE_ATTRIBUTE(owner, "__dict__")
        if "__dataclass_fields__" in namespace and code.co_filename == "<string>":
            return BY_FIELDS
        if "_fields" in namespace and issubclass(owner, tuple) and self._trusted(code.co_filename):
            return BY_NAMED_ITEMS
        if self.call_reprs or self._trusted(code.co_filename):
            return BY_REPR
        return BY_PLAIN_FORMATTING if self._formats_plainly(kind) else BY_ATTRIBUTES

    def _formats_plainly(self, kind):
        """Whether ``kind``'s own __repr__, __str__ and __format__ are builtin, the standard
        library's, or plain formatting (see plain_formatting), and reading its attributes runs
        no code of its own."""
        for name in ("__getattribute__", "__getattr__"):
            if not self._harmless(_own(kind, name)[1], kind, allow_code=False):
                return False
        return all(self._harmless(_own(kind, name)[1], kind) for name in ("__repr__", "__str__", "__format__"))

    def _harmless(self, method, kind, allow_code=True):
        if method is None:
            return True
        code = getattr(method, "__code__", None)
        if type(code) is not types.CodeType:
            return not hasattr(method, "__wrapped__")  # written in C, not a decorator's wrapper
        if self._trusted(code.co_filename):
            return True
        return allow_code and plain_formatting(method, kind)

    def _trusted(self, filename):
        """Whether code in ``filename`` is the standard library's."""
        if filename.startswith("<frozen "):
            return True
        if self._trusted_dirs is None:
            self._trusted_dirs = tuple(_normalise(path) for path in _stdlib_dirs())
            self._untrusted_dirs = tuple(_normalise(path) for path in _site_dirs()) + (_normalise(TRACER_DIR),)
        path = _normalise(filename)
        return path.startswith(self._trusted_dirs) and not path.startswith(self._untrusted_dirs)

    def holds_plain(self, value, depth=2):
        """Whether every object ``value`` holds (its attributes, and the items of the lists,
        tuples, dicts and sets among them, up to MOST_ITEMS each, so deep) is shown plainly
        too: then calling the ``__repr__`` of ``value`` runs no code but formatting."""
        return all(self._shown_plainly(held, depth) for _, held in attributes(value, type(value)))

    def _shown_plainly(self, value, depth):
        kind = type(value)
        if kind in _PLAIN_KINDS:
            return True
        shape = kind if kind in _CONTAINERS else self.of(kind)
        if shape in _CONTAINERS or shape is AS_LIST or shape is AS_TUPLE or shape is AS_DICT:
            items = _items(value)
            if depth <= 0 or len(items) > MOST_ITEMS:
                return False
            return all(self._shown_plainly(item, depth - 1) for item in items)
        if shape is PLAIN or shape is BY_REPR or shape is ENVIRONMENT or shape is ENVIRONMENT_VIEW:
            return True
        if shape is BY_PLAIN_FORMATTING:
            return depth > 0 and self.holds_plain(value, depth - 1)
        return False


def _own(kind, name):
    """(the class that defines ``kind``'s attribute ``name``, its value), found as the
    interpreter finds it without running a metaclass's code; or (None, None)."""
    for base in _TYPE_ATTRIBUTE(kind, "__mro__"):
        namespace = _TYPE_ATTRIBUTE(base, "__dict__")
        if name in namespace:
            return base, namespace[name]
    return None, None


def _items(container):
    """What a list, tuple, dict (keys and values) or set holds, read without running code of a
    subclass of theirs."""
    kind = type(container)
    if issubclass(kind, dict):
        return [part for pair in dict.items(container) for part in pair]
    if issubclass(kind, list):
        return list.copy(container)
    if issubclass(kind, tuple):
        return list(tuple.__iter__(container))
    return list(container)  # a set or frozenset, exactly


# Plain formatting: what a __repr__ may do and still be called.
_PLAIN_BUILTINS = frozenset(
    "repr str format len type id hex oct bin abs round min max sorted reversed getattr hasattr"
    " isinstance tuple list dict set frozenset int float bool enumerate zip range".split()
)
_PLAIN_METHODS = frozenset(
    "join format get items keys values strip lstrip rstrip lower upper title replace split"
    " startswith endswith isoformat hex count index copy".split()
)
_PLAIN_OPERATIONS = frozenset(
    """NOP CACHE RESUME EXTENDED_ARG LOAD_FAST LOAD_FAST_CHECK LOAD_FAST_AND_CLEAR
    LOAD_FAST_LOAD_FAST STORE_FAST STORE_FAST_LOAD_FAST STORE_FAST_STORE_FAST DELETE_FAST
    LOAD_CONST RETURN_CONST RETURN_VALUE POP_TOP COPY SWAP ROT_TWO ROT_THREE ROT_FOUR ROT_N DUP_TOP
    DUP_TOP_TWO PUSH_NULL LOAD_CLOSURE LOAD_DEREF MAKE_CELL COPY_FREE_VARS BUILD_TUPLE BUILD_LIST
    BUILD_SET BUILD_MAP BUILD_CONST_KEY_MAP BUILD_STRING BUILD_SLICE LIST_APPEND SET_ADD MAP_ADD
    LIST_EXTEND SET_UPDATE DICT_UPDATE LIST_TO_TUPLE FORMAT_VALUE CONVERT_VALUE FORMAT_SIMPLE
    FORMAT_WITH_SPEC BINARY_OP BINARY_ADD BINARY_MODULO BINARY_MULTIPLY BINARY_SUBTRACT
    BINARY_FLOOR_DIVIDE BINARY_TRUE_DIVIDE BINARY_SUBSCR BINARY_SLICE COMPARE_OP IS_OP
    CONTAINS_OP UNARY_NOT UNARY_NEGATIVE TO_BOOL JUMP_FORWARD JUMP_ABSOLUTE JUMP_BACKWARD
    JUMP_BACKWARD_NO_INTERRUPT JUMP_IF_TRUE_OR_POP JUMP_IF_FALSE_OR_POP POP_JUMP_IF_TRUE
    POP_JUMP_IF_FALSE POP_JUMP_IF_NONE POP_JUMP_IF_NOT_NONE POP_JUMP_FORWARD_IF_TRUE
    POP_JUMP_FORWARD_IF_FALSE POP_JUMP_BACKWARD_IF_TRUE POP_JUMP_BACKWARD_IF_FALSE
    POP_JUMP_FORWARD_IF_NONE POP_JUMP_FORWARD_IF_NOT_NONE POP_JUMP_BACKWARD_IF_NONE
    POP_JUMP_BACKWARD_IF_NOT_NONE GET_ITER FOR_ITER END_FOR UNPACK_SEQUENCE MAKE_FUNCTION
    SET_FUNCTION_ATTRIBUTE PRECALL CALL CALL_FUNCTION CALL_METHOD CALL_INTRINSIC_1
    RETURN_GENERATOR YIELD_VALUE GEN_START POP_EXCEPT PUSH_EXC_INFO CHECK_EXC_MATCH RERAISE
    SETUP_FINALLY POP_BLOCK JUMP_IF_NOT_EXC_MATCH LOAD_GLOBAL LOAD_ATTR LOAD_METHOD
    END_SEND""".split()
)
# A call with keywords or *arguments: from 3.8 to 3.10 its callee can be an attribute, which
# is not looked at; such a __repr__ is not plain.
_KEYWORD_CALLS = frozenset(["CALL_FUNCTION_KW", "CALL_FUNCTION_EX", "CALL_KW", "KW_NAMES"])
_METHOD_FLAG_ATTRIBUTES = sys.version_info >= (3, 12)  # LOAD_ATTR's arg & 1: a method load


def plain_formatting(function, kind):
    """Whether ``function`` (a method of ``kind``) only formats: it loads locals, constants,
    attributes (none of which is a property or other code of ``kind``'s), the builtins of
    _PLAIN_BUILTINS, calls them and the methods of _PLAIN_METHODS, and builds texts; so do the
    comprehensions and generator expressions inside it."""
    import builtins
    import dis

    shadowing = getattr(function, "__globals__", {})
    pending = [function.__code__]
    while pending:
        code = pending.pop()
        for instruction in dis.get_instructions(code):
            name = instruction.opname
            if name not in _PLAIN_OPERATIONS:
                return False
            if name == "LOAD_GLOBAL":
                if instruction.argval not in _PLAIN_BUILTINS or instruction.argval in shadowing:
                    return False
                if getattr(builtins, instruction.argval, None) is None:
                    return False
            elif name == "LOAD_METHOD" or (name == "LOAD_ATTR" and _METHOD_FLAG_ATTRIBUTES and instruction.arg & 1):
                if instruction.argval not in _PLAIN_METHODS:
                    return False
            elif name == "LOAD_ATTR":
                if not _plain_attribute(kind, instruction.argval):
                    return False
        pending.extend(const for const in code.co_consts if type(const) is types.CodeType)
    return True


def _plain_attribute(kind, name):
    """Whether reading ``name`` from an object of ``kind`` runs none of its class's code: it is
    not a property or another descriptor written in Python."""
    owner, found = _own(kind, name)
    if owner is None:
        return True
    found_type = type(found)
    if found_type in (types.FunctionType, types.MemberDescriptorType, types.GetSetDescriptorType, staticmethod, classmethod):
        return True
    return not hasattr(found_type, "__get__")

def attributes(value, kind):
    """(name, value) of each attribute an object holds itself: its ``__dict__``'s, then its
    slots' in the order each class declares them; no property or other code of the class runs."""
    found = []
    try:
        namespace = object.__getattribute__(value, "__dict__")
    except Exception:
        namespace = None
    if type(namespace) is dict:
        found.extend(namespace.items())
    for base in _TYPE_ATTRIBUTE(kind, "__mro__"):
        namespace = _TYPE_ATTRIBUTE(base, "__dict__")
        slots = namespace.get("__slots__", ())
        for name in (slots,) if type(slots) is str else slots:
            if type(name) is not str:
                continue
            if name.startswith("__") and not name.endswith("__"):
                name = "_%s%s" % (_TYPE_ATTRIBUTE(base, "__name__").lstrip("_"), name)
            descriptor = namespace.get(name)
            if type(descriptor) is types.MemberDescriptorType:
                try:
                    found.append((name, descriptor.__get__(value, kind)))
                except AttributeError:
                    pass  # a slot not set yet
    return found


def dataclass_fields(value, kind):
    """(name, value) of the fields a dataclass's ``__repr__`` shows; raises AttributeError as it
    would for a field not set yet."""
    dataclasses = sys.modules.get("dataclasses")
    shown = []
    for name, field in _TYPE_ATTRIBUTE(kind, "__dataclass_fields__").items():
        if field.repr and (dataclasses is None or field._field_type is dataclasses._FIELD):
            shown.append((name, _held(value, kind, name)))
    return shown


def named_items(value, kind):
    """(name, value) of a namedtuple's items."""
    return list(zip(_TYPE_ATTRIBUTE(kind, "_fields"), tuple.__iter__(value)))


def _held(value, kind, name):
    """The attribute ``name`` as the object holds it (its __dict__ or a slot), without running
    a property's code."""
    try:
        namespace = object.__getattribute__(value, "__dict__")
    except AttributeError:
        namespace = {}
    if name in namespace:
        return namespace[name]
    for base in _TYPE_ATTRIBUTE(kind, "__mro__"):
        descriptor = _TYPE_ATTRIBUTE(base, "__dict__").get(name)
        if type(descriptor) is types.MemberDescriptorType:
            return descriptor.__get__(value, kind)
    raise AttributeError("'%s' object has no attribute '%s'" % (_TYPE_ATTRIBUTE(kind, "__name__"), name))


def environment_of(view):
    """The os.environ a keys, values or items view is over, else None."""
    try:
        mapping = object.__getattribute__(view, "_mapping")
    except Exception:
        return None
    return mapping if type(mapping) in _ENVIRONMENT_TYPES else None
