"""Values near --max-repr (200): whole when they fit, cut only when they do not."""


def show(value):
    return value


fits = ("x" * 184,)
exactly = ["y" * 96, "z" * 96]
nested = {"key": ("v" * 150,), "n": [1, 2, 3]}
too_long = ("w" * 210,)
many = list(range(100))
for value in (fits, exactly, nested, too_long, many):
    show(value)
