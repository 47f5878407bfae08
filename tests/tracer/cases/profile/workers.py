import queue
import threading


def square(x):
    return x * x


def produce(tasks, count):
    for i in range(count):
        tasks.put(square(i))
    tasks.put(None)


def consume(tasks, results):
    while True:
        item = tasks.get()
        if item is None:
            break
        results.append(halve(item))


def halve(x):
    return x // 2


tasks = queue.Queue(maxsize=8)
results = []
workers = [
    threading.Thread(target=produce, args=(tasks, 40)),
    threading.Thread(target=consume, args=(tasks, results)),
]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(sum(results), [thread.name for thread in threading.enumerate()])
