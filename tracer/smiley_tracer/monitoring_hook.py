"""The trace hook for CPython 3.12 and later: ``sys.monitoring`` (PEP 669).

It records the events ``sys.settrace`` would report, so both hooks produce the same
recording: PY_START, PY_RESUME and PY_THROW are ``call``; PY_RETURN is ``return`` and
PY_YIELD ``yield`` (a return that suspends); PY_UNWIND is a ``return`` without a value; RAISE and STOP_ITERATION are
``exception``; LINE, and a backward JUMP that stays on one line, are ``line``. Code that is
not recorded is disabled at its first PY_START and costs nothing afterwards.

A RecursionError in a callback means the program's stack is at its limit (the tracer's calls
count as the program's): that event is lost and tracing goes on. It is caught before anything
else is called, since any call could raise it again.
"""

import sys
import time

from . import code_info, wire
from .recorder import CodeRecord, FrameState
from .stream import BATCH_SIZE, StreamClosed

_TOOL_PREFERENCE = (4, 3, 5, 0, 1)


class MonitoringHook:
    name = "monitoring"

    def __init__(self, recorder, on_failure, native=None):
        self.recorder = recorder
        self.on_failure = on_failure
        self.tool = None
        # Before any thread can find the code's record: one that did before its local events
        # were on would run the code unrecorded.
        recorder.on_new_code = self.enable_locally
        if native is None:
            self._callbacks = _build(recorder, on_failure)
        else:
            self._callbacks = _native_callbacks(native, recorder, on_failure)

    def install(self):
        monitoring = sys.monitoring
        for tool in _TOOL_PREFERENCE:
            if monitoring.get_tool(tool) is None:
                break
        else:
            raise RuntimeError("every sys.monitoring tool id is in use")
        monitoring.use_tool_id(tool, "smiley")
        self.tool = tool
        events = monitoring.events
        for name, callback in self._callbacks.items():
            monitoring.register_callback(tool, getattr(events, name), callback)
        monitoring.set_events(tool, events.PY_START | events.PY_THROW | events.PY_UNWIND | events.RAISE)

    def enable_locally(self, code):
        if self.tool is None:
            return  # uninstalled meanwhile
        events = sys.monitoring.events
        sys.monitoring.set_local_events(
            self.tool,
            code,
            events.PY_RESUME | events.PY_RETURN | events.PY_YIELD | events.LINE | events.JUMP | events.STOP_ITERATION,
        )

    def uninstall(self):
        tool = self.tool
        if tool is None:
            return
        self.tool = None
        monitoring = sys.monitoring
        monitoring.set_events(tool, 0)
        for record in list(self.recorder.codes.values()):
            if record:
                monitoring.set_local_events(tool, record.code, 0)
        events = monitoring.events
        for name in self._callbacks:
            monitoring.register_callback(tool, getattr(events, name), None)
        monitoring.free_tool_id(tool)

    def detach_current_thread(self):
        self.uninstall()

    def lost_thread(self):
        """Never: sys.monitoring sees every thread whatever the program does with sys.settrace."""
        return False


