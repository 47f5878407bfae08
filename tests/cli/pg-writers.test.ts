/**
 * Every writer into PostgreSQL: several `smiley record` processes taking runs from many
 * `smiley run --remote` at once, child processes, test sessions (`smiley pytest`), and a
 * recorder that finds its server again after an outage. Each is checked against the same
 * programs recorded into SQLite, event for event.
 */

import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { smiley } from '../support/cli.js'
import { startPostgres } from '../support/postgres.js'
import { writePrograms } from '../support/programs.js'
import { pytestPython } from '../support/pytest.js'
import type { SessionTest } from '../../shared/types/test.js'
import { comparableEvents, receiver, remoteFolder, runs } from '../support/remote.js'

const postgres = await startPostgres()
afterAll(() => postgres?.stop())

const dir = remoteFolder()
let databases = 0

/** A new, empty PostgreSQL database's URL. */
function database(): string {
  const name = `writers_${++databases}`
  postgres!.createDatabase(name)
  return postgres!.url(name)
}

/** What two recordings of one program share: everything but ids, times and the machine's. */
function comparable(run: Run) {
  return {
    description: run.description,
    status: run.status,
    exitCode: run.exitCode,
    eventCount: run.eventCount,
    lostEvents: run.lostEvents,
    errorMessage: run.errorMessage,
    startedBy: run.process?.startedBy ?? null,
  }
}

/** Events without what differs between two recordings of processes: pids, ids, times. */
function withoutProcesses(events: unknown[], listed: Run[]): unknown {
  let text = JSON.stringify(events)
  for (const run of listed) text = text.replaceAll(String(run.pid), '0').replaceAll(run.id, 'ID')
  return JSON.parse(text.replace(/"at":[0-9.e+]+/g, '"at":0')) as unknown
}

const WORK = `
import sys

def fold(n, k):
    total = 0
    for i in range(n):
        total = (total + i * k) % 1000003
    return total

n = int(sys.argv[1])
print(sum(fold(n, k) for k in range(4)))
`

