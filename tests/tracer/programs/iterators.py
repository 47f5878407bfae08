def consume():
    items = iter([1, 2, 3])
    first = next(items)
    second = next(items)
    items = iter([4])
    return first + second + next(items)


def numbers():
    yield 1
    yield 2


def walk():
    source = numbers()
    pairs = enumerate(source)
    index, value = next(pairs)
    index, value = next(pairs)
    pairs = zip(source, "ab")
    return index + value + len(list(pairs))


consume()
walk()
