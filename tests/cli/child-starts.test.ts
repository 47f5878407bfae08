/**
 * Where the parent started each child process, as every terminal door shows the parent's
 * trace: a mark after the event that started it, linked to the run the child was recorded as
 * (`smiley show`, `replay`, `state`, and their --json). A real program that starts a Python
 * subprocess, a program that is not Python, an os.fork child and a multiprocessing worker.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildStart } from '../../shared/types/child-start.js'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Moment } from '../../shared/types/moment.js'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string
let runs: Run[]
let top: Run
let starts: ChildStart[]

/** `smiley`, given the time a busy machine needs for several interpreters. */
const smileyPatiently = (args: string[]) => smiley(args, { timeoutMs: 200_000, cwd: dir.path })

beforeAll(async () => {
  dir = tempDir()
  db = store.database(dir.path, 'family')
  writePrograms(dir.path, {
    'family.py': `
import multiprocessing, os, subprocess, sys

def square(n):
    return n * n

def main():
    subprocess.run([sys.executable, "kid.py", "3"])
    subprocess.run(["true"])
    pid = os.fork()
    if pid == 0:
        square(5)
        os._exit(0)
    os.waitpid(pid, 0)
    worker = multiprocessing.get_context("fork").Process(target=square, args=(2,))
    worker.start()
    worker.join()

if __name__ == "__main__":
    main()
`,
    'shell.py': `
import subprocess, sys
subprocess.run(sys.executable + " kid.py 2; true", shell=True)
`,
    'kid.py': `
import sys

def count(n):
    return sum(range(n))

print("kid", count(int(sys.argv[1])))
`,
  })
  const recorded = await smileyPatiently(['run', '-d', db, 'family.py'])
  expect(recorded.code, recorded.stderr).toBe(0)
  expect(recorded.stdout).toBe('kid 3\n')
  runs = JSON.parse((await smileyPatiently(['list', '--json', '-d', db])).stdout) as Run[]
  top = runs.find((run) => run.process === undefined)!
  const shown = await smileyPatiently(['show', '--json', '-d', db, top.id])
  expect(shown.code, shown.stderr).toBe(0)
  starts = (JSON.parse(shown.stdout) as { children: ChildStart[] }).children
}, 240_000)

afterAll(() => dir.remove())

/** The child's run that was started by `startedBy`. */
const childBy = (startedBy: string) => runs.find((run) => run.process?.startedBy === startedBy)!

