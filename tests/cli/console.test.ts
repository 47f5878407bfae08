/** `smiley show`, `threads` and `delete`: reading and removing recorded runs. */

import Database from 'better-sqlite3'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import type { ThreadSummary } from '../../shared/types/thread.js'
import { smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let db: string
/** Newest first: workers.py, fails.py. */
let runs: Run[]

beforeAll(async () => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'fails.py': 'def go():\n    raise RuntimeError("went wrong")\n\ngo()\n',
    'workers.py': `
import threading

def work(count):
    total = 0
    for i in range(count):
        total += i
    return total

threads = [threading.Thread(target=work, args=(n,), name=f"worker-{n}") for n in (3, 5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
`,
  })
  for (const script of ['fails.py', 'workers.py'])
    await smiley(['run', '-d', db, script], { cwd: dir.path })
  runs = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Run[]
})
afterAll(() => dir.remove())

/** Checks that a command failed with exactly one line on stderr, and returns that line. */
function oneLineError(result: Result, code = 1): string {
  expect(result.code).toBe(code)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  return result.stderr.trim()
}

describe('smiley show', () => {
  it("prints the run's metadata, its threads and its traceback as recorded", async () => {
    const failed = runs[1]!
    const result = await smiley(['show', '-d', db, failed.id.slice(0, 6)])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.split('\n')
    const fact = (label: string) =>
      lines.map((l) => new RegExp(`^${label} {2,}(.*)$`).exec(l)?.[1]).find((v) => v !== undefined)
    expect(fact('Run')).toBe(failed.id)
    expect(fact('Description')).toBe('fails.py')
    expect(fact('Directory')).toBe(dir.path)
    expect(fact('Arguments')).toBe('fails.py')
    expect(fact('Interpreter')).toMatch(/\(Python 3\.\d+\.\d+\)$/)
    expect(fact('PID')).toBe(String(failed.pid))
    expect(fact('Status')).toBe('error')
    expect(fact('Exit code')).toBe('1')
    expect(fact('Error')).toBe('RuntimeError: went wrong')
    expect(fact('Events')).toBe(String(failed.eventCount))
    expect(fact('Options')).toContain('maxRepr=200')
    expect(fact('Threads')).toMatch(/^MainThread +\d+ events$/)
    expect(result.stdout).toContain(`\n${failed.traceback!.trimEnd()}\n`)
    expect(result.stdout).not.toContain('\u001b[')
  })

  it('prints the run, its threads, its asyncio tasks and the processes it started (none here) as JSON with --json', async () => {
    const result = await smiley(['show', '--json', '-d', db, 'latest'])
    const shown = JSON.parse(result.stdout) as Run & {
      threads: ThreadSummary[]
      tasks: unknown[]
      children: unknown[]
    }
    const { threads, tasks, children, ...run } = shown
    expect(run).toEqual(runs[0])
    expect(threads.map((t) => t.name)).toEqual(['MainThread', 'worker-3', 'worker-5'])
    expect(tasks).toEqual([])
    expect(children).toEqual([])
  })

  it('rejects an unknown run in one line', async () => {
    expect(oneLineError(await smiley(['show', '-d', db, 'ffffffff']))).toBe(
      'smiley: no run with id ffffffff (see: smiley list)',
    )
    oneLineError(await smiley(['show', '-d', db]), 2)
  })
})

describe('smiley threads', () => {
  it('lists each thread with its times, events and locations', async () => {
    const json = await smiley(['threads', '--json', '-d', db, 'latest'])
    const threads = JSON.parse(json.stdout) as ThreadSummary[]
    expect(threads.map((t) => t.name)).toEqual(['MainThread', 'worker-3', 'worker-5'])
    const [, three, five] = threads
    // The call, `total = 0`, each turn's loop and body lines, the last loop line, `return`
    // and the return itself.
    expect(three!.events).toBe(2 + 3 * 2 + 3)
    expect(five!.events).toBe(2 + 5 * 2 + 3)
    expect(three!.locations).toBe(5)
    for (const t of threads) {
      expect(t.startedAt).toBeGreaterThanOrEqual(0)
      expect(t.endedAt).toBeGreaterThanOrEqual(t.startedAt!)
      expect(t.lastSeq).toBeGreaterThan(t.firstSeq!)
    }
    const total = threads.reduce((sum, t) => sum + t.events, 0)
    expect(total).toBe(runs[0]!.eventCount)
  })

  it('prints an aligned table', async () => {
    const result = await smiley(['threads', '-d', db, 'latest'])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID +NAME +START +END +AT +EVENTS +LOCATIONS$/)
    expect(lines).toHaveLength(4)
    expect(lines[2]).toMatch(
      /^ 2 +worker-3 +\d+\.\d{3} s +\d+\.\d{3} s +\d{4}-\d\d-\d\d [\d:.]+ +11 +5$/,
    )
    // Right-aligned numbers end where their header ends.
    const end = lines[0]!.indexOf('EVENTS') + 'EVENTS'.length
    for (const line of lines.slice(1)) expect(line[end - 1]).toMatch(/\d/)
  })

  it('rejects an unknown run in one line', async () => {
    oneLineError(await smiley(['threads', '-d', db, 'ffffffff']))
  })
})

