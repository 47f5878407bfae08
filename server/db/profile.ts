/**
 * A run's cProfile statistics: read from the profile tables into the shared `Profile` type,
 * and turned back into the dict `pstats` stores, for writing a `.pstats` file.
 */

import type { Profile, ProfileCall, ProfileFunction } from '../../shared/types/profile.js'
import type { PyWritable, PyWritableDict } from '../../shared/wire/marshal.js'
import { PyFloat } from '../../shared/wire/marshal.js'
import type { Db } from './database.js'

interface FunctionRow {
  id: number
  file: string
  line: number
  name: string
  primitive_calls: number
  calls: number
  total_time: number
  cumulative_time: number
}

interface CallRow {
  caller: number
  callee: number
  primitive_calls: number
  calls: number
  total_time: number
  cumulative_time: number
}

/** The profile of the run with local key `run`, or null when none was stored. */
export function readProfile(db: Db, run: number): Profile | null {
  const functions = (
    db
      .prepare(
        `SELECT id, file, line, name, primitive_calls, calls, total_time, cumulative_time
         FROM profile_functions WHERE run = ? ORDER BY id`,
      )
      .all(run) as FunctionRow[]
  ).map((row): ProfileFunction => ({
    id: row.id,
    file: row.file,
    line: row.line,
    name: row.name,
    primitiveCalls: row.primitive_calls,
    calls: row.calls,
    totalTime: row.total_time,
    cumulativeTime: row.cumulative_time,
  }))
  if (functions.length === 0) return null
  const calls = (
    db
      .prepare(
        `SELECT caller, callee, primitive_calls, calls, total_time, cumulative_time
         FROM profile_calls WHERE run = ? ORDER BY callee, caller`,
      )
      .all(run) as CallRow[]
  ).map((row): ProfileCall => ({
    caller: row.caller,
    callee: row.callee,
    primitiveCalls: row.primitive_calls,
    calls: row.calls,
    totalTime: row.total_time,
    cumulativeTime: row.cumulative_time,
  }))
  // Summed in id order, as pstats sums in the order it loads the functions.
  const totalTime = functions.reduce((sum, f) => sum + f.totalTime, 0)
  return { functions, calls, totalTime }
}

/**
 * The dict `cProfile.Profile().dump_stats()` marshals:
 * `{(file, line, name): (primitive_calls, calls, tottime, cumtime, callers)}`, where
 * `callers` is `{caller_key: (calls, primitive_calls, tottime, cumtime)}`. cProfile puts the
 * two counts in the opposite order there, and pstats reads them that way. Times are written
 * as floats even when whole, so Python reads back the same types.
 */
export function pstatsDict(profile: Profile): PyWritableDict {
  const keys = new Map<number, PyWritable>()
  for (const f of profile.functions) keys.set(f.id, [f.file, f.line, f.name])
  const callers = new Map<number, Array<[PyWritable, PyWritable]>>()
  for (const call of profile.calls) {
    const caller = keys.get(call.caller)
    if (caller === undefined) continue
    let list = callers.get(call.callee)
    if (list === undefined) callers.set(call.callee, (list = []))
    list.push([
      caller,
      [
        call.calls,
        call.primitiveCalls,
        new PyFloat(call.totalTime),
        new PyFloat(call.cumulativeTime),
      ],
    ])
  }
  return {
    dictEntries: profile.functions.map((f) => [
      keys.get(f.id)!,
      [
        f.primitiveCalls,
        f.calls,
        new PyFloat(f.totalTime),
        new PyFloat(f.cumulativeTime),
        { dictEntries: callers.get(f.id) ?? [] },
      ],
    ]),
  }
}
