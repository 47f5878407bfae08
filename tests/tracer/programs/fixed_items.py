def near(a, b):
    return abs(a - b) < 0.5


def lookups():
    table = {1.0: (1.28, 2.33), 2.5: (0.67, (1.96, "z"))}
    rows = [(1, "a"), (2, "b")]
    pinned = frozenset([(1, 2)])
    hits = 0
    for key in (1.0, 2.5):
        hits += near(key, 1.0)
    table[1.0] = (1.28, 2.33)
    table[2.5] = (0.0, (1.96, "z"))
    rows[0] = (1, "a")
    rows.append((3, "c"))
    holder = ([1],)
    table[9.0] = holder
    near(0, 0)
    holder[0].append(2)
    near(0, 0)
    return hits, pinned


lookups()
