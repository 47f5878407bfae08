/**
 * `smiley dap`'s door: a Debug Adapter Protocol session over a pair of streams (stdin and
 * stdout), or one per connection on a loopback port.
 */

import { createServer, type Server } from 'node:net'
import type { Readable, Writable } from 'node:stream'
import { readMessages, writeMessage } from './framing.js'
import { DebugSession } from './session.js'

/** Serves one session over `input` and `output`; resolves when it ends (disconnect, or input closed). */
export function serveSession(
  input: Readable,
  output: Writable,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((done) => {
    let finished = false
    const finish = () => {
      if (finished) return
      finished = true
      done()
    }
    const session = new DebugSession((message) => writeMessage(output, message), finish)
    // One request at a time, in order: launch may take a while (it can record a program).
    let queue = Promise.resolve()
    readMessages(
      input,
      (message) => {
        queue = queue.then(() => session.handle(message))
      },
      (why) => log(`smiley dap: dropped ${why}`),
    )
    input.on('end', () => void queue.then(finish))
    input.on('close', () => void queue.then(finish))
  })
}

/** Listens on 127.0.0.1:`port`, one session per connection; resolves once listening. */
export function listenForSessions(port: number, log: (line: string) => void): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy())
    void serveSession(socket, socket, log).then(() => socket.end())
  })
  return new Promise((done, fail) => {
    server.once('error', fail)
    server.listen(port, '127.0.0.1', () => done(server))
  })
}
