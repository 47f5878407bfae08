class Point:
    pass


class Other:
    pass


def watch():
    points = [Point(), Point(), 3]
    table = {"origin": points[0]}
    first = points[0]
    print(len(points), len(table))
    print(len(points), len(table))
    Point.__qualname__ = "Renamed"
    print(len(points), len(table))
    Point.__module__ = "elsewhere"
    print(len(points), len(table))
    first.__class__ = Other
    print(len(points), len(table))
    Other.__repr__ = lambda self: "an other"
    print(len(points), len(table))
    return len(points)


watch()
