/**
 * A scripted Debug Adapter Protocol client: it starts `smiley dap`, frames requests with
 * Content-Length headers on its stdin, and reads responses and events from its stdout.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { SMILEY } from './cli.js'

export interface DapMessage {
  seq: number
  type: 'response' | 'event'
  command?: string
  request_seq?: number
  success?: boolean
  message?: string
  event?: string
  body?: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

export class DapClient {
  readonly child: ChildProcess
  readonly events: DapMessage[] = []
  stderr = ''
  private seq = 1
  private buffer = Buffer.alloc(0)
  private readonly pending = new Map<number, (message: DapMessage) => void>()
  private readonly waiters: Array<{
    match: (m: DapMessage) => boolean
    done: (m: DapMessage) => void
  }> = []
  readonly exited: Promise<number | null>

  constructor(args: string[] = [], cwd?: string) {
    this.child = spawn(process.execPath, [SMILEY, 'dap', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr += text))
    this.child.stdout!.on('data', (chunk: Buffer) => this.read(chunk))
    this.exited = new Promise((done) => this.child.on('close', (code) => done(code)))
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk])
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n')
      if (end < 0) return
      const length = Number(
        /Content-Length: (\d+)/.exec(this.buffer.subarray(0, end).toString())![1],
      )
      if (this.buffer.length < end + 4 + length) return
      const message = JSON.parse(
        this.buffer.subarray(end + 4, end + 4 + length).toString('utf8'),
      ) as DapMessage
      this.buffer = this.buffer.subarray(end + 4 + length)
      if (message.type === 'response') this.pending.get(message.request_seq!)?.(message)
      else {
        this.events.push(message)
        for (const waiter of this.waiters.filter((w) => w.match(message))) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1)
          waiter.done(message)
        }
      }
    }
  }

  /** Writes raw bytes to the adapter (for malformed frames). */
  writeRaw(text: string): void {
    this.child.stdin!.write(text)
  }

  /** Sends a request; resolves with its response, successful or not. */
  request(command: string, args?: object): Promise<DapMessage> {
    const seq = this.seq++
    const body = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }))
    this.child.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`)
    this.child.stdin!.write(body)
    return new Promise((done) => this.pending.set(seq, done))
  }

  /** Sends a request that must succeed; resolves with its body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async ok(command: string, args?: object): Promise<any> {
    const response = await this.request(command, args)
    if (!response.success) throw new Error(`${command} failed: ${response.message}`)
    return response.body
  }

  /**
   * The first event named `name` after the first `after` events (by default, those already
   * received: take the promise before sending the request that causes the event).
   */
  nextEvent(name: string, after = this.events.length): Promise<DapMessage> {
    const seen = this.events.slice(after).find((m) => m.event === name)
    if (seen) return Promise.resolve(seen)
    return new Promise((done) => this.waiters.push({ match: (m) => m.event === name, done }))
  }

  /** Sends a request that moves the program and resolves with the stopped (or terminated) event. */
  async moveTo(command: string, args: object = {}): Promise<DapMessage> {
    const before = this.events.length
    await this.ok(command, args)
    return Promise.race([this.nextEvent('stopped', before), this.nextEvent('terminated', before)])
  }

  close(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL')
  }
}
