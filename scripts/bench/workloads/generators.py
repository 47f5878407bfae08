"""Generators, generator expressions and list, dict and set comprehensions."""

from _measure import measure


def numbers(limit):
    value = 0
    while value < limit:
        yield value
        value += 1


def evens(source):
    for value in source:
        if value % 2 == 0:
            yield value


def work(n):
    total = 0
    for round_ in range(n):
        squares = [v * v for v in evens(numbers(60))]
        table = {v: v % 7 for v in squares}
        residues = {v % 11 for v in table}
        total += sum(v for v in squares if v % 3) + len(table) + sum(sorted(residues)) + round_
    return total


measure(work, 600)
