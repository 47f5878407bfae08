"""An independent record of what a program does, to check Smiley's recordings against.

It shares nothing with the tracer: the interpreter's own hook (``sys.settrace`` before 3.12,
``sys.monitoring`` from 3.12, mapped to settrace's events as CPython's own settrace does),
every event of code in one folder, per thread, with the text of locals as they change and of
return values, and exceptions by type and message. Texts are the plain ``repr``, but for what
Smiley's README says it shows without running the program's code: an object whose class has
a ``__repr__`` (or ``__str__``, ``__format__``) written outside the standard library that does
more than plain formatting, or holds such an object, is shown as ``Class(attribute=value, …)``;
dataclasses, namedtuples, bound methods and builtin containers are put together here so that
the objects inside them are shown by the same rules.

Usage: python reference.py OUTPUT.jsonl FOLDER (PROGRAM | -m MODULE) [ARGS...]

Each line of OUTPUT is one event:
[thread, kind, file, line, function, frame, detail, value_type, value, locals, task]
where ``detail`` is "new" or "resume" for a call, "yield" or "unwind" for a return;
``locals`` maps each name whose type or repr changed since the frame's previous event to
[type, repr], or to null when it was deleted; ``task`` is the name of the asyncio task
running at that event, as ``asyncio.current_task()`` says it at every event, or null.
"""

import dataclasses
import dis
import json
import os
import runpy
import sys
import sysconfig
import threading
import types
from collections import deque

MAX_TEXT = 4000
# What the interpreter itself binds in module and class namespaces: not the program's data.
IMPLICIT = {
    "__name__", "__doc__", "__package__", "__loader__", "__spec__", "__file__", "__cached__",
    "__builtins__", "__annotations__", "__path__", "__module__", "__qualname__",
    "__firstlineno__", "__static_attributes__", "__classcell__", "__orig_bases__",
    "__conditional_annotations__", "__annotate__", "__warningregistry__",
}
YIELD_OPS = {dis.opmap[name] for name in ("YIELD_VALUE", "YIELD_FROM") if name in dis.opmap}

output, folder = sys.argv[1], os.path.realpath(sys.argv[2]) + os.sep
events = []
frames = {}  # id(frame) -> [number, frame, {name: (type, repr)}, last kind]
numbers = iter(range(1, 1 << 62))
wanted = {}
lock = threading.Lock()


def wants(code):
    known = wanted.get(code.co_filename)
    if known is None:
        name = code.co_filename
        known = not name.startswith("<") and os.path.realpath(os.path.abspath(name)).startswith(folder)
        wanted[name] = known
    return known


STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"]) + os.sep


def text(value):
    try:
        shown = show(value, set())
    except Exception as error:
        shown = "<repr failed: %s>" % type(error).__name__
    return shown if len(shown) <= MAX_TEXT else shown[:MAX_TEXT] + "\u2026"


def own_repr(kind, name="__repr__"):
    for base in kind.__mro__:
        if name in base.__dict__:
            return base, base.__dict__[name]
    return None, None


# Plain formatting, as the README lists it: what a __repr__ may use and still be called.
FORMATTING_BUILTINS = set(
    "repr str format len type id hex oct bin abs round min max sorted reversed getattr hasattr"
    " isinstance tuple list dict set frozenset int float bool enumerate zip range".split()
)
FORMATTING_METHODS = set(
    "join format get items keys values strip lstrip rstrip lower upper title replace split"
    " startswith endswith isoformat hex count index copy".split()
)
NOT_FORMATTING = ("STORE_ATTR", "STORE_GLOBAL", "STORE_NAME", "STORE_SUBSCR", "DELETE", "IMPORT", "WITH",
                  "_KW", "CALL_FUNCTION_EX", "SUPER", "AWAIT", "SEND", "ASYNC", "RAISE", "PRINT", "SETUP_ANNOTATIONS")


def formats_plainly(function, kind):
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        for step in dis.get_instructions(code):
            if any(word in step.opname for word in NOT_FORMATTING):
                return False
            if step.opname == "LOAD_GLOBAL" and (step.argval not in FORMATTING_BUILTINS or step.argval in function.__globals__):
                return False
            method = step.opname == "LOAD_METHOD" or (step.opname == "LOAD_ATTR" and sys.version_info >= (3, 12) and step.arg & 1)
            if method and step.argval not in FORMATTING_METHODS:
                return False
            if step.opname == "LOAD_ATTR" and not method and isinstance(own_repr(kind, step.argval)[1], property):
                return False
    return True


def users_code(method):
    code = getattr(getattr(method, "__wrapped__", method), "__code__", None)
    if code is None or code.co_filename.startswith("<frozen"):
        return None
    path = os.path.realpath(code.co_filename)
    return None if path.startswith(STDLIB) and "-packages" not in path else code


