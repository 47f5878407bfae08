"""Exceptions raised and caught, some of them through a few frames."""

from _measure import measure


class Invalid(ValueError):
    pass


def parse(value):
    if value % 3 == 0:
        raise Invalid("multiple of three: %d" % value)
    if value % 5 == 0:
        return int("not a number")
    return value


def checked(value):
    try:
        return parse(value)
    finally:
        value = None


def work(n):
    total = 0
    for i in range(n):
        try:
            total += checked(i)
        except Invalid:
            total += 1
        except ValueError as error:
            total += len(error.args)
        try:
            {}[i]
        except KeyError:
            total += 2
    return total


measure(work, 20_000)
