/**
 * The recording's door for child processes: a Unix socket in a private folder, announced to
 * the program through SMILEY_CHILDREN (see docs/child-processes.md). Every connection that
 * says the token is one child's whole event stream, handed to a `ChildStream` of its own:
 * recorded here as a run by a RunRecorder, exactly as the top process's pipe is, or sent on to
 * a remote recorder (child-uploads.ts); when the connection closes, the run ends with what its
 * tracer said (or, without a word from it, as lost: killed by SIGKILL).
 *
 * The recording is over once the top process has exited, every child's connection has closed
 * and no process carrying the announcement is left (announced-processes.ts): a child that
 * outlives its parent keeps the recorder, and so does one still starting up when it ended.
 */

import { timingSafeEqual } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import type { TracerOptions } from '../../shared/wire/options.js'
import type { RunStatus } from '../../shared/types/run.js'
import { RunRecorder } from '../record/run-recorder.js'
import type { Store } from '../store/store.js'
import { announcedProcesses } from './announced-processes.js'
import { ChildDoor } from './child-door.js'
import { storedChildRun } from './child-run.js'

/** How long a connection may take to say the token. */
const HANDSHAKE_MS = 5000
/** How often the recorder looks for processes that may still connect, once the top one ended. */
const POLL_MS = 100

export { CHILDREN_ENV } from './child-door.js'

/** One child's run, as the recording ends. */
export interface RecordedChild {
  uuid: string
  /** `unrecorded` when a remote recorder did not get it. */
  status: RunStatus | 'unrecorded'
  events: number
}

/** Where one child's stream goes. */
export interface ChildStream {
  /** Takes a chunk; a promise returned means: read no more of the child until it settles. */
  push(chunk: Buffer): void | Promise<void>
  /** The connection has closed: the run ends as its tracer said; null when it never began. */
  finish(): RecordedChild | null | Promise<RecordedChild | null>
}

/**
 * A child's stream recorded into `store` as a run of its own. SQLite writes as it takes, so
 * the socket is never paused; while PostgreSQL writes, the child waits on a full socket.
 */
export function recordedChild(store: Store, runOptions: Record<string, unknown>): ChildStream {
  const recorder = new RunRecorder(store, (hello) => storedChildRun(store, hello, runOptions))
  return {
    push: (chunk) => (recorder.push(chunk) ? undefined : recorder.drained()),
    finish: async () => {
      const ending = await recorder.finish(null)
      const uuid = recorder.runUuid
      return ending === null || uuid === null
        ? null
        : { uuid, status: ending.status, events: recorder.eventCount }
    },
  }
}

export class ChildRecorder {
  private readonly server: Server
  /** The connected children, each with what ends its run. */
  private readonly open = new Map<Socket, () => void>()
  private readonly ended: RecordedChild[] = []
  /** Runs still being ended (sent on to a remote recorder). */
  private readonly ending = new Set<Promise<void>>()
  private topEnded = false
  private quiet: NodeJS.Timeout | null = null
  private done: (() => void) | null = null
  private readonly over: Promise<void>

  private constructor(
    /** Where children connect, and what they are told. */
    private readonly door: ChildDoor,
    /** A stream for each child that connects. */
    private readonly streams: () => ChildStream,
  ) {
    this.server = createServer((socket) => this.accept(socket))
    this.over = new Promise((resolve) => (this.done = resolve))
  }

  /**
   * Listens, ready for children, each recorded into `store` (`runOptions`: what the runs' rows
   * say of how they were recorded).
   */
  static listen(
    store: Store,
    options: Partial<TracerOptions>,
    runOptions: Record<string, unknown>,
  ): Promise<ChildRecorder> {
    return ChildRecorder.listenWith(() => recordedChild(store, runOptions), options)
  }

  /** Listens, each child's stream going to a stream of `streams`. */
  static listenWith(
    streams: () => ChildStream,
    options: Partial<TracerOptions>,
  ): Promise<ChildRecorder> {
    return ChildRecorder.listenAt(new ChildDoor(options), streams)
  }

