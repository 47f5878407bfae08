/**
 * Reading a PostgreSQL store everywhere: runs recorded into a SQLite file, imported into a
 * real PostgreSQL server (tests/support/postgres.ts) and exported back, unchanged; and every
 * door that queries a run's events (stats, report, diff, search, state, history, threads,
 * Perfetto export) giving the same answer for the same run in either store, PostgreSQL's
 * through its local read cache.
 */

import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { openDatabase } from '../../server/db/database.js'
import { RUN_TABLES } from '../../server/store/replica/tables.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { SMILEY, smiley, tempDir, type Result } from '../support/cli.js'
import { DapClient } from '../support/dap-client.js'
import { startPostgres } from '../support/postgres.js'
import { writePrograms } from '../support/programs.js'

const postgres = await startPostgres()
const dir = tempDir()
afterAll(() => {
  postgres?.stop()
  dir.remove()
})

writePrograms(dir.path, {
  'program.py': `
import sys, threading

def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

def squares(n):
    for i in range(n):
        yield i * i

def accumulate(items):
    total = 0
    for item in items:
        total += item
    return total

def risky(x):
    try:
        return 10 // x
    except ZeroDivisionError:
        return None

worker = threading.Thread(target=lambda: [fib(i) for i in range(8)], name="worker")
worker.start()
worker.join()
width = int(sys.argv[1])
print(accumulate(squares(width)), risky(0), risky(width))
`,
})

const env = { SMILEY_CACHE_DIR: join(dir.path, 'cache') }
// smiley dap, started by DapClient, takes this process's environment.
process.env['SMILEY_CACHE_DIR'] = env.SMILEY_CACHE_DIR
const run = (args: string[]) => smiley(args, { cwd: dir.path, env, timeoutMs: 120_000 })

/** Checks that a command failed with exactly one line on stderr, and returns that line. */
function oneLineError(result: Result, code = 1): string {
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  expect(result.code).toBe(code)
  return result.stderr.trim()
}

/** Every row of the run `uuid` in the SQLite file `path`, table by table, without its key. */
function rowsOf(path: string, uuid: string): Record<string, unknown> {
  const db = openDatabase(path, { readonly: true })
  try {
    const row = db.prepare('SELECT * FROM runs WHERE uuid = ?').get(uuid) as Record<string, unknown>
    const key = row['id']
    const rows: Record<string, unknown> = { runs: { ...row, id: 0 } }
    for (const table of RUN_TABLES)
      rows[table.name] = db
        .prepare(
          `SELECT ${table.columns.join(', ')} FROM ${table.name} WHERE run = ? ORDER BY ${table.columns.join(', ')}`,
        )
        .raw()
        .all(key)
    rows['sources'] = db
      .prepare(
        `SELECT hash, length(text) FROM sources WHERE hash IN
           (SELECT source_hash FROM files WHERE run = ?) ORDER BY hash`,
      )
      .raw()
      .all(key)
    return rows
  } finally {
    db.close()
  }
}

