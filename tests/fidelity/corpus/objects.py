"""Objects changed in place: a dataclass, a class with __slots__, a dict subclass, an exception
whose arguments are set again, an object shown half-built, a bound method of it."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Point:
    x: int
    y: int
    tags: list = field(default_factory=list)

    def move(self, dx):
        self.x += dx
        self.tags.append("moved")


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a):
        self.a = a

    def __repr__(self):
        return "Slotted(%r, %r)" % (self.a, getattr(self, "b", None))


class Failure(ValueError):
    def __init__(self, message, position):
        ValueError.__init__(self, "%s at %d" % (message, position))
        self.position = position


class Node:
    def __init__(self, name):
        method = self.describe
        self.name = name
        self.children = []
        method()

    def describe(self):
        return "node " + self.name

    def __repr__(self):
        return "Node(%s, %d children)" % (self.name, len(self.children))


def main():
    point = Point(1, 2)
    point.move(3)
    point.y = 7
    slotted = Slotted(1)
    slotted.b = "two"
    counts = Counter()
    counts["a"] += 1
    error = Failure("bad", 3)
    root = Node("root")
    root.children.append(Node("leaf"))
    return point, slotted, counts, error, root


main()
