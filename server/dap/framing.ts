/**
 * The Debug Adapter Protocol's framing: each message is a `Content-Length: N` header, an
 * empty line, and N bytes of JSON. A frame that is not one (no length, a body that is no
 * JSON object) is dropped with one line on stderr, and reading goes on with the next.
 */

import type { Readable, Writable } from 'node:stream'

const SEPARATOR = Buffer.from('\r\n\r\n')

/** Reads framed messages from `input`, handing each JSON object to `onMessage`. */
export function readMessages(
  input: Readable,
  onMessage: (message: Record<string, unknown>) => void,
  onDropped: (why: string) => void,
): void {
  let buffer = Buffer.alloc(0)
  input.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk])
    for (;;) {
      const end = buffer.indexOf(SEPARATOR)
      if (end < 0) return
      const header = buffer.subarray(0, end).toString('ascii')
      const length = /(?:^|\r\n)Content-Length: *(\d+)/i.exec(header)
      if (length === null) {
        onDropped(`a frame without Content-Length (${JSON.stringify(header.slice(0, 60))})`)
        buffer = buffer.subarray(end + SEPARATOR.length)
        continue
      }
      const start = end + SEPARATOR.length
      const size = Number(length[1])
      if (buffer.length < start + size) return
      const body = buffer.subarray(start, start + size).toString('utf8')
      buffer = buffer.subarray(start + size)
      let message: unknown
      try {
        message = JSON.parse(body)
      } catch {
        onDropped(`a frame whose body is no JSON (${JSON.stringify(body.slice(0, 60))})`)
        continue
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        onDropped('a frame whose body is no JSON object')
        continue
      }
      onMessage(message as Record<string, unknown>)
    }
  })
}

/** Writes one message, framed. */
export function writeMessage(output: Writable, message: object): void {
  const body = Buffer.from(JSON.stringify(message), 'utf8')
  output.write(`Content-Length: ${body.length}\r\n\r\n`)
  output.write(body)
}
