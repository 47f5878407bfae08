def leaf(n):
    return n * 2


def branch(n):
    return sum(leaf(i) for i in range(n))


for _ in range(3):
    branch(4)
