"""The wire format's test vectors (shared/wire/vectors.json): byte strings CPython's marshal
writes for values the stream carries, with the value each one decodes to.

``python vectors.py`` rewrites the file from the values below. Which objects get a
back-reference depends on reference counts, so the exact bytes differ a little between
interpreter versions; the tests check that every interpreter reads these bytes back as the
recorded values, and the TypeScript decoder is tested on them too.
"""

import json
import marshal
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "wire", "vectors.json")

REPEATED = "repeated name"


def samples():
    """(description, value) pairs covering every marshal type the stream uses."""
    return [
        ("None, True and False", (None, True, False)),
        ("small ints", (0, 1, -1, 255, 2**31 - 1, -(2**31))),
        ("ints beyond 32 bits", (2**31, -(2**31) - 1, 2**45, 2**53 - 1, -(2**53) + 1)),
        ("ints beyond 2^53", (2**53 + 1, -(2**64), 10**30)),
        ("floats", (0.5, -1.25, 1e300, 1234.567891)),
        ("ascii and short ascii strings", ("", "a", "x" * 300)),
        ("non-ascii strings", ("h\u00e9llo", "\u65e5\u672c", "\U0001f600", "a\udcffb")),
        ("bytes", (b"", b"\x00\xff", b"abc")),
        ("nested tuples and lists", [(1, (2, [3, 4])), [], ()]),
        ("dict with string keys", {"run": "abc", "pid": 42, "argv": ["prog.py", "-v"]}),
        ("dict with tuple keys (pstats)", {("prog.py", 3, "main"): (1, 1, 0.5, 0.75, {("~", 0, "<built-in>"): (1, 1, 0.1, 0.1)})}),
        ("back-references to a repeated string", (REPEATED, REPEATED, (REPEATED,))),
        ("a line event", (1, 12, 40, 1234.5, (3, 1, "42", 4, 0, None))),
        ("a call event", (0, 7, 10, 99.25, (1, 2, "'x'"), 3, 0, 1, 0)),
        ("sets", (frozenset([1]), {2})),
    ]


def encode(value):
    """A JSON form of ``value`` that keeps the distinctions the decoder must make."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if abs(value) <= 2**53 else {"int": str(value)}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return [encode(v) for v in sorted(value)]
    return [encode(v) for v in value]


def build():
    vectors = []
    for description, value in samples():
        data = marshal.dumps(value, 4)
        vectors.append({"description": description, "hex": data.hex(), "value": encode(value)})
    return vectors


if __name__ == "__main__":
    with open(VECTORS, "w", encoding="utf-8") as handle:
        json.dump({"python": "%d.%d" % sys.version_info[:2], "vectors": build()}, handle, indent=1, ensure_ascii=True)
        handle.write("\n")
    print("wrote", VECTORS)
