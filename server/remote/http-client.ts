/**
 * The sender's HTTP requests: one keep-alive connection reused for every request of a run,
 * a deadline on each request, and failures that keep Node's error code (ECONNREFUSED…) so
 * that the caller can tell a recorder that is gone from one that is only slow.
 */

import http from 'node:http'
import https from 'node:https'

export interface HttpResponse {
  status: number
  body: string
}

/** A request that got no HTTP answer; `code` is Node's (ECONNREFUSED, ETIMEDOUT…). */
export class NetworkError extends Error {
  override name = 'NetworkError'
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
  }
}

export interface RequestOptions {
  body?: Uint8Array
  headers?: Record<string, string>
}

export class HttpClient {
  private readonly agent: http.Agent

  constructor(
    private readonly base: URL,
    private readonly token: string | null,
    /** Longest a request may take, answer included. */
    private readonly timeoutMs: number,
  ) {
    const options = { keepAlive: true, maxSockets: 2 }
    this.agent = base.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options)
  }

  request(method: string, url: URL, options: RequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...options.headers }
    if (this.token !== null) headers['authorization'] = `Bearer ${this.token}`
    if (options.body !== undefined) headers['content-length'] = String(options.body.length)
    const send = this.base.protocol === 'https:' ? https.request : http.request
    return new Promise((done, fail) => {
      const request = send(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          clearTimeout(timer)
          done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        })
        response.on('error', (error) => fail(networkError(error)))
      })
      const timer = setTimeout(() => {
        request.destroy(new NetworkError('no answer in time', 'ETIMEDOUT'))
      }, this.timeoutMs)
      request.on('error', (error) => {
        clearTimeout(timer)
        fail(networkError(error))
      })
      request.end(options.body)
    })
  }

  /** Closes the kept-alive connections, so the process can exit. */
  close(): void {
    this.agent.destroy()
  }
}

function networkError(error: Error): NetworkError {
  if (error instanceof NetworkError) return error
  const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN'
  return new NetworkError(error.message, code)
}
