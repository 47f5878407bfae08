def edges(start):
    small = start
    small += 1
    small += 1
    negative = -small
    large = 10**15 - 1
    large += 1
    huge = 7**400
    same = large
    del huge
    return small * 2


def bounds(value):
    return value


edges(2**30 - 2)
for value in (2**30 - 1, 2**30, -(2**30) + 1, -(2**30), 10**15 - 1, 10**15, -(10**15)):
    bounds(value)
