import sys
import time

print("started", flush=True)
counter = 0
while True:
    counter += 1
    if counter % 1000 == 0:
        time.sleep(0.001)
