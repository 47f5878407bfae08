import sys

seen = []


def mine(frame, event, arg):
    seen.append(event)
    return None


def work():
    return 42


previous = sys.gettrace()
sys.settrace(mine)
work()
sys.settrace(previous)
print(len(seen) > 0)
