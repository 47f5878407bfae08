"""Tuples, named tuples and frozensets holding objects that change in place."""
from collections import namedtuple

Entry = namedtuple("Entry", "name tags")


class Counter:
    def __init__(self):
        self.count = 0

    def __repr__(self):
        return "Counter(%d)" % self.count

    def __hash__(self):
        return 7


def collect(words):
    seen = ([], {})
    entry = Entry("words", [])
    counter = Counter()
    counters = frozenset([counter])
    fixed = (1, ("a", 2.5), None)
    for word in words:
        seen[0].append(word)
        seen[1][word] = len(word)
        entry.tags.append(word[0])
        counter.count += 1
    return seen, entry, counters, fixed


collect(["alpha", "beta", "gamma"])
