import os
import signal

total = 0
try:
    for i in range(100000):
        total += i
        if i == 500:
            os.kill(os.getpid(), signal.SIGINT)
except KeyboardInterrupt:
    handled = True
print("handled", handled)
