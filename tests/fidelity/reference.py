"""An independent record of what a program does, to check Smiley's recordings against.

It shares nothing with the tracer: the interpreter's own hook (``sys.settrace`` before 3.12,
``sys.monitoring`` from 3.12, mapped to settrace's events as CPython's own settrace does),
every event of code in one folder, per thread, with the plain ``repr`` of locals as they
change and of return values, and exceptions by type and message.

Usage: python reference.py OUTPUT.jsonl FOLDER (PROGRAM | -m MODULE) [ARGS...]

Each line of OUTPUT is one event:
[thread, kind, file, line, function, frame, detail, value_type, value, locals]
where ``detail`` is "new" or "resume" for a call, "yield" or "unwind" for a return;
``locals`` maps each name whose type or repr changed since the frame's previous event to
[type, repr], or to null when it was deleted.
"""

import dis
import json
import os
import runpy
import sys
import threading

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


def text(value):
    try:
        shown = repr(value)
    except Exception as error:
        shown = "<repr failed: %s>" % type(error).__name__
    return shown if len(shown) <= MAX_TEXT else shown[:MAX_TEXT] + "\u2026"


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
        entry[0], detail, value_type, shown, changes(frame, entry[2]),
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
