/**
 * The dashboard's WebSocket protocol. Reads go over HTTP (the REST API); the socket only
 * says what changed — runs added, changed or deleted, and how far a followed run's events
 * go — so that the client knows what to fetch. After a reconnect the client re-fetches.
 */

import type { Run } from './types/run.js'

/** Bumped whenever a message changes shape; sent first, in `hello`. */
export const PROTOCOL_VERSION = 1

export type ServerMessage =
  | {
      type: 'hello'
      /** The protocol version the server speaks. */
      protocol: number
      /** Smiley's version. */
      version: string
    }
  | {
      type: 'runs'
      /** Runs that appeared or changed (status, event count, end…), newest first. */
      runs: Run[]
    }
  | {
      type: 'runsDeleted'
      /** Ids of runs that are gone. */
      ids: string[]
    }
  | {
      type: 'events'
      /** The followed run. */
      run: string
      /** Its last stored event: everything up to here can be fetched. */
      lastSeq: number
      /** Its status now: following stops being useful once it is not `running`. */
      status: Run['status']
    }

export type ClientMessage = {
  type: 'follow'
  /** Run to receive `events` messages for, or null to stop. */
  run: string | null
}

/** Parses a client message defensively: anything malformed gives null. */
export function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const message = value as Record<string, unknown>
  if (
    message['type'] === 'follow' &&
    (message['run'] === null || typeof message['run'] === 'string')
  ) {
    return { type: 'follow', run: message['run'] as string | null }
  }
  return null
}
