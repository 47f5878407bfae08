/**
 * The dashboard's security defaults. It shows recordings that may hold private data, so:
 * - with a token (required off loopback), every request must present it: `?token=` once,
 *   which sets an HttpOnly cookie, or an `Authorization: Bearer` header;
 * - a request must name this server in its Host header (no DNS rebinding);
 * - state changes (DELETE, POST) must come from this origin (no cross-site requests);
 * - responses forbid framing, sniffing and scripts from anywhere else.
 */

import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'

export const TOKEN_COOKIE = 'smiley_token'

export interface SecurityOptions {
  /** Required token, or null on loopback without one. */
  token: string | null
  /** Host names (without port) this server answers to; null: any (a token guards it). */
  hosts: Set<string> | null
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Sent with every answer, refusals included: a 401 or 404 is a page a browser may show too. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'",
}

export function hostName(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase())
  return match ? match[1]! : null
}

export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Whether a WebSocket upgrade may proceed: same checks as HTTP, Origin included. */
export function upgradeAllowed(
  headers: Record<string, string | string[] | undefined>,
  options: SecurityOptions,
): boolean {
  const header = (name: string) => {
    const value = headers[name]
    return Array.isArray(value) ? value[0] : value
  }
  const host = hostName(header('host'))
  if (host === null || (options.hosts !== null && !options.hosts.has(host))) return false
  if (!sameOrigin(header('origin'), header('host'))) return false
  if (options.token === null) return true
  const cookie = /(?:^|;\s*)smiley_token=([^;]*)/.exec(header('cookie') ?? '')?.[1]
  const bearer = header('authorization')?.replace(/^Bearer\s+/i, '')
  return (
    tokenMatches(options.token, cookie && safeDecode(cookie)) || tokenMatches(options.token, bearer)
  )
}

/** A percent-encoded cookie value; malformed encoding gives null (no token), not an error. */
function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}

/**
 * Whether a request's Origin, when it has one, is this server: its scheme (plain HTTP: this
 * server speaks no TLS) and the same host *and port* as its Host header (a page served on
 * another port of this machine, or over https, is another origin). A malformed Origin (`null`
 * from a sandboxed page, garbage) is another origin too.
 */
function sameOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true
  const own = originOf(`http://${hostHeader ?? ''}`)
  return own !== null && originOf(origin) === own
}

/** `scheme://host[:port]` of a URL, default port left out; null when it is no such URL. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url)
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : null
  } catch {
    return null
  }
}

export function security(options: SecurityOptions): MiddlewareHandler {
  return async (c, next) => {
    const refusal = refuse(c, options)
    if (refusal === null) await next()
    else c.res = refusal
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value)
  }
}

/** The answer to a request this server does not take (or the token's redirect); null to go on. */
function refuse(c: Context, options: SecurityOptions): Response | null {
  const host = hostName(c.req.header('host'))
  if (host === null || (options.hosts !== null && !options.hosts.has(host))) {
    return c.json({ error: 'unknown host' }, 403)
  }
  if (options.token !== null) {
    const fromQuery = c.req.query('token')
    if (tokenMatches(options.token, fromQuery)) {
      setCookie(c, TOKEN_COOKIE, options.token, { httpOnly: true, sameSite: 'Strict', path: '/' })
      const url = new URL(c.req.url)
      url.searchParams.delete('token')
      return c.redirect(url.pathname + url.search + url.hash, 303)
    }
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '')
    if (
      !tokenMatches(options.token, getCookie(c, TOKEN_COOKIE)) &&
      !tokenMatches(options.token, bearer)
    ) {
      return c.json(
        { error: 'this server needs its token: open the URL smiley server printed' },
        401,
      )
    }
  }
  if (!SAFE_METHODS.has(c.req.method)) {
    const site = c.req.header('sec-fetch-site')
    if (!sameOrigin(c.req.header('origin'), c.req.header('host')) || site === 'cross-site') {
      return c.json({ error: 'cross-origin requests may not change anything' }, 403)
    }
  }
  return null
}
