import os

values = [1, 2, 3]
total = sum(values)
os._exit(7)
