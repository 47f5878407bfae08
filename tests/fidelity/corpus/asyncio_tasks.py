"""Several asyncio tasks taking turns: gathered, named, awaited, cancelled, failing, and in a
TaskGroup where there is one (3.11+)."""

import asyncio
import sys


async def fetch(name, rounds):
    got = []
    for n in range(rounds):
        await asyncio.sleep(0)
        got.append("%s-%d" % (name, n))
    return got


def label(items):
    return ",".join(items)


async def forever():
    while True:
        await asyncio.sleep(0)


async def failing(code):
    await asyncio.sleep(0)
    raise ValueError("failed with %d" % code)


async def grouped():
    async with asyncio.TaskGroup() as group:
        first = group.create_task(fetch("g", 2), name="grouped-1")
        second = group.create_task(fetch("h", 1), name="grouped-2")
    return first.result() + second.result()


async def main():
    results = await asyncio.gather(fetch("a", 3), fetch("b", 2), fetch("c", 4))
    print(results)
    named = asyncio.create_task(fetch("d", 2), name="named")
    print(label(await named))
    spinner = asyncio.create_task(forever(), name="spinner")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    spinner.cancel()
    try:
        await spinner
    except asyncio.CancelledError:
        print("cancelled")
    broken = asyncio.create_task(failing(3), name="broken")
    try:
        await broken
    except ValueError as error:
        print(error)
    if sys.version_info >= (3, 11):
        print(await grouped())


asyncio.run(main())