def _build(recorder, on_failure):
    stream = recorder.stream
    append = stream.append
    buffer = stream.buffer
    flush = stream.flush
    clock = time.perf_counter
    getframe = sys._getframe
    codes = recorder.codes
    code_record = recorder.code_record
    begin = recorder.begin
    resume = recorder.resume
    all_locals = recorder.locals.snapshot_all
    changes = recorder.locals.diff
    forget_objects = recorder.locals.forget_objects
    value_of = recorder.value
    exception_of = recorder.exception
    live = recorder.live
    current_task = recorder.tasks.current
    awaiting = recorder.tasks.awaiting
    DISABLE = sys.monitoring.DISABLE
    CALL, LINE, RETURN, EXCEPTION, YIELD = wire.CALL, wire.LINE, wire.RETURN, wire.EXCEPTION, wire.YIELD
    recorder.state_class = FrameState

    def fail(error):
        on_failure(error)

    def start(code, frame):
        record = codes.get(id(code))
        if record is None:
            record = code_record(code, frame.f_globals)
        if not record:
            return False
        state, parent = begin(frame, record)
        if state is None:
            return None  # outside the --function scope: its code may run inside it later
        found = all_locals(frame.f_locals, state)
        if state.task:
            append((CALL, state.id, code.co_firstlineno, clock(), found, record.id, parent, state.thread, state.depth, state.task))
        else:
            append((CALL, state.id, code.co_firstlineno, clock(), found, record.id, parent, state.thread, state.depth))
        return state

    def on_py_start(code, offset):
        try:
            if codes.get(id(code)) is False:
                return DISABLE
            if start(code, getframe(1)) is False:
                return DISABLE
            if len(buffer) >= BATCH_SIZE:
                flush()
        except StreamClosed:
            fail(None)
        except RecursionError:
            live.pop(id(getframe(1)), None)  # its call is not recorded, nor is the rest of it
        except Exception as error:
            fail(error)

    def on_py_resume(code, offset, *exception):
        try:
            record = codes.get(id(code))
            if type(record) is not CodeRecord:
                return
            frame = getframe(1)
            state = live.get(id(frame))
            if state is None or state.record is not record:
                start(code, frame)
            else:
                # Recorder.resume, inline when the frame that resumes it is recorded.
                back = frame.f_back
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
                        return  # outside the --function scope
                if state.task:
                    append((CALL, state.id, frame.f_lineno, clock(), None, record.id, parent, state.thread, state.depth, state.task))
                else:
                    append((CALL, state.id, frame.f_lineno, clock(), None, record.id, parent, state.thread, state.depth))
            if len(buffer) >= BATCH_SIZE:
                flush()
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as error:
            fail(error)

    def line(frame, line):
        state = live.get(id(frame))
        if state is None:
            return
        plan = state.plans.get(state.last_line)
        state.last_line = line
        state.raised = False
        append((LINE, state.id, line, clock(), None if plan is None else changes(frame.f_locals, plan, state)))
        if len(buffer) >= BATCH_SIZE:
            flush()

    def on_line(code, number):
        try:
            # line(), inline: the commonest event.
            frame = getframe(1)
            state = live.get(id(frame))
            if state is None:
                return
            plan = state.plans.get(state.last_line)
            state.last_line = number
            state.raised = False
            if plan is None:
                append((LINE, state.id, number, clock(), None))
            else:
                append((LINE, state.id, number, clock(), changes(frame.f_locals, plan, state)))
            if len(buffer) >= BATCH_SIZE:
                flush()
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as error:
            fail(error)

    def on_jump(code, source, target):
        if target > source:
            return DISABLE
        try:
            record = codes.get(id(code))
            if not record:
                return DISABLE
            lines = record.lines
            if lines is None:
                lines = record.lines = code_info.offset_lines(code)
            number = lines[target // 2]
            if number != lines[source // 2]:
                return DISABLE
            if number >= 0:
                line(getframe(1), number)
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as error:
            fail(error)

    def leave(code, value, final, unwinding):
        frame = getframe(2)
        key = id(frame)
        state = live.get(key)
        if state is None or state.record.code is not code:
            return
        plan = state.plans.get(state.last_line)
        found = None if plan is None else changes(frame.f_locals, plan, state)
        if unwinding:
            append((RETURN, state.id, frame.f_lineno, clock(), found, wire.DELETED, None))
        else:
            if not final and state.task:
                awaiting(state.task, value)
            kind, text = value_of(value)
            append((RETURN if final else YIELD, state.id, frame.f_lineno, clock(), found, kind, text))
        if final:
            del live[key]
        else:
            state.suspended = True
            state.mapping = None
            forget_objects(state)
        if len(buffer) >= BATCH_SIZE:
            flush()

    def on_py_return(code, offset, value):
        try:
            leave(code, value, True, False)
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as error:
            fail(error)

    def on_py_yield(code, offset, value):
        try:
            leave(code, value, False, False)
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as error:
            fail(error)

    def on_py_unwind(code, offset, error):
        if not codes.get(id(code)):
            return
        try:
            leave(code, None, True, True)
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as failure:
            fail(failure)

    def raised(code, error):
        frame = getframe(2)
        state = live.get(id(frame))
        if state is None or state.record.code is not code:
            return
        plan = state.plans.get(state.last_line)
        found = None if plan is None else changes(frame.f_locals, plan, state)
        kind, message = exception_of(error)
        append((EXCEPTION, state.id, frame.f_lineno, clock(), found, kind, message))
        state.raised = True
        if len(buffer) >= BATCH_SIZE:
            flush()

    def on_raise(code, offset, error):
        if not codes.get(id(code)):
            return
        try:
            raised(code, error)
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as failure:
            fail(failure)

    def on_stop_iteration(code, offset, error):
        try:
            raised(code, error)
        except StreamClosed:
            fail(None)
        except RecursionError:
            pass
        except Exception as failure:
            fail(failure)


    return {
        "PY_START": on_py_start,
        "PY_RESUME": on_py_resume,
        "PY_THROW": on_py_resume,
        "PY_RETURN": on_py_return,
        "PY_YIELD": on_py_yield,
        "PY_UNWIND": on_py_unwind,
        "RAISE": on_raise,
        "STOP_ITERATION": on_stop_iteration,
        "LINE": on_line,
        "JUMP": on_jump,
    }


def _native_callbacks(native, recorder, on_failure):
    from .accelerator import make_core

    core = make_core(native, recorder, on_failure)
    return {
        "PY_START": core.py_start,
        "PY_RESUME": core.py_resume,
        "PY_THROW": core.py_resume,
        "PY_RETURN": core.py_return,
        "PY_YIELD": core.py_yield,
        "PY_UNWIND": core.py_unwind,
        "RAISE": core.on_raise,
        "STOP_ITERATION": core.stop_iteration,
        "LINE": core.line,
        "JUMP": core.jump,
    }
