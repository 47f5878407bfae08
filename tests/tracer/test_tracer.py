"""How the tracer behaves around the program: what it sends at start and end, how every
kind of ending is recorded, that it restores what it found and never breaks the program."""

import json
import os
import signal
import subprocess
import sys
import time
import unittest

import golden
from harness import HERE, TRACER, decode_stream, run_traced

CASES = os.path.join(HERE, "cases")
sys.path.insert(0, TRACER)

from smiley_tracer import wire  # noqa: E402


def of(records, tag):
    return [r for r in records if r[0] == tag]


def end_info(records):
    ends = of(records, wire.END)
    return ends[-1][1] if ends else None


def symbol_texts(records):
    return {r[1]: r[2] for r in of(records, wire.SYMBOL)}


class Start(unittest.TestCase):
    def test_the_stream_opens_with_hello_describing_the_interpreter(self):
        process, records = run_traced(["os_exit.py"], cwd=CASES)
        hello = records[0]
        self.assertEqual(hello[0], wire.HELLO)
        info = hello[1]
        self.assertEqual(info["run"], "test-run")
        self.assertEqual(info["python"], "%d.%d.%d" % sys.version_info[:3])
        self.assertEqual(info["backend"], "monitoring" if sys.version_info >= (3, 12) else "settrace")
        self.assertEqual(info["cwd"], CASES)
        self.assertEqual(info["argv"], ["os_exit.py"])
        self.assertIsInstance(info["clock"], float)

    def test_definitions_come_before_the_events_that_use_them(self):
        _, records = run_traced(["profiled.py"], cwd=CASES)
        defined = {wire.CODE: set(), wire.SYMBOL: set(), wire.THREAD: set(), wire.FILE: set()}
        for record in records:
            tag = record[0]
            if tag in defined:
                defined[tag].add(record[1])
            if tag == wire.CODE:
                self.assertIn(record[2], defined[wire.FILE])
            if tag == wire.CALL:
                self.assertIn(record[5], defined[wire.CODE])
                self.assertIn(record[7], defined[wire.THREAD])
            if tag in (wire.CALL, wire.LINE, wire.RETURN, wire.EXCEPTION, wire.YIELD) and record[4]:
                for i in range(0, len(record[4]), 3):
                    self.assertIn(record[4][i], defined[wire.SYMBOL])

    def test_sources_are_decoded_as_the_interpreter_decoded_them(self):
        process, records = run_traced(["latin1.py"], cwd=CASES)
        self.assertEqual(process.stdout.strip(), b"4")
        (source,) = [r[3] for r in of(records, wire.FILE) if r[2].endswith("latin1.py")]
        self.assertIn('greeting = "caf\u00e9"', source)

    def test_the_tracer_never_records_its_own_files(self):
        _, records = run_traced(["profiled.py"], cwd=CASES)
        self.assertTrue(all(TRACER not in r[2] for r in of(records, wire.FILE)))
        (profile,) = of(records, wire.PROFILE)
        self.assertTrue(all(TRACER not in key[0] for key in profile[1]))


