def hot(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def main():
    for size in (2000, 4000, 8000):
        hot(size)
    return fib(12)


print(main())
