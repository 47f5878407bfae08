"""Secrets stay out of the recording, and rendering a value never changes what the program does.

Each secret reaches the program through the environment under a harmless name, so that neither
the program's source nor its arguments hold it: only what the tracer sees at run time can leak
it. The whole stream (values, texts, sources, the hello and end records) is searched for it.
"""

import os
import tempfile
import textwrap
import unittest

from harness import native_problem, run_traced

ACCELERATORS = ("python",) if native_problem() else ("python", "native")

# Shapes of secrets, one per kind the README lists; none is written the way the tests of a
# secret scanner usually write it.
SECRETS = {
    "AWS access key id": "AKIA" + "Q3RTY7ZXPL2MB4NW",
    "AWS secret access key": "hR7/kZ2pQ9wX" + "4vB8nM1cT6yL3jF5dG0sA+eU2iOq",
    "bearer credential": "Bearer " + "z8Xk2mQ9vL4pR7tW",
    "private key": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB" + "x7kQ2mZ9\n-----END EC PRIVATE KEY-----",
    "password in a URL": "mysql://report:" + "Tr0ub4dor-3" + "@10.0.0.5:3306/sales",
    "GitHub token": "ghp_" + "Zq8Lm3Xv9Tb2Nc7Kd4Rf6Hj1Wp5Sy0Ua4Ge",
    "GitHub fine-grained token": "github_pat_" + "11ABCDE2F0" + "aBcDeFgHiJkLmNoPqRsTuV",
    "Slack token": "xoxb-" + "2044-1123581321-" + "QwErTyUiOpAsDfGh",
    "Stripe key": "sk_live_" + "51Hx9QmL2vZ8pK4tN7rW",
    "Google API key": "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "JSON web token": "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0In0" + ".dBjftJeZ4CVPmB92K27uhbUJU1p1r",
}

PROGRAM = textwrap.dedent(
    """
    import os
    from dataclasses import dataclass


    @dataclass
    class Holder:
        data: str


    class Box:
        def __init__(self, data):
            self.data = data

        def __repr__(self):
            return "Box(%r)" % self.data


    def handle(data):
        copy = data
        items = [data, 1]
        table = {"data": data}
        pairs = [("data", data)]
        holder = Holder(data)
        box = Box(data)
        text = "got " + data + " here"
        try:
            raise ValueError("cannot use " + data)
        except ValueError as error:
            caught = error
        return data


    handle(os.environ["SECRET_UNDER_TEST"])
    """
)

NAMED = textwrap.dedent(
    """
    import os


    def login(password):
        return "ok"


    def later(value):
        words = value.split("-")
        again = "-".join(words)
        message = "user typed " + again
        raise RuntimeError(message)


    secret = os.environ["SECRET_UNDER_TEST"]
    login(secret)
    later(secret)
    """
)


def texts(records):
    """Every string in the stream."""
    found = []

    def walk(item):
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, bytes):
            found.append(item.decode("utf-8", "replace"))
        elif isinstance(item, (list, tuple)):
            for part in item:
                walk(part)
        elif isinstance(item, dict):
            for key, value in item.items():
                walk(key)
                walk(value)

    walk(records)
    return found


