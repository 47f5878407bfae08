/** Where a receiver listens: `HOST:PORT` as given to `--listen`, and what each failure means. */

import { isIP } from 'node:net'

export interface ListenAddress {
  host: string
  port: number
}

/** `127.0.0.1:8765`, `[::1]:8765`, `0.0.0.0:9000`, `localhost:0`; null when malformed. */
export function parseListen(text: string): ListenAddress | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim())
  if (match === null) return null
  const port = Number(match[3])
  if (port > 65535) return null
  return { host: match[1] ?? match[2]!, port }
}

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase()
  if (name === 'localhost' || name === '::1') return true
  if (isIP(name) === 4) return name.startsWith('127.')
  return name === '::ffff:127.0.0.1'
}

/** The address as a URL a sender can use: `http://[::1]:8765`. */
export function listenUrl(address: ListenAddress): string {
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host
  return `http://${host}:${address.port}`
}

/** One line saying why listening on `address` failed. */
export function listenFailure(error: unknown, address: ListenAddress): string {
  const code = (error as NodeJS.ErrnoException).code
  switch (code) {
    case 'EADDRINUSE':
      return `port ${address.port} is in use: choose another with --listen`
    case 'EACCES':
      return `cannot listen on port ${address.port}: permission denied (choose another with --listen)`
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${address.host}: it is not an address of this machine`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${address.host}: no such host`
    default:
      return `cannot listen on ${listenUrl(address)}: ${(error as Error).message}`
  }
}
