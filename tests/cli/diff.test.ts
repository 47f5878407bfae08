/** `smiley diff`: two real recordings compared, where their paths and values part. */

import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DiffReport } from '../../shared/types/diff.js'
import type { Run } from '../../shared/types/run.js'
import type { ThreadSummary } from '../../shared/types/thread.js'
import { findPythons } from '../../scripts/lib/pythons.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string

const PROGRAMS = {
  'branch.py': `
import sys

def classify(n):
    if n > 3:
        label = "big"
    else:
        label = "small"
    return label

def main(argv):
    n = int(argv[1])
    result = classify(n)
    return result

main(sys.argv)
`,
  'loops.py': `
import sys

def count(limit):
    total = 0
    for i in range(limit):
        total += i
    return total

first = count(int(sys.argv[1]))
second = count(int(sys.argv[2]))
`,
  'scale.py': `
import sys

def scale(x):
    y = x * 10
    return y

scale(int(sys.argv[1]))
`,
  'noise.py': `
import datetime
import time
import uuid

class Thing:
    pass

def stamp():
    thing = Thing()
    now = datetime.datetime.now()
    started = time.time()
    t0 = time.perf_counter()
    elapsed = time.perf_counter() - t0
    ident = id(thing)
    return repr(thing), str(now)

def draw():
    label = uuid.uuid4().hex
    return len(label)

stamp()
draw()
`,
  'unnamed.py': `
import threading

def work(n):
    return n * 2

worker = threading.Thread(target=work, args=(21,))
# On one line: between the two, whether the thread has stopped yet is up to the scheduler.
worker.start(); worker.join()
`,
  'helpers.py': `
import sys
import threading

def help_out(n):
    return n + 1

for index in range(int(sys.argv[1])):
    helper = threading.Thread(target=help_out, args=(index,), name="helper")
    helper.start(); helper.join()
`,
  'many.py': `
import sys

def step(i, limit):
    if (i * 7919) % 13 < limit:
        kind = "low"
    else:
        kind = "high"
    return kind

limit = int(sys.argv[1])
for i in range(20000):
    step(i, limit)
`,
  'together.py': `
import sys
import threading

sys.setswitchinterval(0.00001)
together = threading.Barrier(3)

def work(n):
    together.wait()
    total = 0
    for i in range(n):
        total += i * i
    return total

extra = int(sys.argv[1])
workers = [
    threading.Thread(target=work, args=(5000 + (extra if k == 1 else 0),), name="w%d" % k)
    for k in range(3)
]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
`,
  'threads.py': `
import sys
import threading

def work(n):
    total = 0
    for i in range(n):
        total += i
    return total

for name, n in [("steady", 3), ("varies", int(sys.argv[1])), ("after", 2)]:
    worker = threading.Thread(target=work, args=(n,), name=name)
    # On one line: between the two, whether the thread has stopped yet is up to the scheduler.
    worker.start(); worker.join()
`,
}

/** Records `args` into the test's database; returns the run's id. */
async function record(args: string[], cwd = dir.path): Promise<string> {
  const result = await smiley(['run', '-d', db, ...args], { cwd })
  expect(result.code, result.stderr).toBe(0)
  const [run] = JSON.parse((await smiley(['list', '--json', '-n', '1', '-d', db])).stdout) as Run[]
  return run!.id
}

async function diff(...args: string[]): Promise<{ code: number | null; report: DiffReport }> {
  const result = await smiley(['diff', '--json', '-d', db, ...args])
  expect(result.stderr).toBe('')
  return { code: result.code, report: JSON.parse(result.stdout) as DiffReport }
}

beforeAll(() => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, PROGRAMS)
})
afterAll(() => dir.remove())

