/**
 * The recording's door for child processes: a Unix socket in a private folder, announced to
 * the program through SMILEY_CHILDREN (see docs/child-processes.md). Every connection that
 * says the token is one child's whole event stream, recorded as a run of its own by a
 * RunRecorder, exactly as the top process's pipe is; when the connection closes, the run ends
 * with what its tracer said (or, without a word from it, as lost: killed by SIGKILL).
 *
 * The recording is over once the top process has exited, every child's connection has closed
 * and no process carrying the announcement is left (announced-processes.ts): a child that
 * outlives its parent keeps the recorder, and so does one still starting up when it ended.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildrenAnnouncement, TracerOptions } from '../../shared/wire/options.js'
import type { Db } from '../db/database.js'
import type { RunEnding } from '../db/runs.js'
import { RunRecorder } from '../record/run-recorder.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import { announcedProcesses } from './announced-processes.js'
import { childRun } from './child-run.js'

/** How long a connection may take to say the token. */
const HANDSHAKE_MS = 5000
/** How often the recorder looks for processes that may still connect, once the top one ended. */
const POLL_MS = 100

export const CHILDREN_ENV = 'SMILEY_CHILDREN'

/** One child's run, as the recording ends. */
export interface RecordedChild {
  uuid: string
  ending: RunEnding
  events: number
}

export class ChildRecorder {
  private readonly server: Server
  private readonly folder: string
  private readonly token = randomBytes(16).toString('hex')
  private readonly open = new Set<Socket>()
  private readonly ended: RecordedChild[] = []
  private topEnded = false
  private quiet: NodeJS.Timeout | null = null
  private done: (() => void) | null = null
  private readonly over: Promise<void>

  private constructor(
    private readonly db: Db,
    /** The options children record with (the parent's, without its own run or script). */
    private readonly options: Partial<TracerOptions>,
    /** What the runs' rows say of how they were recorded. */
    private readonly runOptions: Record<string, unknown>,
  ) {
    this.folder = mkdtempSync(join(tmpdir(), 'smiley-children-'))
    this.server = createServer((socket) => this.accept(socket))
    this.over = new Promise((resolve) => (this.done = resolve))
  }

  /** Listens, ready for children; the folder is private to this user (mkdtemp makes it 0700). */
  static async listen(
    db: Db,
    options: Partial<TracerOptions>,
    runOptions: Record<string, unknown>,
  ): Promise<ChildRecorder> {
    const recorder = new ChildRecorder(db, options, runOptions)
    await new Promise<void>((resolve, reject) => {
      recorder.server.once('error', reject)
      recorder.server.listen(recorder.socketPath, () => resolve())
    })
    return recorder
  }

  get socketPath(): string {
    return join(this.folder, 'children.sock')
  }

  /** The environment variable that makes every Python process started with it record here. */
  announcement(parent?: { run: string; pid: number }): Record<string, string> {
    const value: ChildrenAnnouncement = {
      socket: this.socketPath,
      token: this.token,
      options: this.options,
      ...(parent ? { parent: parent.run, pid: parent.pid } : {}),
    }
    return { [CHILDREN_ENV]: JSON.stringify(value) }
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
  }

  /** Stops at once: children still connected end as they are (lost, unless they said more). */
  close(): void {
    for (const socket of this.open) socket.destroy()
    this.stop()
  }

  private accept(socket: Socket): void {
    if (this.quiet) clearTimeout(this.quiet)
    this.quiet = null
    this.open.add(socket)
    let greeting = Buffer.alloc(0)
    let recorder: RunRecorder | null = null
    const handshake = setTimeout(() => socket.destroy(), HANDSHAKE_MS)
    // The socket waits while the recorder writes (back-pressure, as on the program's pipe).
    const take = (recorder: RunRecorder, chunk: Buffer): void => {
      if (recorder.push(chunk)) return
      socket.pause()
      void recorder.drained().then(() => socket.resume())
    }
    socket.on('data', (chunk: Buffer) => {
      if (recorder !== null) {
        take(recorder, chunk)
        return
      }
      greeting = Buffer.concat([greeting, chunk])
      const newline = greeting.indexOf(10)
      if (newline < 0) {
        if (greeting.length > this.token.length + 1) socket.destroy()
        return
      }
      clearTimeout(handshake)
      if (!this.knows(greeting.subarray(0, newline))) {
        socket.destroy()
        return
      }
      recorder = new RunRecorder(new SqliteStore(this.db), (hello) =>
        childRun(hello, this.runOptions, this.descriptionOf(hello['parent'])),
      )
      const rest = greeting.subarray(newline + 1)
      if (rest.length > 0) take(recorder, rest)
    })
    socket.on('error', () => undefined) // a child killed mid-write: its run ends below
    socket.once('close', () => {
      clearTimeout(handshake)
      this.open.delete(socket)
      if (recorder === null) {
        this.settleLater()
        return
      }
      const ended = recorder
      void ended.finish(null).then((ending) => {
        const uuid = ended.runUuid
        if (ending !== null && uuid !== null)
          this.ended.push({ uuid, ending, events: ended.eventCount })
        this.settleLater()
      })
    })
  }

  private knows(given: Buffer): boolean {
    const expected = Buffer.from(this.token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  private descriptionOf(parent: unknown): string | null {
    if (typeof parent !== 'string') return null
    const row = this.db.prepare('SELECT description FROM runs WHERE uuid = ?').get(parent) as
      { description: string } | undefined
    return row?.description ?? null
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
        if (announcedProcesses(this.socketPath).length > 0) this.settleLater()
        else this.stop()
      })
    }, wait)
  }

  private stop(): void {
    if (this.quiet) clearTimeout(this.quiet)
    this.quiet = null
    this.server.close()
    rmSync(this.folder, { recursive: true, force: true })
    const done = this.done
    this.done = null
    done?.()
  }
}
