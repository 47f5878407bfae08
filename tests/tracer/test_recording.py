"""Golden tests: each program under programs/ is recorded and its events, as text, compared
with expected/<program>.txt, or expected/<program>.py3N.txt where this interpreter
reports differently. SMILEY_REGEN=1 rewrites the expected files.

Every program is recorded by the pure-Python tracer and by the native accelerator, with
each hook the interpreter has: all of them must give the same recording."""

import difflib
import json
import os
import sys
import tempfile
import unittest

import golden
from harness import HERE, PROGRAMS, native_problem, run_traced

EXPECTED = os.path.join(HERE, "expected")
VERSION = "py%d%d" % sys.version_info[:2]
DEFAULT_VERSION = "py311"  # golden files without a version suffix were written by 3.11
REGENERATE = os.environ.get("SMILEY_REGEN") == "1"
# Forcing sys.settrace on 3.12+ must give the same recording as sys.monitoring, and the
# native accelerator the same as the pure-Python tracer.
HOOKS = [{}] + ([{"settrace": True}] if sys.version_info >= (3, 12) else [])
ACCELERATORS = ("python",) if native_problem() else ("python", "native")
BACKENDS = [dict(hook, accelerator=accelerator) for accelerator in ACCELERATORS for hook in HOOKS]

PROGRAM_ARGS = {"threads.py": []}
EXPECTED_EXIT = {"sys_exit.py": 3, "uncaught.py": 1}


def programs():
    return sorted(name for name in os.listdir(PROGRAMS) if name.endswith(".py"))


def expected_path(name):
    specific = os.path.join(EXPECTED, "%s.%s.txt" % (name[:-3], VERSION))
    return specific if os.path.exists(specific) else os.path.join(EXPECTED, name[:-3] + ".txt")


class GoldenRecordings(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.assertIsNone(sys.gettrace())

    def tearDown(self):
        self.assertIsNone(sys.gettrace())

    def test_every_program_records_its_expected_events(self):
        for name in programs():
            for options in BACKENDS:
                with self.subTest(program=name, **options):
                    process, records = run_traced([name] + PROGRAM_ARGS.get(name, []), options=options)
                    self.assertEqual(process.returncode, EXPECTED_EXIT.get(name, 0), process.stderr.decode())
                    self.assertNotIn(b"smiley:", process.stderr)
                    self.assertEqual(records[0][1]["native"], options["accelerator"] == "native")
                    text = golden.describe(records)
                    if REGENERATE and options == BACKENDS[0]:
                        self._regenerate(name, text)
                        continue
                    with open(expected_path(name), encoding="utf-8") as handle:
                        expected = handle.read()
                    if text != expected:
                        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "expected", "recorded"))
                        self.fail("%s differs from %s:\n%s" % (name, expected_path(name), diff))

    def _regenerate(self, name, text):
        os.makedirs(EXPECTED, exist_ok=True)
        default = os.path.join(EXPECTED, name[:-3] + ".txt")
        specific = os.path.join(EXPECTED, "%s.%s.txt" % (name[:-3], VERSION))
        if VERSION == DEFAULT_VERSION or not os.path.exists(default):
            target = default
        elif open(default, encoding="utf-8").read() == text:
            if os.path.exists(specific):
                os.remove(specific)
            return
        else:
            target = specific
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)


class ReferenceLineEvents(unittest.TestCase):
    """The recorded line events equal, event for event, what a bare sys.settrace sees."""

    def test_line_events_match_a_minimal_settrace_collector(self):
        collector = os.path.join(HERE, "reference_collector.py")
        for name in programs():
            for options in BACKENDS:
                with self.subTest(program=name, **options):
                    _, records = run_traced([name] + PROGRAM_ARGS.get(name, []), options=options)
                    recorded = {thread: [list(e) for e in events] for thread, events in golden.line_events(records).items()}
                    with tempfile.TemporaryDirectory() as folder:
                        output = os.path.join(folder, "lines.json")
                        import subprocess

                        subprocess.run(
                            [sys.executable, collector, output, os.path.join(PROGRAMS, name)] + PROGRAM_ARGS.get(name, []),
                            cwd=PROGRAMS,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            timeout=60,
                        )
                        with open(output) as handle:
                            reference = json.load(handle)
                    self.assertEqual(recorded, reference)


if __name__ == "__main__":
    unittest.main()
