/**
 * `smiley run --per-test -m unittest`: each test of a real unittest suite recorded as a run of
 * its own, checked against unittest's own summary.
 */

import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import type { SessionTest } from '../../shared/types/test.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string

beforeEach(() => {
  dir = tempDir()
  db = store.database(dir.path)
})
afterEach(() => dir.remove())

const SUITE = {
  'test_shop.py': `
import unittest

class Shop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stock = {"apple": 3}

    def test_in_stock(self):
        count = self.stock["apple"]
        self.assertEqual(count, 3)

    def test_sold_out(self):
        count = self.stock.get("pear", 0)
        self.assertEqual(count, 2)

    def test_crash(self):
        raise KeyError("pear")

    @unittest.skip("later")
    def test_later(self):
        pass

    @unittest.expectedFailure
    def test_known(self):
        self.assertEqual(1, 2)

    def test_parts(self):
        for n in (1, 2):
            with self.subTest(n=n):
                self.assertLess(n, 2)

class Broken(unittest.TestCase):
    def setUp(self):
        raise RuntimeError("no fixture")

    def test_any(self):
        pass
`,
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

describe('smiley run --per-test -m unittest', () => {
  it('records each test as its own run, with the outcome unittest counts', async () => {
    writePrograms(dir.path, SUITE)
    const result = await smiley(
      ['run', '-d', db, '--per-test', '--keep', 'all', '-m', 'unittest'],
      {
        cwd: dir.path,
      },
    )
    expect(result.code).toBe(1)
    // unittest's own count, the truth: a failing subtest is a failure, setUp's error an error.
    expect(result.stderr).toContain(
      '\nFAILED (failures=2, errors=2, skipped=1, expected failures=1)\n',
    )
    const runs = await listRuns()
    const session = runs.find((r) => r.test === undefined)!
    const tests = await sessionTests(session.id)
    expect(Object.fromEntries(tests.map((t) => [t.name, t.outcome]))).toEqual({
      'test_shop.Broken.test_any': 'error',
      'test_shop.Shop.test_crash': 'error',
      'test_shop.Shop.test_in_stock': 'passed',
      'test_shop.Shop.test_known': 'xfailed',
      'test_shop.Shop.test_later': 'skipped',
      'test_shop.Shop.test_parts': 'failed',
      'test_shop.Shop.test_sold_out': 'failed',
    })
    const byName = (name: string) => runs.find((r) => r.test?.id === `test_shop.${name}`)!

    const soldOut = byName('Shop.test_sold_out')
    expect(soldOut).toMatchObject({
      status: 'error',
      errorType: 'AssertionError',
      errorMessage: '0 != 2',
    })
    expect(soldOut.traceback).toContain(
      `File "${join(dir.path, 'test_shop.py')}", line 14, in test_sold_out\n`,
    )
    const trace = await events(soldOut.id)
    expect(new Set(trace.map((e) => e.function))).toEqual(new Set(['Shop.test_sold_out']))
    expect(byName('Broken.test_any')).toMatchObject({
      errorType: 'RuntimeError',
      errorMessage: 'no fixture',
    })
    expect(new Set((await events(byName('Broken.test_any').id)).map((e) => e.function))).toEqual(
      new Set(['Broken.setUp']),
    )
    // setUpClass runs outside any test: in the session's run.
    const outside = new Set((await events(session.id)).map((e) => e.function))
    expect(outside).toContain('Shop.setUpClass')
    expect([...outside].filter((name) => name.includes('.test_'))).toEqual([])
  })

  it('records two identical test files apart, and keeps only the failing runs by default', async () => {
    const same = `
import unittest

class Same(unittest.TestCase):
    def test_same(self):
        here = __name__
        self.assertEqual(here, "elsewhere")
`
    writePrograms(dir.path, { 'suite/test_first.py': same, 'suite/test_second.py': same })
    const result = await smiley(
      ['run', '-d', db, '--per-test', '-m', 'unittest', 'discover', '-s', 'suite'],
      {
        cwd: dir.path,
      },
    )
    expect(result.code).toBe(1)
    const runs = (await listRuns()).filter((r) => r.test !== undefined)
    expect(runs.map((r) => r.test!.id).sort()).toEqual([
      'test_first.Same.test_same',
      'test_second.Same.test_same',
    ])
    for (const own of runs) {
      const module = own.test!.id.split('.')[0]!
      const trace = await events(own.id)
      expect(new Set(trace.map((e) => e.file))).toEqual(
        new Set([join(dir.path, 'suite', `${module}.py`)]),
      )
      expect(trace.find((e) => e.kind === 'line' && e.line === 6)!.locals).toEqual({
        here: `'${module}'`,
      })
    }
  })
})
