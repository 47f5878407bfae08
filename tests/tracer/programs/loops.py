def count_down(n):
    seen = []
    while n > 0:
        seen.append(n)
        n -= 1
    return seen


def nested(rows, cols):
    grid = {}
    for r in range(rows):
        for c in range(cols):
            grid[(r, c)] = r * c
    return len(grid)


def early_exit(values):
    for value in values:
        if value < 0:
            break
        if value == 0:
            continue
    else:
        return "no break"
    return value


count_down(3)
nested(2, 2)
early_exit([1, 0, -1, 5])
early_exit([1, 2])
