/**
 * The store under test. A test file asks it for fresh databases and passes them to the commands
 * it runs (`-d`, SMILEY_DB), then reads its answers back through the commands or the Store
 * interface, so that the same file runs against either store:
 *
 * - by default, a SQLite file in the folder the test names;
 * - with SMILEY_TEST_STORE=postgres, a new database on a real PostgreSQL server: the pass's one
 *   server when `npm run test:pg` started it (SMILEY_TEST_PG_URL), or else one started for this
 *   file and stopped after it.
 */

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, it } from 'vitest'
import { describeUrl } from '../../server/store/location.js'
import { openStore } from '../../server/store/open.js'
import { psqlPath, startPostgres } from './postgres.js'

export type StoreKind = 'sqlite' | 'postgres'

/** Which store this test process runs against. */
export const STORE_KIND: StoreKind =
  process.env.SMILEY_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite'

/** Whether this pass runs against PostgreSQL. */
export const onPostgres = STORE_KIND === 'postgres'

/**
 * A test that checks something only SQLite has (its file, its locks, its error messages); skipped
 * in the PostgreSQL pass. Its callers say why in a comment.
 */
export const itOnSqlite: ReturnType<typeof it.skipIf> = it.skipIf(onPostgres)

export interface StoreUnderTest {
  kind: StoreKind
  /**
   * A fresh, empty database for `name`: the file `folder/name.db`, or a new PostgreSQL database
   * (its URL, with the password), unique to this call.
   */
  database(folder: string, name?: string): string
  /** A location as the commands print it: a PostgreSQL URL without its password. */
  shown(location: string): string
}

let made = 0

/**
 * The store this test file runs against; its server, when it started one, is stopped after the
 * file. Fails, in the PostgreSQL pass, when no PostgreSQL server can be had: asked for, it is
 * never silently replaced by SQLite.
 */
export async function storeUnderTest(): Promise<StoreUnderTest> {
  if (!onPostgres)
    return {
      kind: 'sqlite',
      database: (folder, name = 'runs') => join(folder, `${name}.db`),
      shown: (location) => location,
    }
  const admin = await adminUrl()
  if (!process.env.SMILEY_CACHE_DIR) {
    // The read caches the commands keep, in a folder of this file's, not the user's.
    const cache = mkdtempSync(join(tmpdir(), 'smiley-test-cache-'))
    process.env.SMILEY_CACHE_DIR = cache
    afterAll(() => rmSync(cache, { recursive: true, force: true }))
  }
  return {
    kind: 'postgres',
    database: (_folder, name = 'runs') => {
      made += 1
      const database = `t${process.pid}_${made}_${name.toLowerCase().replace(/[^a-z0-9]/g, '_')}`
      execFileSync(psqlPath(), [admin, '-qAt', '-c', `CREATE DATABASE ${database.slice(0, 63)}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const url = new URL(admin)
      url.pathname = `/${database.slice(0, 63)}`
      return url.href
    },
    shown: (location) => describeUrl(location),
  }
}

/** The URL of the server's `postgres` database: the pass's server, or one for this file. */
async function adminUrl(): Promise<string> {
  const shared = process.env.SMILEY_TEST_PG_URL
  if (shared) return shared
  const server = await startPostgres()
  if (server === null)
    throw new Error('SMILEY_TEST_STORE=postgres, but no PostgreSQL server could be started')
  afterAll(() => server.stop())
  return server.url('postgres')
}

/**
 * The rows `sql` selects from the SQLite database holding run `reference` of the store at
 * `location`, as the query layer reads it: the SQLite file itself, or PostgreSQL's read cache
 * (every row of that run, copied from the server). The cache may hold other runs: select by run.
 */
export async function queryRun(
  location: string,
  reference: string,
  sql: string,
  ...params: unknown[]
): Promise<unknown[]> {
  const opened = await openStore(location, { readonly: true })
  try {
    const reader = await opened.reader(await opened.findRun(reference))
    return reader.prepare(sql).all(...params)
  } finally {
    await opened.close()
  }
}
