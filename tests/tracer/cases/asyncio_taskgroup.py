"""A TaskGroup (3.11+) with named tasks, one of which fails and cancels the others.
Each function says on stdout which task it runs in."""

import asyncio


def said(function):
    print("ran", function, asyncio.current_task().get_name())


async def step(n):
    said("step")
    await asyncio.sleep(0.001 * n)
    if n == 3:
        raise KeyError(n)
    await asyncio.sleep(1)


async def main():
    said("main")
    try:
        async with asyncio.TaskGroup() as group:
            for n in range(1, 4):
                group.create_task(step(n), name="step-%d" % n)
    except* KeyError:
        said("main")


asyncio.run(main(), debug=False)
