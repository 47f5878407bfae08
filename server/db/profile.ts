/**
 * A run's cProfile statistics: read from its stored blob into the shared `Profile` type,
 * and turned back into the dict `pstats` stores, for writing a `.pstats` file.
 */

import type { Profile } from '../../shared/types/profile.js'
import type { PyWritable, PyWritableDict } from '../../shared/wire/marshal.js'
import { PyFloat } from '../../shared/wire/marshal.js'
import type { Db } from './database.js'
import { decodeProfile } from './profile-blob.js'

/** The profile of the run with local key `run`, or null when none was stored. */
export function readProfile(db: Db, run: number): Profile | null {
  const blob = db.prepare('SELECT data FROM profiles WHERE run = ?').pluck().get(run) as
    Buffer | undefined
  if (blob === undefined) return null
  const { functions, calls } = decodeProfile(blob)
  if (functions.length === 0) return null
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
