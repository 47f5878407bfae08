"""Method calls and properties on small objects."""

from _measure import measure


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def scaled(self, factor):
        return Vector(self.x * factor, self.y * factor)

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    @property
    def norm2(self):
        return self.dot(self)


class Body:
    def __init__(self, position, velocity):
        self.position = position
        self.velocity = velocity

    @property
    def energy(self):
        return self.velocity.norm2 // 2

    def step(self):
        self.position = self.position.add(self.velocity)
        self.velocity = self.velocity.scaled(-1) if self.position.norm2 > 10_000 else self.velocity


def work(n):
    bodies = [Body(Vector(i, -i), Vector(i % 7 + 1, i % 5 + 1)) for i in range(10)]
    total = 0
    for _ in range(n):
        for body in bodies:
            body.step()
            total += body.energy
    return total


measure(work, 1_500)
