/**
 * Hostile control flow: recursion to the interpreter's limit (caught and not), generators and
 * coroutines abandoned half-way, threads before and after, daemon threads still running at
 * exit, exceptions in __del__. The program behaves as it does alone, and its run says what
 * happened.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/cli.js'
import {
  defaultInterpreter,
  eventsOf,
  expectUntouched,
  label,
  recordProgram,
  someInterpreters,
  valuesOf,
  variants,
  type Variant,
  AT_RECURSION_LIMIT,
  LOST_MAIN_THREAD,
} from '../support/hostile-programs.js'

const FLOW = `
import asyncio, gc, threading, time

def numbers():
    total = 0
    try:
        for i in range(100):
            total += i
            yield i
    finally:
        cleaned.append(total)

cleaned = []

def abandon():
    gen = numbers()
    first = next(gen), next(gen)
    del gen
    gc.collect()
    return first

async def fetch(n):
    await asyncio.sleep(0.01)
    return n * 2

async def gather():
    results = await asyncio.gather(fetch(1), fetch(2))
    return results

async def ticker():
    for i in range(10):
        yield i

async def abandon_ticker():
    agen = ticker()
    got = await agen.__anext__()
    return got

class Noisy:
    def __del__(self):
        raise ValueError("from __del__")

def spin(stop):
    count = 0
    while not stop.is_set():
        count += 1
        time.sleep(0.01)

def work(label):
    value = label * 2
    return value

before = threading.Thread(target=work, args=("before",), name="before")
before.start()
before.join()
print(abandon(), cleaned)
print(asyncio.run(gather()), asyncio.run(abandon_ticker()))
noisy = Noisy()
noisy.me = noisy
del noisy
gc.collect()
daemon = threading.Thread(target=spin, args=(threading.Event(),), name="forever", daemon=True)
daemon.start()
time.sleep(0.1)
after = threading.Thread(target=work, args=("after",), name="after")
after.start()
after.join()
print("end")
`

const DEEP = `
import sys

class Node:
    def __init__(self, depth):
        self.depth = depth
    def __repr__(self):
        return "Node(%d)" % self.depth

def down(node):
    return down(Node(node.depth + 1))

def caught():
    try:
        down(Node(0))
    except RecursionError as error:
        return "caught " + type(error).__name__

print(caught())
after = [1]
after.append(2)
print("after", after)
if "uncaught" in sys.argv:
    down(Node(0))
`

const FINALIZED = `
async def never():
    return 1

def release():
    coroutine = never()
    del coroutine
    done = True
    return done

release()
`

const pythons = someInterpreters()
const cases = variants(pythons).map((variant) => [label(variant), variant] as const)
let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.remove())

/** Whether recording goes on after the recursion limit: sys.settrace's Python hook loses it. */
function recordsPastTheLimit({ python, accelerator }: Variant): boolean {
  const minor = Number(python.version.split('.')[1])
  return minor >= 12 || (accelerator === 'native' && minor >= 9)
}

