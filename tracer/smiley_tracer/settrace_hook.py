"""The trace hook for CPython 3.8 to 3.11: ``sys.settrace`` and ``threading.settrace``.

The global function sees every ``call`` and decides, once per code object, whether to
record it; recorded activations get a ``TracedFrame`` whose bound ``trace`` method becomes
the frame's local trace function and sees its ``line``, ``return`` and ``exception`` events.

A RecursionError in the hook means the program's stack is at its limit (the tracer's calls
count as the program's): that event is lost and tracing goes on. Before 3.10 the error goes on
to the program instead, and the interpreter then removes the thread's trace function (as it
does anyway once the stack has no room left to call it at all): 3.8 would not raise the next
RecursionError (values.ONE_RECURSION_ERROR), and up to 3.9 a frame that keeps a local trace
function reports, as its line, the one it was at when tracing stopped, so those are cleared.
"""

import dis
import sys
import threading
import time

from . import wire
from .wire import CALL, EXCEPTION, LINE, RETURN, YIELD
from .changes import LARGEST_SMALL_INT, MISSING, SMALLEST_SMALL_INT
from .code_info import FULL
from .recorder import MAX_SUSPENDED, FrameState
from .stream import BATCH_SIZE, StreamClosed

RECURSION_STOPS_TRACING = sys.version_info < (3, 10)  # see above
# Module constants rather than closure variables: a trace function's closure is copied into
# its frame at every event.
clock = time.perf_counter
# A generator's "return" event is its end when the frame stopped on one of these (else a yield).
RETURN_OPCODES = frozenset(dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST") if name in dis.opmap)
# Whether a frame's f_locals, once read, stays current: before 3.11 the interpreter refreshes
# the dict before each call of a Python trace function; from 3.13 it is a live proxy. On 3.11
# and 3.12 it is refreshed only when read, so it is read again at each event; and so it is for
# module-level code, whose f_locals on 3.13 is another mapping while a comprehension runs.
LOCALS_STAY_CURRENT = sys.version_info < (3, 11) or sys.version_info >= (3, 13)


class SettraceHook:
    name = "settrace"

    def __init__(self, recorder, on_failure, native=None):
        self.recorder = recorder
        self.on_failure = on_failure
        if native is None:
            self.on_call = _build(recorder, on_failure)
        else:
            from .accelerator import make_core

            self.on_call = make_core(native, recorder, on_failure)
        self._previous = None
        self._previous_threads = None

    def install(self):
        self._previous = sys.gettrace()
        self._previous_threads = getattr(threading, "_trace_hook", None)
        threading.settrace(self.on_call)
        sys.settrace(self.on_call)

    def uninstall(self):
        """Stop tracing this thread and new threads; put back what was installed before."""
        if sys.gettrace() is self.on_call:
            sys.settrace(self._previous)
        if getattr(threading, "_trace_hook", None) is self.on_call:
            threading.settrace(self._previous_threads)

    def detach_current_thread(self):
        sys.settrace(None)

    def lost_thread(self):
        """Whether this thread's trace function is no longer the tracer's."""
        return sys.gettrace() is not self.on_call


def _build(recorder, on_failure):
    stream = recorder.stream
    append = stream.append
    buffer = stream.buffer
    flush = stream.flush
    tracker = recorder.locals
    codes = recorder.codes
    code_record = recorder.code_record
    begin = recorder.begin
    resume = recorder.resume
    all_locals = tracker.snapshot_all
    first_look = tracker.first_look
    changes = tracker.diff
    compare = tracker.compare
    unchanged = tracker.unchanged
    deleted = tracker.deleted
    forget_objects = tracker.forget_objects
    names = tracker.names
    name_info = tracker.name_info
    stable_kinds = tracker.stable_kinds
    next_frame_id = recorder.next_frame_id
    text_of = tracker.text
    type_symbol = tracker.type_symbol
    type_symbols = tracker.type_symbols
    exception_of = recorder.exception
    live = recorder.live
    current_task = recorder.tasks.current
    awaiting = recorder.tasks.awaiting
    int_symbol = None  # defined on first use, as every type symbol is

    def int_type_symbol():
        nonlocal int_symbol
        int_symbol = type_symbol(int)
        return int_symbol

    class TracedFrame(FrameState):
        __slots__ = ()

        def trace(self, frame, event, arg):
            try:
                plan = self.plans.get(self.last_line)
                line = frame.f_lineno
                if event == "line":
                    self.last_line = line
                    self.raised = False
                    if plan is None:
                        append((LINE, self.id, line, clock(), None))
                        if len(buffer) >= BATCH_SIZE:
                            flush()
                        return None
                elif event != "return" and event != "exception":
                    return None
                # LocalsTracker.diff, inline (and to be kept in step with it): the hottest path
                # of the pure-Python tracer.
                found = None
                if plan is not None:
                    if LOCALS_STAY_CURRENT:
                        mapping = self.mapping
                        if mapping is None:
                            mapping = frame.f_locals
                    else:
                        mapping = frame.f_locals
                    snapshot = self.snapshot
                    if plan is not FULL:
                        for name, symbol, secret in plan:
                            try:
                                value = mapping[name]
                            except KeyError:
                                value = MISSING
                            previous = snapshot.get(name)
                            kind = type(value)
                            if previous is not None and previous[0] is value and kind in stable_kinds:
                                continue
                            if kind is int and not secret and SMALLEST_SMALL_INT < value < LARGEST_SMALL_INT:
                                text = f"{value}"
                                snapshot[name] = (value, text, None)
                                if previous is not None and text == previous[1]:
                                    continue
                                entry = (symbol, int_symbol or int_type_symbol(), text)
                            else:
                                entry = compare(name, symbol, secret, value, previous, snapshot)
                                if entry is None:
                                    continue
                            found = entry if found is None else found + entry
                    elif self.record.module_level:
                        found = changes(mapping, plan, self)
                    else:
                        # LocalsTracker.diff_all, likewise.
                        for name, value in mapping.items():
                            previous = snapshot.get(name)
                            kind = type(value)
                            if previous is not None and previous[0] is value:
                                if kind in stable_kinds or (previous[2] is not None and unchanged(value, kind, previous[2])):
                                    continue
                            symbol, secret = names.get(name) or name_info(name)
                            if kind is int and not secret and SMALLEST_SMALL_INT < value < LARGEST_SMALL_INT:
                                text = f"{value}"
                                snapshot[name] = (value, text, None)
                                if previous is not None and text == previous[1]:
                                    continue
                                entry = (symbol, int_symbol or int_type_symbol(), text)
                            else:
                                entry = compare(name, symbol, secret, value, previous, snapshot)
                                if entry is None:
                                    continue
                            found = entry if found is None else found + entry
                        if len(snapshot) > len(mapping):
                            found = deleted(mapping, snapshot, found)
                if event == "line":
                    append((LINE, self.id, line, clock(), found))
                elif event == "return":
                    if arg is None and self.raised:
                        append((RETURN, self.id, line, clock(), found, wire.DELETED, None))
                        live.pop(id(frame), None)
                    else:
                        record = self.record
                        final = True
                        if record.generator:
                            raw = record.raw
                            if raw is None:
                                raw = record.raw = record.code.co_code
                            final = raw[frame.f_lasti] in RETURN_OPCODES
                        # Recorder.value, inline for the commonest values.
                        kind = type(arg)
                        if kind is int and SMALLEST_SMALL_INT < arg < LARGEST_SMALL_INT:
                            text = f"{arg}"
                            kind = int_symbol or int_type_symbol()
                        else:
                            text = "None" if arg is None else text_of(arg, kind)
                            kind = type_symbols.get(kind) or type_symbol(kind)
                        if final:
                            append((RETURN, self.id, line, clock(), found, kind, text))
                            live.pop(id(frame), None)
                        else:
                            if self.task:
                                awaiting(self.task, arg)
                            append((YIELD, self.id, line, clock(), found, kind, text))
                            self.suspended = True
                            self.mapping = None
                            forget_objects(self)
                else:
                    kind, message = exception_of(arg[1])
                    append((EXCEPTION, self.id, line, clock(), found, kind, message))
                    self.raised = True
                if len(buffer) >= BATCH_SIZE:
                    flush()
            except StreamClosed:
                on_failure(None)
                frame.f_trace = None
            except RecursionError as error:
                if RECURSION_STOPS_TRACING:
                    outer = frame  # no call: there is no room for one
                    while outer is not None:
                        if getattr(outer.f_trace, "__func__", None) is local:
                            outer.f_trace = None
                        outer = outer.f_back
                    raise error.with_traceback(None) from None
            except Exception as error:
                on_failure(error)
                frame.f_trace = None
            return None

    recorder.state_class = TracedFrame
    NO_PLANS = {}
    local = TracedFrame.trace
    new_state = object.__new__

    def on_call(frame, event, arg):
        try:
            code = frame.f_code
            record = codes.get(id(code))
            if record is None:
                record = code_record(code, frame.f_globals)
            if record is False:
                return None
            back = frame.f_back
            if record.generator:
                state = live.get(id(frame))
                if state is not None and state.suspended and state.record.code is code:
                    # Recorder.resume, inline when the frame that resumes it is recorded.
                    caller = live.get(id(back))  # id(None) is no frame's
                    if caller is not None and caller.record.code is back.f_code:
                        state.depth = caller.depth + 1
                        state.thread = caller.thread
                        state.task = current_task() if record.coroutine else caller.task
                        state.suspended = False
                        parent = caller.id
                    else:
                        parent = resume(frame, state)
                        if parent is None:
                            return None  # outside the --function scope
                    if LOCALS_STAY_CURRENT and not record.module_level:
                        state.mapping = frame.f_locals
                    if state.task:
                        append((CALL, state.id, frame.f_lineno, clock(), None, record.id, parent, state.thread, state.depth, state.task))
                    else:
                        append((CALL, state.id, frame.f_lineno, clock(), None, record.id, parent, state.thread, state.depth))
                    if len(buffer) >= BATCH_SIZE:
                        flush()
                    return state.trace
                # Recorder.begin forgets suspended generators first when there are too many.
                caller = None if len(live) > MAX_SUSPENDED else live.get(id(back))
            else:
                caller = live.get(id(back))
            if caller is not None and caller.record.code is back.f_code:
                # Recorder.begin and FrameState(), inline: called from a recorded frame.
                state = new_state(TracedFrame)
                state.id = next_frame_id()
                state.record = record
                state.plans = record.plans
                state.last_line = None
                state.snapshot = {}
                state.depth = caller.depth + 1
                state.thread = caller.thread
                state.task = current_task() if record.coroutine else caller.task
                state.raised = state.suspended = False
                state.mapping = None
                parent = caller.id
                live[id(frame)] = state
            else:
                state, parent = begin(frame, record)
                if state is None:
                    return None  # outside the --function scope
            mapping = frame.f_locals
            if record.module_level:
                found = all_locals(mapping, state)
            else:
                if LOCALS_STAY_CURRENT:
                    state.mapping = mapping
                # LocalsTracker.snapshot_all, inline for a function's frame.
                found = None
                snapshot = state.snapshot
                volatile = False
                for name, value in mapping.items():
                    try:
                        symbol, secret = names[name]
                    except KeyError:
                        symbol, secret = name_info(name)
                    kind = type(value)
                    if kind is int and not secret and SMALLEST_SMALL_INT < value < LARGEST_SMALL_INT:
                        text = f"{value}"
                        snapshot[name] = (value, text, None)
                        entry = (symbol, int_symbol or int_type_symbol(), text)
                    else:
                        entry = first_look(name, symbol, secret, value, kind, snapshot)
                        if kind not in stable_kinds and not (
                            (kind is tuple or kind is frozenset) and snapshot[name][2] is None
                        ):
                            volatile = True  # a tuple's fingerprint None: what it shows is fixed
                    found = entry if found is None else found + entry
                if record.parameters_only and not volatile:
                    # No local can be rebound, and each keeps its text while it keeps its
                    # object: no line of this activation can change one, none needs a look.
                    state.plans = NO_PLANS
            if state.task:
                append((CALL, state.id, record.first_line, clock(), found, record.id, parent, state.thread, state.depth, state.task))
            else:
                append((CALL, state.id, record.first_line, clock(), found, record.id, parent, state.thread, state.depth))
            if len(buffer) >= BATCH_SIZE:
                flush()
            return state.trace
        except StreamClosed:
            on_failure(None)
        except RecursionError as error:
            live.pop(id(frame), None)  # its call is not recorded, nor is the rest of it
            if RECURSION_STOPS_TRACING:
                outer = frame  # no call: there is no room for one
                while outer is not None:
                    if getattr(outer.f_trace, "__func__", None) is local:
                        outer.f_trace = None
                    outer = outer.f_back
                raise error.with_traceback(None) from None
        except Exception as error:
            on_failure(error)
        return None

    return on_call

