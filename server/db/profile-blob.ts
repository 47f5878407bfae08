/**
 * A run's profile as stored: JSON, deflated. File names repeat across a profile's functions and
 * are written once; numbers keep their exact value (JSON writes the shortest text that reads
 * back as the same double).
 *
 *   { files: [file, …],
 *     functions: [[id, file index, line, name, primitive calls, calls, total, cumulative], …],
 *     calls: [[caller, callee, primitive calls, calls, total, cumulative], …] }
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { ProfileCall, ProfileFunction } from '../../shared/types/profile.js'

interface Stored {
  files: string[]
  functions: Array<[number, number, number, string, number, number, number, number]>
  calls: Array<[number, number, number, number, number, number]>
}

/** The blob of a profile's functions and calls. */
export function encodeProfile(functions: ProfileFunction[], calls: ProfileCall[]): Buffer {
  const files = new Map<string, number>()
  const fileIndex = (file: string) => {
    let index = files.get(file)
    if (index === undefined) files.set(file, (index = files.size))
    return index
  }
  const stored: Stored = {
    functions: functions.map((f) => [
      f.id,
      fileIndex(f.file),
      f.line,
      f.name,
      f.primitiveCalls,
      f.calls,
      f.totalTime,
      f.cumulativeTime,
    ]),
    calls: calls.map((c) => [
      c.caller,
      c.callee,
      c.primitiveCalls,
      c.calls,
      c.totalTime,
      c.cumulativeTime,
    ]),
    files: [...files.keys()],
  }
  return deflateRawSync(JSON.stringify(stored))
}

/** A profile's functions (in id order) and calls (by callee, then caller), from its blob. */
export function decodeProfile(blob: Buffer): {
  functions: ProfileFunction[]
  calls: ProfileCall[]
} {
  const stored = JSON.parse(inflateRawSync(blob).toString('utf8')) as Stored
  const functions = stored.functions
    .map(
      ([
        id,
        file,
        line,
        name,
        primitiveCalls,
        calls,
        totalTime,
        cumulativeTime,
      ]): ProfileFunction => ({
        id,
        file: stored.files[file]!,
        line,
        name,
        primitiveCalls,
        calls,
        totalTime,
        cumulativeTime,
      }),
    )
    .sort((a, b) => a.id - b.id)
  const calls = stored.calls
    .map(([caller, callee, primitiveCalls, calls, totalTime, cumulativeTime]): ProfileCall => ({
      caller,
      callee,
      primitiveCalls,
      calls,
      totalTime,
      cumulativeTime,
    }))
    .sort((a, b) => a.callee - b.callee || a.caller - b.caller)
  return { functions, calls }
}
