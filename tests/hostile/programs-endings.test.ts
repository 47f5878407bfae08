/**
 * How a hostile program ends: os._exit, sys.exit with a message, an uncaught KeyboardInterrupt,
 * exec, every descriptor closed, killed from outside or signalled through `smiley run` while it
 * is busy. The program ends as it does alone, the run says how, and nothing recorded is lost.
 * (tests/cli/signals.test.ts covers the signals of a program that sleeps.)
 */

import Database from 'better-sqlite3'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/cli.js'
import {
  defaultInterpreter,
  expectUntouched,
  readRun,
  recordProgram,
  label,
  newestInterpreter,
  preferNative,
  variants,
  startRecording,
  valuesOf,
  writeFiles,
  type Variant,
  LOST_MAIN_THREAD,
  TRACER_STOPPED_EARLY,
} from '../support/hostile-programs.js'
import { waitFor } from '../support/wait.js'

const PROGRAMS = {
  'os_exit.py': `
import os
values = []
for v in range(3):
    values.append(v)
print("before", flush=True)
os._exit(3)
`,
  'sys_exit.py': `
import sys
state = {"step": 1}
sys.exit("went wrong: " + str(state))
`,
  'interrupt.py': `
def interrupt(level):
    if level == 0:
        raise KeyboardInterrupt
    interrupt(level - 1)

interrupt(3)
`,
  'execs.py': `
import os, sys
values = []
for v in range(3):
    values.append(v)
print("replacing", flush=True)
os.execv(sys.executable, [sys.executable, "-c", "import sys; print('replaced'); sys.exit(4)"])
`,
  'close_some.py': `
import os
with open("first.txt", "w") as handle:
    print("first descriptor:", handle.fileno())
os.closerange(3, 256)
values = [1]
values.append(2)
print("done")
`,
  'close_all.py': `
import os
values = [1]
os.closerange(3, os.sysconf("SC_OPEN_MAX"))
with open("mine.txt", "w") as handle:
    for i in range(3000):
        values.append(i)
    handle.write("only mine\\n")
print(repr(open("mine.txt", "rb").read()))
`,
}

/** Busy until a signal: prints "ready" once its pid is in the file "pid". */
const BUSY = `
import os, signal, sys, time
if "handler" in sys.argv:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(5))
with open("pid", "w") as handle:
    handle.write(str(os.getpid()))
print("ready", flush=True)
count = 0
try:
    while True:
        count += 1
        if count % 5000 == 0:
            time.sleep(0.01)  # room for the other tests on two cores
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(7)
`

const native = preferNative(defaultInterpreter())
let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.remove())

/** Records a program of PROGRAMS, natively, beside the same program run alone. */
const record = (script: keyof typeof PROGRAMS) =>
  recordProgram(dir.path, script, native, PROGRAMS, [script])

