"""Recursion to the interpreter's limit, caught by the program, which then goes on."""

deepest = 0


def down(n):
    global deepest
    deepest = n
    return down(n + 1)


def main():
    try:
        down(0)
    except RecursionError as error:
        print("caught", type(error).__name__, "at depth", deepest)
    total = 0
    for i in range(3):
        total += i
    print("after", total)


main()
