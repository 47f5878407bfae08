"""difflib, copied into the project: sequence matching, a unified diff, close matches."""

import user_difflib

before = ["apple\n", "banana\n", "cherry\n", "date\n", "elderberry\n"]
after = ["apple\n", "blueberry\n", "cherry\n", "date\n", "fig\n", "grape\n"]
print("".join(user_difflib.unified_diff(before, after, "before", "after", n=1)))
matcher = user_difflib.SequenceMatcher(None, "private Thread currentThread;", "private volatile Thread currentThread;")
print(round(matcher.ratio(), 3), matcher.get_opcodes())
print(user_difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
print(list(user_difflib.ndiff(["one\n", "two\n"], ["ore\n", "two\n"])))
