"""Four threads doing work at once; the results are combined in a fixed order."""

import threading

from _measure import measure


def crunch(seed, n, results, slot):
    state = seed
    total = 0
    for _ in range(n):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        total += state % 100
    results[slot] = total


def work(n):
    results = [0] * 4
    threads = [threading.Thread(target=crunch, args=(slot + 1, n, results, slot)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum((slot + 1) * value for slot, value in enumerate(results))


measure(work, 40_000)