def called(kind, value, depth=2):
    """Whether Smiley calls ``value``'s own __repr__: its class formats plainly, and so does
    every object it holds (through lists, tuples, dicts and sets), two levels deep."""
    for name in ("__repr__", "__str__", "__format__"):
        method = own_repr(kind, name)[1]
        if users_code(method) is not None and not formats_plainly(method, kind):
            return False
    for name in ("__getattr__", "__getattribute__"):
        if users_code(own_repr(kind, name)[1]) is not None:
            return False
    held = list(vars(value).values()) if hasattr(value, "__dict__") else []
    held += [getattr(value, n) for base in kind.__mro__ for n in slot_names(base) if hasattr(value, n)]
    return all(held_plainly(item, depth) for item in held)


def held_plainly(item, depth):
    kind = type(item)
    method = own_repr(kind)[1]
    if isinstance(item, (list, tuple, set, frozenset, dict)) and (kind in (set, frozenset) or method in (list.__repr__, tuple.__repr__, dict.__repr__)):
        if depth == 0 or len(item) > 64:
            return False
        items = [x for pair in dict.items(item) for x in pair] if isinstance(item, dict) else list(item)
        return all(held_plainly(x, depth - 1) for x in items)
    if kind is types.MethodType or dataclasses.is_dataclass(kind) or hasattr(kind, "_fields"):
        return False
    if method is object.__repr__ or users_code(method) is None:
        return True
    return depth > 0 and called(kind, item, depth - 1)


def slot_names(base):
    slots = base.__dict__.get("__slots__", ())
    return [n for n in ([slots] if isinstance(slots, str) else slots) if n not in ("__dict__", "__weakref__")]


def show(value, inside):
    kind = type(value)
    owner, method = own_repr(kind)
    if id(value) in inside:  # shown inside itself
        return {list.__repr__: "[...]", dict.__repr__: "{...}", tuple.__repr__: "(...)"}.get(method, kind.__qualname__ + "(...)")
    inside = inside | {id(value)}
    if method is list.__repr__:
        return "[%s]" % ", ".join(show(item, inside) for item in value)
    if method is tuple.__repr__:
        items = [show(item, inside) for item in value]
        return "(%s,)" % items[0] if len(items) == 1 else "(%s)" % ", ".join(items)
    if method is dict.__repr__:
        return "{%s}" % ", ".join("%s: %s" % (show(k, inside), show(v, inside)) for k, v in value.items())
    if kind in (set, frozenset) and value:
        items = ", ".join(show(item, inside) for item in value)
        return "{%s}" % items if kind is set else "frozenset({%s})" % items
    if kind is deque:
        return "deque([%s])" % ", ".join(show(item, inside) for item in value)
    if kind is types.MethodType and isinstance(value.__func__, types.FunctionType):
        return "<bound method %s of %s>" % (value.__func__.__qualname__, show(value.__self__, inside))
    code = getattr(getattr(method, "__wrapped__", method), "__code__", None)
    if code is None:
        return repr(value)
    if dataclasses.is_dataclass(owner) and code.co_filename == "<string>":
        fields = [field for field in dataclasses.fields(value) if field.repr]
        return "%s(%s)" % (kind.__qualname__, ", ".join("%s=%s" % (f.name, show(getattr(value, f.name), inside)) for f in fields))
    if hasattr(owner, "_fields") and issubclass(owner, tuple) and "collections" in code.co_filename:
        pairs = zip(owner._fields, tuple(value))
        return "%s(%s)" % (kind.__name__, ", ".join("%s=%s" % (name, show(item, inside)) for name, item in pairs))
    if users_code(method) is None or called(kind, value):
        return repr(value)
    pairs = list(vars(value).items()) if hasattr(value, "__dict__") else []
    for base in kind.__mro__:
        pairs += [(name, getattr(value, name)) for name in slot_names(base) if hasattr(value, name)]
    return "%s(%s)" % (kind.__qualname__, ", ".join("%s=%s" % (name, show(item, inside)) for name, item in pairs))


def type_of(value):
    return type(value).__qualname__


def changes(frame, seen):
    """The locals whose type or text changed since ``seen``, which they replace."""
    found = {}
    namespace = frame.f_code.co_flags & 1 == 0  # a module or class body
    current = {}
    for name, value in list(frame.f_locals.items()):
        if namespace and name in IMPLICIT:
            continue
        shown = current[name] = (type_of(value), text(value))
        if seen.get(name) != shown:
            found[name] = list(shown)
    for name in seen:
        if name not in current:
            found[name] = None
    seen.clear()
    seen.update(current)
    return found


