"""What both trace hooks share: ids for codes, files, threads and frames, and the locals of
each frame as they change.

A hook sees a frame and an event; the recorder turns that into compact records on the
stream. Each activation of a traced function gets a ``FrameState``: its id, its depth
among traced frames, its thread, and a snapshot of its locals (object and rendered text per
name) against which later events report only what changed.
"""

import itertools
import os
import threading

from . import code_info, wire
from .changes import LocalsTracker
from .sources import read_source
from .tasks import Tasks, is_coroutine
from .values import exception_message

# Past this many suspended generators, forget their states (a resumed one gets a new frame id).
MAX_SUSPENDED = 50000
# Past this many code objects (code compiled at run time in a loop), forget them all.
MAX_CODES = 200000


class CodeRecord:
    """A traced code object: its id and, per line, which locals may change after it."""

    __slots__ = ("id", "code", "first_line", "plans", "module_level", "generator", "coroutine", "parameters_only", "lines", "raw", "watched")

    def __init__(self, code_id, code, plans):
        self.id = code_id
        self.code = code
        self.first_line = code.co_firstlineno
        self.plans = plans
        self.module_level = code_info.is_module_level(code)
        self.generator = code_info.is_generator(code)
        self.coroutine = is_coroutine(code)  # it starts and resumes in whichever task runs then
        self.parameters_only = code_info.parameters_only(code)
        self.lines = None  # offset index -> line, built on first use by the monitoring hook
        self.raw = None  # the bytecode, read on first use by the settrace hook
        self.watched = False  # Recorder.on_new_code has been told of it


class FrameState:
    """One activation of a traced function."""

    __slots__ = ("id", "record", "plans", "last_line", "snapshot", "depth", "thread", "task", "raised", "suspended", "mapping")

    def __init__(self, frame_id, record, depth, thread, task):
        self.id = frame_id
        self.record = record
        self.plans = record.plans
        self.last_line = None
        self.snapshot = {}
        self.depth = depth
        self.thread = thread
        self.task = task  # the asyncio task it runs in; 0: none
        self.raised = False  # an exception event was the last event: a bare return is an unwind
        self.suspended = False
        self.mapping = None  # the frame's locals mapping, where a hook may keep it between events


