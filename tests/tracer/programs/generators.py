def countdown(n):
    while n:
        received = yield n
        if received:
            n = received
        n -= 1
    return "done"


def delegate():
    result = yield from countdown(2)
    yield result


gen = countdown(3)
first = next(gen)
second = gen.send(5)
rest = list(gen)
both = list(delegate())
abandoned = countdown(10)
next(abandoned)
abandoned.close()
