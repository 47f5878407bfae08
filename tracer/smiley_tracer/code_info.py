"""What the tracer knows about a code object, computed once: whether to record it, and for
each line which locals running that line can change.

Reading a frame's locals and rendering them is the expensive part of recording. Bytecode
says which names a line binds or deletes, and whether the line can run arbitrary code
(calls, item and attribute stores, imports, yields) that might mutate a container held by
a local; only those lines pay for a look at the locals afterwards.
"""

import dis
import sys

# After a line with one of these, every local may have changed (identity or contents).
_FULL_SCAN_OPS = frozenset(
    name
    for name in dis.opmap
    if "CALL" in name
    or name
    in (
        "STORE_SUBSCR", "DELETE_SUBSCR", "STORE_SLICE", "STORE_ATTR", "DELETE_ATTR",
        "IMPORT_NAME", "IMPORT_FROM", "IMPORT_STAR", "SETUP_WITH", "BEFORE_WITH",
        "BEFORE_ASYNC_WITH", "WITH_EXCEPT_START", "WITH_CLEANUP_START", "YIELD_VALUE",
        "YIELD_FROM", "SEND", "GET_AWAITABLE", "END_ASYNC_FOR", "EXEC_STMT",
    )
)
# These bind or unbind the name in their argument.
_STORE_OPS = frozenset([
    "STORE_FAST", "DELETE_FAST", "STORE_DEREF", "DELETE_DEREF", "STORE_NAME", "DELETE_NAME",
    "STORE_FAST_MAYBE_NULL", "LOAD_FAST_AND_CLEAR",
])
# Module-level code keeps its locals in the globals dict.
_GLOBAL_STORE_OPS = frozenset(["STORE_GLOBAL", "DELETE_GLOBAL"])
# CPython 3.13 superinstructions whose argument is a pair of names.
_PAIR_STORE_OPS = {"STORE_FAST_STORE_FAST": (0, 1), "STORE_FAST_LOAD_FAST": (0,)}

FULL = True  # a line plan meaning "look at every local"

# Names the interpreter binds in module and class namespaces by itself: not the program's data.
IMPLICIT_NAMES = frozenset([
    "__name__", "__doc__", "__package__", "__loader__", "__spec__", "__file__", "__cached__",
    "__builtins__", "__annotations__", "__path__", "__module__", "__qualname__",
    "__firstlineno__", "__static_attributes__", "__classcell__", "__orig_bases__",
    "__conditional_annotations__", "__annotate__", "__warningregistry__",
])

CO_OPTIMIZED = 0x0001
CO_VARARGS = 0x0004
CO_VARKEYWORDS = 0x0008
GENERATOR_FLAGS = 0x0020 | 0x0080 | 0x0100 | 0x0200  # generator, coroutine, iterable coroutine, async generator


def line_plans(code):
    """Map each line of ``code`` to what may change after it runs: ``FULL`` or a tuple of names.

    Lines that neither bind names nor run arbitrary code are left out.
    """
    module_level = not (code.co_flags & CO_OPTIMIZED)
    stores = {}
    full = set()
    line = code.co_firstlineno
    for instruction in dis.get_instructions(code):
        line = _instruction_line(instruction, line)
        name = instruction.opname
        if name in _FULL_SCAN_OPS:
            full.add(line)
        elif name in _STORE_OPS or (module_level and name in _GLOBAL_STORE_OPS):
            stores.setdefault(line, set()).add(instruction.argval)
        elif name in _PAIR_STORE_OPS:
            names = instruction.argval
            for index in _PAIR_STORE_OPS[name]:
                stores.setdefault(line, set()).add(names[index])
    if module_level:
        stores = {line: names - IMPLICIT_NAMES for line, names in stores.items()}
    plans = {line: tuple(sorted(names)) for line, names in stores.items() if names}
    for line in full:
        plans[line] = FULL
    return plans


def _instruction_line(instruction, current):
    if sys.version_info >= (3, 11):
        positions = instruction.positions
        if positions is not None and positions.lineno is not None:
            return positions.lineno
        return current
    return instruction.starts_line if instruction.starts_line is not None else current


def offset_lines(code):
    """A list mapping each instruction index (offset // 2) to its line, or -1."""
    size = len(code.co_code) // 2
    lines = [-1] * size
    for start, end, line in code.co_lines():
        if line is None:
            continue
        for index in range(start // 2, min(end // 2, size)):
            lines[index] = line
    return lines


def nested_qualified_names(code, qualified_name, names):
    """Fill ``names`` (keyed by ``id``, with the code object: equal code objects of different
    functions are different code) with the qualified name of every code object nested in
    ``code``, by the compiler's rules (``f.<locals>.g``, ``Class.method``): ``co_qualname``
    only exists from 3.11."""
    inside_function = bool(code.co_flags & CO_OPTIMIZED)
    for const in code.co_consts:
        if isinstance(const, type(code)):
            if qualified_name is None:
                nested = const.co_name
            elif inside_function:
                nested = "%s.<locals>.%s" % (qualified_name, const.co_name)
            else:
                nested = "%s.%s" % (qualified_name, const.co_name)
            names[id(const)] = (const, nested)
            nested_qualified_names(const, nested, names)


def parameters_only(code):
    """Whether every local of ``code`` is a parameter it never rebinds, in a function that is
    not a generator and has no cells: then no local of an activation ever changes binding.
    Before 3.13 nothing else rebinds a fast local while the settrace hook traces the frame (a
    write to ``f_locals`` is discarded); from 3.13 one writes through (PEP 667)."""
    if sys.version_info >= (3, 13) or not code.co_flags & CO_OPTIMIZED or is_generator(code):
        return False
    if code.co_cellvars or code.co_freevars:
        return False
    flags = code.co_flags
    parameters = code.co_argcount + code.co_kwonlyargcount + bool(flags & CO_VARARGS) + bool(flags & CO_VARKEYWORDS)
    if code.co_nlocals != parameters:
        return False
    return not any(instruction.opname in _STORE_OPS for instruction in dis.get_instructions(code))


def is_generator(code):
    return bool(code.co_flags & GENERATOR_FLAGS)


def is_module_level(code):
    return not (code.co_flags & CO_OPTIMIZED)