class Secrets(unittest.TestCase):
    def record(self, source, secret, accelerator, options=None):
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "program.py")
        with open(path, "w") as handle:
            handle.write(source)
        environment = dict(os.environ, SECRET_UNDER_TEST=secret)
        settings = {"accelerator": accelerator}
        settings.update(options or {})
        return run_traced([path], options=settings, cwd=folder, env=environment)

    def leaks(self, records, secret):
        """The texts that hold ``secret``, or a part of it long enough to matter."""
        pieces = [secret] + [part for part in secret.replace("\n", " ").split() if len(part) >= 12]
        return [text for text in texts(records) if any(piece in text for piece in pieces)]

    def test_secret_shaped_values_never_reach_the_recording(self):
        for accelerator in ACCELERATORS:
            for kind, secret in SECRETS.items():
                with self.subTest(kind=kind, accelerator=accelerator):
                    process, records = self.record(PROGRAM, secret, accelerator)
                    self.assertEqual(process.returncode, 0, process.stderr)
                    self.assertEqual(self.leaks(records, secret), [])

    def test_a_cut_through_a_secret_leaves_none_of_it(self):
        source = textwrap.dedent(
            """
            import os
            secret = os.environ["SECRET_UNDER_TEST"]
            for width in range(30, 60, 3):
                text = "x" * width + " " + secret
                texts = [text, 1]
            """
        )
        for accelerator in ACCELERATORS:
            for kind in ("AWS secret access key", "GitHub token", "Stripe key"):
                secret = SECRETS[kind]
                with self.subTest(kind=kind, accelerator=accelerator):
                    process, records = self.record(source, secret, accelerator, {"maxRepr": 60})
                    pieces = [secret[i : i + 10] for i in range(len(secret) - 9)]
                    self.assertEqual([t for t in texts(records) if any(p in t for p in pieces)], [])

    def test_they_are_recorded_with_no_redact(self):
        secret = SECRETS["Stripe key"]
        process, records = self.record(PROGRAM, secret, "python", {"redact": False})
        self.assertNotEqual(self.leaks(records, secret), [])

    def test_a_value_held_under_a_secret_name_is_hidden_wherever_it_shows_later(self):
        for accelerator in ACCELERATORS:
            with self.subTest(accelerator=accelerator):
                process, records = self.record(NAMED, "blue-Horse-7", accelerator)
                self.assertEqual(process.returncode, 1)
                self.assertEqual(self.leaks(records, "blue-Horse-7"), [])
                self.assertIn("user typed <redacted>", texts(records))

    def test_a_text_shown_before_its_secret_was_known_is_redacted_at_its_next_look(self):
        # The URL has the text scrubbed (and its scrubbed form kept) before `password` holds
        # the string: the kept form must not outlive that.
        source = textwrap.dedent(
            """
            def touch(value):
                return value

            nested = [["blue-" + "Horse-7", "https://example.org/x"]]
            touch(nested)
            password = nested[0][0]
            touch(nested)
            """
        )
        for accelerator in ACCELERATORS:
            with self.subTest(accelerator=accelerator):
                process, records = self.record(source, "unused", accelerator)
                self.assertEqual(process.returncode, 0, process.stderr)
                shown = [text for text in texts(records) if text.startswith("[[")]
                self.assertEqual(shown[0], "[['blue-Horse-7', 'https://example.org/x']]")
                self.assertEqual(shown[-1], "[['<redacted>', 'https://example.org/x']]")

    def test_the_source_keeps_code_after_a_secret_name_and_hides_literals(self):
        source = textwrap.dedent(
            """
            import os
            rows = [["x"]]
            password = rows[0][0]
            token = os.environ.get("HOME")
            config = {"api_key": "k3y-v4lue-77", "secret": str(len(rows))}
            hint = "password=hunter2(x"
            """
        )
        process, records = self.record(source, "unused", "python")
        self.assertEqual(process.returncode, 0, process.stderr)
        shown = [record[3] for record in records if record[0] == 18 and record[2].endswith("program.py")][0]
        self.assertIn("password = rows[0][0]\n", shown)
        self.assertIn('token = os.environ.get("HOME")\n', shown)
        self.assertIn('config = {"api_key": <redacted>, "secret": str(len(rows))}\n', shown)
        self.assertIn('hint = "password=<redacted>"\n', shown)

    def test_the_user_adds_names_and_patterns(self):
        source = textwrap.dedent(
            """
            import os
            customer, order = os.environ["SECRET_UNDER_TEST"].split()
            note = "order " + order + " shipped"
            shown = customer + " again"
            """
        )
        options = {"redactNames": ["customer"], "redactPatterns": [r"\d{4}-ZX"]}
        for accelerator in ACCELERATORS:
            with self.subTest(accelerator=accelerator):
                process, records = self.record(source, "C-0042-77 8812-ZX", accelerator, options)
                everything = texts(records)
                self.assertEqual([t for t in everything if "C-0042-77" in t or "8812-ZX" in t], [])
                self.assertIn("'order <redacted> shipped'", everything)


HAZARDS = textwrap.dedent(
    """
    import os
    import signal
    import sys
    import threading

    lock = threading.Lock()
    event = threading.Event()
    marker = sys.argv[1]


    class Locking:
        def __repr__(self):
            with lock:
                return "Locking()"


    class Waiting:
        def __repr__(self):
            event.wait()
            return "Waiting()"


    class Writing:
        def __repr__(self):
            with open(marker, "w") as handle:
                handle.write("repr ran")
            return "Writing()"


    class Counting:
        def __init__(self):
            self.count = 0

        def __repr__(self):
            self.count += 1
            return "Counting(%d)" % self.count


    class Starting:
        def __repr__(self):
            threading.Thread(target=print).start()
            return "Starting()"


    def use(*objects):
        return len(objects)


    def main():
        objects = [Locking(), Waiting(), Writing(), Counting(), Starting()]
        with lock:
            use(*objects)
        print(os.path.exists(marker), objects[3].count, threading.active_count())
        print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, signal.getsignal(signal.SIGHUP) is signal.SIG_DFL)


    main()
    """
)


class WhatTheProgramSees(unittest.TestCase):
    def test_rendering_never_blocks_writes_changes_or_starts_anything_and_handlers_look_default(self):
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "hazards.py")
        marker = os.path.join(folder, "marker")
        with open(path, "w") as handle:
            handle.write(HAZARDS)
        for accelerator in ACCELERATORS:
            with self.subTest(accelerator=accelerator):
                process, records = run_traced([path, marker], options={"accelerator": accelerator}, cwd=folder, timeout=30)
                self.assertEqual(process.returncode, 0, process.stderr)
                self.assertEqual(process.stdout.decode().split(), ["False", "0", "1", "True", "True"])
                shown = texts(records)
                self.assertIn("Counting(count=0)", shown)
                self.assertTrue(any("[Locking(), Waiting(), Writing(), Counting(count=0), Starting()]" in text for text in shown))


if __name__ == "__main__":
    unittest.main()
