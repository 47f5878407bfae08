/**
 * A run's profile as stored: the byte 0xFF, then its columns (profile-columns.ts). Profiles
 * stored before are JSON, deflated (a raw deflate stream never starts with 0xFF: its block type
 * would be the reserved 3), and read as ever. File names repeat across a profile's functions and
 * are written once; numbers keep their exact value (JSON writes the shortest text that reads
 * back as the same double).
 *
 *   { files: [file, …],
 *     functions: [[id, file index, line, name, primitive calls, calls, total, cumulative], …],
 *     calls: [[caller, callee, primitive calls, calls, total, cumulative], …] }
 */

import { inflateRawSync } from 'node:zlib'
import type { ProfileCall, ProfileFunction } from '../../shared/types/profile.js'
import { decodeColumns, encodeColumns } from './profile-columns.js'

const COLUMNS = 0xff

interface Stored {
  files: string[]
  functions: Array<[number, number, number, string, number, number, number, number]>
  calls: Array<[number, number, number, number, number, number]>
}

/** The blob of a profile's functions and calls. */
export function encodeProfile(functions: ProfileFunction[], calls: ProfileCall[]): Buffer {
  return Buffer.concat([Buffer.of(COLUMNS), encodeColumns(functions, calls)])
}

/** A profile's functions (in id order) and calls (by callee, then caller), from its blob. */
export function decodeProfile(blob: Buffer): {
  functions: ProfileFunction[]
  calls: ProfileCall[]
} {
  if (blob[0] === COLUMNS) return decodeColumns(blob.subarray(1))
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
