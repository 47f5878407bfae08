"""Asyncio tasks: which one runs now, a stable id for each within the run, and which task
awaits which.

The current task can only change where a coroutine starts or resumes (the event loop steps a
task by sending into its coroutine), so the hooks ask here only then, and at a frame with no
recorded caller; every other frame runs in its caller's task, carried like its thread. The
tracer never imports asyncio: until the program has, no frame runs in a task.
"""

import itertools
import sys
import weakref

from . import wire

# A code object with one of these flags runs as a coroutine (a task's step resumes it).
COROUTINE_FLAGS = 0x0080 | 0x0100 | 0x0200  # coroutine, iterable coroutine, async generator


def is_coroutine(code):
    return bool(code.co_flags & COROUTINE_FLAGS)


class Tasks:
    def __init__(self, stream, thread_id):
        self.stream = stream
        self._thread_id = thread_id
        self._ids = itertools.count(1)
        # id(task) -> (weak reference, task id): a task is not kept alive by being recorded,
        # and an id reused by another object after the task is gone is told apart.
        self._known = {}
        self._running = None  # () -> the running task or None, once asyncio is imported
        self._task_types = frozenset()
        self._gathering = None
        self._awaiter = {}  # awaited task id -> the id of the task last recorded awaiting it

    def current(self):
        """The id of the asyncio task running in this thread; 0 when none."""
        running = self._running
        if running is None:
            running = self._find_running()
            if running is None:
                return 0
        task = running()
        if task is None:
            return 0
        # Tasks.id_of, inline for a task already known: this runs at every coroutine resumption.
        known = self._known.get(id(task))
        if known is not None and known[0]() is task:
            return known[1]
        return self.id_of(task)

    def id_of(self, task):
        """The id of ``task``, defining it when it is new."""
        known = self._known.get(id(task))
        if known is not None and known[0]() is task:
            return known[1]
        number = next(self._ids)
        try:
            name = task.get_name()
        except Exception:
            name = None
        if type(name) is not str:
            name = "Task-%d" % number
        # Defined before it is known, as Stream.symbol does.
        self.stream.append((wire.TASK, number, name, self._thread_id()))
        known = self._known
        key = id(task)
        try:
            reference = weakref.ref(task, lambda _, key=key, known=known: known.pop(key, None))
        except TypeError:  # a task class without weak references: kept, as threads are
            reference = lambda task=task: task  # noqa: E731
        known[key] = (reference, number)
        return number

    def awaiting(self, task, value):
        """Task ``task`` suspends on ``value``: when that is a task (or gathers tasks), record
        which task awaits it."""
        kind = type(value)
        if kind in self._task_types:
            self._awaits(task, value)
        elif kind is self._gathering:
            for child in getattr(value, "_children", None) or ():
                if type(child) in self._task_types:
                    self._awaits(task, child)

    def _awaits(self, task, awaited):
        number = self.id_of(awaited)
        if number != task and self._awaiter.get(number) != task:
            self._awaiter[number] = task
            self.stream.append((wire.AWAIT, task, number))

    def _find_running(self):
        modules = sys.modules
        tasks = modules.get("asyncio.tasks")
        events = modules.get("asyncio.events")
        get_loop = getattr(events, "_get_running_loop", None)
        task_class = getattr(tasks, "Task", None)
        if get_loop is None or task_class is None:
            return None  # not imported, or not yet whole
        current_tasks = getattr(tasks, "_current_tasks", None)
        if type(current_tasks) is dict:

            def running():
                loop = get_loop()
                return None if loop is None else current_tasks.get(loop)

        else:
            current_task = tasks.current_task

            def running():
                loop = get_loop()
                return None if loop is None else current_task(loop)

        self._task_types = frozenset(
            kind for kind in (task_class, getattr(tasks, "_PyTask", None), getattr(tasks, "_CTask", None)) if kind
        )
        self._gathering = getattr(tasks, "_GatheringFuture", None)
        self._running = running
        return running
