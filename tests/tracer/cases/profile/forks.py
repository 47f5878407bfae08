import os


def in_the_child():
    return sum(range(100))


def in_the_parent(pid):
    os.waitpid(pid, 0)
    return "parent"


pid = os.fork()
if pid == 0:
    in_the_child()
    os._exit(0)
print(in_the_parent(pid))
