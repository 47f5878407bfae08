/**
 * An asyncio program of several named tasks that take turns on one event loop, each waiting,
 * then keeping the loop busy in a plain function long enough to be a wide bar on a timeline.
 */
export const ASYNCIO_PROGRAM = `
import asyncio
import time


def crunch(n):
    time.sleep(0.02)
    return n * 2


async def fetch(n):
    await asyncio.sleep(0.01 * n)
    return crunch(n)


async def main():
    names = ["download", "parse", "upload"]
    tasks = [asyncio.create_task(fetch(n), name=name) for n, name in enumerate(names, 1)]
    return await asyncio.gather(*tasks)


print(asyncio.run(main()))
`

/** The named tasks it starts, in order. */
export const ASYNCIO_TASKS = ['download', 'parse', 'upload']