describe('smiley delete', () => {
  let local: { path: string; remove: () => void }
  let store: string

  beforeAll(async () => {
    local = tempDir()
    store = join(local.path, 'runs.db')
    writePrograms(local.path, { 'a.py': 'x = 1\n', 'b.py': 'y = 2\n' })
    for (const script of ['a.py', 'a.py', 'b.py'])
      await smiley(['run', '-d', store, script], { cwd: local.path })
  })
  afterAll(() => local.remove())

  function count(sql: string): number {
    const sqlite = new Database(store, { readonly: true })
    try {
      return sqlite.prepare(sql).pluck().get() as number
    } finally {
      sqlite.close()
    }
  }

  async function listed(): Promise<Run[]> {
    return JSON.parse((await smiley(['list', '--json', '-d', store])).stdout) as Run[]
  }

  it('removes a source only once no other run uses it', async () => {
    const [b, a2, a1] = await listed()
    expect(count('SELECT count(*) FROM sources')).toBe(2)

    const first = await smiley(['delete', '-d', store, a1!.id])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(
      new RegExp(`^deleted run ${a1!.id.slice(0, 8)} \\(a\\.py\\): \\d+ events, .*0 sources\\n$`),
    )
    expect(count('SELECT count(*) FROM sources')).toBe(2)

    const second = await smiley(['delete', '-d', store, a2!.id.slice(0, 8)])
    expect(second.stdout).toMatch(/, 1 source\n$/)
    expect(count('SELECT count(*) FROM sources')).toBe(1)
    expect((await listed()).map((r) => r.id)).toEqual([b!.id])
  })

  it('leaves no row of a deleted run in any table', async () => {
    expect(await listed()).toHaveLength(1)
    const result = await smiley(['delete', '-d', store, 'latest'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/\b1 profile\b/)
    const sqlite = new Database(store, { readonly: true })
    // sqlite_sequence keeps the last run key used, so that a key is never given twice.
    const tables = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'")
      .pluck()
      .all() as string[]
    for (const table of tables)
      expect([table, sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get()]).toEqual([
        table,
        0,
      ])
    sqlite.close()
  })

  it('refuses a run being recorded unless forced, and deletes nothing', async () => {
    await smiley(['run', '-d', store, 'a.py'], { cwd: local.path })
    await smiley(['run', '-d', store, 'b.py'], { cwd: local.path })
    const [b, a] = await listed()
    // The recorder is this process: alive, on this host, with a fresh heartbeat.
    const sqlite = new Database(store)
    sqlite
      .prepare(
        `UPDATE runs SET status = 'running', ended_at = NULL, recorder_host = ?, recorder_pid = ?,
           heartbeat_at = ? WHERE uuid = ?`,
      )
      .run(hostname(), process.pid, Date.now() / 1000, a!.id)
    sqlite.close()

    const refused = await smiley(['delete', '-d', store, b!.id, a!.id])
    expect(oneLineError(refused)).toBe(
      `smiley: run ${a!.id.slice(0, 8)} is still being recorded; nothing deleted (use --force to delete it anyway)`,
    )
    expect(await listed()).toHaveLength(2)

    const forced = await smiley(['delete', '--force', '-d', store, a!.id, b!.id])
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stdout.trim().split('\n')).toHaveLength(2)
    expect(await listed()).toEqual([])
  })

  it('rejects an unknown run before deleting anything', async () => {
    await smiley(['run', '-d', store, 'a.py'], { cwd: local.path })
    const result = await smiley(['delete', '-d', store, 'latest', 'ffffffff'])
    expect(oneLineError(result)).toBe('smiley: no run with id ffffffff (see: smiley list)')
    expect(await listed()).toHaveLength(1)
    oneLineError(await smiley(['delete', '-d', store]), 2)
  })
})

describe('help', () => {
  it('lists the new commands, each with a complete --help', async () => {
    const top = await smiley(['--help'])
    for (const name of ['show', 'threads', 'tail', 'stats', 'delete', 'export', 'import'])
      expect(top.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'))
    for (const command of [
      ['show'],
      ['threads'],
      ['tail'],
      ['stats'],
      ['stats', 'show'],
      ['stats', 'export'],
      ['delete'],
      ['export'],
      ['import'],
    ]) {
      const help = await smiley([...command, '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toContain(`Usage:\n  smiley ${command.join(' ')} `)
      expect(help.stdout).toContain('Examples:\n  smiley ')
      expect(help.stdout).toMatch(/^\S.*\.\n\n/)
    }
  })
})
