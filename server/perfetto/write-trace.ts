/**
 * Writes a run as a Chrome trace-event JSON file (see trace-events.ts), streamed: the events
 * are written as they are made, a megabyte at a time, so memory does not grow with the run.
 */

import { closeSync, openSync, writeSync } from 'node:fs'
import type { Db } from '../db/database.js'
import type { StoredRun } from '../db/runs.js'
import { callEvents, metadataEvents, type TraceEventRecord } from './trace-events.js'

/** Characters gathered before a write. */
const FLUSH_AT = 1 << 20

export interface WrittenTrace {
  /** Complete events written: one per activation of a function. */
  calls: number
  bytes: number
}

/**
 * Writes run `stored` to `path` (replaced if it exists); `onProgress` hears the recorded
 * events read so far, out of the run's.
 */
export function writeTrace(
  db: Db,
  stored: StoredRun,
  path: string,
  onProgress?: (read: number, total: number) => void,
): WrittenTrace {
  const fd = openSync(path, 'w')
  let pending: string[] = []
  let size = 0
  let bytes = 0
  const flush = () => {
    const text = pending.join('')
    bytes += writeSync(fd, text)
    pending = []
    size = 0
  }
  const put = (text: string) => {
    pending.push(text)
    size += text.length
    if (size >= FLUSH_AT) flush()
  }
  let first = true
  const add = (record: TraceEventRecord) => {
    put(first ? `\n${JSON.stringify(record)}` : `,\n${JSON.stringify(record)}`)
    first = false
  }
  try {
    const { key, run } = stored
    put('{"traceEvents":[')
    for (const record of metadataEvents(db, key, run)) add(record)
    let calls = 0
    for (const record of callEvents(db, key, (read) => onProgress?.(read, run.eventCount))) {
      add(record)
      calls += 1
    }
    const about = { run: run.id, description: run.description, status: run.status }
    put(`\n],"displayTimeUnit":"ms","otherData":${JSON.stringify(about)}}\n`)
    flush()
    return { calls, bytes }
  } finally {
    closeSync(fd)
  }
}
