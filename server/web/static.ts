/** Serving the built Svelte client (dist/client): its files, and index.html for `/`. */

import { readFileSync, statSync } from 'node:fs'
import { extname, join, normalize, sep } from 'node:path'
import type { Context } from 'hono'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/** A handler for GET requests outside /api; answers 404 for anything not in `root`. */
export function serveClient(root: string) {
  return (c: Context) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname)
    const relative = path === '/' ? 'index.html' : path.slice(1)
    const file = normalize(join(root, relative))
    if (!file.startsWith(root + sep) || !isFile(file)) return c.text('not found', 404)
    const body = readFileSync(file)
    c.header('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream')
    // Vite names built assets by their content hash: they never change under one name.
    c.header(
      'Cache-Control',
      relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    )
    return c.body(body)
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
