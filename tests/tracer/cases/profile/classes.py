class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)

    def __eq__(self, other):
        return isinstance(other, Vector) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __repr__(self):
        return "Vector(%r, %r)" % (self.x, self.y)

    @property
    def norm(self):
        return (self.x * self.x + self.y * self.y) ** 0.5

    @classmethod
    def zero(cls):
        return cls(0, 0)


class Shape:
    sides = 0

    def __init__(self, name):
        self.name = name

    def area(self):
        raise NotImplementedError

    def describe(self):
        return "%s with %d sides and area %.1f" % (self.name, self.sides, self.area())


class Square(Shape):
    sides = 4

    def __init__(self, side):
        super().__init__("square")
        self.side = side

    def area(self):
        return self.side * self.side


class Triangle(Shape):
    sides = 3

    def __init__(self, base, height):
        super().__init__("triangle")
        self.base = base
        self.height = height

    def area(self):
        return self.base * self.height / 2


def walk(steps):
    position = Vector.zero()
    for step in range(steps):
        position = position + Vector(1, step % 3) * 2
        yield position


def main():
    seen = set(walk(20))
    shapes = [Square(n) if n % 2 else Triangle(n, n + 1) for n in range(1, 9)]
    texts = [shape.describe() for shape in shapes]
    return len(seen), max(v.norm for v in seen), texts[-1]


print(main())
