/**
 * A real PostgreSQL server for tests: Debian's binaries (`initdb` into a temporary folder,
 * `pg_ctl` on a free loopback port), run as the unprivileged `postgres` user when the tests run
 * as root, since PostgreSQL refuses to run as root. Password authentication over TCP, so that
 * wrong credentials are refused as they would be on a team's server. `startPostgres` resolves
 * to null, with the reason printed, when no server can start: the tests that need one are
 * then skipped, never silently.
 */

import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PG_USER = 'smiley'
export const PG_PASSWORD = 'smiley-test-password'

export interface PostgresServer {
  port: number
  /** A URL for database `name` (created with `createDatabase`), with the test user's password. */
  url(name: string, password?: string): string
  createDatabase(name: string): void
  /** Runs SQL in database `name` as the test user (psql). */
  sql(name: string, statement: string): string
  /** Stops the server at once, as a crash would (`resume` starts it again). */
  crash(): void
  resume(): void
  stop(): void
}

/** The folder of PostgreSQL's server binaries, the newest installed; null when none is. */
function binaries(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))
  return versions.length === 0 ? null : join(root, versions[0]!, 'bin')
}

/** PostgreSQL's own psql, beside its server (the client package's when no server is installed). */
export function psqlPath(): string {
  const bin = binaries()
  return bin === null ? 'psql' : join(bin, 'psql')
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** Starts a server; null (and the reason on stderr) when it cannot. */
export async function startPostgres(): Promise<PostgresServer | null> {
  const bin = binaries()
  if (bin === null) return skipped('no PostgreSQL server binaries in /usr/lib/postgresql')
  const asRoot = process.getuid?.() === 0
  let owner: { uid: number; gid: number } | null = null
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' })
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
    if (id.status !== 0)
      return skipped('running as root, and there is no postgres user to run it as')
    owner = { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) }
  }
  const folder = mkdtempSync(join(tmpdir(), 'smiley-pg-'))
  const data = join(folder, 'data')
  const passwordFile = join(folder, 'password')
  writeFileSync(passwordFile, `${PG_PASSWORD}\n`)
  chmodSync(folder, 0o755)
  if (owner) {
    chownSync(folder, owner.uid, owner.gid)
    chownSync(passwordFile, owner.uid, owner.gid)
  }
  const run = (tool: string, args: string[]) => {
    const command = owner ? 'runuser' : join(bin, tool)
    const full = owner ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args
    return execFileSync(command, full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  }
  const port = await freePort()
  const remove = () => rmSync(folder, { recursive: true, force: true })
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(folder, 'log'),
      '-o',
      `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      'start',
    ])
  let running = false
  try {
    run('initdb', [
      '-D',
      data,
      '-U',
      PG_USER,
      `--pwfile=${passwordFile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ])
    start()
  } catch (error) {
    remove()
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1)
    return skipped(`PostgreSQL did not start: ${detail ?? (error as Error).message}`)
  }
  running = true
  const psql = (name: string, statement: string) =>
    run('psql', [
      '-h',
      folder,
      '-p',
      String(port),
      '-U',
      PG_USER,
      '-d',
      name,
      '-qAt',
      '-c',
      statement,
    ])
  return {
    port,
    url: (name, password = PG_PASSWORD) =>
      `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`,
    createDatabase: (name) => void psql('postgres', `CREATE DATABASE ${name}`),
    sql: psql,
    crash: () => {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop'])
      running = false
    },
    resume: () => {
      start()
      running = true
    },
    stop: () => {
      try {
        if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop'])
      } finally {
        remove()
      }
    },
  }
}

function skipped(reason: string): null {
  process.stderr.write(`PostgreSQL tests skipped: ${reason}\n`)
  return null
}
