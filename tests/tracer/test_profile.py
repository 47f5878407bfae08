"""The profile is the program's, measured against the truth: a plain ``python -m cProfile`` run
of the same program. It holds every thread of the program, and nothing of Smiley's (its
flusher, its hook, its start and end) nor of the interpreter's start-up; and nothing of the
profiler's own end is recorded."""

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
    settings = {"accelerator": accelerator}
    settings.update(options or {})
    process, records = run_traced([program], options=settings, cwd=FOLDER)
    if process.returncode != 0:
        raise AssertionError(process.stderr.decode(errors="replace"))
    (profile,) = [record[1] for record in records if record[0] == PROFILE]
    return profile, records, process


def plain_profile(program):
    """The stats of ``python -m cProfile -o FILE program``, as pstats reads them."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out.pstats")
        subprocess.run([sys.executable, "-m", "cProfile", "-o", out, program], cwd=FOLDER, check=True, stdout=subprocess.DEVNULL)
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


if __name__ == "__main__":
    unittest.main()
