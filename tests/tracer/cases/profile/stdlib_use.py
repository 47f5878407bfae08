import collections
import fractions
import json
import re
import textwrap

TEXT = "the quick brown fox jumps over the lazy dog and the quick cat " * 4


def words(text):
    return re.findall(r"\w+", text)


def summarise(text):
    counts = collections.Counter(words(text))
    return json.dumps(counts.most_common(3))


def wrapped(text):
    return textwrap.fill(text, 30).splitlines()


def harmonic(n):
    return sum((fractions.Fraction(1, k) for k in range(1, n + 1)), fractions.Fraction(0))


def main():
    report = json.loads(summarise(TEXT))
    lines = wrapped(TEXT)
    return report, len(lines), harmonic(12)


print(main())
