import queue
import threading


class Worker(threading.Thread):
    def __init__(self, n, results):
        super().__init__(name="worker-%d" % n)
        self.n = n
        self.results = results

    def __repr__(self):
        return "Worker(%d)" % self.n

    def run(self):
        total = 0
        for i in range(3):
            total += i * self.n
        self.results.put((self.n, total))


results = queue.Queue()
workers = [Worker(n, results) for n in range(2)]
for worker in workers:  # one after the other: the results come in one order
    worker.start()
    worker.join()
print(sorted(results.get() for _ in workers))
