/**
 * The HTTP protocol between `smiley run --remote` (the sender) and `smiley record` or
 * `smiley monitor` (the receiver). A run is three kinds of request:
 *
 *     PUT  /v1/runs/UUID                  open the run (JSON `RunStart` → `RunOpened`); repeating
 *                                         it is harmless
 *     POST /v1/runs/UUID/stream?offset=N  the event stream's bytes from byte N on, maybe gzipped;
 *                                         bytes the receiver already has are skipped, so a
 *                                         retried batch is never recorded twice
 *     POST /v1/runs/UUID/end              how the process ended (JSON `RunEnd`) → `RunSummary`
 *
 * With a token, every request carries `Authorization: Bearer TOKEN`. Errors are JSON
 * `{ "error": "…" }` with a 4xx or 5xx status.
 */

import type { RunStatus } from '../../shared/types/run.js'
import type { ProcessExit } from '../record/outcome.js'

export const PROTOCOL_VERSION = 1
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8765
/** The largest batch a receiver takes, before and after decompression. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024

/** Opens a run. */
export interface RunStart {
  /** PROTOCOL_VERSION of the sender. */
  protocol: number
  /** How the run is listed. */
  description: string
  /** The interpreter's arguments. */
  argv: string[]
  /** How the run is recorded (max repr, redaction, filters, profile). */
  options: Record<string, unknown>
}

/**
 * The answer to a run's start: how often the sender must be heard from, at the least, for the
 * receiver not to take it for gone (a fraction of the receiver's --sender-timeout).
 */
export interface RunOpened {
  heartbeatMs: number
}

/** The answer to a batch: how many bytes of the stream the receiver holds. */
export interface BatchAck {
  received: number
}

/** Ends a run. */
export interface RunEnd {
  /** How the traced process ended; null when the sender cannot see it (a child process, which
   * is not the sender's own child: its tracer's `end` says how it ended, or nothing does). */
  exit: ProcessExit | null
  /** Length of the whole stream as sent: the receiver says when it has less. */
  bytes: number
}

/** How the receiver recorded a run; `unrecorded` when the tracer never said hello. */
export interface RunSummary {
  status: RunStatus | 'unrecorded'
  /** Events received. */
  events: number
  /** Events the sender had to drop. */
  lostEvents: number
}

export type Route =
  { kind: 'start'; uuid: string } | { kind: 'stream'; uuid: string } | { kind: 'end'; uuid: string }

const ROUTE = /^\/v1\/runs\/([0-9a-fA-F-]{8,64})(?:\/(stream|end))?$/

/** The request a method and path stand for, or null for anything else. */
export function matchRoute(method: string, pathname: string): Route | null {
  const match = ROUTE.exec(pathname)
  if (match === null) return null
  const uuid = match[1]!.toLowerCase()
  if (match[2] === undefined) return method === 'PUT' ? { kind: 'start', uuid } : null
  if (method !== 'POST') return null
  return match[2] === 'stream' ? { kind: 'stream', uuid } : { kind: 'end', uuid }
}

/** The address of a route under the recorder's base URL, which may have a path of its own. */
export function routeUrl(base: URL, route: Route, offset?: number): URL {
  const prefix = base.pathname.replace(/\/+$/, '')
  const tail = route.kind === 'start' ? '' : `/${route.kind}`
  const url = new URL(`${prefix}/v1/runs/${route.uuid}${tail}`, base)
  if (offset !== undefined) url.searchParams.set('offset', String(offset))
  return url
}

/** The heartbeat a receiver asks for in its `RunOpened` answer, or null when it names none. */
export function parseRunOpened(body: string): number | null {
  try {
    const { heartbeatMs } = JSON.parse(body) as Partial<RunOpened>
    return typeof heartbeatMs === 'number' && Number.isFinite(heartbeatMs) && heartbeatMs > 0
      ? heartbeatMs
      : null
  } catch {
    return null
  }
}

/** A `RunStart` from a request body, or null when it is not one. */
export function parseRunStart(value: unknown): RunStart | null {
  if (!isObject(value)) return null
  const { protocol, description, argv, options } = value
  if (typeof protocol !== 'number' || typeof description !== 'string') return null
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) return null
  if (!isObject(options)) return null
  return { protocol, description, argv: argv as string[], options }
}

/** A `RunEnd` from a request body, or null when it is not one. */
export function parseRunEnd(value: unknown): RunEnd | null {
  if (!isObject(value) || !Number.isInteger(value['bytes'])) return null
  const bytes = value['bytes'] as number
  if (value['exit'] === null) return { exit: null, bytes }
  if (!isObject(value['exit'])) return null
  const { code, signal } = value['exit']
  if (!(code === null || Number.isInteger(code))) return null
  if (!(signal === null || typeof signal === 'string')) return null
  return { exit: { code: code as number | null, signal }, bytes }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