class Recorder:
    def __init__(self, stream, renderer, file_filter):
        self.stream = stream
        self.renderer = renderer
        self.filter = file_filter
        # id(code object) -> CodeRecord, or False when not traced. By identity: equal code
        # objects (the same text in two files, say) are different code. The code objects are
        # kept (by their record, or in _untraced) so that an id is never another code's.
        self.codes = {}
        self._untraced = []
        self.recorded_any = False
        self.on_new_code = None  # called with a recorded code object before it is known
        # The program's stack reached its recursion limit: a hook written in Python needs room
        # there, and may have missed the deepest events.
        self.reached_limit = False
        self._defining = threading.RLock()
        self.live = {}  # id(frame) -> FrameState of running (and suspended) activations
        self._code_ids = itertools.count(1)
        self._files = {}
        self._file_ids = itertools.count(1)
        self._threads = {}  # ident -> (thread object, thread id)
        self._thread_ids = itertools.count(1)
        self.next_frame_id = itertools.count(1).__next__
        self.tasks = Tasks(stream, self.thread_id)
        self.locals = LocalsTracker(stream, renderer)
        self._qualified_names = {}  # id(code) -> (code, qualified name), before 3.11
        self._cwd = os.getcwd()  # relative file names are relative to where the program started
        self.state_class = FrameState  # a hook may use a subclass
        self.scope = None  # function_scope.FunctionScope, with --function

    # Codes and files.

    def code_record(self, code, module_globals):
        """The CodeRecord of ``code``, or False when its file is not traced. Threads meeting a
        code object at once get one record: a frame's record is how its events are told apart
        from a new activation's."""
        codes = self.codes
        known = codes.get(id(code))
        if known is not None:
            return known
        with self._defining:
            known = codes.get(id(code))
            if known is not None:
                return known
            if len(codes) > MAX_CODES:
                codes.clear()  # do not hold code compiled at run time in a loop forever
                del self._untraced[:]
            filename = code.co_filename
            if self.scope is not None:
                self.scope.is_root(code, module_globals)
            if not self.filter.wants(filename):
                self._untraced.append(code)
                codes[id(code)] = False
                return False
            file_id = self._file_id(filename, module_globals)
            record = CodeRecord(next(self._code_ids), code, self.locals.compile_plans(code_info.line_plans(code)))
            self.stream.append((wire.CODE, record.id, file_id, code.co_name, self._qualified_name(code), code.co_firstlineno))
            if self.scope is None:
                self.watch(record)
            codes[id(code)] = record
            self.recorded_any = True
            return record

    def watch(self, record):
        """Tell the hook of a code that is recorded: at once, or with --function when it first
        runs inside the scope (a code that never does costs sys.monitoring no line event)."""
        if self.on_new_code is not None:
            self.on_new_code(record.code)
        record.watched = True

    def _qualified_name(self, code):
        qualified = getattr(code, "co_qualname", None)
        if qualified is not None:
            return qualified
        found = self._qualified_names.pop(id(code), None)
        known = found[1] if found is not None and found[0] is code else None
        if code.co_flags & code_info.CO_OPTIMIZED == 0:
            # A module (or class body) is seen before the functions it defines.
            code_info.nested_qualified_names(code, known, self._qualified_names)
        return known or code.co_name

    def _file_id(self, filename, module_globals):
        known = self._files.get(filename)
        if known is None:
            known = next(self._file_ids)
            path = filename if os.path.isabs(filename) else os.path.join(self._cwd, filename)
            # Defined before it is known, as Stream.symbol does.
            source = read_source(path, module_globals)
            if source is not None:
                source = self.renderer.redactor.scrub_source(source)
            self.stream.append((wire.FILE, known, path, source))
            self._files[filename] = known
        return known

    # Frames and threads.

    def begin(self, frame, record):
        """A new activation of traced ``record`` in ``frame``: its state, registered as live;
        (None, 0) when it runs outside the --function scope."""
        parent = self.parent_of(frame)
        if parent is None:
            if self.scope is not None and not self.scope.covers(frame):
                return None, 0
            depth = 0
            parent_id = 0
            thread = self.thread_id()
            task = self.tasks.current()
        else:
            depth = parent.depth + 1
            parent_id = parent.id
            thread = parent.thread
            task = self.tasks.current() if record.coroutine else parent.task
        if not record.watched:
            self.watch(record)
        state = self.state_class(self.next_frame_id(), record, depth, thread, task)
        live = self.live
        if len(live) > MAX_SUSPENDED and record.generator:
            self._forget_suspended()
        live[id(frame)] = state
        return state, parent_id

    def resume(self, frame, state):
        """A suspended generator runs again, perhaps called from somewhere else: its parent's
        id; None when it runs outside the --function scope, where it is forgotten (resumed in
        scope again, it is a new activation)."""
        parent = self.parent_of(frame)
        if parent is None:
            if self.scope is not None and not self.scope.covers(frame):
                self.live.pop(id(frame), None)
                return None
            state.depth = 0
            state.thread = self.thread_id()
            state.task = self.tasks.current()
            parent_id = 0
        else:
            state.depth = parent.depth + 1
            state.thread = parent.thread
            state.task = self.tasks.current() if state.record.coroutine else parent.task
            parent_id = parent.id
        state.suspended = False
        return parent_id

    def parent_of(self, frame):
        live = self.live
        back = frame.f_back
        while back is not None:
            state = live.get(id(back))
            if state is not None and state.record.code is back.f_code:
                return state
            back = back.f_back
        return None

    def _forget_suspended(self):
        live = self.live
        for key in [key for key, state in live.items() if state.suspended]:
            del live[key]

    def thread_id(self):
        """The id of the current thread, defining it when it is new (idents are reused)."""
        ident = threading.get_ident()
        current = threading._active.get(ident)
        known = self._threads.get(ident)
        if known is not None and known[0] is current:
            return known[1]
        thread = next(self._thread_ids)
        name = getattr(current, "name", None)
        # Defined before it is known, as Stream.symbol does.
        self.stream.append((wire.THREAD, thread, ident, name if type(name) is str else "Thread-%d" % ident))
        self._threads[ident] = (current, thread)
        return thread

    # Values.

    def value(self, value):
        """(type symbol, text) of a return value."""
        kind = type(value)
        return self.locals.type_symbol(kind), self.locals.text(value, kind)

    def exception(self, error):
        """(type symbol, message) of an exception."""
        if type(error) is RecursionError:
            self.reached_limit = True
        message = self.renderer.redactor.scrub_text(exception_message(error, self.renderer.max_len))
        return self.locals.type_symbol(type(error)), message
