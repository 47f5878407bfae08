/**
 * When the sender gives a recorder up, and how it says so: which failures may pass (and are
 * retried) and which mean the recorder is gone or refuses, in words short enough for the one
 * line `smiley run` prints.
 */

import { formatCount } from '../../shared/format.js'
import { NetworkError } from './http-client.js'

/** The recorder cannot take this run: `reason` says why, briefly. */
export class GiveUp extends Error {
  override name = 'GiveUp'
  constructor(
    readonly reason: string,
    readonly status: number | null = null,
  ) {
    super(reason)
  }
}

/** The line said at once when a run cannot be recorded from its start. */
export function startFailure(url: URL, error: GiveUp, tokenGiven: boolean): string {
  const at = shown(url)
  let what = `the recorder at ${at} refused the run (${error.reason})`
  if (error.status === null) what = `cannot reach the recorder at ${at} (${error.reason})`
  else if (error.status === 401)
    what = tokenGiven
      ? `the recorder at ${at} refused the token`
      : `the recorder at ${at} needs a token (give --token or set SMILEY_TOKEN)`
  return `${what}; the program runs, but this run is not recorded`
}

/**
 * The line said when the run is over, if the recorder did not get all of it: `reason` is why
 * it was given up (null: it was not), `endFailed` whether that happened on the very last request.
 */
export function endProblem(
  url: URL,
  reason: string | null,
  endFailed: boolean,
  dropped: number,
  unsent: number,
): string | null {
  const at = shown(url)
  if (reason !== null && endFailed && dropped + unsent === 0)
    return `the recorder at ${at} did not take the end of the run (${reason})`
  if (reason !== null)
    return `lost the recorder at ${at} (${reason}): ${count(dropped + unsent)} not recorded`
  if (dropped > 0)
    return `the recorder at ${at} fell behind: ${count(dropped)} dropped from the run`
  return null
}

/** The URL as given, without the slash URL adds to a bare host. */
function shown(url: URL): string {
  return url.pathname === '/' && url.search === '' ? url.origin : url.href
}

/** `1 event was`, `12,345 events were`. */
function count(events: number): string {
  return `${formatCount(events)} event${events === 1 ? ' was' : 's were'}`
}

/** HTTP answers worth trying again: the recorder is busy or briefly unwell. */
export function transientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** A failure without an HTTP answer, in a few words. */
export function networkReason(error: NetworkError, timeoutMs: number): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ENOTFOUND':
      return 'no such host'
    case 'ETIMEDOUT':
      return `no answer within ${Math.round(timeoutMs / 1000)} s`
    case 'ECONNRESET':
      return 'connection reset'
    default:
      return error.code
  }
}

/** The reason a recorder gave, from its JSON error, or the start of whatever came back. */
export function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (typeof parsed.error === 'string') return parsed.error
  } catch {
    // not one of ours: show the start of what came back
  }
  return body.slice(0, 80).replace(/\s+/g, ' ').trim() || 'no reason given'
}

/** Any failure as a `GiveUp`. */
export function asGiveUp(error: unknown): GiveUp {
  if (error instanceof GiveUp) return error
  if (error instanceof NetworkError) return new GiveUp(error.code)
  return new GiveUp(error instanceof Error ? error.message : String(error))
}
