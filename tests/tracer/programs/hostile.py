class Raises:
    def __repr__(self):
        raise RuntimeError("no repr for you")


class Recurses:
    def __repr__(self):
        return repr(self)


class NotText:
    def __repr__(self):
        return 42


class Cycle:
    pass


def main():
    raises = Raises()
    recurses = Recurses()
    not_text = NotText()
    looped = [1]
    looped.append(looped)
    table = {}
    table["self"] = table
    keys = {(1, 2): "tuple key", Cycle: "class key"}
    huge = 10 ** 5000
    long_text = "x" * 1000
    return [raises, recurses, not_text]


main()
