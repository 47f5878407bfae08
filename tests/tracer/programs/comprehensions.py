def squares(values):
    return [v * v for v in values]


def evens(values):
    return {v for v in values if v % 2 == 0}


def index(words):
    return {w: len(w) for w in words}


def total(values):
    return sum(v for v in values)


squares([1, 2, 3])
evens(range(5))
index(["a", "bb"])
total([4, 5])