def running_task():
    """The name of the asyncio task running now in this thread; None outside tasks, or when
    the program has not imported asyncio (it is never imported here)."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return None
    try:
        task = asyncio.current_task()
    except Exception:  # no running loop, or asyncio still being imported
        return None
    return None if task is None else task.get_name()


def emit(frame, kind, detail=None, value=None, line=None):
    code = frame.f_code
    key = id(frame)
    entry = frames.get(key)
    if entry is None or entry[1] is not frame:
        entry = frames[key] = [next(numbers), frame, {}, None]
        detail = "new"
    value_type = shown = None
    if kind == "return" and detail != "unwind":
        value_type, shown = type_of(value), text(value)
    elif kind == "exception":
        value_type = type(value).__qualname__
        try:
            shown = str(value)
        except Exception:
            shown = "<str failed>"
    name = getattr(code, "co_qualname", code.co_name)
    number = line if line is not None else frame.f_lineno
    if number == 0 and kind == "call":
        number = code.co_firstlineno  # from 3.11 a module starts at line 0
    events.append([
        threading.current_thread().name, kind, os.path.abspath(code.co_filename), number, name,
        entry[0], detail, value_type, shown, changes(frame, entry[2]), running_task(),
    ])
    entry[3] = kind
    if kind == "return" and detail != "yield":
        del frames[key]


# sys.settrace, before 3.12.

def on_call(frame, event, arg):
    if not wants(frame.f_code):
        return None
    with lock:
        known = frames.get(id(frame))
        emit(frame, "call", "resume" if known is not None and known[1] is frame else "new")
    return on_event


def on_event(frame, event, arg):
    with lock:
        if event == "line":
            emit(frame, "line")
        elif event == "exception":
            emit(frame, "exception", value=arg[1])
        elif event == "return":
            entry = frames.get(id(frame))
            if arg is None and entry is not None and entry[3] == "exception":
                emit(frame, "return", "unwind")
            elif frame.f_code.co_flags & 0x3A0 and suspended(frame):
                emit(frame, "return", "yield", arg)
            else:
                emit(frame, "return", None, arg)
    return on_event


def suspended(frame):
    """Whether a generator's frame is leaving at a yield (not at its end)."""
    raw = frame.f_code.co_code
    at = frame.f_lasti
    if raw[at] in YIELD_OPS:
        return True
    # Up to 3.10, a yield from (and an await) leaves with f_lasti on the instruction before it.
    return at + 2 < len(raw) and dis.opname[raw[at + 2]] == "YIELD_FROM"


# sys.monitoring, from 3.12.

def install_monitoring():
    monitoring = sys.monitoring
    tool = 5
    monitoring.use_tool_id(tool, "reference")
    E = monitoring.events
    DISABLE = monitoring.DISABLE

    def caller():
        return sys._getframe(2)

    def guarded(kind, detail=None, disable=True):
        def callback(code, offset, *rest):
            if not wants(code):
                return DISABLE if disable else None
            frame = caller()
            with lock:
                if kind == "call":
                    known = frames.get(id(frame))
                    emit(frame, "call", detail if known is not None and known[1] is frame else "new")
                else:
                    emit(frame, kind, detail, rest[0] if rest else None)
            return None

        return callback

    def on_line(code, line):
        if not wants(code):
            return DISABLE
        with lock:
            emit(sys._getframe(1), "line", line=line)

    lines = {}

    def line_of(code, offset):
        table = lines.get(code)
        if table is None:
            table = lines[code] = {}
            for start, end, number in code.co_lines():
                for at in range(start, end, 2):
                    table[at] = number
        return table.get(offset)

    def on_jump(code, source, target):
        if target > source or not wants(code):
            return DISABLE
        number = line_of(code, target)
        if number is None or number != line_of(code, source):
            return DISABLE
        with lock:
            emit(sys._getframe(1), "line", line=number)

    callbacks = {
        E.PY_START: guarded("call", "new"),
        E.PY_RESUME: guarded("call", "resume"),
        E.PY_THROW: guarded("call", "resume", disable=False),
        E.PY_RETURN: guarded("return"),
        E.PY_YIELD: guarded("return", "yield"),
        E.PY_UNWIND: guarded("return", "unwind", disable=False),
        E.RAISE: guarded("exception", disable=False),
        E.STOP_ITERATION: guarded("exception"),
        E.LINE: on_line,
        E.JUMP: on_jump,
    }
    mask = 0
    for event, callback in callbacks.items():
        monitoring.register_callback(tool, event, callback)
        mask |= event
    monitoring.set_events(tool, mask)
    return lambda: monitoring.set_events(tool, 0)


def main():
    args = sys.argv[3:]
    if sys.version_info >= (3, 12):
        stop = install_monitoring()
    else:
        threading.settrace(on_call)
        sys.settrace(on_call)

        def stop():
            sys.settrace(None)
            threading.settrace(None)

    try:
        if args[0] == "-m":
            sys.argv = [args[1]] + args[2:]
            sys.path[0] = os.getcwd()
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = args
            sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
            runpy.run_path(args[0], run_name="__main__")
    except BaseException:
        pass
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    stop()
    with open(output, "w") as handle:
        for event in events:
            handle.write(json.dumps(event) + "\n")


main()
