/**
 * `smiley ci`: any command runs as alone, every Python process it starts is recorded, and the
 * recordings stay only when it fails. Real shells, interpreters and pytest.
 */

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CiSummary } from '../../shared/types/ci.js'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }

/** `smiley`, given the time a busy machine needs for several interpreters. */
const smileyPatiently = (args: string[], options: Parameters<typeof smiley>[1] = {}) =>
  smiley(args, { timeoutMs: 200_000, ...options })
beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'a.py': `
def greet(name):
    return "hello " + name

print(greet("a"))
`,
    'failing.py': `
def divide(a, b):
    return a / b

divide(1, 0)
`,
    'test_sums.py': `
def test_adds():
    assert 1 + 1 == 2

def test_miscounts():
    counted = 3
    assert counted == 4
`,
  })
})
afterAll(() => dir.remove())

function summaryOf(name: string): CiSummary {
  return JSON.parse(readFileSync(join(dir.path, name), 'utf8')) as CiSummary
}

async function runsOf(db: string): Promise<Run[]> {
  const listed = await smileyPatiently(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

describe.concurrent('smiley ci', { timeout: 240_000 }, () => {
  it('records every Python process of a failing command, keeps them, and reports the failing one', async () => {
    const db = store.database(dir.path, 'failing')
    const result = await smileyPatiently(
      [
        'ci',
        '-d',
        db,
        '--summary',
        'failing.json',
        '--report',
        'reports',
        '--',
        'bash',
        '-c',
        'python3 a.py && python3 failing.py',
      ],
      { cwd: dir.path },
    )
    expect(result.stdout).toBe('hello a\n')
    expect(result.stderr).toContain('ZeroDivisionError: division by zero')
    expect(result.code).toBe(1)
    const summary = summaryOf('failing.json')
    expect(summary).toMatchObject({
      command: ['bash', '-c', 'python3 a.py && python3 failing.py'],
      exitCode: 1,
      signal: null,
      failed: true,
      kept: true,
      database: store.shown(db),
      tests: [],
    })
    expect(summary.runs.map((run) => [run.description, run.status, run.exitCode])).toEqual([
      ['a.py', 'completed', 0],
      ['failing.py', 'error', 1],
    ])
    const [passed, failed] = summary.runs
    expect(failed!.error).toBe('ZeroDivisionError: division by zero')
    expect(passed!.process).toMatchObject({ parent: null, startedBy: 'command' })
    expect(passed!.events).toBeGreaterThan(0)
    // The runs are in the database, and the failing one has a report.
    const stored = await runsOf(db)
    expect(stored.map((run) => run.id).sort()).toEqual(summary.runs.map((run) => run.id).sort())
    expect(Object.keys(summary.reports)).toEqual([failed!.id])
    expect(existsSync(summary.reports[failed!.id]!)).toBe(true)
  })

  it('keeps nothing when the command passes, and exits with its status', async () => {
    const db = store.database(dir.path, 'passing')
    const result = await smileyPatiently(
      ['ci', '-d', db, '--summary', 'passing.json', '--', 'bash', '-c', 'python3 a.py; exit 0'],
      { cwd: dir.path },
    )
    expect(result.code).toBe(0)
    const summary = summaryOf('passing.json')
    expect(summary).toMatchObject({ failed: false, kept: false, database: null })
    expect(summary.runs.map((run) => run.status)).toEqual(['completed'])
    expect(await runsOf(db)).toEqual([])
  })

  it('keeps the recordings of a passing command with --keep all', async () => {
    const db = store.database(dir.path, 'all')
    const result = await smileyPatiently(
      ['ci', '--keep', 'all', '-d', db, '--summary', 'all.json', '--', 'python3', 'a.py'],
      { cwd: dir.path },
    )
    expect(result.code).toBe(0)
    expect(summaryOf('all.json')).toMatchObject({
      failed: false,
      kept: true,
      database: store.shown(db),
    })
    expect((await runsOf(db)).map((run) => run.description)).toEqual(['a.py'])
  })

  it("lists pytest's tests with their outcomes, and the failing test's run", async () => {
    const db = store.database(dir.path, 'pytest')
    const result = await smileyPatiently(
      [
        'ci',
        '-d',
        db,
        '--summary',
        'pytest.json',
        '--',
        'python3',
        '-m',
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        'test_sums.py',
      ],
      { cwd: dir.path },
    )
    expect(result.stdout).toContain('1 failed, 1 passed')
    expect(result.code).toBe(1)
    const summary = summaryOf('pytest.json')
    const [session] = summary.runs
    expect(summary.runs).toHaveLength(1)
    expect(session).toMatchObject({ status: 'error', exitCode: 1 })
    expect(summary.tests.map((test) => [test.name, test.outcome, test.session])).toEqual([
      ['test_sums.py::test_adds', 'passed', session!.id],
      ['test_sums.py::test_miscounts', 'failed', session!.id],
    ])
    // The failing test's run is kept; the passing one's is not.
    const [adds, miscounts] = summary.tests
    expect(adds!.run).toBeNull()
    const runs = await runsOf(db)
    const testRun = runs.find((run) => run.id === miscounts!.run)!
    expect(testRun).toMatchObject({ status: 'error', errorType: 'AssertionError' })
  })

  it('refuses a missing command or a bad --keep in one line', async () => {
    const missing = await smileyPatiently(['ci', '--', 'no-such-command-xyz'], { cwd: dir.path })
    expect(missing.stderr).toBe('smiley: cannot run no-such-command-xyz: no such command\n')
    expect(missing.code).toBe(127)
    const keep = await smileyPatiently(['ci', '--keep', 'sometimes', '--', 'true'], {
      cwd: dir.path,
    })
    expect(keep.stderr).toBe('smiley: --keep must be one of failed, all, not sometimes\n')
    expect(keep.code).toBe(2)
    const none = await smileyPatiently(['ci'], { cwd: dir.path })
    expect(none.stderr).toMatch(/^smiley: .*COMMAND.*\n$/)
    expect(none.code).toBe(2)
  })
})
