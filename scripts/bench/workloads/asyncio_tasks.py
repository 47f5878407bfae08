"""Asyncio: many small tasks taking turns on one event loop, gathered, each awaiting others."""

import asyncio

from _measure import measure


async def step(value):
    await asyncio.sleep(0)
    return value * 3 % 7


async def worker(name, rounds):
    total = 0
    for n in range(rounds):
        total += await step(n) + len(name)
    return total


async def supervisor(count, rounds):
    tasks = [asyncio.create_task(worker("w%d" % i, rounds), name="w%d" % i) for i in range(count)]
    first = await tasks[0]
    rest = await asyncio.gather(*tasks[1:])
    return first + sum(rest)


def work(n):
    total = 0
    for round_ in range(n):
        total += asyncio.run(supervisor(20, 10)) + round_
    return total


measure(work, 60)
