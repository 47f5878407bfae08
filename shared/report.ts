/**
 * The files of a static report (`smiley report`), read by the same client as the dashboard.
 * A report opens from file://, where nothing can be fetched: data files are scripts that
 * hand their content to `window[REPORT_CALLBACK]`, loaded as the pages need them.
 *
 *   index.html, assets/…          the client, built as a classic script
 *   data/report.js                sets window[REPORT_INDEX] to a ReportIndex
 *   data/events/N.js              calls REPORT_CALLBACK('events', N, ReportChunk)
 *   data/sources/F.js             calls REPORT_CALLBACK('source', F, RunSource)
 */

import type { RunFile } from './types/file.js'
import type { Profile } from './types/profile.js'
import type { Run } from './types/run.js'
import type { ThreadSummary } from './types/thread.js'

export const REPORT_FORMAT = 1
export const REPORT_INDEX = '__SMILEY_REPORT__'
export const REPORT_CALLBACK = '__smileyReport'

export interface ReportIndex {
  format: typeof REPORT_FORMAT
  title: string
  /** Unix time in seconds. */
  generatedAt: number
  run: Run
  files: RunFile[]
  threads: ThreadSummary[]
  profile: Profile | null
  /** The call graph, drawn when the report was written (gprof2dot's defaults). */
  callGraphSvg: string | null
  callGraphDot: string | null
  /** Events per chunk: chunk k holds events k·chunkSize+1 to (k+1)·chunkSize. */
  chunkSize: number
  /** Function id → qualified name and file id. */
  functions: Record<number, [string, number]>
  /** Variable and type names by symbol id. */
  symbols: Record<number, string>
}

/**
 * An event, compactly: seq, microseconds, kind (0 call, 1 line, 2 return, 3 exception),
 * thread, frame, depth, line, function id, locals (as stored, see locals.ts), value type
 * symbol, value, and 1 for a return that only suspended a generator.
 */
export type CompactEvent = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  string | null,
  number | null,
  string | null,
  0 | 1,
]

export interface ReportChunk {
  events: CompactEvent[]
  /** The source lines these events ran, by `fileId:line`. */
  lines: Record<string, string>
}