describe("the parent's trace marks where each child was started", { timeout: 240_000 }, () => {
  it('lists every start in order, each linked to its run, the process that is not Python unrecorded', async () => {
    expect(starts.map((start) => start.run?.startedBy ?? null)).toEqual([
      'subprocess',
      null,
      'fork',
      'multiprocessing-fork',
    ])
    const seqs = starts.map((start) => start.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(starts[0]!.run).toMatchObject({
      id: childBy('subprocess').id,
      pid: childBy('subprocess').pid,
      description: 'kid.py 3',
      status: 'completed',
    })
    // `true` started with a pid, and has no run; a fork is marked before it has a pid.
    expect(starts[1]!.pid).toBeGreaterThan(0)
    expect(starts[2]!.pid).toBe(0)
    expect(starts[2]!.run!.id).toBe(childBy('fork').id)
    expect(starts[3]!.run!.id).toBe(childBy('multiprocessing-fork').id)
    // The child's link to its parent and the parent's mark name the same event.
    for (const start of starts.filter((s) => s.run !== null)) {
      const child = runs.find((run) => run.id === start.run!.id)!
      expect(child.process).toMatchObject({ parent: top.id, parentSeq: start.seq })
    }
    // Each mark follows the line that started the process.
    const replayed = await smileyPatiently(['replay', '--json', '-d', db, top.id])
    const events = replayed.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceEvent & { children?: ChildStart[] })
    const sourceAt = (seq: number) => events.find((event) => event.seq === seq)!.source!.trim()
    expect(starts.map((start) => sourceAt(start.seq))).toEqual([
      'subprocess.run([sys.executable, "kid.py", "3"])',
      'subprocess.run(["true"])',
      'pid = os.fork()',
      'worker.start()',
    ])
    // replay --json: the starts ride on the event they followed, and on no other.
    const carried = events.flatMap((event) => event.children ?? [])
    expect(carried).toEqual(starts)
    for (const event of events)
      for (const start of event.children ?? []) expect(start.seq).toBe(event.seq)
  })

  it('prints each start as a line after its event in smiley replay, and lists them in smiley show', async () => {
    const replayed = await smileyPatiently(['replay', '-d', db, top.id])
    expect(replayed.code, replayed.stderr).toBe(0)
    const lines = replayed.stdout.split('\n')
    const marks = lines.flatMap((line, index) => (line.startsWith('↳') ? [index] : []))
    expect(marks).toHaveLength(4)
    const kid = childBy('subprocess')
    expect(lines[marks[0]!]).toBe(
      `↳ started child process pid ${kid.pid} (subprocess) → run ${kid.id.slice(0, 8)}  kid.py 3  completed`,
    )
    expect(lines[marks[0]! - 1]).toMatch(/family\.py: +7:MainThread: +subprocess\.run\(\[sys/)
    expect(lines[marks[1]!]).toBe(`↳ started process pid ${starts[1]!.pid}, not recorded`)
    expect(lines[marks[2]!]).toMatch(/^↳ started child process pid \d+ \(fork\) → run /)
    expect(lines[marks[2]! - 1]).toMatch(/pid = os\.fork\(\)$/)
    expect(lines[marks[3]!]).toMatch(/\(multiprocessing-fork\) → run [0-9a-f]{8} {2}family\.py/)

    const shown = await smileyPatiently(['show', '-d', db, top.id])
    const list = shown.stdout.slice(shown.stdout.indexOf('Processes started (4)'))
    expect(list.split('\n').slice(1, 5)).toEqual(
      starts.map((start) => expect.stringMatching(new RegExp(`^  after event ${start.seq} +↳ `))),
    )
  })

  it('prints the starts in smiley tail as replay does, and drops the starts of events filtered out', async () => {
    const replayed = await smileyPatiently(['replay', '-d', db, top.id])
    const tailed = await smileyPatiently(['tail', '-d', db, top.id])
    expect(tailed.code, tailed.stderr).toBe(0)
    expect(tailed.stdout).toBe(replayed.stdout)
    // From the event after the first start on, it is not printed; the others are.
    const later = await smileyPatiently([
      'tail',
      '-d',
      db,
      '--from',
      String(starts[0]!.seq + 1),
      top.id,
    ])
    expect(later.stdout.split('\n').filter((line) => line.startsWith('↳'))).toHaveLength(3)
    const elsewhere = await smileyPatiently([
      'replay',
      '-d',
      db,
      '--function',
      'nosuchfunction',
      top.id,
    ])
    expect([elsewhere.code, elsewhere.stdout]).toEqual([0, ''])
  })

  it('places a child started through a shell at the start of the shell', async () => {
    const shellDb = store.database(dir.path, 'shell')
    const recorded = await smileyPatiently(['run', '-d', shellDb, 'shell.py'])
    expect(recorded.code, recorded.stderr).toBe(0)
    const listed = await smileyPatiently(['list', '--json', '-d', shellDb])
    const [parent, kid] = ['top', 'subprocess'].map((how) =>
      (JSON.parse(listed.stdout) as Run[]).find((r) => (r.process?.startedBy ?? 'top') === how)!,
    )
    const shown = await smileyPatiently(['show', '--json', '-d', shellDb, parent!.id])
    const [start] = (JSON.parse(shown.stdout) as { children: ChildStart[] }).children
    // The shell's pid was marked; the Python process it ran is the run there.
    expect(start!.pid).not.toBe(kid!.pid)
    expect(start!.run).toMatchObject({ id: kid!.id, pid: kid!.pid, description: 'kid.py 2' })
    expect(kid!.process).toMatchObject({ parent: parent!.id, parentSeq: start!.seq })
  })

  it('shows the starts of the moment in smiley state, and in its --json', async () => {
    const fork = starts[2]!
    const state = await smileyPatiently(['state', '-d', db, top.id, String(fork.seq)])
    expect(state.code, state.stderr).toBe(0)
    expect(state.stdout.split('\n')[1]).toMatch(
      new RegExp(`^↳ started child process pid ${childBy('fork').pid} \\(fork\\) → run `),
    )
    const json = await smileyPatiently(['state', '--json', '-d', db, top.id, String(fork.seq)])
    expect((JSON.parse(json.stdout) as Moment).children).toEqual([fork])
    // A moment that started nothing says nothing of it.
    const before = await smileyPatiently(['state', '--json', '-d', db, top.id, '1'])
    expect((JSON.parse(before.stdout) as Moment).children).toBeUndefined()
  })
})
