/**
 * The sending side of `smiley run --remote`: forwards the tracer's event stream to a recorder
 * over HTTP while the program runs, then says how the process ended.
 *
 * The recorder can never hold up or stop the program. The pipe is drained into a bounded
 * `SendBuffer` whatever the network does; one batch at a time goes out (up to 1 MiB, gzipped
 * when large and not on loopback) over a kept-alive connection; transient failures are retried with backoff,
 * and a retried batch is harmless because batches carry their offset in the stream. A
 * recorder that is gone (connection refused, run unknown, token refused) is given up at once;
 * one that is only slow is given up when the program has ended and it has taken nothing for
 * `stallMs`. After that the rest of the stream is only counted.
 */

import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { ProcessExit } from '../record/outcome.js'
import type { RunInfo } from '../record/run-info.js'
import {
  asGiveUp,
  endProblem,
  errorText,
  GiveUp,
  networkReason,
  startFailure,
  transientStatus,
} from './give-up.js'
import { HttpClient, NetworkError, type HttpResponse, type RequestOptions } from './http-client.js'
import { isLoopback } from './listen.js'
import type { RunEnd, RunStart, RunSummary } from './protocol.js'
import { parseRunOpened, PROTOCOL_VERSION, routeUrl } from './protocol.js'
import { SendBuffer, type Batch } from './send-buffer.js'
import { DEFAULT_BUFFER_BYTES } from './buffer-size.js'

export { DEFAULT_BUFFER_BYTES }

const gzipAsync = promisify(gzip)

export const DEFAULT_STALL_MS = 10_000
const BATCH_BYTES = 1024 * 1024
/**
 * Level-1 gzip shrinks the stream ~3.9× at ~110 MB/s of one core (measured on a 21 MB stream
 * of 450k events). That pays on a network, not on loopback, nor for small batches.
 */
const COMPRESS_MIN_BYTES = 16 * 1024
/**
 * An idle program still sends an empty batch this often, so the recorder knows it lives; more
 * often when the recorder's answer to the start asks for it (its --sender-timeout is short).
 */
const HEARTBEAT_MS = 5000
const START_ATTEMPTS = 3
const BACKOFF_FIRST_MS = 100
const BACKOFF_MAX_MS = 2000

export interface UploaderOptions {
  url: URL
  token: string | null
  run: RunInfo
  /** Most bytes held for the recorder before events are dropped. */
  bufferBytes?: number
  /** How long the recorder may take nothing, once the program has ended, before it is given up. */
  stallMs?: number
  /** Called at once, with one line, when the run cannot be recorded from its start. */
  onStartFailure?: (message: string) => void
}

export interface UploadResult {
  /** The recorder's account of the run, when it got the whole of it. */
  summary: RunSummary | null
  /** Events the recorder never got: dropped while it fell behind, or left when it was given up. */
  lostEvents: number
  /** What went wrong after the start, in one line; null when all went well or was said already. */
  problem: string | null
  /** False when the tracer never wrote a frame (the interpreter failed before it started). */
  streamStarted: boolean
}

type State = 'opening' | 'open' | 'failed'

export class Uploader {
  private readonly buffer: SendBuffer
  private readonly client: HttpClient
  private readonly stallMs: number
  private readonly compress: boolean
  private state: State = 'opening'
  private problem: string | null = null
  private inFlight: { batch: Batch; options: RequestOptions | null } | null = null
  private pumping = false
  private beatDue = false
  private ended = false
  private lastProgress = Date.now()
  private readonly waiters: Array<() => void> = []
  private heartbeat: NodeJS.Timeout

  constructor(private readonly options: UploaderOptions) {
    this.buffer = new SendBuffer(options.bufferBytes ?? DEFAULT_BUFFER_BYTES)
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS
    this.compress = !isLoopback(options.url.hostname.replace(/^\[(.*)\]$/, '$1'))
    this.client = new HttpClient(options.url, options.token, this.stallMs)
    this.heartbeat = this.beatEvery(HEARTBEAT_MS)
    void this.open()
  }

