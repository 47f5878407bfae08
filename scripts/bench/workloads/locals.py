"""A function with many locals and big containers, all changing as it runs."""

from _measure import measure


def work(n):
    a = b = c = d = e = f = g = h = 0
    i1 = i2 = i3 = i4 = i5 = i6 = i7 = i8 = 1
    name = "start"
    history = []
    index = {}
    window = list(range(500))
    total = 0
    for step in range(n):
        a, b, c, d = b + 1, c + a, d ^ step, a * 3 % 1001
        e, f, g, h = f + d, g - e, h + b, (e * f) % 997
        i1, i2, i3, i4 = i2 + 1, i3 * 2 % 101, i4 + i1, i1 ^ i2
        i5, i6, i7, i8 = i6 + i3, i7 % 13, i8 + 5, i5 - i6
        name = "step-%d" % (step % 50)
        history.append(a ^ e)
        index[name] = step
        window[step % 500] = h
        total = (total + a + e + i1 + i5 + len(index) + window[(step * 7) % 500]) & 0xFFFFFFFF
    return total + len(history)


measure(work, 8_000)
