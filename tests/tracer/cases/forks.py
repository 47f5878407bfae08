import os

before = "parent"
pid = os.fork()
if pid == 0:
    child_value = sum(range(100))
    os._exit(0)
os.waitpid(pid, 0)
after = "parent again"
