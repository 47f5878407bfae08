"""The profile is the program's, measured against the truth: a plain ``python -m cProfile`` run
of the same program. It holds every thread of the program, and nothing of Smiley's (its
flusher, its hook, its start and end, its fork hooks) nor of the interpreter's start-up; and
with the standard library recorded, nothing of what Smiley runs in the program's threads is."""

import os
import pstats
import subprocess
import sys
import tempfile
import unittest

from harness import HERE, TRACER, native_problem, run_traced

FOLDER = os.path.join(HERE, "cases", "profile")
SINGLE_THREADED = ("hot.py", "stdlib_use.py", "classes.py")
PROFILE, END, FILE = 21, 22, 18
# What the interpreter runs at start-up, after sitecustomize: usercustomize looked for, the
# importers of the script's folder made.
START_UP = ("execusercustomize", "_find_and_load", "_find_spec", "path_hook_for_FileFinder", "_read_directory")


def accelerators():
    return ("python",) if native_problem() else ("python", "native")


def traced_profile(program, accelerator, options=None):
    """The profile Smiley records of ``program`` (a script, or ``-m`` and a module)."""
    settings = {"accelerator": accelerator}
    settings.update(options or {})
    process, records = run_traced(program.split(), options=settings, cwd=FOLDER)
    if process.returncode != 0:
        raise AssertionError(process.stderr.decode(errors="replace"))
    (profile,) = [record[1] for record in records if record[0] == PROFILE]
    return profile, records, process


def plain_profile(program):
    """The stats of ``python -m cProfile -o FILE program``, as pstats reads them."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out.pstats")
        command = [sys.executable, "-m", "cProfile", "-o", out] + program.split()
        subprocess.run(command, cwd=FOLDER, check=True, stdout=subprocess.DEVNULL)
        return pstats.Stats(out).stats


def user_calls(stats):
    """{(file, line, function): (primitive calls, calls)} of the program's own code."""
    calls = {}
    for (filename, line, name), entry in stats.items():
        if filename.startswith(("~", "<")):
            continue  # builtins, frozen modules
        path = os.path.realpath(os.path.join(FOLDER, filename))
        if path.startswith(FOLDER + os.sep):
            calls[(os.path.relpath(path, FOLDER), line, name)] = (entry[0], entry[1])
    return calls


def names(stats):
    return {key[2]: entry for key, entry in stats.items() if key[0].endswith(".py")}


class AgainstPlainCProfile(unittest.TestCase):
    maxDiff = None

    def test_the_programs_functions_and_their_calls_are_those_plain_cprofile_counts(self):
        for program in SINGLE_THREADED + ("-m classes",):
            truth = user_calls(plain_profile(program))
            self.assertIn("<module>", [name for _, _, name in truth])
            for accelerator in accelerators():
                with self.subTest(program=program, accelerator=accelerator):
                    profile, _, _ = traced_profile(program, accelerator)
                    self.assertEqual(user_calls(profile), truth)

    def test_the_profile_holds_nothing_of_smileys_nor_of_the_interpreters_start_up(self):
        for program in SINGLE_THREADED:
            truth = plain_profile(program)
            for accelerator in accelerators():
                with self.subTest(program=program, accelerator=accelerator):
                    profile, _, _ = traced_profile(program, accelerator)
                    for filename, _, name in profile:
                        self.assertFalse(filename.startswith(TRACER + os.sep), name)
                        self.assertNotIn("smiley", name)
                        self.assertNotIn("Profiler", name)
                        self.assertNotIn("customize", name)
                        self.assertNotIn(os.path.basename(filename), ("site.py", "<frozen site>"))
                        if program != "stdlib_use.py":  # it imports nothing
                            self.assertNotIn(name, START_UP)
                    for (filename, line, name), entry in profile.items():
                        if name in ("<built-in method posix.write>", "<method 'acquire' of '_thread.lock' objects>"):
                            plain = truth.get((filename, line, name), (0, 0))
                            self.assertLessEqual(entry[1], plain[1], name)

    def test_what_smileys_fork_hooks_run_is_not_in_the_profile(self):
        truth = user_calls(plain_profile("forks.py"))
        for accelerator in accelerators():
            with self.subTest(accelerator=accelerator):
                profile, _, _ = traced_profile("forks.py", accelerator)
                self.assertEqual(user_calls(profile), truth)
                for filename, _, name in profile:
                    self.assertNotIn(os.path.basename(filename), ("warnings.py", "re.py", "_compiler.py", "sre_compile.py"))
                    self.assertFalse(filename.endswith(os.path.join("re", "__init__.py")), name)
                    self.assertNotIn(name, ("filterwarnings", "_os_threads", "<built-in method io.open>"))

    def test_a_hot_functions_share_of_the_time_is_about_what_plain_cprofile_measures(self):
        def share(stats):
            hot = [entry[2] for key, entry in stats.items() if key[2] == "hot" and key[0].endswith("hot.py")]
            return sum(hot) / sum(entry[2] for entry in stats.values())

        truth = share(plain_profile("hot.py"))
        for accelerator in accelerators():
            with self.subTest(accelerator=accelerator):
                profile, _, _ = traced_profile("hot.py", accelerator)
                self.assertGreater(share(profile) / truth, 0.5)


