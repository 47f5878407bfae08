"""The native accelerator: it records exactly what the pure-Python tracer records, and a
build that fails never breaks the program; the run falls back to Python and says why."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

from harness import HERE, PROGRAMS, TRACER, native_problem, run_traced
from test_recording import PROGRAM_ARGS, programs

sys.path.insert(0, TRACER)

from smiley_tracer.build import cache_key, compile_command, module_file_name  # noqa: E402

CASES = os.path.join(HERE, "cases")
EVENTS = (0, 1, 2, 3, 4)
HELLO, THREAD, PROFILE, END = 16, 19, 21, 22
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def scrubbed(value):
    if isinstance(value, str):
        return ADDRESS.sub("0x…", value)
    if isinstance(value, tuple):
        return tuple(scrubbed(item) for item in value)
    return value


def comparable(records):
    """Records as they must be equal between two recordings of the same program: without
    times, thread idents, object addresses, and the run records that carry those."""
    kept = []
    for record in records:
        if record[0] in EVENTS:
            record = record[:3] + record[4:]
        elif record[0] == THREAD:
            record = record[:2] + record[3:]
        elif record[0] in (HELLO, PROFILE, END):
            continue
        kept.append(scrubbed(record))
    return kept


def without_compiler(cache):
    """An environment where no C compiler can be found and nothing is cached yet."""
    return dict(os.environ, PATH=os.path.join(cache, "no-such-bin"), SMILEY_CACHE=cache)


class Comparison(unittest.TestCase):
    maxDiff = None

    def assertSameRecording(self, argv, cwd, env=None):
        recordings = {}
        for accelerator in ("python", "native"):
            options = {"accelerator": accelerator, "profile": False}
            process, records = run_traced(argv, options=options, cwd=cwd, env=env)
            self.assertEqual(records[0][1]["native"], accelerator == "native")
            recordings[accelerator] = (process.returncode, process.stdout, comparable(records))
        self.assertEqual(recordings["native"], recordings["python"])


@unittest.skipIf(native_problem(), "the native accelerator cannot be built here")
class SameRecords(Comparison):
    def test_every_golden_program_gives_the_same_records_natively(self):
        for name in programs():
            if name == "threads.py":
                continue  # threads interleave differently from one run to the next
            with self.subTest(program=name):
                self.assertSameRecording([name] + PROGRAM_ARGS.get(name, []), PROGRAMS)

    def test_texts_numbers_and_containers_are_encoded_as_marshal_would(self):
        self.assertSameRecording(["values.py"], CASES)


@unittest.skipIf(native_problem(), "the native accelerator cannot be built here")
@unittest.skipIf(sys.version_info < (3, 11), "before 3.11 the public C API is all it uses")
class PublicApiBuild(Comparison):
    """The build that reads locals through f_locals, for interpreters whose internal headers
    cannot be used, records the same as well."""

    def test_a_build_without_internal_headers_gives_the_same_records(self):
        with tempfile.TemporaryDirectory() as cache:
            folder = os.path.join(cache, cache_key())
            os.makedirs(folder)
            command = compile_command(os.path.join(folder, module_file_name()), ["-DSMILEY_PUBLIC_API"])
            self.assertEqual(subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode, 0)
            env = dict(os.environ, SMILEY_CACHE=cache)
            self.assertSameRecording(["values.py"], CASES, env)
            self.assertSameRecording(["generators.py"], PROGRAMS, env)


class Fallback(unittest.TestCase):
    def test_without_a_compiler_the_python_tracer_records_and_hello_says_why(self):
        with tempfile.TemporaryDirectory() as cache:
            process, records = run_traced(["values.py"], cwd=CASES, env=without_compiler(cache))
        self.assertEqual(process.returncode, 0, process.stderr)
        self.assertEqual(process.stdout.strip(), b"10")
        self.assertEqual(process.stderr, b"")  # quiet: "auto" falls back without a word
        hello = records[0][1]
        self.assertIs(hello["native"], False)
        self.assertIn("compiler", hello["nativeProblem"])
        self.assertTrue(any(record[0] == 1 for record in records))

    def test_asking_for_native_where_it_cannot_build_warns_once_and_records_anyway(self):
        with tempfile.TemporaryDirectory() as cache:
            process, records = run_traced(["values.py"], cwd=CASES, env=without_compiler(cache), options={"accelerator": "native"})
        self.assertEqual(process.returncode, 0)
        warnings = [line for line in process.stderr.decode().splitlines() if line.startswith("smiley:")]
        self.assertEqual(len(warnings), 1, process.stderr)
        self.assertIn("native accelerator is not available", warnings[0])
        self.assertIs(records[0][1]["native"], False)

    def test_python_can_be_forced(self):
        _, records = run_traced(["values.py"], cwd=CASES, options={"accelerator": "python"})
        self.assertIs(records[0][1]["native"], False)
        self.assertNotIn("nativeProblem", records[0][1])


@unittest.skipIf(native_problem(), "the native accelerator cannot be built here")
class Cache(unittest.TestCase):
    def test_the_build_is_cached_per_interpreter_and_source(self):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, SMILEY_CACHE=cache)
            # A build from nothing: minutes on a busy machine (COMPILE_TIMEOUT in build.py is 120 s a variant).
            _, records = run_traced(["values.py"], cwd=CASES, env=env, timeout=300)
            self.assertIs(records[0][1]["native"], True)
            path = os.path.join(cache, cache_key(), module_file_name())
            first = os.stat(path).st_mtime_ns
            # No compiler now: the second run can only be using the cached build.
            env["PATH"] = os.path.join(cache, "no-such-bin")
            _, records = run_traced(["values.py"], cwd=CASES, env=env)
            self.assertIs(records[0][1]["native"], True)
            self.assertEqual(os.stat(path).st_mtime_ns, first)

    def test_programs_started_together_share_one_build(self):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, SMILEY_CACHE=cache)
            load = "from smiley_tracer.accelerator import load; print(load('native')[0].__file__)"
            starts = [subprocess.Popen([sys.executable, "-c", load], cwd=TRACER, env=env, stdout=subprocess.PIPE) for _ in range(3)]
            paths = {process.communicate()[0].strip() for process in starts}
            self.assertEqual(paths, {os.path.join(cache, cache_key(), module_file_name()).encode()})
            self.assertEqual(sorted(os.listdir(os.path.join(cache, cache_key()))), [".lock", module_file_name()])


if __name__ == "__main__":
    unittest.main()
