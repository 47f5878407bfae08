"""A program for --function: the same helpers called inside and outside the scoped functions,
recursion, generators, callbacks through the standard library, threads, and an exception that
leaves the scope."""

import contextlib
import heapq
import threading


def helper(x):
    return x * 2


def leaf(n):
    return n + 1


def fact(n):
    if n <= 1:
        return leaf(0)
    return n * fact(n - 1)


def numbers(limit):
    for i in range(limit):
        yield helper(i)


@contextlib.contextmanager
def managed():
    yield leaf(1)


class Failure(Exception):
    pass


def explode(depth):
    if depth == 0:
        raise Failure("deep")
    explode(depth - 1)


def outside():
    return helper(10) + leaf(2)


def started():
    """A generator begun here, and finished by whoever gets it."""
    values = numbers(3)
    next(values)
    return values


class Work:
    def target(self, n):
        total = 0
        for value in numbers(n):
            total += value
        with managed() as extra:
            total += extra
        total += sum(heapq.nsmallest(2, [3, 1, 2], key=leaf))
        total += fact(3)
        worker = threading.Thread(target=outside, name="spawned")
        worker.start()
        worker.join()
        return total

    def risky(self):
        try:
            explode(2)
        finally:
            helper(1)


def main():
    work = Work()
    outside()
    work.target(3)
    outside()
    try:
        work.risky()
    except Failure:
        outside()
    fact(2)
    total = sum(numbers(2))
    rest = list(started())
    thread = threading.Thread(target=work.target, args=(2,), name="worker")
    thread.start()
    thread.join()
    return total, rest


if __name__ == "__main__":
    main()
