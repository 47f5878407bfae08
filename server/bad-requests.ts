/**
 * Requests that never reach a route — a request line or headers Node's parser refuses
 * (an unknown method, headers or a URL too large, garbage), or a target that makes no URL —
 * are answered like every other refusal of Smiley's HTTP servers: a 4xx status and a JSON
 * `{ "error": "…" }`, then the connection is closed. Shared by `smiley server` and the
 * remote recorder.
 */

import type { Duplex } from 'node:stream'

const PARSER_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'the request line or its headers are too large'],
  HPE_INVALID_METHOD: [400, 'unknown request method'],
  HPE_INVALID_URL: [400, 'malformed request target'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request took too long to arrive'],
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}

/** For `server.on('clientError')`: answers what Node's HTTP parser refused. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, message] = PARSER_ERRORS[error.code ?? ''] ?? [400, 'malformed request']
  const body = JSON.stringify({ error: message })
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

/** The JSON answer to a request whose target or Host header makes no URL. */
export function malformedRequest(): Response {
  return Response.json({ error: 'malformed request target or Host header' }, { status: 400 })
}
