/**
 * The WebSocket to the server: connected, or reconnecting with backoff. Listeners hear every
 * server message; after a reconnect they are told to re-fetch, since pushes may have been
 * missed while the socket was down.
 */

import {
  PROTOCOL_VERSION,
  type ClientMessage,
  type ServerMessage,
} from '../../../shared/protocol.js'

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting'

const MAX_BACKOFF_MS = 5000

export class Live {
  state = $state<ConnectionState>('connecting')
  /** Set when the server speaks another protocol version. */
  incompatible = $state(false)
  private socket: WebSocket | null = null
  private attempts = 0
  private following: string | null = null
  private everConnected = false
  private readonly messageListeners = new Set<(message: ServerMessage) => void>()
  private readonly reconnectListeners = new Set<() => void>()

  constructor(private readonly url: string) {
    this.connect()
  }

  private connect(): void {
    const socket = new WebSocket(this.url)
    this.socket = socket
    socket.onopen = () => {
      this.attempts = 0
      this.state = 'connected'
      this.send({ type: 'follow', run: this.following })
      if (this.everConnected) for (const listener of this.reconnectListeners) listener()
      this.everConnected = true
    }
    socket.onmessage = (event) => {
      let message: ServerMessage
      try {
        message = JSON.parse(String(event.data)) as ServerMessage
      } catch {
        return
      }
      if (message.type === 'hello' && message.protocol !== PROTOCOL_VERSION)
        this.incompatible = true
      for (const listener of this.messageListeners) listener(message)
    }
    socket.onclose = () => {
      this.socket = null
      this.state = this.everConnected ? 'reconnecting' : 'connecting'
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.attempts++)
      setTimeout(() => this.connect(), delay)
    }
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message))
  }

  /** Receive `events` messages for this run (null: for none). */
  follow(run: string | null): void {
    this.following = run
    this.send({ type: 'follow', run })
  }

  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.messageListeners.add(listener)
    return () => this.messageListeners.delete(listener)
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener)
    return () => this.reconnectListeners.delete(listener)
  }
}
