"""Eight threads, each iterating its own generator of one generator function, all meeting the
generator's code for the first time at once, taking turns as often as they can."""

import sys
import threading

sys.setswitchinterval(1e-6)  # threads take turns as often as the interpreter allows
start = threading.Barrier(8)


def numbers(limit):
    total = 0
    for n in range(limit):
        total += n
        yield total


def work(limit):
    start.wait()
    seen = []
    for value in numbers(limit):
        seen.append(value)
    return seen


threads = [threading.Thread(target=work, args=(20 + i,), name="worker-%d" % i) for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("done")
