"""A __repr__ that burns CPU, of an object shown at every line of a loop."""
import time


class Busy:
    def __init__(self):
        self.step = 0

    def __repr__(self):
        until = time.thread_time() + 0.06
        while time.thread_time() < until:
            pass
        return "Busy(%d)" % self.step


def watch():
    busy = Busy()
    for step in range(4):
        busy.step = step
    return step


watch()