class Endings(unittest.TestCase):
    def test_a_normal_exit_ends_with_an_end_record_and_no_exception(self):
        process, records = run_traced(["profiled.py"], cwd=CASES)
        self.assertEqual(process.returncode, 0)
        self.assertEqual(records[-1][0], wire.END)
        self.assertNotIn("exception", end_info(records))

    def test_an_uncaught_exception_is_reported_with_its_traceback(self):
        process, records = run_traced(["uncaught.py"])
        self.assertEqual(process.returncode, 1)
        self.assertIn(b"ValueError: invalid literal", process.stderr)
        self.assertNotIn(TRACER.encode(), process.stderr)  # the program's traceback is its own
        error = end_info(records)["exception"]
        self.assertEqual(error["type"], "ValueError")
        self.assertIn("invalid literal for int()", error["message"])
        self.assertIn('uncaught.py", line 2, in parse', error["traceback"])

    def test_sys_exit_keeps_its_status(self):
        process, records = run_traced(["sys_exit.py"])
        self.assertEqual(process.returncode, 3)
        self.assertNotIn("exception", end_info(records))

    def test_os_exit_flushes_every_event_and_records_the_status(self):
        process, records = run_traced(["os_exit.py"], cwd=CASES)
        self.assertEqual(process.returncode, 7)
        self.assertEqual(end_info(records)["exitStatus"], 7)
        lines = [r[2] for r in of(records, wire.LINE)]
        self.assertEqual(lines, [1, 3, 4, 5])

    def test_sigterm_flushes_the_events_then_dies_of_the_signal(self):
        process, records = run_traced(["sigterm.py"], cwd=CASES)
        self.assertEqual(process.returncode, -signal.SIGTERM)
        self.assertEqual(end_info(records)["signal"], signal.SIGTERM)
        names = symbol_texts(records)
        steps = [r[4] for r in of(records, wire.LINE) if r[4] and names[r[4][0]] == "steps"]
        self.assertEqual(steps[-1][2], "[0, 1, 2, 3, 4]")

    def test_a_syntax_error_in_the_script_is_one_line_and_recorded(self):
        script = os.path.join(CASES, "syntax_error.py")
        process, records = run_traced([script], cwd=CASES, options={"script": script})
        self.assertEqual(process.returncode, 1)
        message = process.stderr.decode().strip()
        self.assertEqual(len(message.splitlines()), 1, message)
        self.assertIn("syntax_error.py:1: SyntaxError", message)
        self.assertEqual(end_info(records)["exception"]["type"], "SyntaxError")

    def test_an_unhandled_keyboard_interrupt_still_ends_the_process_with_sigint(self):
        read_end, write_end = os.pipe()
        environment = dict(os.environ, PYTHONPATH=TRACER)
        environment["SMILEY_OPTIONS"] = json.dumps({"fd": write_end, "run": "r", "pythonPath": None})
        process = subprocess.Popen(
            [sys.executable, "sleeps.py"], cwd=CASES, env=environment, pass_fds=(write_end,), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        os.close(write_end)
        self.assertEqual(process.stdout.readline().strip(), b"ready")
        process.send_signal(signal.SIGINT)
        data = b""
        while True:
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            data += chunk
        os.close(read_end)
        _, stderr = process.communicate(timeout=30)
        self.assertEqual(process.returncode, -signal.SIGINT, stderr)
        self.assertEqual(end_info(decode_stream(data))["exception"]["type"], "KeyboardInterrupt")

    def test_a_keyboard_interrupt_reaches_the_program(self):
        process, records = run_traced(["keyboard.py"], cwd=CASES)
        self.assertEqual(process.returncode, 0, process.stderr.decode())
        self.assertEqual(process.stdout.strip(), b"handled True")


class Safety(unittest.TestCase):
    def setUp(self):
        self.assertIsNone(sys.gettrace())

    def tearDown(self):
        self.assertIsNone(sys.gettrace())

    def test_a_forked_child_writes_nothing_to_the_parents_stream(self):
        process, records = run_traced(["forks.py"], cwd=CASES)
        self.assertEqual(process.returncode, 0)
        names = symbol_texts(records)
        events = [r for r in records if r[0] in (wire.LINE, wire.RETURN)]
        changed = {names[r[4][i]] for r in events if r[4] for i in range(0, len(r[4]), 3)}
        self.assertIn("after", changed)
        self.assertNotIn("child_value", changed)
        self.assertEqual(len(of(records, wire.END)), 1)

    def test_a_program_with_its_own_trace_function_keeps_working(self):
        process, records = run_traced(["own_tracer.py"], cwd=CASES)
        self.assertEqual(process.stdout.strip(), b"True")

    def test_the_program_runs_on_when_the_reader_goes_away(self):
        read_end, write_end = os.pipe()
        environment = dict(os.environ, PYTHONPATH=TRACER)
        environment["SMILEY_OPTIONS"] = json.dumps({"fd": write_end, "run": "r", "pythonPath": None})
        process = subprocess.Popen(
            [sys.executable, "long_running.py"],
            cwd=CASES,
            env=environment,
            pass_fds=(write_end,),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        os.close(write_end)
        self.assertEqual(process.stdout.readline().strip(), b"started")
        os.read(read_end, 1000)
        os.close(read_end)  # the recorder disappears
        time.sleep(1)
        self.assertIsNone(process.poll(), "the program must keep running")
        process.terminate()
        _, stderr = process.communicate(timeout=10)
        warnings = [line for line in stderr.decode().splitlines() if line.startswith("smiley:")]
        self.assertEqual(len(warnings), 1, stderr)
        self.assertIn("tracing stopped", warnings[0])

    def test_an_internal_failure_stops_tracing_with_one_warning(self):
        # A renderer that breaks stands for any bug in the tracer.
        program = "import smiley_break; x = 1\ny = 2\nprint('still running')\n"
        folder = os.path.join(CASES, "_internal")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "smiley_break.py"), "w") as handle:
            handle.write(
                "import gc\nfrom smiley_tracer.values import Renderer\n"
                "Renderer.render = lambda self, value: 1 / 0\n"
            )
        with open(os.path.join(folder, "main.py"), "w") as handle:
            handle.write(program)
        process, records = run_traced(["main.py"], cwd=folder, env=dict(os.environ, PYTHONPATH=folder))
        self.assertEqual(process.returncode, 0, process.stderr)
        self.assertEqual(process.stdout.strip(), b"still running")
        warnings = [line for line in process.stderr.decode().splitlines() if line.startswith("smiley:")]
        self.assertEqual(len(warnings), 1, process.stderr)
        self.assertIn("ZeroDivisionError", warnings[0])
        self.assertTrue(any("ZeroDivisionError" in r[1] for r in of(records, wire.NOTICE)))


