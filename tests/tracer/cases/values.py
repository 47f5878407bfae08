"""Values the native encoder writes itself or hands to marshal: every kind of text, big
numbers, nested tuples, containers changed in place."""

import math
from collections import deque


def shapes(limit):
    ascii_text = "plain"
    long_text = "x" * 300
    accents = "caf\u00e9 \u65e5\u672c \U0001f600"
    surrogate = "a\udcffb"
    big = 2**40
    bigger = 10**30
    negative = -(2**31) - 5
    ratio = 1 / 3
    special = (math.inf, -0.0, None, True, b"\x00\xff")
    nested = ((1, (2, (3,))), [4, {5: "six"}])
    items = list(range(limit))
    items.append(len(items))
    items[0] = "first"
    table = {"k%d" % i: i for i in range(limit)}
    table["k0"] = -1
    del table["k1"]
    return ascii_text, long_text, accents, surrogate, big, bigger, negative, ratio, special, nested


def containers(limit):
    single = (1,)
    empty = ([], {}, set(), frozenset(), deque(), ())
    words = ["alpha", "b" * 250, "caf\u00e9", "x" * 30] * 5
    mixed = [1, 2.5, None, True, "s", 10**20, -0.0, math.nan]
    huge = [1, 10**5000]
    secrets = {"password": "hunter2", "user": "ada", "api_key": [1, 2], 3: "three"}
    numbers = {i: str(i) * (i % 7) for i in range(limit)}
    numbers[0] = "zero"
    queue = deque(range(limit))
    queue.append(-1)
    bag = {1, 2, 3}
    bag.add(99)
    frozen = frozenset({4, 5})
    nested = [[1], {"a": (2,)}]
    return single, empty, words, mixed, huge, secrets, numbers, queue, bag, frozen, nested


def order(flag, step):
    """Locals first bound in another order than their slots, then changed together."""
    if flag:
        x = 1
    y = 2
    x = 3
    x, y = step(), step()
    del y
    y = step()
    x, y = step(), step()
    return x + y


class Thing:
    pass


def renamed():
    thing = Thing()
    crowd = [Thing(), thing, {"one": thing}]
    Thing.__qualname__ = "Renamed"  # the same objects now show another text
    again = thing
    crowd.reverse()
    return again, crowd


renamed()
containers(60)
order(False, iter(range(100)).__next__)
print(len(shapes(80)))
