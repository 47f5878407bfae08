import sys


def finish(code):
    status = "leaving with %d" % code
    sys.exit(code)


finish(3)
print("never printed")
