"""--function NAME: the calls recorded are exactly those an independent reference
(function_scope_reference.py, counting the named functions' frames with sys.setprofile) finds
inside calls of the named functions, per thread and in order, with every hook and accelerator."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

from harness import HERE, native_problem, run_traced
CALL, CODE, THREAD = 0, 17, 19  # wire.py

CASES = os.path.join(HERE, "cases", "function_scope")
REFERENCE = os.path.join(HERE, "function_scope_reference.py")
HOOKS = [{}] + ([{"settrace": True}] if sys.version_info >= (3, 12) else [])
ACCELERATORS = ("python",) if native_problem() else ("python", "native")
BACKENDS = [dict(hook, accelerator=accelerator) for accelerator in ACCELERATORS for hook in HOOKS]


def reference(program, roots):
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "calls.json")
        subprocess.run([sys.executable, REFERENCE, output, ",".join(roots), program], cwd=CASES, check=True, capture_output=True)
        with open(output) as handle:
            return {thread: [tuple(call) for call in calls] for thread, calls in json.load(handle).items()}


def recorded_calls(records):
    """Thread name -> [(function name, first line), …] of the recorded calls, in order."""
    codes, threads, calls = {}, {}, {}
    for record in records:
        if record[0] == CODE:
            codes[record[1]] = (record[3], record[5])
        elif record[0] == THREAD:
            threads[record[1]] = record[3]
        elif record[0] == CALL:
            calls.setdefault(threads[record[7]], []).append(codes[record[5]])
    return calls


class FunctionScope(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.assertIsNone(sys.gettrace())

    def tearDown(self):
        self.assertIsNone(sys.gettrace())

    def assertSameCalls(self, names, roots):
        """Recording with --function NAMES gives the calls the reference finds inside ROOTS."""
        expected = reference(os.path.join(CASES, "scoped.py"), roots)
        self.assertTrue(expected, "the reference saw no call in scope")
        for options in BACKENDS:
            with self.subTest(names=names, **options):
                process, records = run_traced(["scoped.py"], dict(options, functions=names), cwd=CASES)
                self.assertEqual(process.returncode, 0, process.stderr.decode())
                self.assertEqual(process.stderr, b"")
                self.assertEqual(recorded_calls(records), expected)

    def test_a_method_by_its_qualified_name_with_recursion_callbacks_and_threads(self):
        self.assertSameCalls(["Work.target"], ["target"])

    def test_an_exception_leaving_the_scope_ends_it(self):
        self.assertSameCalls(["risky"], ["risky"])

    def test_a_generator_finished_outside_the_function_that_began_it_is_recorded_only_inside(self):
        self.assertSameCalls(["started"], ["started"])

    def test_a_generator_named_is_in_scope_each_time_it_resumes(self):
        self.assertSameCalls(["numbers"], ["numbers"])

    def test_names_by_module_and_by_script_name_and_several_at_once(self):
        self.assertSameCalls(["__main__.fact", "scoped.explode"], ["fact", "explode"])

    def test_calls_run_before_a_frame_in_scope_begins_have_depth_from_it(self):
        for options in BACKENDS:
            with self.subTest(**options):
                _, records = run_traced(["scoped.py"], dict(options, functions=["fact"]), cwd=CASES)
                depths = [record[8] for record in records if record[0] == CALL]
                # fact(3) > fact(2) > fact(1) > leaf in target, fact(2) > fact(1) > leaf in main, then in the thread
                self.assertEqual(depths, [0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 3])

    def test_a_name_that_matches_nothing_is_said_once_at_the_end_and_the_exit_code_stays(self):
        for options in BACKENDS:
            with self.subTest(**options):
                process, records = run_traced(["scoped.py"], dict(options, functions=["fact", "no_such", "Work.nope"]), cwd=CASES)
                self.assertEqual(process.returncode, 0)
                self.assertEqual(
                    process.stderr.decode(),
                    "smiley: --function no_such, Work.nope: no function of that name ran, so nothing of it was recorded\n",
                )
                self.assertTrue(any(record[0] == CALL for record in records))

    def test_without_the_option_everything_is_recorded_as_before(self):
        _, records = run_traced(["scoped.py"], {}, cwd=CASES)
        self.assertIn(("outside", 44), recorded_calls(records)["MainThread"])


if __name__ == "__main__":
    unittest.main()
