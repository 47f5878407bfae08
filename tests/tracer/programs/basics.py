class Counter:
    def __init__(self, start):
        self.value = start

    def bump(self, by=1):
        self.value += by
        return self.value


def squares(n):
    for i in range(n):
        yield i * i


def main():
    counter = Counter(10)
    total = 0
    items = []
    for square in squares(3):
        total += square
        items.append(square)
    try:
        counter.bump(int("x"))
    except ValueError as error:
        message = str(error)
    del total
    return counter.bump(2)


print(main())
