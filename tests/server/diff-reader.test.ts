/**
 * server/diff reads each run once for all its threads; a thread whose partner lags far
 * behind reads on by itself. Real recordings of a program whose threads ran in opposite
 * orders, compared with the default hold and with a tiny one: the same report.
 */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import type { ThreadSummary } from '../../shared/types/thread.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { findRun } from '../../server/db/runs.js'
import { compareRuns } from '../../server/diff/index.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let path: string
const readers: Db[] = []
const ids: string[] = []

beforeAll(async () => {
  dir = tempDir()
  path = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'order.py': `
import sys
import threading

def work(n):
    total = 0
    for i in range(n):
        total += i
    return total

def tally(n):
    count = 0
    for i in range(n):
        count += 2
    return count

worker = threading.Thread(target=work, args=(int(sys.argv[2]),), name="worker")
if sys.argv[1] == "worker-first":
    worker.start(); worker.join()
    tally(300)
else:
    tally(300)
    worker.start(); worker.join()
`,
  })
  for (const args of [
    ['worker-first', '300'],
    ['worker-last', '300'],
    ['worker-last', '301'],
  ]) {
    const recorded = await smiley(['run', '-d', path, 'order.py', ...args], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
  }
  const runs = JSON.parse((await smiley(['list', '--json', '-d', path])).stdout) as Run[]
  ids.push(...runs.map((run) => run.id).reverse())
  readers.push(openDatabase(path, { readonly: true }), openDatabase(path, { readonly: true }))
})
afterAll(() => {
  for (const reader of readers) reader.close()
  dir.remove()
})

const compare = (a: string, b: string, held?: number) =>
  compareRuns(
    { db: readers[0]!, stored: findRun(readers[0]!, a) },
    { db: readers[1]!, stored: findRun(readers[1]!, b) },
    { ignore: [], ignoreNames: ['worker'], all: true },
    held,
  )

describe('comparing runs whose threads ran in opposite orders', () => {
  it('gives the same report when the threads far ahead read on by themselves', async () => {
    const threads = async (id: string) =>
      JSON.parse((await smiley(['threads', '--json', '-d', path, id])).stdout) as ThreadSummary[]
    // In the first run the worker ran before tally, in the others after it.
    const [first, last] = [await threads(ids[0]!), await threads(ids[1]!)]
    const worker = (list: ThreadSummary[]) => list.find((t) => t.name === 'worker')!
    expect(worker(first).lastSeq!).toBeLessThan(first[0]!.lastSeq! - 500)
    expect(worker(last).firstSeq!).toBeGreaterThan(500)

    for (const [a, b] of [
      [ids[0]!, ids[1]!],
      [ids[0]!, ids[2]!],
    ] as const) {
      const whole = compare(a, b)
      const held = compare(a, b, 20)
      expect(held).toEqual(whole)
    }
    // The main thread takes the other branch; the worker takes the same path in both runs,
    // whatever the order the threads ran in.
    const same = compare(ids[0]!, ids[1]!, 20)
    expect(same.divergences.length).toBeGreaterThan(0)
    expect(same.divergences.every((d) => d.thread.a === 'MainThread')).toBe(true)
    // One more turn of the worker's loop: found in the worker, with the rejoin after it.
    const parted = compare(ids[0]!, ids[2]!, 20)
    const inWorker = parted.divergences.filter((d) => d.thread.a === 'worker')
    expect(inWorker).toHaveLength(1)
    expect(inWorker[0]!.only).toEqual({ a: 0, b: 2 })
    expect(inWorker[0]!.rejoin).not.toBeNull()
  })
})
