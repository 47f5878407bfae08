/** cProfile's stats dict (as `pstats` stores it) turned into functions and calls, and stored. */

import type { PyValue } from '../../shared/wire/marshal.js'
import { PyDict } from '../../shared/wire/marshal.js'
import { WireError } from '../../shared/wire/frames.js'
import type { Db } from '../db/database.js'
import { encodeProfile } from '../db/profile-blob.js'

export interface ProfileFunctionRow {
  id: number
  file: string
  line: number
  name: string
  primitiveCalls: number
  calls: number
  totalTime: number
  cumulativeTime: number
}

export interface ProfileCallRow {
  caller: number
  callee: number
  primitiveCalls: number
  calls: number
  totalTime: number
  cumulativeTime: number
}

/** One row per function and one per caller → callee edge; ids are assigned here. */
export function profileRows(stats: PyDict): {
  functions: ProfileFunctionRow[]
  calls: ProfileCallRow[]
} {
  const ids = new Map<string, number>()
  const functions: ProfileFunctionRow[] = []
  const idOf = (key: PyValue): number => {
    const [file, line, name] = functionKey(key)
    const text = `${file}\0${line}\0${name}`
    let id = ids.get(text)
    if (id === undefined) {
      id = ids.size + 1
      ids.set(text, id)
      functions.push({
        id,
        file,
        line,
        name,
        primitiveCalls: 0,
        calls: 0,
        totalTime: 0,
        cumulativeTime: 0,
      })
    }
    return id
  }
  const calls: ProfileCallRow[] = []
  for (const [key, value] of stats.entries) {
    const id = idOf(key)
    if (!Array.isArray(value) || value.length !== 5) throw new WireError('malformed profile entry')
    const [primitive, total, tottime, cumtime, callers] = value
    const row = functions[id - 1]!
    row.primitiveCalls = number(primitive)
    row.calls = number(total)
    row.totalTime = number(tottime)
    row.cumulativeTime = number(cumtime)
    if (!(callers instanceof PyDict)) throw new WireError('malformed profile callers')
    for (const [callerKey, timing] of callers.entries) {
      if (!Array.isArray(timing) || timing.length !== 4)
        throw new WireError('malformed profile caller')
      // cProfile writes a caller's counts as (calls, primitive calls): the reverse of a
      // function's own entry.
      calls.push({
        caller: idOf(callerKey),
        callee: id,
        primitiveCalls: number(timing[1]),
        calls: number(timing[0]),
        totalTime: number(timing[2]),
        cumulativeTime: number(timing[3]),
      })
    }
  }
  return { functions, calls }
}

function functionKey(key: PyValue): [string, number, string] {
  if (Array.isArray(key) && key.length === 3) {
    const [file, line, name] = key
    if (typeof file === 'string' && typeof line === 'number' && typeof name === 'string')
      return [file, line, name]
  }
  throw new WireError('malformed profile function key')
}

function number(value: PyValue | undefined): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  throw new WireError('malformed profile number')
}

/** Replaces the stored profile of run `run` (local key) with cProfile's `stats`. */
export function storeProfile(db: Db, run: number, stats: PyDict): void {
  const { functions, calls } = profileRows(stats)
  db.prepare(
    'INSERT OR REPLACE INTO profiles (run, functions, calls, data) VALUES (?, ?, ?, ?)',
  ).run(run, functions.length, calls.length, encodeProfile(functions, calls))
}