describe.concurrent('a program that ends abruptly', () => {
  it('with os._exit(3) keeps its status, and every event before it', async () => {
    const recording = await record('os_exit.py')
    expectUntouched(recording)
    expect(recording.untraced.code).toBe(3)
    expect(recording.run).toMatchObject({ status: 'error', exitCode: 3, notice: null })
    expect(valuesOf(recording.events, 'values').at(-1)).toBe('[0, 1, 2]')
    expect(recording.events.at(-1)).toMatchObject({ kind: 'line', source: 'os._exit(3)' })
  })

  it('with sys.exit("message") prints it and is recorded as an error', async () => {
    const recording = await record('sys_exit.py')
    expectUntouched(recording)
    expect(recording.untraced).toMatchObject({ code: 1, stderr: "went wrong: {'step': 1}\n" })
    expect(recording.run).toMatchObject({ status: 'error', exitCode: 1 })
    expect(valuesOf(recording.events, 'state')).toEqual(["{'step': 1}"])
  })

  it('with a KeyboardInterrupt of its own dies of SIGINT and is recorded as interrupted', async () => {
    const recording = await record('interrupt.py')
    expectUntouched(recording)
    expect(recording.untraced.signal).toBe('SIGINT')
    expect(recording.run).toMatchObject({ status: 'interrupted', errorType: 'KeyboardInterrupt' })
    expect(recording.run.traceback).toContain('line 3, in interrupt')
    const raised = recording.events.filter((event) => event.kind === 'exception')
    expect(raised.map((event) => event.function)).toEqual([
      'interrupt',
      'interrupt',
      'interrupt',
      'interrupt',
      '<module>',
    ])
  })

  it('by replacing itself with exec sends everything first, and the run ends with the new program', async () => {
    const recording = await record('execs.py')
    expectUntouched(recording)
    expect(recording.untraced).toMatchObject({ code: 4, stdout: 'replacing\nreplaced\n' })
    expect(recording.run).toMatchObject({
      status: 'error',
      exitCode: 4,
      notice: TRACER_STOPPED_EARLY,
    })
    expect(valuesOf(recording.events, 'values').at(-1)).toBe('[0, 1, 2]')
    expect(recording.events.at(-1)!.source).toMatch(/^os\.execv\(/)
  })

  it('that closes the descriptors after 2 up to 255 is recorded as usual, its files numbered as alone', async () => {
    const recording = await record('close_some.py')
    expectUntouched(recording)
    expect(recording.untraced.stdout).toBe('first descriptor: 3\ndone\n')
    expect(recording.run).toMatchObject({ status: 'completed', exitCode: 0, notice: null })
    expect(valuesOf(recording.events, 'values').at(-1)).toBe('[1, 2]')
  })

  it('by closing every descriptor stops the recording with one line, and its files stay its own', async () => {
    const recording = await record('close_all.py')
    expectUntouched(
      recording,
      /^smiley: tracing stopped \(the program closed its descriptor\); the program continues untraced$/,
    )
    expect(recording.untraced.stdout).toBe("b'only mine\\n'\n")
    expect(readFileSync(join(recording.tracedDir, 'mine.txt'), 'utf8')).toBe('only mine\n')
    expect(recording.run).toMatchObject({
      status: 'completed',
      exitCode: 0,
      notice: TRACER_STOPPED_EARLY,
    })
  })
})

/** Starts BUSY recorded in a fresh folder, and waits until a few thousand events are stored. */
async function busy(name: string, variant: Variant, ...args: string[]) {
  const folder = join(dir.path, name)
  writeFiles(folder, { 'busy.py': BUSY })
  const database = join(folder, 'runs.db')
  const started = await startRecording(
    [
      'run',
      '-d',
      database,
      '--python',
      variant.python.path,
      '--accelerator',
      variant.accelerator,
      'busy.py',
      ...args,
    ],
    folder,
  )
  // Read straight from the file: a busy program records fast, and every event stored before
  // the signal is replayed after it.
  await waitFor('events to be stored', () => storedEvents(database) > 2000)
  const pid = Number(readFileSync(join(folder, 'pid'), 'utf8'))
  return { ...started, database, pid }
}

function storedEvents(database: string): number {
  if (!existsSync(database)) return 0
  const db = new Database(database, { readonly: true, timeout: 5000 })
  try {
    const count = db.prepare('SELECT max(event_count) FROM runs').pluck().get() as number | null
    return count ?? 0
  } catch {
    return 0 // the schema is still being made
  } finally {
    db.close()
  }
}

/** The busy loop's count, as recorded: 0, 1, 2… with none missing. */
function expectCountsDense(counts: Array<string | null>): void {
  expect(counts.length).toBeGreaterThan(100)
  expect(counts.filter((count, index) => count !== String(index)).slice(0, 3)).toEqual([])
}

describe.concurrent('a busy program stopped from outside', () => {
  it('killed with SIGKILL is recorded as lost, with every event that reached smiley', async () => {
    const running = await busy('sigkill', native)
    process.kill(running.pid, 'SIGKILL')
    expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' })
    expect(running.output()).toEqual({ stdout: 'ready\n', stderr: '' })
    const { run, events } = await readRun(running.database)
    expect(run).toMatchObject({
      status: 'lost',
      signal: 'SIGKILL',
      errorMessage: 'killed by SIGKILL',
    })
    expectCountsDense(valuesOf(events, 'count'))
  })

  it('sent SIGTERM through smiley dies of it, recorded as interrupted', async () => {
    const running = await busy('sigterm', native)
    running.child.kill('SIGTERM')
    expect(await running.exited).toEqual({ code: null, signal: 'SIGTERM' })
    expect(running.output()).toEqual({ stdout: 'ready\n', stderr: '' })
    const { run, events } = await readRun(running.database)
    expect(run).toMatchObject({ status: 'interrupted', signal: 'SIGTERM' })
    expectCountsDense(valuesOf(events, 'count'))
  })

  it('with a SIGTERM handler of its own ends as the handler says', async () => {
    const running = await busy('handler', native, 'handler')
    running.child.kill('SIGTERM')
    expect(await running.exited).toEqual({ code: 5, signal: null })
    expect(running.output()).toEqual({ stdout: 'ready\n', stderr: '' })
    const { run, events } = await readRun(running.database)
    expect(run).toMatchObject({ status: 'error', exitCode: 5, signal: null })
    expectCountsDense(valuesOf(events, 'count'))
  })

  it.for(
    variants([defaultInterpreter(), newestInterpreter()]).map(
      (variant) => [label(variant), variant] as const,
    ),
  )(
    'sent SIGINT through smiley gets its KeyboardInterrupt where it is (%s)',
    async ([name, variant]) => {
      const running = await busy(`sigint ${name}`, variant)
      running.child.kill('SIGINT')
      expect(await running.exited).toEqual({ code: 7, signal: null })
      expect(running.output()).toEqual({ stdout: 'ready\ninterrupted\n', stderr: '' })
      const { run, events } = await readRun(running.database)
      expect(run).toMatchObject({ status: 'error', exitCode: 7 })
      expectCountsDense(valuesOf(events, 'count'))
      // Before 3.12, an interrupt that lands inside the trace function ends the thread's tracing
      // (README, Limitations), and the run says so.
      if (Number(variant.python.version.split('.')[1]) >= 12) expect(run.notice).toBeNull()
      else expect([null, LOST_MAIN_THREAD]).toContain(run.notice)
    },
  )
})
