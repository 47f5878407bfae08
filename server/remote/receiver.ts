/**
 * The HTTP endpoint shared by `smiley record` and `smiley monitor`: it takes runs sent by
 * `smiley run --remote` (see protocol.ts) and hands each run's stream to a `RunSink`, which
 * stores it or prints it.
 *
 * Requests of one run are handled one after another, so a sink sees the stream in order and
 * a slow sink slows only its own sender. A batch's offset makes a retried batch harmless.
 * A run whose sender has been silent for `senderTimeoutMs` ends with no exit status, which
 * a sink records as lost, keeping everything received.
 *
 * The token is checked before anything else, so that an unauthenticated client learns nothing
 * (not even that this is a Smiley recorder); a batch's body is passed on as it arrives, read in
 * its run's turn; and a refused request is not read on (see request-body.ts).
 */

import { createHash, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { answerClientError } from '../bad-requests.js'
import type { ProcessExit } from '../record/outcome.js'
import { HttpError } from './http-error.js'
import type { BatchAck, Route, RunOpened, RunStart, RunSummary } from './protocol.js'
import {
  MAX_BATCH_BYTES,
  matchRoute,
  parseRunEnd,
  parseRunStart,
  PROTOCOL_VERSION,
} from './protocol.js'
import { leaveRefused, readWhole, streamBody } from './request-body.js'

export { HttpError }

const MAX_JSON_BYTES = 1024 * 1024
/** Ended runs remembered, so that a repeated `end` gets the same answer. */
const ENDED_KEPT = 256
/** Longer than the sender's heartbeat, so an idle kept-alive connection is not cut under it. */
const KEEP_ALIVE_MS = 30_000
const CLOSE_GRACE_MS = 500
/** Senders are asked to be heard from this many times within the sender timeout. */
const BEATS_PER_TIMEOUT = 4

/** Where one run's stream goes. */
export interface RunSink {
  /** The next bytes of the stream; the sender waits until the returned promise settles. */
  push(bytes: Uint8Array): void | Promise<void>
  /** The run is over: `exit` is how the process ended, null when the sender vanished. */
  finish(exit: ProcessExit | null): RunSummary | Promise<RunSummary>
}

export interface RunSinks {
  /** A sink for a new run; throws (or rejects with) `HttpError` to refuse it. */
  open(uuid: string, start: RunStart): RunSink | Promise<RunSink>
}

export interface ReceiverOptions {
  token: string | null
  sinks: RunSinks
  /** A run whose sender has been silent this long ends as lost. */
  senderTimeoutMs: number
  /** Told when a run has ended, however it ended. */
  onRunEnd?: (uuid: string, summary: RunSummary) => void
}

interface Session {
  sink: RunSink
  /** Bytes of the stream received so far. */
  received: number
  /** The run's requests, one after another. */
  queue: Promise<unknown>
  busy: number
  timer: NodeJS.Timeout | null
}

export class Receiver {
  private readonly server: http.Server
  private readonly sessions = new Map<string, Session>()
  /** Runs whose sink is being opened (a store that answers later). */
  private readonly opening = new Map<string, Promise<RunSink>>()
  private readonly ended = new Map<string, RunSummary>()
  private readonly tokenDigest: Buffer | null

  constructor(private readonly options: ReceiverOptions) {
    this.tokenDigest = options.token === null ? null : digest(options.token)
    this.server = http.createServer((request, response) => void this.handle(request, response))
    this.server.keepAliveTimeout = KEEP_ALIVE_MS
    this.server.on('clientError', answerClientError)
  }

  /** Starts listening; rejects with Node's error (EADDRINUSE…) when it cannot. */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((done, fail) => {
      this.server.once('error', fail)
      this.server.listen(port, host, () => {
        this.server.off('error', fail)
        done(this.server.address() as AddressInfo)
      })
    })
  }

  /** Runs being received now. */
  get openRuns(): number {
    return this.sessions.size
  }

  /** Stops listening and ends every open run as lost, with what it received. */
  async close(): Promise<void> {
    const closed = new Promise((done) => this.server.close(done))
    this.server.closeIdleConnections()
    // Answers being written get a moment to go out; then every connection goes.
    setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS).unref()
    await closed
    for (const uuid of [...this.sessions.keys()]) await this.expire(uuid)
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse) {
    // Told only once the sender has its answer: `monitor --exit` may stop right after.
    const afterwards: Array<() => void> = []
    response.once('close', () => afterwards.forEach((then) => then()))
    let status = 200
    let answer: unknown
    try {
      answer = await this.route(request, afterwards)
    } catch (error) {
      status = error instanceof HttpError ? error.status : 500
      answer = { error: error instanceof HttpError ? error.message : 'internal error' }
      if (status === 401) response.setHeader('www-authenticate', 'Bearer')
      if (!(error instanceof HttpError))
        console.error(`smiley: a request failed: ${error instanceof Error ? error.message : error}`)
      await leaveRefused(request, response)
    }
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(answer ?? {}))
  }

  private async route(
    request: http.IncomingMessage,
    afterwards: Array<() => void>,
  ): Promise<unknown> {
    this.authorize(request.headers.authorization)
    if (!URL.canParse(request.url ?? '', 'http://recorder'))
      throw new HttpError(400, 'malformed request target')
    const url = new URL(request.url ?? '/', 'http://recorder')
    const route = matchRoute(request.method ?? '', url.pathname)
    if (route === null) throw new HttpError(404, 'not a Smiley recorder address')
    if (route.kind === 'start') return this.start(route, await readWhole(request, MAX_JSON_BYTES))
    const session = this.sessions.get(route.uuid)
    if (session === undefined) {
      const summary = this.ended.get(route.uuid)
      if (route.kind === 'end' && summary !== undefined) return summary
      throw new HttpError(404, 'this recorder has no such run (it ended, or timed out)')
    }
    return this.serially(route.uuid, session, async () => {
      if (route.kind === 'stream')
        return this.batch(session, url.searchParams.get('offset'), request)
      const end = parseRunEnd(parseJson(await readWhole(request, MAX_JSON_BYTES)))
      if (end === null) throw new HttpError(400, 'malformed end of run')
      const summary = await this.end(route.uuid, session, end.exit)
      afterwards.push(() => this.options.onRunEnd?.(route.uuid, summary))
      return summary
    })
  }

  private authorize(header: string | undefined): void {
    if (this.tokenDigest === null) return
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
    if (match === null) throw new HttpError(401, 'a token is needed')
    if (!timingSafeEqual(digest(match[1]!), this.tokenDigest))
      throw new HttpError(401, 'wrong token')
  }

  private async start(route: Route, body: Buffer): Promise<RunOpened> {
    const start = parseRunStart(parseJson(body))
    if (start === null) throw new HttpError(400, 'malformed start of run')
    if (start.protocol !== PROTOCOL_VERSION) {
      throw new HttpError(
        400,
        `protocol ${start.protocol} is not supported (this recorder speaks ${PROTOCOL_VERSION})`,
      )
    }
    const opened = { heartbeatMs: Math.ceil(this.options.senderTimeoutMs / BEATS_PER_TIMEOUT) }
    if (this.sessions.has(route.uuid)) return opened
    if (this.ended.has(route.uuid)) throw new HttpError(409, 'this run has already ended')
    // A sender that asks again while its run is being opened gets the same answer.
    const opening = this.opening.get(route.uuid)
    if (opening !== undefined) return opening.then(() => opened)
    const sinking = Promise.resolve().then(() => this.options.sinks.open(route.uuid, start))
    this.opening.set(route.uuid, sinking)
    let sink: RunSink
    try {
      sink = await sinking
    } finally {
      this.opening.delete(route.uuid)
    }
    const session: Session = { sink, received: 0, queue: Promise.resolve(), busy: 0, timer: null }
    this.sessions.set(route.uuid, session)
    this.watch(route.uuid, session)
    return opened
  }

  private async batch(
    session: Session,
    offsetParam: string | null,
    request: http.IncomingMessage,
  ): Promise<BatchAck> {
    const offset = Number(offsetParam)
    if (offsetParam === null || !Number.isSafeInteger(offset) || offset < 0)
      throw new HttpError(400, 'a batch needs its offset in the stream')
    if (offset > session.received)
      throw new HttpError(409, `bytes are missing: this recorder has ${session.received}`)
    let at = offset
    await streamBody(request, MAX_BATCH_BYTES, async (bytes) => {
      // A batch sent again after a lost answer: only what is new goes on.
      const skip = session.received - at
      at += bytes.length
      if (skip >= bytes.length) return
      session.received = at
      await session.sink.push(skip > 0 ? bytes.subarray(skip) : bytes)
    })
    return { received: session.received }
  }

  private async end(uuid: string, session: Session, exit: ProcessExit | null): Promise<RunSummary> {
    this.forget(uuid, session)
    const summary = await session.sink.finish(exit)
    this.ended.set(uuid, summary)
    if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.keys().next().value!)
    return summary
  }

  /** Runs `work` after the run's earlier requests, keeping the sender-timeout clock still. */
  private serially<T>(uuid: string, session: Session, work: () => Promise<T>): Promise<T> {
    session.busy += 1
    const result = session.queue.then(work)
    session.queue = result
      .catch(() => undefined)
      .finally(() => {
        session.busy -= 1
        if (this.sessions.get(uuid) === session) this.watch(uuid, session)
      })
    return result
  }

  private watch(uuid: string, session: Session): void {
    if (session.timer) clearTimeout(session.timer)
    session.timer = setTimeout(() => {
      if (session.busy === 0) void this.expire(uuid)
    }, this.options.senderTimeoutMs).unref()
  }

  /** Ends a run whose sender is gone: no exit status. */
  private async expire(uuid: string): Promise<void> {
    const session = this.sessions.get(uuid)
    if (session === undefined) return
    this.forget(uuid, session)
    await session.queue
    const summary = await this.end(uuid, session, null)
    this.options.onRunEnd?.(uuid, summary)
  }

  private forget(uuid: string, session: Session): void {
    if (session.timer) clearTimeout(session.timer)
    this.sessions.delete(uuid)
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    return null
  }
}
