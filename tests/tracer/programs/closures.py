def make_counter():
    count = 0

    def bump():
        nonlocal count
        count += 1
        return count

    return bump


def decorate(func):
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        return result * 2

    return wrapper


@decorate
def add(a, b):
    return a + b


counter = make_counter()
counter()
counter()
add(1, 2)
square = lambda x: x * x
square(4)