class SlowReprs(unittest.TestCase):
    def test_a_repr_slow_on_the_cpu_is_shown_plainly_from_its_second_look_at_most(self):
        process, records = run_traced(["slow_reprs.py"], options={"callReprs": True}, cwd=CASES)
        self.assertEqual(process.returncode, 0, process.stderr)
        names = symbol_texts(records)
        shown = []
        for record in records:
            if record[0] in (wire.LINE, wire.RETURN) and record[4]:
                shown += [record[4][i + 2] for i in range(0, len(record[4]), 3) if names[record[4][i]] == "busy"]
        # Its first slow repr by the wall clock makes the type a suspect, whose next repr is
        # measured on the thread's CPU clock (a busy machine may make the first one count as
        # blocking already): from then on it is shown as object.__repr__ shows it.
        full = [text for text in shown if text.startswith("Busy(")]
        self.assertLessEqual(len(full), 2, shown)
        self.assertEqual(full, ["Busy(%d)" % step for step in range(len(full))])
        self.assertTrue(shown[-1].startswith("<Busy object at 0x"), shown)


class Options(unittest.TestCase):
    def test_redaction_can_be_turned_off(self):
        _, records = run_traced(["secrets.py"], options={"redact": False})
        self.assertIn("password='hunter2'", golden.describe(records))

    def test_max_repr_bounds_every_value(self):
        _, records = run_traced(["hostile.py"], options={"maxRepr": 30})
        texts = [r[4][i] for r in records if r[0] in (wire.CALL, wire.LINE) and r[4] for i in range(2, len(r[4]), 3)]
        self.assertTrue(texts)
        self.assertTrue(all(t is None or len(t) <= 30 for t in texts))

    def test_the_standard_library_is_left_out_unless_asked_for(self):
        _, records = run_traced(["packages.py"], cwd=CASES)
        self.assertEqual([os.path.basename(r[2]) for r in of(records, wire.FILE)], ["packages.py"])
        _, records = run_traced(["packages.py"], cwd=CASES, options={"includeStdlib": True})
        self.assertIn("encoder.py", [os.path.basename(r[2]) for r in of(records, wire.FILE)])

    def test_a_named_package_can_be_included(self):
        _, records = run_traced(["packages.py"], cwd=CASES, options={"includePackages": ["json"]})
        files = sorted(os.path.basename(r[2]) for r in of(records, wire.FILE))
        self.assertIn("encoder.py", files)
        self.assertNotIn("re.py", files)

    def test_the_profile_counts_calls_like_cprofile(self):
        _, records = run_traced(["profiled.py"], cwd=CASES)
        (profile,) = of(records, wire.PROFILE)
        calls = {key[2]: value[1] for key, value in profile[1].items() if key[0].endswith("profiled.py")}
        self.assertEqual(calls["leaf"], 12)
        self.assertEqual(calls["branch"], 3)

    def test_no_profile_sends_no_profile(self):
        _, records = run_traced(["profiled.py"], cwd=CASES, options={"profile": False})
        self.assertEqual(of(records, wire.PROFILE), [])


if __name__ == "__main__":
    unittest.main()
