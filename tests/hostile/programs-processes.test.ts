/**
 * Programs that start other processes: multiprocessing with each start method, os.fork, a
 * subprocess running another Python. With --no-children the children run as they would without
 * Smiley and are not recorded; they never write into the parent's run, which is complete. (Their
 * runs, recorded by default, are tested in tests/cli/children.test.ts.)
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/cli.js'
import {
  defaultInterpreter,
  eventsOf,
  expectUntouched,
  recordProgram,
  newestInterpreter,
  preferNative,
} from '../support/hostile-programs.js'

const PROCESSES = `
import multiprocessing, os, subprocess, sys

def square(n):
    result = n * n
    return result

def main():
    results = {"parent": square(3)}
    for method in ("fork", "spawn", "forkserver"):
        with multiprocessing.get_context(method).Pool(2) as pool:
            results[method] = pool.map(square, range(4))
    pid = os.fork()
    if pid == 0:
        os._exit(square(7) % 256)
    _, status = os.waitpid(pid, 0)
    results["os.fork"] = status >> 8
    child = subprocess.run(
        [sys.executable, "-c", "import os, sys; print(sys.gettrace(), 'SMILEY_OPTIONS' in os.environ, os.environ.get('PYTHONPATH'))"],
        capture_output=True,
        text=True,
    )
    results["subprocess"] = child.stdout.strip()
    return results

if __name__ == "__main__":
    print(main())
`

/** Python 3.12+ warns when a process with threads forks: Smiley's own thread must not count. */
const FORKS = `
import os, threading, time, warnings

def waited(pid):
    if pid == 0:
        os._exit(0 if warnings.filters == before else 9)
    return os.waitpid(pid, 0)[1] >> 8

before = list(warnings.filters)
alone = waited(os.fork())
for _ in range(100):  # the filter Smiley used is gone a moment later
    if warnings.filters == before:
        break
    time.sleep(0.05)
print("alone:", alone, warnings.filters == before)
stop = threading.Event()
helper = threading.Thread(target=stop.wait)
helper.start()
print("with a thread:", waited(os.fork()))
stop.set()
helper.join()
`

let dir: { path: string; remove: () => void }
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.remove())

describe.concurrent('a program that starts processes', () => {
  it('with --no-children runs its children as without Smiley, and records its own events alone', async () => {
    const variant = preferNative(defaultInterpreter())
    const recording = await recordProgram(
      dir.path,
      'processes',
      variant,
      { 'procs.py': PROCESSES },
      ['procs.py'],
      ['--no-children'],
    )
    expectUntouched(recording)
    expect(recording.untraced.stdout).toMatch(
      /^\{'parent': 9, 'fork': \[0, 1, 4, 9\], 'spawn': \[0, 1, 4, 9\], 'forkserver': \[0, 1, 4, 9\], 'os.fork': 49, 'subprocess': 'None False /,
    )
    const { run, events } = recording
    expect(run).toMatchObject({ status: 'completed', exitCode: 0, notice: null })
    // square ran in ten processes; the run holds the parent's call alone.
    const calls = eventsOf(events, 'square').filter((event) => event.kind === 'call')
    expect(calls.map((event) => event.locals)).toEqual([{ n: '3' }])
    expect(new Set(events.map((event) => event.threadName))).toEqual(new Set(['MainThread']))
    expect(eventsOf(events, 'main').at(-1)!.value).toContain("'os.fork': 49")
  })

  const newest = newestInterpreter()
  it.runIf(Number(newest.version.split('.')[1]) >= 12)(
    `forking gives the warnings it gives alone (${newest.version})`,
    async () => {
      const variant = preferNative(newest)
      const recording = await recordProgram(dir.path, 'forks', variant, { 'forks.py': FORKS }, [
        'forks.py',
      ])
      expectUntouched(recording)
      expect(recording.untraced.stdout).toBe('alone: 0 True\nwith a thread: 0\n')
      // Once, for the fork made while the program had a thread of its own.
      expect(recording.untraced.stderr).toMatch(
        /^[^\n]*forks\.py:18: DeprecationWarning: This process \(pid=\d+\) is multi-threaded, use of fork\(\) may lead to deadlocks in the child\.\n {2}print\("with a thread:", waited\(os\.fork\(\)\)\)\n$/,
      )
      expect(recording.run).toMatchObject({ status: 'completed', exitCode: 0 })
    },
  )
})
