class AppError(Exception):
    pass


def fail(kind):
    if kind == "value":
        raise ValueError("bad value %d" % 3)
    raise AppError("app failed")


def recover():
    try:
        fail("value")
    except ValueError as error:
        message = str(error)
    finally:
        cleaned = True
    return message


def propagate():
    helper = "about to fail"
    fail("app")


def main():
    recover()
    try:
        propagate()
    except AppError:
        pass


main()
