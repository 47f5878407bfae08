/** `smiley list`, `smiley replay` and the help: reading runs back in the terminal. */

import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let db: string
let runs: Run[]

beforeAll(async () => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'ok.py': `
def double(n):
    result = n * 2
    return result

def ticks():
    yield 1
    yield 2

values = [double(v) for v in range(2)]
for t in ticks():
    pass
`,
    'fails.py': 'def go():\n    raise RuntimeError("went wrong")\n\ngo()\n',
  })
  for (const script of ['ok.py', 'fails.py'])
    await smiley(['run', '-d', db, script], { cwd: dir.path })
  runs = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Run[]
})
afterAll(() => dir.remove())

describe('smiley list', () => {
  it('lists runs newest first with their status and error', () => {
    expect(runs.map((r) => [r.description, r.status])).toEqual([
      ['fails.py', 'error'],
      ['ok.py', 'completed'],
    ])
    expect(runs[0]!.errorMessage).toBe('went wrong')
  })

  it('prints an aligned table without colour when not on a terminal', async () => {
    const result = await smiley(['list', '-d', db], { env: { NO_COLOR: '' } })
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+STARTED\s+DURATION\s+STATUS\s+EVENTS\s+DESCRIPTION\s+ERROR$/)
    expect(lines[1]).toContain(runs[0]!.id.slice(0, 8))
    expect(lines[1]).toContain('RuntimeError: went wrong')
    const statusColumn = lines[0]!.indexOf('STATUS')
    expect(lines.slice(1).map((l) => l.slice(statusColumn).split(' ')[0])).toEqual([
      'error',
      'completed',
    ])
    expect(result.stdout).not.toContain('\u001b[')
  })

  it('uses colour when asked to and never with NO_COLOR', async () => {
    expect(
      (await smiley(['list', '-d', db], { env: { NO_COLOR: '', FORCE_COLOR: '1' } })).stdout,
    ).toContain('\u001b[')
    expect(
      (await smiley(['list', '-d', db], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } })).stdout,
    ).not.toContain('\u001b[')
  })

  it('filters failed runs with --errors and prints CSV with --csv', async () => {
    const errors = JSON.parse(
      (await smiley(['list', '--errors', '--json', '-d', db])).stdout,
    ) as Run[]
    expect(errors.map((r) => r.description)).toEqual(['fails.py'])
    const csv = (await smiley(['list', '--csv', '-d', db])).stdout.trim().split('\r\n')
    expect(csv[0]).toBe('id,description,started,ended,status,exit_code,events,error')
    expect(csv[1]).toMatch(new RegExp(`^${runs[0]!.id},fails.py,\\d{4}-`))
  })

  it('says where the database is missing in one line', async () => {
    const result = await smiley(['list', '-d', join(dir.path, 'none.db')])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `smiley: no database at ${join(dir.path, 'none.db')} (record a run first: smiley run prog.py)\n`,
    )
  })
})

describe('smiley replay', () => {
  it('prints the monitor format from the source stored with the run', async () => {
    const ok = runs[1]!
    const result = await smiley(['replay', '-d', db, ok.id.slice(0, 6)], { cwd: dir.path })
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toContain('ok.py:   3:MainThread:     return result')
    const at = lines.indexOf('ok.py:   3:MainThread:     return result')
    expect(lines[at + 1]).toBe(
      `${' '.repeat('ok.py:   3:MainThread: '.length)}result = 4`.replace('4', '0'),
    )
    expect(lines).toContain('ok.py:   3:MainThread: return>>> 0')
    expect(lines).toContain('ok.py:   6:MainThread: yield>>> 1')
  })

  it('prints exceptions as they were raised', async () => {
    const result = await smiley(['replay', '-d', db, runs[0]!.id], { cwd: dir.path })
    expect(result.stdout).toContain(
      'fails.py:   2:MainThread: exception>>> RuntimeError: went wrong',
    )
    expect(result.stdout).toContain('fails.py:   2:MainThread: return>>> (left by an exception)')
  })

  it('shows the source as it was, even after the file changed', async () => {
    writePrograms(dir.path, { 'ok.py': '# rewritten\n' })
    const result = await smiley(['replay', '-d', db, runs[1]!.id], { cwd: dir.path })
    expect(result.stdout).toContain('def double(n):')
  })

  it('starts where --from says', async () => {
    const result = await smiley(['replay', '--json', '--from', '5', '-d', db, runs[1]!.id])
    expect(JSON.parse(result.stdout.split('\n')[0]!)).toMatchObject({ seq: 5 })
  })

  it('explains an unknown, ambiguous or malformed run id in one line', async () => {
    const unknown = await smiley(['replay', '-d', db, 'ffffffff'])
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'smiley: no run with id ffffffff (see: smiley list)\n',
    })
    const malformed = await smiley(['replay', '-d', db, 'not-an-id!'])
    expect(malformed.stderr).toBe('smiley: "not-an-id!" is not a run id (see: smiley list)\n')
    const sqlite = new Database(db)
    sqlite.prepare("UPDATE runs SET uuid = 'abc' || substr(uuid, 4)").run()
    sqlite.close()
    const ambiguous = await smiley(['replay', '-d', db, 'abc'])
    expect(ambiguous.stderr).toBe(
      'smiley: run id abc is ambiguous: give more characters (see: smiley list)\n',
    )
  })

  it('stops quietly when its reader goes away', async () => {
    const result = await smiley(['replay', '-d', db, 'latest'], { cwd: dir.path })
    expect(result.stderr).toBe('')
  })
})

describe('help', () => {
  it('lists every command and explains every option', async () => {
    const top = await smiley(['--help'])
    expect(top.code).toBe(0)
    for (const name of ['run', 'list', 'replay'])
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
    const run = await smiley(['run', '--help'])
    for (const option of [
      '--database',
      '--module',
      '--python',
      '--description',
      '--max-repr',
      '--no-redact',
      '--no-profile',
      '--include-stdlib',
      '--include-site-packages',
      '--include-package',
    ]) {
      expect(run.stdout).toContain(option)
    }
    expect(run.stdout).not.toContain('--settrace')
  })

  it('rejects unknown commands and options in one line with exit status 2', async () => {
    expect(await smiley(['lsit'])).toMatchObject({
      code: 2,
      stderr: 'smiley: unknown command "lsit" (did you mean list?) (see: smiley --help)\n',
    })
    const option = await smiley(['list', '--jsn'])
    expect(option.code).toBe(2)
    expect(option.stderr).toBe(
      'smiley: unknown option --jsn (did you mean --json?) (see: smiley list --help)\n',
    )
  })

  it('prints its version', async () => {
    expect((await smiley(['--version'])).stdout).toMatch(/^smiley \d+\.\d+\.\d+\n$/)
  })
})
