"""Deep recursion: many short calls (fib) and one long chain of nested frames."""

from _measure import measure


def fib(k):
    if k < 2:
        return k
    return fib(k - 1) + fib(k - 2)


def chain(depth):
    if depth == 0:
        return 0
    return depth + chain(depth - 1)


def work(n):
    total = 0
    for i in range(n):
        total += fib(15 + i % 3) + chain(400)
    return total


measure(work, 30)
