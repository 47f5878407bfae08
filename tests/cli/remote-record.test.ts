/**
 * Remote recording, the receiving side: `smiley record` stores a run sent with
 * `smiley run --remote` as a local run would be stored, and `smiley monitor` prints it live.
 */

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Profile } from '../../shared/types/profile.js'
import type { Run } from '../../shared/types/run.js'
import { smiley } from '../support/cli.js'
import {
  comparableEvents,
  ownAddress,
  pause,
  receiver,
  remoteFolder,
  runs,
  start,
  touch,
} from '../support/remote.js'
import { queryRun, storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

const dir = remoteFolder()

describe('smiley record', () => {
  it('records a run sent with --remote exactly as the same program recorded locally', async () => {
    const local = store.database(dir.path, 'local')
    const remote = store.database(dir.path, 'remote')
    const here = await smiley(['run', '-d', local, 'shop.py', '3'], { cwd: dir.path })
    const recorder = await receiver(['record', '-d', remote])
    const sent = await smiley(['run', '--remote', recorder.url, 'shop.py', '3'], { cwd: dir.path })

    expect(sent.code).toBe(3)
    expect(sent.stdout).toBe(here.stdout)
    expect(sent.stderr).toBe('')
    await recorder.line(/ error: /)
    const [localRun] = await runs(local)
    const [remoteRun] = await runs(remote)
    const comparable = (run: Run) => ({
      description: run.description,
      argv: run.argv,
      cwd: run.cwd,
      status: run.status,
      exitCode: run.exitCode,
      errorMessage: run.errorMessage,
      eventCount: run.eventCount,
      lostEvents: run.lostEvents,
      options: run.options,
    })
    expect(comparable(remoteRun!)).toEqual(comparable(localRun!))
    expect(remoteRun!.lostEvents).toBe(0)
    expect(await comparableEvents(remote)).toEqual(await comparableEvents(local))

    const sources = `SELECT f.path, s.text FROM files f JOIN sources s ON s.hash = f.source_hash ORDER BY f.path`
    expect(await queryRun(remote, 'latest', sources)).toEqual(
      await queryRun(local, 'latest', sources),
    )
    const profile = async (db: string) => {
      const shown = await smiley(['stats', 'show', '--json', '-d', db, 'latest'])
      expect(shown.code, shown.stderr).toBe(0)
      const { functions } = JSON.parse(shown.stdout) as { functions: Profile['functions'] }
      return functions
        .map(({ file, line, name, calls, primitiveCalls }) => ({
          file,
          line,
          name,
          calls,
          primitiveCalls,
        }))
        .sort((a, b) =>
          `${a.file}:${a.line}:${a.name}`.localeCompare(`${b.file}:${b.line}:${b.name}`),
        )
    }
    const profiled = await profile(remote)
    expect(profiled.map((f) => f.name)).toContain('take')
    expect(profiled).toEqual(await profile(local))

    const id = remoteRun!.id.slice(0, 8)
    expect(recorder.stdout).toEqual([
      expect.stringMatching(new RegExp(`^run ${id} started: shop\\.py 3 \\(host .+\\)$`)),
      `run ${id} error: ${remoteRun!.eventCount} events (exited with status 3)`,
    ])
  })

  it('takes several runs at once', async () => {
    const db = store.database(dir.path)
    const recorder = await receiver(['record', '-d', db])
    touch('go')
    touch('go2')
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        smiley(['run', '--remote', recorder.url, 'waits.py', '3000'], { cwd: dir.path }),
      ),
    )
    expect(results.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ])
    for (let i = 0; i < 50 && recorder.stdout.length < 6; i++) await pause(100)
    const recorded = await runs(db)
    expect(recorded).toHaveLength(3)
    expect(new Set(recorded.map((r) => r.status))).toEqual(new Set(['completed']))
    expect(new Set(recorded.map((r) => r.eventCount)).size).toBe(1)
    expect(recorded[0]!.eventCount).toBeGreaterThan(6000)
  })

  it('keeps the run of a program idle for longer than the sender timeout', async () => {
    const db = store.database(dir.path)
    writeFileSync(join(dir.path, 'idle.py'), 'import time\ntime.sleep(3.5)\nprint("awake")\n')
    const recorder = await receiver(['record', '-d', db, '--sender-timeout', '2'])
    const sent = await smiley(['run', '--remote', recorder.url, 'idle.py'], { cwd: dir.path })
    expect([sent.code, sent.stdout, sent.stderr]).toEqual([0, 'awake\n', ''])
    await recorder.line(/ completed: /)
    const [run] = await runs(db)
    expect(run).toMatchObject({ status: 'completed', lostEvents: 0 })
  })

  it('ends a run as lost, keeping its events, when its sender disappears', async () => {
    const db = store.database(dir.path)
    const recorder = await receiver(['record', '-d', db, '--sender-timeout', '2'])
    const sender = start(['run', '--remote', recorder.url, 'waits.py'])
    await sender.line(/^ready$/)
    await recorder.line(/ started: /)
    await pause(300)
    sender.child.kill('SIGKILL')
    const ended = await recorder.line(/ lost: /)
    touch('go')
    touch('go2')
    expect(ended).toMatch(
      /^run \w{8} lost: \d+ events \(the recording stopped before the program ended\)$/,
    )
    const [run] = await runs(db)
    expect(run).toMatchObject({ status: 'lost' })
    const steps = (await comparableEvents(db)) as TraceEvent[]
    expect(steps.map((e) => e.locals['steps']).filter(Boolean)).toContain('[0, 1, 2]')
  })

  it.skipIf(ownAddress === undefined)(
    'takes runs on every interface with a token, from this machine’s own address',
    async () => {
      const db = store.database(dir.path)
      const recorder = await receiver([
        'record',
        '-d',
        db,
        '--listen',
        '0.0.0.0:0',
        '--token',
        's3-sixteen-chars',
      ])
      const port = new URL(recorder.url).port
      touch('go')
      touch('go2')
      const sent = await smiley(
        [
          'run',
          '--remote',
          `http://${ownAddress}:${port}`,
          '--token',
          's3-sixteen-chars',
          'waits.py',
          '5000',
        ],
        { cwd: dir.path },
      )
      expect([sent.code, sent.stderr]).toEqual([0, ''])
      await recorder.line(/ completed: /)
      const [run] = await runs(db)
      expect(run).toMatchObject({ status: 'completed', lostEvents: 0 })
      expect(run!.eventCount).toBeGreaterThan(10_000)
    },
  )
})

describe('smiley monitor', () => {
  it('prints the events of a run while the program is still running', async () => {
    const monitor = await receiver(['monitor', '--exit'])
    const sender = start(['run', '--remote', monitor.url, 'waits.py', '10'])
    await sender.line(/^ready$/)
    // The program cannot end before `go` exists: these lines were printed while it ran.
    await monitor.line(/^waits\.py: +5:MainThread: print\("ready", flush=True\)$/)
    await monitor.line(/^ +steps = \[0, 1, 2\]$/)
    expect(monitor.stdout[0]).toMatch(/^run \w{8} started: waits\.py 10 \(host .+\)$/)
    expect(sender.child.exitCode).toBeNull()
    touch('go')
    touch('go2')
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    expect(await monitor.exited).toEqual({ code: 0, signal: null })
    expect(monitor.stdout).toContain(
      'waits.py:  12:MainThread: print("finished", total, flush=True)',
    )
    expect(monitor.stdout.at(-1)).toMatch(/^run \w{8} completed: \d+ events$/)
    expect(sender.stderr).toEqual([])
  })
})
