/**
 * A synthetic recording of any size, written through the real ingest (RunWriter), for
 * measuring the dashboard and the queries on runs far larger than a test can record:
 * two threads calling small functions in a loop, with changing locals, like a program would.
 */

import { randomUUID } from 'node:crypto'
import type { Db } from '../../server/db/database.js'
import { createRun, finishRun } from '../../server/db/runs.js'
import { RunWriter } from '../../server/ingest/run-writer.js'
import { batchWriter } from '../../server/store/sqlite/write-batch.js'
import { TAG, type WireRecord } from '../../shared/wire/records.js'

const SOURCE = `def step(i, total):
    value = i * 3
    total = total + value
    label = "step %d" % i
    return total


def main(n):
    total = 0
    for i in range(n):
        total = step(i, total)
        if i % 100000 == 99999:
            checkpoint(i)
    return total


def checkpoint(i):
    try:
        raise ValueError("checkpoint %d" % i)
    except ValueError:
        saved = i
`

/** Every this many loops, a call of checkpoint: the rare events searches look for. */
export const CHECKPOINT_EVERY = 100_000

/**
 * Writes a completed run of about `events` events into `db`; returns its uuid. With
 * `extraCheckpointAt`, loop `i` of that number also calls checkpoint: a second run that
 * parts from the first there and rejoins it.
 */
export function writeSyntheticRun(db: Db, events: number, extraCheckpointAt?: number): string {
  const uuid = randomUUID()
  const key = createRun(db, {
    uuid,
    description: `synthetic.py (${events.toLocaleString('en-US')} events)`,
    argv: ['synthetic.py'],
    cwd: '/synthetic',
    python: 'python3',
    pythonVersion: '3.11.7',
    host: 'bench',
    pid: 1,
    backend: 'settrace',
    startedAt: Date.now() / 1000,
    options: {},
  })
  const writer = new RunWriter(batchWriter(db), key)
  const accept = (record: WireRecord) => writer.accept(record)
  const symbols = [
    'i',
    'total',
    'value',
    'label',
    'int',
    'str',
    'n',
    'saved',
    'ValueError',
    'NoneType',
  ]
  symbols.forEach((text, index) => accept({ tag: TAG.symbol, symbol: index + 1, text }))
  accept({ tag: TAG.file, file: 1, path: '/synthetic/synthetic.py', source: SOURCE })
  accept({ tag: TAG.code, code: 1, file: 1, name: 'step', qualifiedName: 'step', firstLine: 1 })
  accept({ tag: TAG.code, code: 2, file: 1, name: 'main', qualifiedName: 'main', firstLine: 8 })
  accept({
    tag: TAG.code,
    code: 3,
    file: 1,
    name: 'checkpoint',
    qualifiedName: 'checkpoint',
    firstLine: 16,
  })
  accept({ tag: TAG.thread, thread: 1, ident: 1, name: 'MainThread' })
  accept({ tag: TAG.thread, thread: 2, ident: 2, name: 'worker' })
  let time = 0
  let frame = 0
  const mains = [++frame, ++frame]
  for (const [index, main] of mains.entries()) {
    accept({
      tag: TAG.call,
      frame: main,
      line: 8,
      time,
      locals: [7, 5, String(events)],
      code: 2,
      parent: 0,
      thread: index + 1,
      depth: 0,
      task: 0,
    })
  }
  let written = 2
  const totals: [number, number] = [0, 0]
  for (let i = 0; written < events; i++) {
    const thread = (Math.floor(i / 50) % 2) as 0 | 1
    const main = mains[thread]!
    time += 1e-6
    accept({ tag: TAG.line, frame: main, line: 10, time, changes: [1, 5, String(i)] })
    accept({ tag: TAG.line, frame: main, line: 11, time, changes: null })
    const call = ++frame
    accept({
      tag: TAG.call,
      frame: call,
      line: 1,
      time,
      locals: [1, 5, String(i), 2, 5, String(totals[thread])],
      code: 1,
      parent: main,
      thread: thread + 1,
      depth: 1,
      task: 0,
    })
    accept({ tag: TAG.line, frame: call, line: 2, time, changes: null })
    accept({ tag: TAG.line, frame: call, line: 3, time, changes: [3, 5, String(i * 3)] })
    totals[thread] += i * 3
    accept({ tag: TAG.line, frame: call, line: 4, time, changes: [2, 5, String(totals[thread])] })
    accept({ tag: TAG.line, frame: call, line: 5, time, changes: [4, 6, `'step ${i}'`] })
    accept({
      tag: TAG.return,
      frame: call,
      line: 5,
      time,
      changes: null,
      valueType: 5,
      value: String(totals[thread]),
    })
    written += 8
    if (i % CHECKPOINT_EVERY === CHECKPOINT_EVERY - 1 || i === extraCheckpointAt) {
      written += checkpoint(accept, ++frame, main, thread + 1, i, time)
    }
    if (writer.due) writer.flushNow()
  }
  for (const main of mains)
    accept({
      tag: TAG.return,
      frame: main,
      line: 12,
      time,
      changes: null,
      valueType: 5,
      value: '0',
    })
  writer.flushNow()
  finishRun(db, key, {
    status: 'completed',
    endedAt: Date.now() / 1000,
    exitCode: 0,
    signal: null,
    errorType: null,
    errorMessage: null,
    traceback: null,
  })
  return uuid
}

/** The events of one call of checkpoint(i): a raise caught in the call; returns how many. */
function checkpoint(
  accept: (record: WireRecord) => void,
  frame: number,
  parent: number,
  thread: number,
  i: number,
  time: number,
): number {
  accept({
    tag: TAG.call,
    frame,
    line: 16,
    time,
    locals: [1, 5, String(i)],
    code: 3,
    parent,
    thread,
    depth: 1,
    task: 0,
  })
  accept({ tag: TAG.line, frame, line: 17, time, changes: null })
  accept({ tag: TAG.line, frame, line: 18, time, changes: null })
  accept({
    tag: TAG.exception,
    frame,
    line: 18,
    time,
    changes: null,
    exceptionType: 9,
    message: `checkpoint ${i}`,
  })
  accept({ tag: TAG.line, frame, line: 19, time, changes: null })
  accept({ tag: TAG.line, frame, line: 20, time, changes: [8, 5, String(i)] })
  accept({ tag: TAG.return, frame, line: 20, time, changes: null, valueType: 10, value: 'None' })
  return 7
}
