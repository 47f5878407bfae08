import os
import signal
import time

steps = []
for step in range(5):
    steps.append(step)
print("ready", flush=True)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(5)
print("not reached")