class Threads(unittest.TestCase):
    def test_the_program_sees_only_its_own_threads(self):
        for accelerator in accelerators():
            with self.subTest(accelerator=accelerator):
                _, _, process = traced_profile("workers.py", accelerator)
                self.assertEqual(process.stdout.strip(), b"10260 ['MainThread']")

    def test_worker_threads_are_profiled_with_their_exact_calls(self):
        for accelerator in accelerators():
            with self.subTest(accelerator=accelerator):
                profile, _, _ = traced_profile("workers.py", accelerator)
                calls = {key[2]: value for key, value in user_calls(profile).items() if key[0] == "workers.py"}
                expected = {"<module>": (1, 1), "produce": (1, 1), "consume": (1, 1), "square": (40, 40), "halve": (40, 40)}
                if sys.version_info < (3, 12):
                    expected["<listcomp>"] = (1, 1)  # a function of its own until 3.12
                self.assertEqual(calls, expected)

    def test_a_thread_still_running_at_exit_leaves_the_end_whole(self):
        for accelerator in accelerators():
            with self.subTest(accelerator=accelerator):
                profile, records, process = traced_profile("daemon.py", accelerator)
                self.assertEqual(process.stderr, b"")
                (end,) = [record[1] for record in records if record[0] == END]
                self.assertNotIn("exception", end)
                calls = names(profile)
                self.assertGreater(calls["tick"][1], 0)
                if sys.version_info < (3, 12):
                    # Its own profiler counts its call in progress as ended. From 3.12 one
                    # stack holds every thread's calls, as in plain cProfile: the main
                    # thread's end takes the daemon's call off it.
                    self.assertEqual(calls["spin"][:2], (1, 1))


class RecordingOfSmileysOwnCode(unittest.TestCase):
    def test_with_the_standard_library_nothing_of_the_profilers_end_is_recorded(self):
        for accelerator in accelerators():
            with self.subTest(accelerator=accelerator):
                _, records, _ = traced_profile("stdlib_use.py", accelerator, {"includeStdlib": True})
                files = [record[2] for record in records if record[0] == FILE]
                self.assertIn("json", " ".join(files))
                for path in files:
                    self.assertNotIn(os.path.basename(path), ("cProfile.py", "pstats.py", "profile.py"))
                    self.assertFalse(path.startswith(TRACER + os.sep), path)

    def test_with_the_standard_library_nothing_of_smileys_fork_hooks_is_recorded(self):
        for accelerator in accelerators():
            with self.subTest(accelerator=accelerator):
                _, records, _ = traced_profile("forks.py", accelerator, {"includeStdlib": True})
                files = [os.path.basename(record[2]) for record in records if record[0] == FILE]
                self.assertIn("forks.py", files)
                for name in ("warnings.py", "re.py", "_compiler.py", "_parser.py", "sre_compile.py", "sre_parse.py"):
                    self.assertNotIn(name, files)


if __name__ == "__main__":
    unittest.main()