describe.skipIf(postgres === null)('recorders writing into one PostgreSQL database', () => {
  it('takes runs from many senders through two recorders at once, every event of each', async () => {
    writePrograms(dir.path, { 'work.py': WORK })
    const url = database()
    const local = join(dir.path, 'local.db')
    const sizes = [300, 2000, 5000, 800, 3000, 1500]
    const [first, second] = await Promise.all([
      receiver(['record', '-d', url]),
      receiver(['record', '-d', url]),
    ])
    const sent = await Promise.all(
      sizes.map((size, i) =>
        smiley(['run', '--remote', (i % 2 === 0 ? first : second)!.url, 'work.py', String(size)], {
          cwd: dir.path,
          timeoutMs: 120_000,
        }),
      ),
    )
    for (const result of sent) expect(result.code, result.stderr).toBe(0)
    for (const size of sizes) {
      const here = await smiley(['run', '-d', local, 'work.py', String(size)], { cwd: dir.path })
      expect(here.code, here.stderr).toBe(0)
    }
    // Each recorder said, for each of its runs, that it ended.
    for (const recorder of [first!, second!])
      while (recorder.stdout.filter((line) => / completed/.test(line)).length < 3)
        await new Promise((done) => setTimeout(done, 50))

    const remote = await runs(url)
    const here = await runs(local)
    expect(remote).toHaveLength(sizes.length)
    const bySize = (listed: Run[]) => new Map(listed.map((run) => [run.description, run] as const))
    const remoteBySize = bySize(remote)
    const localBySize = bySize(here)
    for (const size of sizes) {
      const name = `work.py ${size}`
      const sentRun = remoteBySize.get(name)!
      const localRun = localBySize.get(name)!
      expect(comparable(sentRun)).toEqual(comparable(localRun))
      expect(sentRun.eventCount).toBeGreaterThan(size * 4)
      expect(await comparableEvents(url, sentRun.id)).toEqual(
        await comparableEvents(local, localRun.id),
      )
    }
  }, 240_000)

  it('refuses a run that another recorder already wrote into the database', async () => {
    writePrograms(dir.path, { 'work.py': WORK })
    const url = database()
    const [first, second] = await Promise.all([
      receiver(['record', '-d', url]),
      receiver(['record', '-d', url]),
    ])
    const sent = await smiley(['run', '--remote', first!.url, 'work.py', '10'], {
      cwd: dir.path,
    })
    expect(sent.code, sent.stderr).toBe(0)
    const [run] = await runs(url)
    const start = (recorder: string, uuid: string) =>
      fetch(new URL(`/v1/runs/${uuid}`, recorder), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ protocol: 1, description: 'again', argv: [], options: {} }),
      })
    const again = await start(second!.url, run!.id)
    expect(again.status).toBe(409)
    expect(await again.json()).toEqual({ error: 'a run with this id is already recorded here' })
    const fresh = await start(second!.url, '0f0e0d0c-0b0a-4000-8000-000000000001')
    expect(fresh.status).toBe(200)
  }, 60_000)

  it('records the processes a program starts as runs of their own, linked as in SQLite', async () => {
    writePrograms(dir.path, {
      'parent.py': `
import os, subprocess, sys

def work(n):
    total = 0
    for i in range(n):
        total += i
    return total

print(subprocess.run([sys.executable, "child.py", "4"], capture_output=True, text=True).stdout, end="")
pid = os.fork()
if pid == 0:
    os._exit(work(3))
print("fork", os.waitpid(pid, 0)[1] >> 8)
`,
      'child.py': `
import sys

def count(n):
    return sum(range(n))

print("child", count(int(sys.argv[1])))
`,
    })
    const url = database()
    const local = join(dir.path, 'local.db')
    const answers: Array<{ runs: unknown[]; shown: unknown; events: unknown[] }> = []
    for (const where of [url, local]) {
      const recorded = await smiley(['run', '-d', where, 'parent.py'], { cwd: dir.path })
      expect(recorded.stdout).toBe('child 6\nfork 3\n')
      expect(recorded.code, recorded.stderr).toBe(0)
      const listed = await runs(where)
      expect(listed).toHaveLength(3)
      const top = listed.find((run) => run.process === undefined)!
      for (const child of listed.filter((run) => run !== top))
        expect(child.process?.parent).toBe(top.id)
      const shown = await smiley(['show', '--json', '-d', where, top.id], { cwd: dir.path })
      expect(shown.code, shown.stderr).toBe(0)
      const { children } = JSON.parse(shown.stdout) as {
        children: Array<{ seq: number; run: { id: string; startedBy: string } | null }>
      }
      expect(children.map((start) => start.run?.startedBy).sort()).toEqual(['fork', 'subprocess'])
      const byStart = [...listed].sort(
        (a, b) =>
          comparable(a).description.localeCompare(comparable(b).description) ||
          (a.process?.startedBy ?? '').localeCompare(b.process?.startedBy ?? ''),
      )
      answers.push({
        runs: byStart.map((run) => ({ ...comparable(run), parentSeq: run.process?.parentSeq })),
        shown: children.map((start) => ({ seq: start.seq, startedBy: start.run?.startedBy })),
        events: await Promise.all(
          byStart.map(async (run) =>
            withoutProcesses(await comparableEvents(where, run.id), listed),
          ),
        ),
      })
    }
    expect(answers[0]).toEqual(answers[1])
  }, 120_000)

  describe.skipIf(pytestPython === null)('smiley pytest', () => {
    const SUITE = {
      'tests/test_suite.py': `
import pytest

def total(n):
    return sum(range(n))

@pytest.mark.parametrize("n", range(40))
def test_many(n):
    assert total(n) >= 0

def test_fails():
    value = total(4)
    assert value == 7

@pytest.fixture
def broken():
    raise RuntimeError("no connection")

def test_errors(broken):
    pass

@pytest.mark.skip(reason="later")
def test_later():
    pass
`,
    }

    for (const keep of ['failed', 'all'])
      it(`records each test as a run, keeping ${keep}, as SQLite does`, async () => {
        writePrograms(dir.path, SUITE)
        const answers: unknown[] = []
        for (const where of [database(), join(dir.path, `local-${keep}.db`)]) {
          const result = await smiley(
            [
              'pytest',
              '-d',
              where,
              '--python',
              pytestPython!.path,
              '--keep',
              keep,
              '-q',
              '-p',
              'no:cacheprovider',
            ],
            { cwd: dir.path, timeoutMs: 120_000 },
          )
          expect(result.code, result.stderr).toBe(1)
          expect(result.stderr).toMatch(/test_fails failed: run [0-9a-f]{8}/)
          const listed = await runs(where)
          const session = listed.find((run) => run.options['perTest'] === true && !run.test)!
          const tests = await smiley(['list', '--session', session.id, '--json', '-d', where])
          expect(tests.code, tests.stderr).toBe(0)
          const sessionTests = JSON.parse(tests.stdout) as SessionTest[]
          expect(sessionTests).toHaveLength(43)
          expect(sessionTests.filter((test) => test.kept)).toHaveLength(keep === 'all' ? 43 : 2)
          const kept = listed.filter((run) => run !== session)
          expect(kept).toHaveLength(keep === 'all' ? 43 : 2)
          const failed = kept.find((run) => run.description.endsWith('test_fails'))!
          expect(failed.status).toBe('error')
          answers.push({
            session: comparable(session),
            tests: sessionTests.map(({ run: _run, startedAt: _at, duration: _d, ...test }) => test),
            kept: kept.map(comparable).sort((a, b) => a.description.localeCompare(b.description)),
            failed: await comparableEvents(where, failed.id),
          })
        }
        expect(answers[0]).toEqual(answers[1])
      }, 240_000)

    it('takes a session sent with --remote by a recorder on PostgreSQL, each test a run', async () => {
      writePrograms(dir.path, SUITE)
      const url = database()
      const recorder = await receiver(['record', '-d', url])
      const sent = await smiley(
        [
          'pytest',
          '--remote',
          recorder.url,
          '--python',
          pytestPython!.path,
          '-q',
          '-p',
          'no:cacheprovider',
        ],
        { cwd: dir.path, timeoutMs: 120_000 },
      )
      expect(sent.code, sent.stderr).toBe(1)
      while (!recorder.stdout.some((line) => / error: /.test(line)))
        await new Promise((done) => setTimeout(done, 50))
      const listed = await runs(url)
      const session = listed.find((run) => run.options['perTest'] === true && !run.test)!
      const tests = await smiley(['list', '--session', session.id, '--json', '-d', url])
      const sessionTests = JSON.parse(tests.stdout) as SessionTest[]
      expect(sessionTests).toHaveLength(43)
      expect(
        sessionTests
          .filter((test) => test.kept)
          .map((test) => test.name)
          .sort(),
      ).toEqual(['tests/test_suite.py::test_errors', 'tests/test_suite.py::test_fails'])
      expect(listed).toHaveLength(3)
    }, 180_000)
  })

  // Last: these stop the shared server.
  describe('through an outage', () => {
    const STEADY = `
import time

def step(i):
    square = i * i
    return square % 7

total = 0
for i in range(250):
    total += step(i)
    time.sleep(0.02)
print(total)
`

    /** Resolves once the latest run in database `name` has stored events. */
    async function recording(name: string): Promise<void> {
      for (;;) {
        try {
          const count = postgres!.sql(name, 'SELECT coalesce(max(event_count), 0) FROM runs')
          if (Number(count.trim()) > 0) return
        } catch {
          // no tables until the recorder has made them
        }
        await new Promise((done) => setTimeout(done, 100))
      }
    }

    it('loses nothing when the server restarts mid-run: the recorder writes on after it', async () => {
      writePrograms(dir.path, { 'steady.py': STEADY })
      const url = database()
      const local = join(dir.path, 'local.db')
      const here = await smiley(['run', '-d', local, 'steady.py'], { cwd: dir.path })
      expect(here.code, here.stderr).toBe(0)
      const sent = smiley(['run', '-d', url, 'steady.py'], { cwd: dir.path, timeoutMs: 120_000 })
      await recording(`writers_${databases}`)
      postgres!.crash()
      await new Promise((done) => setTimeout(done, 1500))
      postgres!.resume()
      const result = await sent
      expect(result.stderr).toBe('')
      expect(result.stdout).toBe(here.stdout)
      expect(result.code).toBe(0)
      const [run] = await runs(url)
      const [localRun] = await runs(local)
      expect(comparable(run!)).toEqual(comparable(localRun!))
      expect(await comparableEvents(url)).toEqual(await comparableEvents(local))
    }, 120_000)

    it('writes a flush whose connection dies between its statements again, once: no event twice, none lost', async () => {
      // A flush's statements go at once, in one transaction: the server ends the connection
      // in the middle of one (its last statement, the tallies', after its inserts ran), once,
      // at the third flush; the recorder writes it again on a new connection.
      writePrograms(dir.path, { 'steady.py': STEADY })
      const url = database()
      const name = `writers_${databases}`
      const local = join(dir.path, 'local-cut.db')
      const here = await smiley(['run', '-d', local, 'steady.py'], { cwd: dir.path })
      expect(here.code, here.stderr).toBe(0)
      // The tables, made by a first recording, then the trigger on them.
      const first = await smiley(['run', '-d', url, 'steady.py'], { cwd: dir.path })
      expect(first.code, first.stderr).toBe(0)
      postgres!.sql(
        name,
        `CREATE SEQUENCE flushes;
         CREATE FUNCTION cut() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF nextval('flushes') = 3 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
           RETURN NULL;
         END $$;
         CREATE TRIGGER cut AFTER UPDATE ON threads FOR EACH STATEMENT EXECUTE FUNCTION cut();`,
      )
      const sent = await smiley(['run', '-d', url, 'steady.py'], {
        cwd: dir.path,
        timeoutMs: 120_000,
      })
      expect(sent.stderr).toBe('')
      expect(sent.code).toBe(0)
      expect(Number(postgres!.sql(name, 'SELECT last_value FROM flushes').trim())).toBeGreaterThan(
        3,
      )
      const [run] = await runs(url)
      const [localRun] = await runs(local)
      expect(comparable(run!)).toEqual(comparable(localRun!))
      expect(await comparableEvents(url)).toEqual(await comparableEvents(local))
    }, 120_000)

    it('writes nothing more of a run deleted while it is recorded: no flush after it leaves a row', async () => {
      writePrograms(dir.path, { 'steady.py': STEADY })
      const url = database()
      const name = `writers_${databases}`
      const sent = smiley(['run', '-d', url, 'steady.py'], { cwd: dir.path, timeoutMs: 120_000 })
      await recording(name)
      const key = postgres!.sql(name, 'SELECT id FROM runs').trim()
      const blocks = `SELECT count(*) FROM event_blocks WHERE run = ${key}`
      const before = Number(
        postgres!
          .sql(name, `DELETE FROM runs WHERE id = ${key}; ${blocks}`)
          .trim()
          .split('\n')
          .at(-1),
      )
      const result = await sent
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toMatch(/^\d+\n$/)
      expect(Number(postgres!.sql(name, blocks).trim())).toBe(before)
      expect(Number(postgres!.sql(name, 'SELECT count(*) FROM runs').trim())).toBe(0)
    }, 120_000)

    it('ends the run lost, keeping what was written, when the server stays away too long', async () => {
      writePrograms(dir.path, { 'steady.py': STEADY })
      const url = database()
      const name = `writers_${databases}`
      const sent = smiley(['run', '-d', url, 'steady.py'], {
        cwd: dir.path,
        timeoutMs: 120_000,
        env: { SMILEY_PG_RECONNECT: '2' },
      })
      await recording(name)
      postgres!.crash()
      const result = await sent
      postgres!.resume()
      expect(result.stdout).toMatch(/^\d+\n$/)
      expect(result.code).toBe(0)
      expect(result.stderr).toMatch(
        /^smiley: recording stopped after \d+ events: [^\n]*PostgreSQL[^\n]* \(tried again for 2 s\); the run could not be marked as ended either\n$/,
      )
      const [run] = await runs(url)
      expect(run!.status).toBe('lost')
      expect(run!.eventCount).toBeGreaterThan(0)
      const events = await comparableEvents(url)
      expect(events).toHaveLength(run!.eventCount)
    }, 120_000)
  })
})
