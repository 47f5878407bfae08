/**
 * Where better-sqlite3's native addon is, for `new Database(…, { nativeBinding })`: without it,
 * the package finds its addon through the `bindings` package, which tries a dozen paths and
 * reads a stack trace first, at every start of every command (10–30 ms of smiley run's
 * start-up, measured here). Null when the addon is not where npm builds it: the package then
 * looks for it itself.
 */

import { createRequire } from 'node:module'

export const sqliteAddon: string | null = (() => {
  try {
    return createRequire(import.meta.url).resolve(
      'better-sqlite3/build/Release/better_sqlite3.node',
    )
  } catch {
    return null
  }
})()
