/**
 * A threaded program for the Timeline and the Perfetto export: two workers calling a
 * function that sleeps (calls wide enough to see), a generator consumed by the main thread,
 * and a burst of tiny calls (narrower than a pixel at a run's whole width).
 */

export const THREADED_PROGRAM = `import threading
import time


def leaf(i):
    time.sleep(0.003)
    return i * 2


def work(name, n):
    total = 0
    for i in range(n):
        total += leaf(i)
    return total


def numbers(n):
    for i in range(n):
        yield i


def tiny(i):
    return i + 1


def burst(n):
    total = 0
    for i in range(n):
        total = tiny(total)
    return total


def main():
    workers = [
        threading.Thread(target=work, args=("w%d" % k, 4), name="worker-%d" % k)
        for k in range(2)
    ]
    for worker in workers:
        worker.start()
    total = sum(numbers(3))
    for worker in workers:
        worker.join()
    return total + burst(TINY_CALLS)


TINY_CALLS = 400
main()
`

/** Calls of tiny() the program makes. */
export const TINY_CALLS = 400
