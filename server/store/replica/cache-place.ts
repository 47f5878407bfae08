/**
 * Where a store's read cache lives: one SQLite file per store (named by its URL without the
 * password) in the user's cache folder (SMILEY_CACHE_DIR, else $XDG_CACHE_HOME/smiley, else
 * ~/.cache/smiley), or in the temporary folder when that cannot be made; and how big it may grow
 * (SMILEY_CACHE_MB, 2,048 by default).
 */

import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

const DEFAULT_MB = 2048

/** The cache file for the store at `location`. */
export function cacheFile(location: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = `read-cache-${createHash('sha256').update(location).digest('hex').slice(0, 16)}.db`
  const home = env['XDG_CACHE_HOME'] || join(homedir(), '.cache')
  for (const folder of [env['SMILEY_CACHE_DIR'], join(home, 'smiley')]) {
    if (!folder) continue
    try {
      mkdirSync(folder, { recursive: true })
      return join(folder, name)
    } catch {
      // Not ours to write: the next place.
    }
  }
  const temporary = join(tmpdir(), `smiley-cache-${process.getuid?.() ?? 'user'}`)
  mkdirSync(temporary, { recursive: true })
  return join(temporary, name)
}

/** The bytes the cache may hold before whole runs are evicted, least recently used first. */
export function cacheLimit(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env['SMILEY_CACHE_MB'])
  return (Number.isFinite(given) && given > 0 ? given : DEFAULT_MB) * 1024 * 1024
}
