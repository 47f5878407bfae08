"""Several asyncio tasks taking turns."""

import asyncio


async def fetch(name, rounds):
    got = []
    for n in range(rounds):
        await asyncio.sleep(0)
        got.append("%s-%d" % (name, n))
    return got


async def main():
    results = await asyncio.gather(fetch("a", 3), fetch("b", 2), fetch("c", 4))
    print(results)


asyncio.run(main())
