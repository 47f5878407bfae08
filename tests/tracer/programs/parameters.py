class Counter:
    def __init__(self):
        self.count = 0

    def __repr__(self):
        return "Counter(%d)" % self.count


def bump(counter):
    counter.count += 1
    counter.count += 1
    return counter


def grow(items, extra):
    items.append(extra)
    items.append(len(items))
    return len(items)


def twice(number, text="x"):
    print(number, text)
    return len(text) * 2 + number


def spread(*args, **kwargs):
    print(len(args), sorted(kwargs))
    return args


counter = Counter()
bump(counter)
bump(counter)
grow([0], 5)
twice(3)
twice(4, text="yy")
spread(1, 2, key=3)
