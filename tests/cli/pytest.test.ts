/**
 * `smiley pytest`: each test of a real pytest session recorded as a run of its own, checked
 * against what pytest itself reports (its verbose lines, its output, its exit status).
 */

import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import type { SessionTest } from '../../shared/types/test.js'
import { SMILEY, smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { pytestPython, xdistPython } from '../support/pytest.js'
import { queryRun, storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

const run = promisify(execFile)

let dir: { path: string; remove: () => void }
let db: string

beforeEach(() => {
  dir = tempDir()
  db = store.database(dir.path)
})
afterEach(() => dir.remove())

/** A suite with every outcome pytest knows, fixtures of two scopes and a parametrized test. */
const SUITE = {
  'tests/test_shop.py': `
import pytest

@pytest.fixture(scope="module")
def stock():
    shelves = {"apple": 3, "pear": 0}
    yield shelves
    shelves.clear()

@pytest.fixture
def broken():
    raise RuntimeError("no connection")

@pytest.fixture
def leaky():
    yield 1
    raise ValueError("left a mess")

def test_in_stock(stock):
    count = stock["apple"]
    assert count == 3

def test_sold_out(stock):
    count = stock["pear"]
    assert count == 2

@pytest.mark.parametrize("amount", [1, 2, 5])
def test_amounts(stock, amount):
    assert amount <= stock["apple"]

def test_needs_connection(broken):
    pass

def test_cleans_up(leaky):
    assert leaky == 1

@pytest.mark.skip(reason="later")
def test_later():
    pass

@pytest.mark.xfail(reason="known")
def test_known_bug():
    assert 1 + 1 == 3

@pytest.mark.xfail(reason="fixed?")
def test_maybe_fixed():
    assert True

class TestBasket:
    def test_empty(self):
        basket = []
        assert not basket
`,
}

/** What pytest -v said of each test, as outcomes: the truth the runs are checked against. */
function verboseOutcomes(stdout: string): Map<string, string> {
  const words: Record<string, string> = {
    PASSED: 'passed',
    FAILED: 'failed',
    ERROR: 'error',
    SKIPPED: 'skipped',
    XFAIL: 'xfailed',
    XPASS: 'xpassed',
  }
  const outcomes = new Map<string, string>()
  for (const match of stdout.matchAll(
    /^(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b/gm,
  )) {
    // A test that passed and then failed in its teardown is an error.
    if (outcomes.get(match[1]!) !== 'error') outcomes.set(match[1]!, words[match[2]!]!)
  }
  return outcomes
}

async function listRuns(): Promise<Run[]> {
  const listed = await smiley(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

async function sessionTests(session: string): Promise<SessionTest[]> {
  const listed = await smiley(['list', '--session', session, '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as SessionTest[]
}

async function events(id: string): Promise<TraceEvent[]> {
  const replay = await smiley(['replay', '--json', '-d', db, id])
  expect(replay.code, replay.stderr).toBe(0)
  const text = replay.stdout.trim()
  return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as TraceEvent)
}

function pytest(args: string[], cwd = dir.path): Promise<Result> {
  return smiley(['pytest', '-d', db, '--python', pytestPython!.path, ...args], { cwd })
}

/** pytest's own report, its timing taken out. */
function untimed(stdout: string): string {
  return stdout.replace(/ in \d+\.\d+s/g, ' in Ns').replace(/\(\d+:\d+:\d+\)/g, '')
}

describe.skipIf(pytestPython === null)('smiley pytest', () => {
  it('records each test as its own run, with the outcome, duration and failure pytest reports', async () => {
    writePrograms(dir.path, SUITE)
    const result = await pytest(['--keep', 'all', '-v', '-p', 'no:cacheprovider'])
    // pytest's output and exit status are its own, as without Smiley.
    const alone = await run(pytestPython!.path, ['-m', 'pytest', '-v', '-p', 'no:cacheprovider'], {
      cwd: dir.path,
    }).catch((error: { stdout: string; code: number }) => error)
    expect(result.code).toBe(1)
    expect('code' in alone ? alone.code : 0).toBe(1)
    expect(untimed(result.stdout)).toBe(untimed(alone.stdout))

    const truth = verboseOutcomes(result.stdout)
    expect(truth.size).toBe(11)
    const runs = await listRuns()
    const session = runs.find((r) => r.test === undefined)!
    expect(session.argv).toEqual(['-m', 'pytest', '-v', '-p', 'no:cacheprovider'])
    // pytest leaves the last failure in sys.last_value: the session still ended by its status.
    expect(session).toMatchObject({
      status: 'error',
      exitCode: 1,
      errorType: null,
      errorMessage: 'exited with status 1',
    })
    const tests = await sessionTests(session.id)
    expect(tests.map((t) => [t.name, t.outcome])).toEqual([...truth])
    expect(tests.map((t) => t.position)).toEqual([...truth].map((_, i) => i + 1))
    expect(tests.every((t) => t.kept && t.duration !== null && t.duration >= 0)).toBe(true)

    // Each test's run: named by its node id, linked to the session, ended as the test did.
    for (const test of tests) {
      const own = runs.find((r) => r.id === test.run)!
      expect(own.description).toBe(test.name)
      expect(own.test).toEqual({ id: test.name, outcome: test.outcome, session: session.id })
      expect(own.status).toBe(
        test.outcome === 'failed' || test.outcome === 'error' ? 'error' : 'completed',
      )
      expect(own.eventCount).toBe(test.events)
    }
    const byName = (name: string) => runs.find((r) => r.test?.id === `tests/test_shop.py::${name}`)!

    const soldOut = byName('test_sold_out')
    expect(soldOut).toMatchObject({ errorType: 'AssertionError' })
    const shown = await smiley(['show', '--json', '-d', db, soldOut.id.slice(0, 8)])
    expect((JSON.parse(shown.stdout) as Run).test).toEqual({
      id: 'tests/test_shop.py::test_sold_out',
      outcome: 'failed',
      session: session.id,
    })
    expect(soldOut.errorMessage).toContain('assert 0 == 2')
    const file = join(dir.path, 'tests', 'test_shop.py')
    expect(soldOut.traceback).toMatch(
      new RegExp(
        `^Traceback \\(most recent call last\\):\\n  File "${file}", line 24, in test_sold_out\\n`,
      ),
    )
    const failing = await events(soldOut.id)
    expect(failing.map((e) => e.function)).toEqual(failing.map(() => 'test_sold_out'))
    expect(failing[0]).toMatchObject({ kind: 'call', line: 22, file })
    expect(failing.find((e) => e.kind === 'line' && e.line === 24)!.locals).toEqual({ count: '0' })
    expect(failing.some((e) => e.kind === 'exception' && e.line === 24)).toBe(true)

    // A fixture that fails: the test's error, with the fixture's events in its run.
    const needs = byName('test_needs_connection')
    expect(needs).toMatchObject({ errorType: 'RuntimeError', errorMessage: 'no connection' })
    expect(needs.traceback).toContain('in broken\n')
    expect(new Set((await events(needs.id)).map((e) => e.function))).toEqual(new Set(['broken']))
    const cleans = byName('test_cleans_up')
    expect(cleans).toMatchObject({ errorType: 'ValueError', errorMessage: 'left a mess' })
    expect(new Set((await events(cleans.id)).map((e) => e.function))).toEqual(
      new Set(['leaky', 'test_cleans_up']),
    )

    // One run per parameter set; a class's test by its class.
    expect(tests.filter((t) => t.name.includes('test_amounts[')).map((t) => t.name)).toEqual([
      'tests/test_shop.py::test_amounts[1]',
      'tests/test_shop.py::test_amounts[2]',
      'tests/test_shop.py::test_amounts[5]',
    ])
    expect((await events(byName('TestBasket::test_empty').id)).at(-1)).toMatchObject({
      kind: 'return',
      function: 'TestBasket.test_empty',
      value: 'None',
    })

    // Outside tests: the session's run holds the collection and the module's fixture, set up
    // and torn down (pytest does both within the first and the last test that uses it).
    const outside = await events(session.id)
    const functions = new Set(outside.map((e) => e.function))
    expect(functions).toContain('<module>')
    expect([...functions].filter((name) => name.startsWith('test_'))).toEqual([])
    const stock = outside.filter((e) => e.function === 'stock').map((e) => e.line)
    expect(stock).toEqual([3, 5, 6, 6, 6, 7, 7])

    // One line per failing test, naming its run, then how to open one.
    const failed = tests.filter((t) => t.outcome === 'failed' || t.outcome === 'error')
    expect(result.stderr).toBe(
      failed.map((t) => `smiley: ${t.name} ${t.outcome}: run ${t.run.slice(0, 8)}\n`).join('') +
        `smiley: open one with: smiley replay ${failed[0]!.run.slice(0, 8)}, or in the dashboard: smiley server\n`,
    )
  })

  it('keeps only the runs of failing tests by default; the session still lists every test', async () => {
    writePrograms(dir.path, SUITE)
    const result = await pytest(['-q', '-p', 'no:cacheprovider'])
    expect(result.code).toBe(1)
    const runs = await listRuns()
    const session = runs.find((r) => r.test === undefined)!
    const tests = await sessionTests(session.id)
    expect(tests).toHaveLength(11)
    const kept = tests.filter((t) => t.kept).map((t) => t.name)
    expect(kept).toEqual([
      'tests/test_shop.py::test_sold_out',
      'tests/test_shop.py::test_amounts[5]',
      'tests/test_shop.py::test_needs_connection',
      'tests/test_shop.py::test_cleans_up',
    ])
    expect(
      runs
        .filter((r) => r.test !== undefined)
        .map((r) => r.test!.id)
        .sort(),
    ).toEqual([...kept].sort())
    // A deleted run's events are still counted by its session.
    expect(tests.find((t) => t.name.endsWith('::test_in_stock'))!.events).toBeGreaterThan(2)
    const shown = await smiley(['list', '--session', session.id.slice(0, 8), '-d', db])
    expect(shown.stdout).toMatch(
      /^-\s+passed\s+\d+ ms\s+\d+\s+tests\/test_shop\.py::test_in_stock$/m,
    )
  })

  it('lists every test of a long session in order, those whose runs were deleted packed, and the session holds only the functions it ran', async () => {
    writePrograms(dir.path, {
      'test_many.py': [
        'import pytest',
        '',
        '@pytest.mark.parametrize("n", range(70))',
        'def test_square(n):',
        '    square = n * n',
        '    assert square != 1600',
        '',
        '@pytest.mark.skip(reason="later")',
        'def test_later():',
        '    pass',
        '',
      ].join('\n'),
    })
    const result = await pytest(['-q', '-p', 'no:cacheprovider'])
    expect(result.code).toBe(1)
    const session = (await listRuns()).find((r) => r.test === undefined)!
    const tests = await sessionTests(session.id)
    expect(tests.map((t) => [t.position, t.name, t.outcome])).toEqual([
      ...Array.from({ length: 70 }, (_, n) => [
        n + 1,
        `test_many.py::test_square[${n}]`,
        n === 40 ? 'failed' : 'passed',
      ]),
      [71, 'test_many.py::test_later', 'skipped'],
    ])
    expect(tests.filter((t) => t.kept).map((t) => t.name)).toEqual([
      'test_many.py::test_square[40]',
    ])
    for (const test of tests) {
      expect(test.duration).toBeGreaterThanOrEqual(0)
      expect(test.startedAt).toBeGreaterThan(session.startedAt - 1)
      expect(test.run).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/)
    }
    expect(new Set(tests.map((t) => t.run)).size).toBe(71)
    expect(tests[3]!.events).toBe(tests[4]!.events)
    expect(tests[3]!.events).toBeGreaterThan(2)
    // In the file: a row for the kept test, the 70 others in packs of 32.
    const count = async (table: string) =>
      await queryRun(
        db,
        session.id,
        `SELECT count(*) AS n FROM ${table} t JOIN runs r ON r.id = t.run WHERE r.uuid = ?`,
        session.id,
      )
    expect(await count('tests')).toEqual([{ n: 1 }])
    expect(await count('test_packs')).toEqual([{ n: 3 }])
    // The session's run holds the functions it ran (the module), not the tests' functions.
    const functionsOf = async (run: string) =>
      (
        (await queryRun(
          db,
          run,
          'SELECT f.name FROM functions f JOIN runs r ON r.id = f.run WHERE r.uuid = ?',
          run,
        )) as Array<{ name: string }>
      ).map((row) => row.name)
    expect(await functionsOf(session.id)).toEqual(['<module>'])
    expect(await functionsOf(tests[40]!.run)).toEqual(['test_square'])
  })

  it('stops with -x, selects with -k and reruns the last failures with --lf', async () => {
    writePrograms(dir.path, SUITE)
    const stopped = await pytest(['-x', '-q'])
    expect(stopped.code).toBe(1)
    const first = (await listRuns()).find((r) => r.test === undefined)!
    expect((await sessionTests(first.id)).map((t) => [t.name, t.outcome])).toEqual([
      ['tests/test_shop.py::test_in_stock', 'passed'],
      ['tests/test_shop.py::test_sold_out', 'failed'],
    ])

    const chosen = await pytest(['-q', '-k', 'amounts and not 5'])
    expect(chosen.code).toBe(0)
    expect(chosen.stderr).toBe('')
    const second = (await listRuns()).find((r) => r.test === undefined && r.id !== first.id)!
    expect((await sessionTests(second.id)).map((t) => t.name)).toEqual([
      'tests/test_shop.py::test_amounts[1]',
      'tests/test_shop.py::test_amounts[2]',
    ])

    const again = await pytest(['-q', '--lf'])
    expect(again.code).toBe(1)
    const ids = new Set([first.id, second.id])
    const last = (await listRuns()).find((r) => r.test === undefined && !ids.has(r.id))!
    expect((await sessionTests(last.id)).map((t) => t.name)).toEqual([
      'tests/test_shop.py::test_sold_out',
    ])
  })

  it('records two identical test files apart', async () => {
    const same = 'def test_same():\n    here = __name__\n    assert here == "x"\n'
    writePrograms(dir.path, {
      'one/__init__.py': '',
      'one/test_same.py': same,
      'two/__init__.py': '',
      'two/test_same.py': same,
    })
    const result = await pytest(['-q', '-p', 'no:cacheprovider'])
    expect(result.code).toBe(1)
    const runs = (await listRuns()).filter((r) => r.test !== undefined)
    expect(runs.map((r) => r.test!.id).sort()).toEqual([
      'one/test_same.py::test_same',
      'two/test_same.py::test_same',
    ])
    for (const own of runs) {
      const folder = own.test!.id.split('/')[0]!
      const trace = await events(own.id)
      expect(new Set(trace.map((e) => e.file))).toEqual(
        new Set([join(dir.path, folder, 'test_same.py')]),
      )
      expect(trace.find((e) => e.kind === 'line' && e.line === 3)!.locals).toEqual({
        here: `'${folder}.test_same'`,
      })
    }
  })

  it('keeps the run of a test interrupted by Ctrl-C, ended as interrupted, without an outcome', async () => {
    writePrograms(dir.path, {
      'test_stops.py': `
import time

def test_quick():
    pass

def test_waits():
    open("started", "w").close()
    time.sleep(60)
`,
    })
    const child = spawn(
      process.execPath,
      [SMILEY, 'pytest', '-d', db, '--python', pytestPython!.path, '-q', '-p', 'no:cacheprovider'],
      { cwd: dir.path, stdio: ['pipe', 'ignore', 'ignore'] },
    )
    const exited = new Promise<number | null>((done) => child.once('exit', done))
    await expect.poll(() => existsSync(join(dir.path, 'started')), { timeout: 30_000 }).toBe(true)
    child.kill('SIGINT')
    expect(await exited).toBe(2) // pytest's own status for an interrupted session
    const runs = await listRuns()
    const session = runs.find((r) => r.test === undefined)!
    expect((await sessionTests(session.id)).map((t) => [t.name, t.outcome, t.kept])).toEqual([
      ['test_stops.py::test_quick', 'passed', false],
      ['test_stops.py::test_waits', null, true],
    ])
    const waits = runs.find((r) => r.test?.id === 'test_stops.py::test_waits')!
    expect(waits).toMatchObject({
      status: 'interrupted',
      errorMessage: 'the session ended before the test did (exited with status 2)',
    })
    const shown = await smiley(['list', '--session', session.id, '-d', db])
    expect(shown.stdout).toMatch(/interrupted\s.*test_stops\.py::test_waits$/m)
  })

  it('refuses a --keep it does not know in one line, and says how -n is recorded', async () => {
    const bad = await pytest(['--keep', 'some'])
    expect(bad).toMatchObject({ code: 2, stdout: '' })
    expect(bad.stderr).toBe('smiley: --keep must be one of failed, all, not some\n')
    writePrograms(dir.path, { 'test_one.py': 'def test_one():\n    pass\n' })
    const workers = await pytest(['-q', '-n', '2', '-p', 'no:cacheprovider'])
    expect(workers.stderr.split('\n')[0]).toBe(
      "smiley: pytest-xdist's workers (-n) are recorded as child runs of the session, each whole: their tests are not runs of their own",
    )
  })
})

describe.skipIf(xdistPython === null)('smiley pytest -n (pytest-xdist)', () => {
  it('records each worker as a child run of the session, with the tests it ran, ended as its process ended', async () => {
    writePrograms(dir.path, {
      'test_work.py': [
        'def double(n):',
        '    return n * 2',
        '',
        'def test_one():',
        '    assert double(1) == 2',
        '',
        'def test_two():',
        '    assert double(2) == 5',
        '',
        'def test_three():',
        '    assert double(3) == 6',
        '',
      ].join('\n'),
    })
    const result = await smiley(
      [
        'pytest',
        '-d',
        db,
        '--python',
        xdistPython!.path,
        '-q',
        '-n',
        '2',
        '-p',
        'no:cacheprovider',
      ],
      { cwd: dir.path },
    )
    expect(result.code, result.stderr).toBe(1) // pytest's own status: a test failed
    expect(result.stdout).toContain('1 failed, 2 passed')
    const runs = await listRuns()
    const session = runs.find((r) => r.process === undefined || r.process === null)!
    const workers = runs.filter((r) => r.process?.parent === session.id)
    expect(workers).toHaveLength(2)
    // A worker whose test failed exits normally (execnet's status 0): its tests failed, not
    // the worker's process, whose run is complete.
    expect(workers.map((w) => [w.status, w.exitCode, w.errorType])).toEqual([
      ['completed', 0, null],
      ['completed', 0, null],
    ])
    expect(session).toMatchObject({ status: 'error', exitCode: 1 })
    const tests: string[] = []
    for (const worker of workers)
      for (const event of await events(worker.id))
        if (event.kind === 'call' && event.function.startsWith('test_')) tests.push(event.function)
    expect(tests.sort()).toEqual(['test_one', 'test_three', 'test_two'])
  })
})
