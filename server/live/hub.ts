/**
 * The WebSocket hub: every client hears about runs that appear, change or disappear, and
 * about new events of the one run it follows. Pushes are coalesced per client and sent at
 * most every THROTTLE_MS; a client that cannot keep up gets the latest state, not a backlog.
 */

import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { ServerMessage } from '../../shared/protocol.js'
import { PROTOCOL_VERSION, parseClientMessage } from '../../shared/protocol.js'
import type { Run } from '../../shared/types/run.js'

const THROTTLE_MS = 100
/** Larger client messages are dropped unread. */
const MAX_MESSAGE_BYTES = 4096

interface Pending {
  runs: Map<string, Run>
  deleted: Set<string>
  events: Extract<ServerMessage, { type: 'events' }> | null
  /** The client asked to follow this run: its state is looked up when the pushes go out. */
  followed: string | null
}

type RunState = { lastSeq: number; status: Run['status'] } | null
/** The state of a run now, read from the store (settled at once on SQLite). */
type Describe = (run: string) => RunState | Promise<RunState>

class Client {
  follow: string | null = null
  private pending: Pending = this.empty()
  private timer: NodeJS.Timeout | null = null
  private lastSent = 0

  constructor(
    private readonly socket: WebSocket,
    private readonly describe: Describe,
  ) {}

  private empty(): Pending {
    return { runs: new Map(), deleted: new Set(), events: null, followed: null }
  }

  send(message: ServerMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message))
  }

  queue(update: (pending: Pending) => void): void {
    update(this.pending)
    if (this.timer !== null) return
    const wait = Math.max(0, this.lastSent + THROTTLE_MS - Date.now())
    this.timer = setTimeout(() => this.flush(), wait)
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.lastSent = Date.now()
    const { runs, deleted, followed } = this.pending
    const { events } = this.pending
    this.pending = this.empty()
    if (deleted.size > 0) this.send({ type: 'runsDeleted', ids: [...deleted] })
    if (runs.size > 0) this.send({ type: 'runs', runs: [...runs.values()] })
    // Looked up here, not per message: a flood of follows costs one query per push at most.
    if (followed !== null && followed === this.follow) {
      const sendState = (state: RunState) => {
        if (state !== null && followed === this.follow)
          this.send({ type: 'events', run: followed, ...state })
        else if (events !== null) this.send(events)
      }
      const state = this.describe(followed)
      if (state instanceof Promise) state.then(sendState, () => sendState(null))
      else sendState(state)
      return
    }
    if (events !== null) this.send(events)
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}

export class Hub {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  private readonly clients = new Set<Client>()

  constructor(
    private readonly version: string,
    /** Called when a client starts following a run: the run's current state, if it exists. */
    private readonly describe: Describe,
  ) {}

  /** Takes over an HTTP upgrade request that the caller has already authorised. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.connected(ws))
  }

  private connected(ws: WebSocket): void {
    const client = new Client(ws, this.describe)
    this.clients.add(client)
    client.send({ type: 'hello', protocol: PROTOCOL_VERSION, version: this.version })
    ws.on('message', (data, isBinary) => {
      const message = isBinary ? null : parseClientMessage(data.toString())
      if (message === null) return // malformed: ignored, the connection stays
      client.follow = message.run
      if (message.run !== null) client.queue((p) => (p.followed = message.run))
    })
    ws.on('close', () => {
      client.close()
      this.clients.delete(client)
    })
    ws.on('error', () => ws.terminate())
  }

  /** Tells every client about changed and deleted runs, and followers about new events. */
  publish(changed: Run[], deleted: string[]): void {
    if (changed.length === 0 && deleted.length === 0) return
    for (const client of this.clients) {
      client.queue((pending) => {
        for (const id of deleted) {
          pending.deleted.add(id)
          pending.runs.delete(id)
        }
        for (const run of changed) {
          pending.runs.set(run.id, run)
          pending.deleted.delete(run.id)
          if (client.follow === run.id) {
            pending.events = {
              type: 'events',
              run: run.id,
              lastSeq: run.eventCount,
              status: run.status,
            }
          }
        }
      })
    }
  }

  get size(): number {
    return this.clients.size
  }

  close(): void {
    for (const client of this.clients) client.flush()
    for (const ws of this.server.clients) ws.close(1001, 'server stopping')
    this.server.close()
  }
}
