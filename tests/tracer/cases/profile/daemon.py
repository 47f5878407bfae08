import threading
import time

started = threading.Event()


def tick(n):
    return n + 1


def spin():
    n = 0
    started.set()
    while True:
        n = tick(n)
        time.sleep(0.001)


threading.Thread(target=spin, daemon=True).start()
started.wait()
time.sleep(0.05)
print("done")
