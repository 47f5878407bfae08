"""Named tasks, gather, cancellation, an exception in a task and a loop in a second thread.
Each function says on stdout which task it runs in (the truth the recording is checked against)."""

import asyncio
import threading


def said(function):
    task = asyncio.current_task()
    print("ran", function, task.get_name() if task is not None else "-")


def helper(n):
    said("helper")
    return n + 1


async def work(n):
    said("work")
    await asyncio.sleep(0.001 * n)
    return helper(n)


async def sleeper():
    said("sleeper")
    await asyncio.sleep(10)


async def failing():
    said("failing")
    await asyncio.sleep(0)
    raise ValueError("task failed")


async def main():
    said("main")
    alpha = asyncio.create_task(work(1), name="alpha")
    beta = asyncio.create_task(work(2), name="beta")
    first = await alpha
    both = await asyncio.gather(beta, work(3))
    doomed = asyncio.create_task(sleeper(), name="doomed")
    await asyncio.sleep(0)
    doomed.cancel()
    try:
        await doomed
    except asyncio.CancelledError:
        said("main")
    broken = asyncio.create_task(failing(), name="broken")
    try:
        await broken
    except ValueError:
        said("main")
    return first, both


async def side():
    said("side")
    await asyncio.create_task(work(4), name="side-work")


thread = threading.Thread(target=lambda: asyncio.run(side()), name="loop-thread")
thread.start()
thread.join()
print(asyncio.run(main()))