  /** Takes a chunk of the tracer's pipe. Never blocks and never throws. */
  push(chunk: Uint8Array): void {
    try {
      this.buffer.push(chunk)
    } catch (error) {
      this.fail(new GiveUp(`the event stream was malformed: ${(error as Error).message}`))
      return
    }
    this.kick()
  }

  /** Stops at once and says nothing: the program never ran, so there is nothing to record. */
  cancel(): void {
    this.state = 'failed'
    clearInterval(this.heartbeat)
    this.client.close()
    this.wake()
  }

  /**
   * The stream is over and the process ended as `exit` (null: unseen, a child process's):
   * sends the rest, then the ending.
   */
  async finish(exit: ProcessExit | null): Promise<UploadResult> {
    this.ended = true
    this.lastProgress = Math.max(this.lastProgress, Date.now())
    this.kick()
    while (this.state !== 'failed' && !(this.state === 'open' && this.drained)) {
      const waited = Date.now() - this.lastProgress
      if (waited >= this.stallMs) {
        this.fail(new GiveUp(`it took nothing for ${Math.round(this.stallMs / 1000)} s`))
        break
      }
      await new Promise<void>((done) => {
        const timer = setTimeout(done, this.stallMs - waited)
        this.waiters.push(() => {
          clearTimeout(timer)
          done()
        })
      })
    }
    let summary: RunSummary | null = null
    let endFailed = false
    if (this.state === 'open') {
      try {
        summary = await this.sendEnd(exit)
      } catch (error) {
        endFailed = true
        this.fail(asGiveUp(error))
      }
    }
    clearInterval(this.heartbeat)
    this.client.close()
    const { dropped, unsent } = this.buffer
    return {
      summary,
      lostEvents: dropped + unsent,
      problem: endProblem(this.options.url, this.problem, endFailed, dropped, unsent),
      streamStarted: this.buffer.streamStarted,
    }
  }

  private get drained(): boolean {
    return this.inFlight === null && this.buffer.empty
  }

  private async open(): Promise<void> {
    const { run } = this.options
    const start: RunStart = {
      protocol: PROTOCOL_VERSION,
      description: run.description,
      argv: run.argv,
      options: run.options,
    }
    let opened: HttpResponse
    try {
      opened = await this.exchange(
        'PUT',
        routeUrl(this.options.url, { kind: 'start', uuid: run.uuid }),
        json(start),
        (failures) => failures < START_ATTEMPTS,
      )
    } catch (error) {
      this.fail(asGiveUp(error))
      return
    }
    if (this.state !== 'opening') return
    const asked = parseRunOpened(opened.body)
    if (asked !== null && asked < HEARTBEAT_MS) {
      clearInterval(this.heartbeat)
      this.heartbeat = this.beatEvery(asked)
    }
    this.state = 'open'
    this.lastProgress = Date.now()
    this.kick()
  }

  private beatEvery(ms: number): NodeJS.Timeout {
    return setInterval(() => {
      this.beatDue = true
      this.kick()
    }, ms).unref()
  }

  private kick(): void {
    if (this.state === 'open' && !this.pumping) void this.pump()
  }

  /** Read through a getter: the state changes across every await. */
  private get givenUp(): boolean {
    return this.state === 'failed'
  }

  /** Sends batches, one at a time, while there is something to send. */
  private async pump(): Promise<void> {
    this.pumping = true
    try {
      while (!this.givenUp) {
        this.inFlight ??= this.nextBatch()
        if (this.inFlight === null) break
        const flight = this.inFlight
        flight.options ??= await this.encode(flight.batch)
        if (this.givenUp) break
        await this.exchange(
          'POST',
          routeUrl(
            this.options.url,
            { kind: 'stream', uuid: this.options.run.uuid },
            flight.batch.offset,
          ),
          flight.options,
          () => !this.ended || Date.now() - this.lastProgress < this.stallMs,
        )
        if (this.givenUp) break
        this.buffer.release(flight.batch)
        this.inFlight = null
        this.lastProgress = Date.now()
      }
    } catch (error) {
      this.fail(asGiveUp(error))
    } finally {
      this.pumping = false
      this.wake()
    }
  }