  /**
   * Listens at a door already announced, each child's stream going to a stream of `streams`;
   * the door is removed with the recorder, or at once when it cannot listen.
   */
  static async listenAt(door: ChildDoor, streams: () => ChildStream): Promise<ChildRecorder> {
    const recorder = new ChildRecorder(door, streams)
    try {
      await new Promise<void>((resolve, reject) => {
        recorder.server.once('error', reject)
        recorder.server.listen(door.socketPath, () => resolve())
      })
    } catch (error) {
      door.remove()
      throw error
    }
    return recorder
  }

  get socketPath(): string {
    return this.door.socketPath
  }

  /** The environment variable that makes every Python process started with it record here. */
  announcement(parent?: { run: string; pid: number }): Record<string, string> {
    return this.door.announcement(parent)
  }

  /** The children's runs that have ended, in the order they ended. */
  get children(): readonly RecordedChild[] {
    return this.ended
  }

  /** How many children are still connected. */
  get running(): number {
    return this.open.size
  }

  /**
   * Resolves once the top process has ended (said by calling this) and every child has too;
   * then nothing more is accepted.
   */
  async finish(): Promise<void> {
    this.topEnded = true
    this.settleLater(0)
    await this.over
    await Promise.all(this.ending)
  }

  /**
   * Stops at once: children still connected end as they are (lost, unless they said more),
   * now, while the database is still open for them.
   */
  close(): void {
    for (const [socket, end] of this.open) {
      end()
      socket.destroy()
    }
    this.stop()
  }

  private accept(socket: Socket): void {
    if (this.quiet) clearTimeout(this.quiet)
    this.quiet = null
    let greeting = Buffer.alloc(0)
    let stream: ChildStream | null = null
    const handshake = setTimeout(() => socket.destroy(), HANDSHAKE_MS)
    socket.on('data', (chunk: Buffer) => {
      if (stream !== null) {
        take(stream, chunk)
        return
      }
      greeting = Buffer.concat([greeting, chunk])
      const newline = greeting.indexOf(10)
      if (newline < 0) {
        if (greeting.length > this.door.token.length + 1) socket.destroy()
        return
      }
      clearTimeout(handshake)
      if (!this.knows(greeting.subarray(0, newline))) {
        socket.destroy()
        return
      }
      stream = this.streams()
      const rest = greeting.subarray(newline + 1)
      if (rest.length > 0) take(stream, rest)
    })
    const take = (into: ChildStream, chunk: Buffer): void => {
      const taking = into.push(chunk)
      if (taking === undefined) return
      socket.pause()
      void taking.then(() => socket.resume())
    }
    const end = (): void => {
      clearTimeout(handshake)
      if (!this.open.delete(socket)) return // ended already, by close()
      socket.removeAllListeners('data')
      if (stream !== null) this.keepEnding(stream.finish())
      this.settleLater()
    }
    this.open.set(socket, end)
    socket.on('error', () => undefined) // a child killed mid-write: its run ends below
    socket.once('close', end)
  }

  private knows(given: Buffer): boolean {
    const expected = Buffer.from(this.door.token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  /** Keeps how a child's run ended, once it has. */
  private keepEnding(result: RecordedChild | null | Promise<RecordedChild | null>): void {
    if (!(result instanceof Promise)) {
      if (result !== null) this.ended.push(result)
      return
    }
    const kept = result.then((child) => {
      this.ending.delete(kept)
      if (child !== null) this.ended.push(child)
    })
    this.ending.add(kept)
  }

  /**
   * Ends the recording once nothing more can come: no child connected, none that could still
   * connect. The first look comes a turn of the event loop after the top process ended, so
   * that a child which connected just before it exited is accepted first; then every POLL_MS
   * while a process that carries the announcement lives.
   */
  private settleLater(wait = POLL_MS): void {
    if (!this.topEnded || this.open.size > 0 || this.done === null) return
    if (this.quiet) clearTimeout(this.quiet)
    this.quiet = setTimeout(() => {
      this.quiet = null
      // One more turn: connections waiting to be accepted are accepted before the look.
      setImmediate(() => {
        if (this.open.size > 0 || this.done === null) return
        if (announcedProcesses(this.socketPath, this.door.firstPid).length > 0) this.settleLater()
        else this.stop()
      })
    }, wait)
  }

  private stop(): void {
    if (this.quiet) clearTimeout(this.quiet)
    this.quiet = null
    this.server.close()
    this.door.remove()
    const done = this.done
    this.done = null
    done?.()
  }
}
