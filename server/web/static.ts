/** Serving the built Svelte client (dist/client): its files, and index.html for `/`. */

import { readFileSync, statSync } from 'node:fs'
import { extname, join, normalize, sep } from 'node:path'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'

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
    const path = decodePath(new URL(c.req.url).pathname)
    const relative = path === '/' ? 'index.html' : path.slice(1)
    const file = normalize(join(root, relative))
    if (!file.startsWith(root + sep) || !isFile(file))
      throw new HTTPException(404, { message: 'no such page' })
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

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    throw new HTTPException(400, { message: 'malformed percent-encoding in the path' })
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