describe('smiley diff', () => {
  it('finds where a branch that depends on an argument parts, at the exact line', async () => {
    const small = await record(['branch.py', '2'])
    const big = await record(['branch.py', '5'])
    const { code, report } = await diff(small, big)
    expect(code).toBe(1)
    expect(report.identical).toBe(false)
    const flow = report.controlFlow!
    expect(flow.thread).toEqual({ a: 'MainThread', b: 'MainThread' })
    expect(flow.a).toMatchObject({ file: 'branch.py', line: 7, function: 'classify' })
    expect(flow.a!.source).toBe('        label = "small"')
    expect(flow.b).toMatchObject({ file: 'branch.py', line: 5, function: 'classify' })
    expect(flow.lastCommon.a).toBe(flow.a!.seq - 1)
    expect(flow.stacks!.a.map((entry) => entry.function)).toEqual(['classify', 'main', '<module>'])
    expect(flow.stacks!.b.map((entry) => [entry.function, entry.line])).toEqual([
      ['classify', 5],
      ['main', 12],
      ['<module>', 15],
    ])
    expect(flow.rejoin).not.toBeNull()
    expect(flow.only).toEqual({ a: 1, b: 1 })
    // The values part before the paths: main's argument.
    expect(report.value).toMatchObject({
      name: 'argv',
      function: 'main',
      a_value: "['branch.py', '2']",
      b_value: "['branch.py', '5']",
    })
    expect(report.value!.a).toBeLessThan(flow.a!.seq)
    expect(report.summary.commonPrefix).toBe(flow.lastCommon.a)
    expect(report.summary.divergences).toBe(1)
  })

  it('prints the divergence in the terminal with the source of both lines', async () => {
    const result = await smiley(['diff', '-d', db, 'latest~1', 'latest'])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /First value divergence \(MainThread\):\n\s+branch\.py:10 in main, argv/,
    )
    expect(result.stdout).toContain("A ['branch.py', '2']")
    expect(result.stdout).toMatch(/A went to branch\.py:7 in classify, event \d+\s+label = "small"/)
    expect(result.stdout).toMatch(/B went to branch\.py:5 in classify, event \d+\s+label = "big"/)
    expect(result.stdout).toMatch(
      /A's stack: classify \(branch\.py:7\) ← main \(branch\.py:12\) ← <module> \(branch\.py:15\)/,
    )
  })

  it('finds the runs back on the same path after a loop runs once more, and lists every stretch with --all', async () => {
    const a = await record(['loops.py', '3', '2'])
    const b = await record(['loops.py', '4', '4'])
    const first = await diff(a, b)
    expect(first.code).toBe(1)
    const flow = first.report.controlFlow!
    // Both checked the loop; A left it, B ran the body once more.
    expect(flow.a).toMatchObject({ line: 7, function: 'count' })
    expect(flow.b).toMatchObject({ line: 6, function: 'count' })
    expect(flow.only).toEqual({ a: 0, b: 2 })
    expect(flow.rejoin!.b - flow.rejoin!.a).toBe(2)
    expect(first.report.summary.divergences).toBe(2)
    expect(first.report.divergences).toHaveLength(1)

    const all = await diff('--all', a, b)
    expect(all.report.divergences).toHaveLength(2)
    const second = all.report.divergences[1]!
    expect(second.a).toMatchObject({ line: 7 })
    expect(second.b).toMatchObject({ line: 6 })
    // The second call's loop ran twice more in B: four events of its own, after the first two.
    expect(second.only).toEqual({ a: 0, b: 4 })
    expect(second.lastCommon.b! - second.lastCommon.a!).toBe(2)
    expect(all.report.summary.aligned).toBe(all.report.summary.events.a)
    expect(all.report.summary.events.b - all.report.summary.events.a).toBe(6)
    // Back on the same path, each call returns another total: the first value that differs
    // after each rejoin, listed with its stretch (only with --all).
    expect(first.report.divergences[0]!.value).toBeUndefined()
    expect(
      all.report.divergences.map((d) => [d.value?.name, d.value?.a_value, d.value?.b_value]),
    ).toEqual([
      ['<return>', '3', '6'],
      ['<return>', '1', '6'],
    ])
    expect(all.report.divergences[0]!.value).toMatchObject({ line: 7, function: 'count' })
    expect(all.report.divergences[0]!.value!.a).toBeGreaterThanOrEqual(flow.rejoin!.a)
    const text = await smiley(['diff', '--all', '-d', db, a, b])
    expect(text.stdout).toMatch(
      /then a value differs: loops\.py:7 in count, <return> {2}\(events A \d+, B \d+\)\n {4}A 3\n {4}B 6/,
    )
  })

  it('rejoins after each of many stretches, and lists the first thousand with --all', async () => {
    const a = await record(['many.py', '5'])
    const b = await record(['many.py', '6'])
    const { report } = await diff('--all', a, b)
    // One value of i in 13 takes the other branch: 1,538 of 20,000.
    expect(report.summary.divergences).toBe(1538)
    expect(report.divergences).toHaveLength(1000)
    expect(report.divergences.every((d) => d.rejoin !== null)).toBe(true)
    expect(report.divergences.every((d) => d.a!.line === 7 && d.b!.line === 5)).toBe(true)
    // Each listed stretch comes with the value that differs once they meet again.
    expect(
      report.divergences.every(
        (d) => d.value?.name === 'kind' && d.value.a_value === "'high'" && d.value.line === 8,
      ),
    ).toBe(true)
    const text = await smiley(['diff', '--all', '-d', db, a, b])
    expect(text.stdout).toContain('The paths part 1538 times (the first 1000 are listed).')
  })

  it('reports a value that differs on the same path, with exit status 1', async () => {
    const a = await record(['scale.py', '1'])
    const b = await record(['scale.py', '2'])
    const { code, report } = await diff(a, b)
    expect(code).toBe(1)
    expect(report.controlFlow).toBeNull()
    expect(report.divergences).toEqual([])
    expect(report.value).toMatchObject({
      name: 'x',
      a_value: '1',
      b_value: '2',
      function: 'scale',
      file: 'scale.py',
      line: 3,
    })
    // x, then y, then the return value.
    expect(report.summary.valueDifferences).toBe(3)
    const text = await smiley(['diff', '-d', db, a, b])
    expect(text.stdout).toContain('The paths never part: only values differ.')
  })

  it('finds two runs of the same program identical, with exit status 0', async () => {
    const a = await record(['branch.py', '4'])
    const b = await record(['branch.py', '4'])
    const { code, report } = await diff(a, b)
    expect(code).toBe(0)
    expect(report).toMatchObject({ identical: true, controlFlow: null, value: null })
    expect(report.summary.aligned).toBe(report.summary.events.a)
    const text = await smiley(['diff', '-d', db, a, b])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('The runs took the same path with the same values')
  })

  it('does not count addresses, ids, timestamps and durations, and says how many it ignored', async () => {
    const a = await record(['noise.py'])
    const b = await record(['noise.py'])
    const plain = await diff(a, b)
    // The random label differs: only it.
    expect(plain.code).toBe(1)
    expect(plain.report.controlFlow).toBeNull()
    expect(plain.report.value).toMatchObject({ name: 'label', function: 'draw' })
    expect(plain.report.summary.valueDifferences).toBe(1)
    // thing, now, started, t0, elapsed, ident and the returned pair, at least.
    expect(plain.report.summary.ignored).toBeGreaterThanOrEqual(7)

    const byName = await diff('--ignore-name', 'label', a, b)
    expect(byName.code).toBe(0)
    expect(byName.report.summary.ignored).toBe(plain.report.summary.ignored + 1)
    const byPattern = await diff('--ignore', '[0-9a-f]{32}', a, b)
    expect(byPattern.code).toBe(0)
    const text = await smiley(['diff', '-d', db, '--ignore-name', 'token', a, b])
    expect(text.stdout).toMatch(/\d+ differences ignored \(addresses, ids, timestamps/)
  })

  it('pairs threads by name and finds the one that parts', async () => {
    const a = await record(['threads.py', '3'])
    const b = await record(['threads.py', '4'])
    const { code, report } = await diff(a, b)
    expect(code).toBe(1)
    expect(report.controlFlow!.thread).toEqual({ a: 'varies', b: 'varies' })
    expect(report.controlFlow!.a).toMatchObject({ function: 'work', line: 8 })
    expect(report.controlFlow!.b).toMatchObject({ function: 'work', line: 7 })
    expect(report.controlFlow!.stacks!.a.map((entry) => entry.function)).toEqual(['work'])
    // The module's loop picks the argument before the thread starts.
    expect(report.value).toMatchObject({
      thread: 'MainThread',
      name: 'n',
      a_value: '3',
      b_value: '4',
    })
    // The threads after it are paired by name, and agree.
    expect(report.summary.aligned).toBe(report.summary.events.a)
    expect(report.summary.divergences).toBe(1)
  })

  it('aligns threads that ran at the same time, their events interleaved differently in each run', async () => {
    const a = await record(['together.py', '0'])
    const b = await record(['together.py', '0'])
    const c = await record(['together.py', '1'])
    // The workers did run at the same time: each one's events span the others'.
    const threads = JSON.parse(
      (await smiley(['threads', '--json', '-d', db, a])).stdout,
    ) as ThreadSummary[]
    const workers = threads.filter((thread) => thread.name.startsWith('w'))
    expect(workers).toHaveLength(3)
    const [first, second] = [workers[0]!, workers[1]!]
    expect(second.firstSeq!).toBeLessThan(first.lastSeq!)
    // Whether a worker had stopped when the main thread looked is up to the scheduler.
    const timing = ['together', 'workers', 'worker'].flatMap((name) => ['--ignore-name', name])
    const same = await diff(...timing, a, b)
    expect(same.code, JSON.stringify(same.report.value)).toBe(0)
    expect(same.report.summary.aligned).toBe(same.report.summary.events.a)

    const parted = await diff(...timing, a, c)
    expect(parted.code).toBe(1)
    expect(parted.report.controlFlow!.thread, JSON.stringify(parted.report.controlFlow)).toEqual({
      a: 'w1',
      b: 'w1',
    })
    // A leaves the loop where B runs its body once more.
    expect(parted.report.controlFlow!.a).toMatchObject({ function: 'work', line: 12 })
    expect(parted.report.controlFlow!.b).toMatchObject({ function: 'work', line: 11 })
    expect(parted.report.controlFlow!.only).toEqual({ a: 0, b: 2 })
    expect(parted.report.summary.divergences).toBe(1)
    expect(parted.report.summary.aligned).toBe(parted.report.summary.events.a)
  })

  it('pairs threads of one name in the order they started, and reports a thread one run lacks', async () => {
    const a = await record(['helpers.py', '1'])
    const b = await record(['helpers.py', '2'])
    const { code, report } = await diff('--all', a, b)
    expect(code).toBe(1)
    const lonely = report.divergences.find((d) => d.thread.a === null)!
    expect(lonely.thread).toEqual({ a: null, b: 'helper' })
    expect(lonely.lastCommon).toEqual({ a: null, b: null })
    expect(lonely.a).toBeNull()
    expect(lonely.b).toMatchObject({ kind: 'call', function: 'help_out' })
    expect(lonely.rejoin).toBeNull()
    expect(lonely.only).toEqual({ a: 0, b: 3 })
    // The first helper of each run is paired with the other's first, and agrees.
    expect(report.summary.calls).toContainEqual({
      function: 'help_out',
      file: 'helpers.py',
      a: 1,
      b: 2,
    })
  })

  it('compares runs of a program copied to another folder or renamed, by relative path, then content', async () => {
    const elsewhere = tempDir()
    try {
      cpSync(join(dir.path, 'branch.py'), join(elsewhere.path, 'branch.py'))
      const a = await record(['branch.py', '1'])
      const b = await record(['branch.py', '1'], elsewhere.path)
      const { code, report } = await diff(a, b)
      expect(code).toBe(0)
      expect(report.identical).toBe(true)
      // Another name, the same content: matched by its hash.
      cpSync(join(dir.path, 'branch.py'), join(elsewhere.path, 'renamed.py'))
      const c = await record(['renamed.py', '1'], elsewhere.path)
      const renamed = await diff(a, c)
      expect(renamed.report.controlFlow).toBeNull()
      // Only the script's name in argv differs.
      expect(renamed.report.value).toMatchObject({ name: 'argv', b_value: "['renamed.py', '1']" })
      expect(renamed.report.summary.valueDifferences).toBe(1)
    } finally {
      elsewhere.remove()
    }
  })

  it('compares a run with one in another database file, recorded in another folder', async () => {
    const elsewhere = tempDir()
    try {
      cpSync(join(dir.path, 'branch.py'), join(elsewhere.path, 'branch.py'))
      const other = store.database(elsewhere.path, 'ci')
      const a = await record(['branch.py', '2'])
      const run = (args: string[]) =>
        smiley(['run', '-d', other, 'branch.py', ...args], { cwd: elsewhere.path })
      expect((await run(['2'])).code).toBe(0)
      const same = await diff(a, 'latest', '--database-b', other)
      expect(same.code).toBe(0)
      expect(same.report.summary.aligned).toBe(16)
      expect(same.report.b.id).not.toBe(a)

      expect((await run(['5'])).code).toBe(0)
      const parted = await diff(a, 'latest', '--database-b', other)
      expect(parted.code).toBe(1)
      expect(parted.report.controlFlow!.a).toMatchObject({ file: 'branch.py', line: 7 })
      expect(parted.report.controlFlow!.b).toMatchObject({ file: 'branch.py', line: 5 })
      expect(parted.report.controlFlow!.stacks!.b[0]).toMatchObject({ function: 'classify' })

      // A run that is not in B's file is looked for there, and the message says where.
      const missing = await smiley(['diff', '-d', db, a, a, '--database-b', other])
      expect(missing.code).toBe(2)
      expect(missing.stderr).toBe(
        `smiley: ${store.shown(other)}: no run with id ${a} (see: smiley list)\n`,
      )
      const noFile = await smiley(['diff', '-d', db, a, a, '--database-b', `${other}.none`])
      expect(noFile.code).toBe(2)
      expect(noFile.stderr).toBe(
        store.kind === 'sqlite'
          ? `smiley: no database at ${other}.none (record a run first: smiley run prog.py)\n`
          : `smiley: PostgreSQL at ${store.shown(other)}.none: the database does not exist\n`,
      )
    } finally {
      elsewhere.remove()
    }
  })

  const { found } = findPythons()
  const [oldest, newest] = [found[0], found.at(-1)]
  it.runIf(oldest !== undefined && newest !== oldest)(
    'compares runs of one program recorded with the oldest and the newest Python here',
    async () => {
      const python = (interpreter: typeof oldest) => ['--python', interpreter!.path]
      const a = await record([...python(oldest), 'branch.py', '2'])
      const b = await record([...python(newest), 'branch.py', '2'])
      const same = await diff(a, b)
      expect(same.report.a.pythonVersion).not.toBe(same.report.b.pythonVersion)
      expect(same.code).toBe(0)
      expect(same.report.summary.aligned).toBe(16)

      // Python 3.10+ names a thread after its target too: "Thread-1 (work)".
      const d = await record([...python(oldest), 'unnamed.py'])
      const e = await record([...python(newest), 'unnamed.py'])
      const threads = await diff(d, e)
      expect(threads.code).toBe(0)
      expect(threads.report.summary.aligned).toBe(threads.report.summary.events.a)
      expect(threads.report.summary.events.a).toBeGreaterThan(8)

      const c = await record([...python(newest), 'branch.py', '5'])
      const parted = await diff(a, c)
      expect(parted.code).toBe(1)
      expect(parted.report.controlFlow!.a).toMatchObject({ line: 7, function: 'classify' })
      expect(parted.report.controlFlow!.b).toMatchObject({ line: 5, function: 'classify' })
      expect(parted.report.controlFlow!.rejoin).not.toBeNull()
    },
  )

  it('says what is wrong in one line with exit status 2', async () => {
    const missing = await smiley(['diff', '-d', db, 'latest', 'ffffffff'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe('smiley: no run with id ffffffff (see: smiley list)\n')
    const tooFar = await smiley(['diff', '-d', db, 'latest~999', 'latest'])
    expect(tooFar.code).toBe(2)
    expect(tooFar.stderr).toMatch(/^smiley: there is no run latest~999: fewer than 1000 runs/)
    const pattern = await smiley(['diff', '-d', db, '--ignore', '(', 'latest', 'latest'])
    expect(pattern.code).toBe(2)
    expect(pattern.stderr).toMatch(/^smiley: --ignore "\(" is not a regular expression: .*\n$/)
    const noDb = await smiley(['diff', '-d', join(dir.path, 'none.db'), 'latest', 'latest'])
    expect(noDb.code).toBe(2)
    expect(noDb.stderr.split('\n')).toHaveLength(2)
    const one = await smiley(['diff', '-d', db, 'latest'])
    expect(one.code).toBe(2)
    expect(one.stderr).toBe('smiley: missing B (see: smiley diff --help)\n')
  })
})
