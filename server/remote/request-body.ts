/**
 * A receiver's request bodies, read within bounds: a run's stream is passed on chunk by chunk
 * as it arrives (decompressed on the way), never held whole, so that many senders at once cost
 * little memory; JSON bodies are small and read whole. A refused request is not read on
 * unless it is small: its connection is closed instead.
 */

import type http from 'node:http'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { HttpError } from './http-error.js'

/**
 * A refused request whose body says it is this long or shorter is read to its end (and
 * dropped) before its answer, so that the answer reaches its sender: a sender's largest
 * request is a batch of 1 MiB, and one just over a limit of 1 MiB must hear why it was
 * refused (413), not see its connection reset. A longer one is cut off, and its sender may
 * see only a reset.
 */
export const REFUSED_BODY_READ = 4 * 1024 * 1024

/** The whole body, at most `limit` bytes. */
export async function readWhole(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of bounded(wire(request, limit), limit)) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/**
 * Hands the body to `take` chunk by chunk, decoded as its Content-Encoding says, waiting for
 * `take` before reading on; more than `limit` bytes before or after decompression is a 413
 * (when a body inflates past it, `take` has had its first `limit` bytes).
 */
export async function streamBody(
  request: http.IncomingMessage,
  limit: number,
  take: (bytes: Buffer) => void | Promise<void>,
): Promise<void> {
  const encoding = request.headers['content-encoding']
  if (encoding === undefined || encoding === 'identity') {
    for await (const chunk of bounded(wire(request, limit), limit)) await take(chunk)
    return
  }
  if (encoding !== 'gzip') throw new HttpError(415, `content encoding ${encoding} is not supported`)
  try {
    await pipeline(bounded(wire(request, limit), limit), createGunzip(), async (decoded) => {
      for await (const chunk of bounded(decoded as AsyncIterable<Buffer>, limit)) await take(chunk)
    })
  } catch (error) {
    if (/^Z_/.test((error as NodeJS.ErrnoException).code ?? ''))
      throw new HttpError(400, 'a batch did not decompress')
    throw error
  }
}

/**
 * After a refusal of a request not read to its end: its answer closes the connection, so that
 * nothing more comes on it; the rest of its body is read first (and dropped) only when it says
 * it is small.
 */
export async function leaveRefused(
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  if (request.complete) return
  response.setHeader('connection', 'close')
  const length = Number(request.headers['content-length'])
  if (!(Number.isSafeInteger(length) && length <= REFUSED_BODY_READ)) return
  const ended = new Promise((done) => {
    request.once('end', done)
    request.once('close', done)
  })
  request.resume()
  await ended
}

/**
 * The request's bytes, refused at once when it says it is longer than `limit`; leaving off
 * early leaves the request unread (not destroyed).
 */
function wire(request: http.IncomingMessage, limit: number): AsyncIterable<Buffer> {
  if (Number(request.headers['content-length']) > limit) throw tooLong(limit)
  return request.iterator({ destroyOnReturn: false })
}

async function* bounded(chunks: AsyncIterable<Buffer>, limit: number): AsyncIterable<Buffer> {
  let size = 0
  for await (const chunk of chunks) {
    size += chunk.length
    if (size > limit) throw tooLong(limit)
    yield chunk
  }
}

function tooLong(limit: number): HttpError {
  return new HttpError(413, `a request may carry at most ${limit} bytes`)
}