  /** The next batch to send: stream bytes, or an empty one when a heartbeat is due. */
  private nextBatch(): { batch: Batch; options: null } | null {
    let batch = this.buffer.take(BATCH_BYTES)
    if (batch === null) {
      if (!this.beatDue) return null
      batch = { offset: this.buffer.offset, bytes: new Uint8Array(0), payloads: [] }
    }
    this.beatDue = false
    return { batch, options: null }
  }

  /** The request for a batch, gzipped where that pays. */
  private async encode(batch: Batch): Promise<RequestOptions> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
    let body = batch.bytes
    if (this.compress && body.length >= COMPRESS_MIN_BYTES) {
      const compressed = await gzipAsync(body, { level: 1 })
      if (compressed.length < body.length) {
        body = compressed
        headers['content-encoding'] = 'gzip'
      }
    }
    return { body, headers }
  }

  private async sendEnd(exit: ProcessExit | null): Promise<RunSummary | null> {
    const end: RunEnd = { exit, bytes: this.buffer.offset }
    const response = await this.exchange(
      'POST',
      routeUrl(this.options.url, { kind: 'end', uuid: this.options.run.uuid }),
      json(end),
      () => Date.now() - this.lastProgress < this.stallMs,
    )
    return parseSummary(response.body)
  }

  /**
   * One request, repeated after transient failures while `keepTrying(failures)` allows.
   * Throws `GiveUp` when the recorder answers no, or cannot be reached any more.
   */
  private async exchange(
    method: string,
    url: URL,
    options: RequestOptions,
    keepTrying: (failures: number) => boolean,
  ): Promise<HttpResponse> {
    for (let failures = 1; ; failures++) {
      const response = await this.client.request(method, url, options).catch((error: unknown) => {
        if (error instanceof NetworkError) return error
        throw error
      })
      if (this.givenUp) throw new GiveUp(this.problem ?? 'given up')
      let reason: string
      if (response instanceof NetworkError) {
        reason = networkReason(response, this.stallMs)
        // Nobody listens any more: a recorder started again there would not know this run.
        if (response.code === 'ECONNREFUSED' && this.state === 'open') throw new GiveUp(reason)
      } else {
        if (response.status >= 200 && response.status < 300) return response
        reason = `HTTP ${response.status}: ${errorText(response.body)}`
        if (!transientStatus(response.status)) throw new GiveUp(reason, response.status)
      }
      if (!keepTrying(failures)) throw new GiveUp(reason)
      const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (failures - 1))
      await new Promise((done) => setTimeout(done, backoff * (0.75 + Math.random() * 0.5)))
      if (this.givenUp) throw new GiveUp(this.problem ?? reason)
    }
  }

  private fail(error: GiveUp): void {
    if (this.state === 'failed') return
    if (this.state === 'opening') {
      const tokenGiven = this.options.token !== null
      this.options.onStartFailure?.(startFailure(this.options.url, error, tokenGiven))
    } else {
      this.problem = error.reason
    }
    this.state = 'failed'
    this.buffer.discard(this.inFlight?.batch ?? null)
    this.inFlight = null
    this.client.close()
    this.wake()
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }
}

function json(value: unknown): RequestOptions {
  return {
    body: Buffer.from(JSON.stringify(value)),
    headers: { 'content-type': 'application/json' },
  }
}

function parseSummary(body: string): RunSummary | null {
  try {
    const value = JSON.parse(body) as Partial<RunSummary>
    if (typeof value.status === 'string' && typeof value.events === 'number')
      return { status: value.status, events: value.events, lostEvents: value.lostEvents ?? 0 }
  } catch {
    // an answer we cannot read: the run was still delivered
  }
  return null
}
