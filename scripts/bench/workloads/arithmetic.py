"""A tight arithmetic loop: the most line events per second a program can produce."""

from _measure import measure


def work(n):
    state = 12345
    total = 0
    for _ in range(n):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        total = (total + state % 1000) & 0xFFFFFFFF
    return total


measure(work, 150_000)