describe.concurrent('hostile control flow', () => {
  it.for(cases)(
    'abandoned generators, coroutines, threads and __del__ are recorded as they ran (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `flow ${name}`,
        variant,
        { 'flow.py': FLOW },
        ['flow.py'],
      )
      expectUntouched(recording)
      expect(recording.untraced.stdout).toBe('(0, 1) [1]\n[2, 4] 0\nend\n')
      expect(recording.run).toMatchObject({ status: 'completed', notice: null })
      const { events } = recording
      const threads = new Set(events.map((event) => event.threadName))
      expect([...threads].sort()).toEqual(['MainThread', 'after', 'before', 'forever'])
      const returns = (fn: string) =>
        eventsOf(events, fn)
          .filter((event) => event.kind === 'return')
          .map((event) => [event.value, event.yielded])
      expect(returns('work')).toEqual([
        ["'beforebefore'", false],
        ["'afterafter'", false],
      ])
      // The abandoned generator: two yields, then closed when it was collected.
      expect(returns('numbers').slice(0, 2)).toEqual([
        ['0', true],
        ['1', true],
      ])
      expect(returns('abandon')).toEqual([['(0, 1)', false]])
      expect(returns('fetch').filter(([, yielded]) => !yielded)).toEqual([
        ['2', false],
        ['4', false],
      ])
      expect(returns('gather').at(-1)).toEqual(['[2, 4]', false])
      expect(returns('abandon_ticker')).toEqual([['0', false]])
      expect(
        eventsOf(events, 'Noisy.__del__').filter((event) => event.kind === 'exception'),
      ).toEqual([expect.objectContaining({ value: 'from __del__', valueType: 'ValueError' })])
      const counts = valuesOf(
        events.filter((event) => event.threadName === 'forever'),
        'count',
      )
      expect(counts.slice(0, 3)).toEqual(['0', '1', '2'])
    },
  )

  it.for(cases)(
    'a recursion caught at the limit leaves the program as it is (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `caught ${name}`,
        variant,
        { 'deep.py': DEEP },
        ['deep.py'],
      )
      expectUntouched(recording)
      expect(recording.untraced.stdout).toBe('caught RecursionError\nafter [1, 2]\n')
      const { run, events } = recording
      expect(run).toMatchObject({ status: 'completed', exitCode: 0 })
      const calls = eventsOf(events, 'down').filter((event) => event.kind === 'call')
      expect(calls.length).toBeGreaterThan(900)
      expect(valuesOf(calls.slice(0, 3), 'node')).toEqual(['Node(0)', 'Node(1)', 'Node(2)'])
      if (recordsPastTheLimit(variant)) {
        // The Python tracer's hook has no room at the limit itself: the run says it is partial.
        expect(run.notice).toBe(variant.accelerator === 'python' ? AT_RECURSION_LIMIT : null)
        expect(valuesOf(events, 'after')).toEqual(['[1]', '[1, 2]'])
      } else {
        // Python 3.8 to 3.11 remove a trace function that cannot be called: the run says so.
        expect(run.notice).toBe(LOST_MAIN_THREAD)
        expect(valuesOf(events, 'after')).toEqual([])
      }
    },
  )

  it.for(cases)(
    'a recursion that ends the program is recorded as its error, with its own traceback (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `uncaught ${name}`,
        variant,
        { 'deep.py': DEEP },
        ['deep.py', 'uncaught'],
      )
      expectUntouched(recording)
      expect(recording.untraced.code).toBe(1)
      expect(recording.untraced.stderr).toContain('line 23, in <module>')
      expect(recording.run).toMatchObject({
        status: 'error',
        exitCode: 1,
        errorType: 'RecursionError',
      })
      expect(recording.run.traceback).toMatch(/RecursionError: maximum recursion depth exceeded/)
    },
  )

  it.for(variants([defaultInterpreter()]).map((variant) => [label(variant), variant] as const))(
    'an object a variable lets go of is released at its next event, before its next line (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `finalized ${name}`,
        variant,
        { 'finalized.py': FINALIZED },
        ['finalized.py'],
      )
      // The recording holds the coroutine until the line after "del" is recorded, so it is
      // released as the tracer returns from that event: the warning its release gives names
      // that line. Everything else is as without Smiley.
      const warning = "RuntimeWarning: coroutine 'never' was never awaited"
      expect(recording.untraced.stderr).toContain(`finalized.py:6: ${warning}\n  del coroutine\n`)
      expect(recording.traced.stderr).toContain(`finalized.py:7: ${warning}\n  done = True\n`)
      expect(recording.traced.code).toBe(0)
      expect(valuesOf(recording.events, 'coroutine')).toEqual([
        expect.stringMatching(/^<coroutine object never at 0x[0-9a-f]+>$/),
        null,
      ])
    },
  )
})
