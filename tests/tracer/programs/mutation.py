def mutate():
    items = [1]
    table = {"a": 1}
    tags = set()
    buffer = bytearray(b"x")
    items.append(2)
    items[0] = 10
    table["b"] = 2
    del table["a"]
    tags.add("t")
    buffer += b"y"
    items += [3]
    alias = items
    alias.pop()
    big = list(range(1000))
    big.append(1000)
    big[500] = -1
    return items


class Holder:
    def __init__(self):
        self.values = []

    def add(self, value):
        self.values.append(value)


def through_method():
    holder = Holder()
    holder.add(1)
    return holder


mutate()
through_method()