describe.skipIf(postgres === null)('runs read from PostgreSQL', () => {
  let local: string
  let url: string
  let runs: Run[]
  beforeAll(async () => {
    local = join(dir.path, 'local.db')
    for (const width of ['6', '7']) {
      const recorded = await run(['run', '-d', local, 'program.py', width])
      expect(recorded.code, recorded.stderr).toBe(0)
    }
    runs = JSON.parse((await run(['list', '--json', '-d', local])).stdout) as Run[]
    postgres!.createDatabase('team')
    url = postgres!.url('team')
  }, 120_000)

  it('imports every run of a file into PostgreSQL, keeping their ids, and skips them the second time', async () => {
    const imported = await run(['import', local, '--database', url])
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    const lines = imported.stdout.trim().split('\n')
    expect(lines).toEqual(
      [...runs]
        .reverse()
        .map((r) =>
          expect.stringMatching(
            new RegExp(`^imported run ${r.id.slice(0, 8)} \\(program\\.py \\d, \\d+ events\\)$`),
          ),
        ),
    )
    const listed = JSON.parse((await run(['list', '--json', '-d', url])).stdout) as Run[]
    expect(listed.map((r) => [r.id, r.eventCount, r.status])).toEqual(
      runs.map((r) => [r.id, r.eventCount, r.status]),
    )
    const again = await run(['import', local, '--database', url])
    expect(again.stdout).toMatch(
      new RegExp(
        `^skipped run ${runs[0]!.id.slice(0, 8)} \\(program\\.py 7\\): already in postgres://smiley@127\\.0\\.0\\.1:\\d+/team\\n`,
        'm',
      ),
    )
    expect(again.stdout).not.toContain('password')
  })

  it('exports a run from PostgreSQL into a file row for row as it was recorded', async () => {
    const out = join(dir.path, 'back.db')
    const exported = await run(['export', '-d', url, runs[0]!.id.slice(0, 8), '-o', out])
    expect(exported.stderr).toBe('')
    expect(exported.stdout).toMatch(/^exported run [0-9a-f]{8} \(program\.py 7, \d+ events\) to /)
    expect(rowsOf(out, runs[0]!.id)).toEqual(rowsOf(local, runs[0]!.id))
    const again = await run(['export', '-d', url, runs[0]!.id, '-o', out])
    expect(again.stdout).toContain(
      `skipped run ${runs[0]!.id.slice(0, 8)} (program.py 7): already in`,
    )
  })

  it('says in one line that a run to export or import does not exist', async () => {
    const missing = await run(['export', '-d', url, 'ffffffff', '-o', join(dir.path, 'x.db')])
    expect(oneLineError(missing)).toBe('smiley: no run with id ffffffff (see: smiley list)')
    const foreign = await run(['import', local, 'ffffffff', '--database', url])
    expect(oneLineError(foreign)).toMatch(/^smiley: in .*local\.db: no run with id ffffffff/)
  })

  /** Doors and their arguments after `-d DATABASE`; files they write are compared too. */
  const doors = (seqs: {
    line: number
  }): Array<{ args: string[]; files?: string[]; code?: number }> => [
    { args: ['state', 'latest', '1'] },
    { args: ['state', '--json', 'latest', String(seqs.line)] },
    { args: ['history', 'latest', String(seqs.line), 'total'] },
    { args: ['history', '--json', 'latest', String(seqs.line), 'total'] },
    { args: ['search', 'latest', 'kind:exception'] },
    { args: ['search', '--json', 'latest', 'fn:fib', 'var:a'] },
    { args: ['threads', 'latest'] },
    { args: ['threads', '--json', 'latest'] },
    { args: ['stats', 'show', 'latest'] },
    { args: ['stats', 'graph', 'latest'] },
    { args: ['stats', 'export', 'latest', 'OUT/stats.pstats'], files: ['stats.pstats'] },
    { args: ['diff', 'latest~1', 'latest'], code: 1 },
    { args: ['diff', '--json', 'latest~1', 'latest'], code: 1 },
    {
      args: ['export', 'latest', '--format', 'perfetto', '-o', 'OUT/trace.json'],
      files: ['trace.json'],
    },
    { args: ['report', 'latest', '-o', 'OUT/report'], files: ['report'] },
  ]

  it('answers every door as SQLite does for the same run', async () => {
    const events = (await run(['replay', '--json', '-d', local, 'latest'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; function: string; kind: string })
    const line = events.filter((e) => e.function === 'accumulate' && e.kind === 'line').at(-1)!.seq
    for (const door of doors({ line })) {
      const answers: string[] = []
      for (const [name, database] of [
        ['sqlite', local],
        ['postgres', url],
      ] as const) {
        const out = join(dir.path, `out-${name}`)
        mkdirSync(out, { recursive: true })
        const args = door.args.map((a) => a.replace('OUT', out))
        const result = await run([
          ...args.slice(0, door.args[0] === 'stats' ? 2 : 1),
          '-d',
          database,
          ...args.slice(door.args[0] === 'stats' ? 2 : 1),
        ])
        expect(result.stderr, `${door.args.join(' ')} in ${name}`).toBe('')
        expect(result.code, door.args.join(' ')).toBe(door.code ?? 0)
        let answer = result.stdout.replaceAll(out, 'OUT').replaceAll(database, 'DATABASE')
        for (const file of door.files ?? []) answer += `\n${file}: ${contents(join(out, file))}`
        answers.push(answer)
      }
      expect(answers[1], door.args.join(' ')).toBe(answers[0])
      expect(answers[0]!.length).toBeGreaterThan(0)
    }
  }, 180_000)

  it('answers the MCP tools as SQLite does', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [
      ['list_runs', { limit: 10 }],
      ['run_summary', { run: 'latest' }],
      ['state_at', { run: 'latest', event: 40 }],
      ['search', { run: 'latest', query: 'fn:fib var:a', limit: 5 }],
      ['variable_history', { run: 'latest', event: 100, name: 'total' }],
      ['line_executions', { run: 'latest', file: 'program.py', line: 17, limit: 5 }],
      ['step', { run: 'latest', event: 40, move: 'over' }],
      ['source', { run: 'latest', file: 'program.py', from: 1, to: 10 }],
      ['diff_runs', { a: 'latest~1', b: 'latest' }],
      ['state_at', { run: 'ffffffff', event: 1 }],
    ]
    const answers: string[][] = []
    for (const database of [local, url]) {
      const client = new Client({ name: 'smiley-test', version: '1.0.0' })
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [SMILEY, 'mcp', '-d', database],
          env: { ...(process.env as Record<string, string>), ...env },
          stderr: 'pipe',
        }),
      )
      try {
        const texts: string[] = []
        for (const [name, args] of calls) {
          const result = await client.callTool({ name, arguments: args })
          texts.push((result.content as Array<{ text: string }>)[0]!.text)
        }
        answers.push(texts)
      } finally {
        await client.close()
      }
    }
    expect(answers[1]).toEqual(answers[0])
    expect(answers[0]!.at(-1)).toBe('no run with id ffffffff (see: smiley list)')
    expect(JSON.parse(answers[0]![2]!)).toMatchObject({ event: { seq: 40 } })
  })

  it('debugs a run with smiley dap as SQLite does', async () => {
    const sessions: unknown[] = []
    for (const database of [local, url]) {
      const client = new DapClient()
      try {
        await client.ok('initialize', { adapterID: 'smiley', linesStartAt1: true })
        const initialized = client.nextEvent('initialized')
        await client.ok('launch', { run: 'latest', database, cwd: dir.path })
        await initialized
        const before = client.events.length
        await client.ok('configurationDone')
        await client.nextEvent('stopped', before)
        const seen: unknown[] = []
        for (let step = 0; step < 12; step++) {
          const { stackFrames } = await client.ok('stackTrace', { threadId: 1 })
          const { scopes } = await client.ok('scopes', { frameId: stackFrames[0].id })
          const { variables } = await client.ok('variables', {
            variablesReference: scopes[0].variablesReference,
          })
          seen.push({ stackFrames, variables })
          await client.moveTo(step % 3 === 2 ? 'stepIn' : 'next', { threadId: 1 })
        }
        sessions.push(seen)
      } finally {
        client.close()
      }
    }
    expect(sessions[1]).toEqual(sessions[0])
  })

  it('reads the store SMILEY_DB names', async () => {
    const fromEnv = await smiley(['stats', 'show', 'latest'], { env: { ...env, SMILEY_DB: url } })
    const fromFile = await run(['stats', 'show', '-d', local, 'latest'])
    expect(fromEnv.stderr).toBe('')
    expect(fromEnv.stdout).toBe(fromFile.stdout)
  })

  it('says in one line that a run does not exist, or that the server cannot be reached', async () => {
    const missing = await run(['state', '-d', url, 'ffffffff', '1'])
    expect(oneLineError(missing)).toBe('smiley: no run with id ffffffff (see: smiley list)')
    const gone = await run([
      'search',
      '-d',
      postgres!.url('team').replace(/:\d+\//, ':1/'),
      'latest',
      'x',
    ])
    expect(oneLineError(gone)).toMatch(
      /^smiley: cannot reach PostgreSQL at postgres:\/\/smiley@127\.0\.0\.1:1\/team/,
    )
    const diff = await run(['diff', '-d', url, 'latest', 'ffffffff'])
    expect(oneLineError(diff, 2)).toBe('smiley: no run with id ffffffff (see: smiley list)')
  })
})

/** A file's bytes, or a folder's files and their bytes, in order; a report's time made equal. */
function contents(path: string): string {
  const read = (file: string) =>
    readFileSync(file)
      .toString('latin1')
      .replace(/"generatedAt":[\d.]+/g, '"generatedAt":0')
  try {
    return read(path)
  } catch {
    return readdirSync(path, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort()
      .map((file) => `${file.slice(path.length)}: ${read(file)}`)
      .join('\n')
  }
}
