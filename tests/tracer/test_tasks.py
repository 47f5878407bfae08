"""Asyncio tasks: every event's frame carries the task it ran in, checked against what the
program itself says (each function prints ``asyncio.current_task()``'s name), with every
hook and accelerator; a task awaited (directly or through gather) names its awaiter."""

import collections
import os
import sys
import unittest

from harness import HERE, native_problem, run_traced

CASES = os.path.join(HERE, "cases")
CALL, EXCEPTION, YIELD = 0, 3, 4
CODE, THREAD, SYMBOL, TASK, AWAIT = 17, 19, 20, 29, 30
HOOKS = [{}] + ([{"settrace": True}] if sys.version_info >= (3, 12) else [])
ACCELERATORS = ("python",) if native_problem() else ("python", "native")
BACKENDS = [dict(hook, accelerator=accelerator) for accelerator in ACCELERATORS for hook in HOOKS]


class Recording:
    """What a recording says of tasks: each frame's function and task, each task's name."""

    def __init__(self, records):
        self.functions = {}  # code -> name
        self.symbols = {}
        self.threads = {}  # thread id -> name
        self.tasks = {}  # task id -> (name, thread id)
        self.awaits = []  # (awaiter name, awaited name)
        self.frames = {}  # frame -> (function, [task of each call or resume])
        self.calls = []  # (function, task name, parent frame) of each new activation
        self.exceptions = []  # (function, task name, exception type)
        for record in records:
            tag = record[0]
            if tag == CODE:
                self.functions[record[1]] = record[3]
            elif tag == SYMBOL:
                self.symbols[record[1]] = record[2]
            elif tag == THREAD:
                self.threads[record[1]] = record[3]
            elif tag == TASK:
                self.tasks[record[1]] = (record[2], record[3])
            elif tag == AWAIT:
                self.awaits.append((self.task_name(record[1]), self.task_name(record[2])))
            elif tag == CALL:
                task = record[9] if len(record) == 10 else 0
                function = self.functions[record[5]]
                if record[1] not in self.frames:
                    self.frames[record[1]] = (function, [])
                    self.calls.append((function, self.task_name(task), record[6]))
                self.frames[record[1]][1].append(task)
            elif tag == EXCEPTION:
                function, tasks = self.frames[record[1]]
                self.exceptions.append((function, self.task_name(tasks[-1]), self.symbols[record[5]]))

    def task_name(self, task):
        return "-" if task == 0 else self.tasks[task][0]

    def said(self):
        """(caller, task name) of every call of ``said``, as the program printed them."""
        names = {frame: function for frame, (function, _) in self.frames.items()}
        return sorted((names[parent], task) for function, task, parent in self.calls if function == "said")


def printed(process):
    lines = process.stdout.decode().splitlines()
    return sorted(tuple(line.split()[1:]) for line in lines if line.startswith("ran "))


class AsyncioTasks(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.assertIsNone(sys.gettrace())

    def tearDown(self):
        self.assertIsNone(sys.gettrace())

    def record(self, program, options):
        process, records = run_traced([program], options=dict(options, profile=False), cwd=CASES)
        self.assertEqual(process.returncode, 0, process.stderr.decode())
        self.assertNotIn(b"smiley:", process.stderr)
        self.assertEqual(records[0][1]["native"], options["accelerator"] == "native")
        return process, Recording(records)

    def test_every_frame_runs_in_the_task_the_program_saw(self):
        for options in BACKENDS:
            with self.subTest(**options):
                process, recording = self.record("asyncio_tasks.py", options)
                self.assertEqual(recording.said(), printed(process))
                names = sorted(name for name, _ in recording.tasks.values())
                self.assertEqual(names.count("alpha"), 1)
                for name in ("beta", "doomed", "broken", "side-work"):
                    self.assertIn(name, names)
                # A coroutine stays in its task however often it suspends and resumes.
                for function, tasks in recording.frames.values():
                    self.assertEqual(len(set(tasks)), 1, (function, tasks))
                # The module and the thread's target run in no task.
                self.assertEqual(
                    {function for function, tasks in recording.frames.values() if tasks[0] == 0},
                    {"<module>", "<lambda>"},
                )

    def test_a_second_threads_loop_has_its_tasks_in_that_thread(self):
        for options in BACKENDS:
            with self.subTest(**options):
                _, recording = self.record("asyncio_tasks.py", options)
                threads = {name: recording.threads[thread] for name, thread in recording.tasks.values()}
                self.assertEqual(threads["side-work"], "loop-thread")
                self.assertEqual(threads["alpha"], "MainThread")

    def test_a_task_awaited_directly_or_through_gather_names_its_awaiter(self):
        for options in BACKENDS:
            with self.subTest(**options):
                process, recording = self.record("asyncio_tasks.py", options)
                main = [task for function, task in printed(process) if function == "main"][0]
                side = [task for function, task in printed(process) if function == "side"][0]
                gathered = [task for function, task in printed(process) if function == "work"]
                awaited = {awaited for awaiter, awaited in recording.awaits if awaiter == main}
                self.assertTrue({"alpha", "beta", "doomed", "broken"} <= awaited, recording.awaits)
                # gather(beta, work(3)) wraps work(3) in a task of its own, awaited too.
                self.assertEqual(len(awaited & set(gathered)), 3, (awaited, gathered))
                self.assertIn((side, "side-work"), recording.awaits)

    def test_cancellation_and_an_exception_are_recorded_in_their_task(self):
        for options in BACKENDS:
            with self.subTest(**options):
                _, recording = self.record("asyncio_tasks.py", options)
                self.assertIn(("failing", "broken", "ValueError"), recording.exceptions)
                self.assertIn(("sleeper", "doomed", "CancelledError"), recording.exceptions)

    @unittest.skipIf(sys.version_info < (3, 11), "TaskGroup is new in 3.11")
    def test_a_task_group_runs_each_task_in_its_own_task(self):
        for options in BACKENDS:
            with self.subTest(**options):
                process, recording = self.record("asyncio_taskgroup.py", options)
                self.assertEqual(recording.said(), printed(process))
                steps = collections.Counter(task for function, task, _ in recording.calls if function == "step")
                self.assertEqual(steps, {"step-1": 1, "step-2": 1, "step-3": 1})
                self.assertIn(("step", "step-3", "KeyError"), recording.exceptions)
                self.assertIn(("step", "step-1", "CancelledError"), recording.exceptions)


if __name__ == "__main__":
    unittest.main()
