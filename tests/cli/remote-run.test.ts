/**
 * Remote recording, the sending side: `smiley run --remote` never lets the program notice
 * when the recorder is down, slow, gone or refusing; and where receivers may listen.
 */

import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import { smiley } from '../support/cli.js'
import {
  comparableEvents,
  freePort,
  receiver,
  remoteFolder,
  runs,
  start,
  touch,
} from '../support/remote.js'
import { queryRun, storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

const dir = remoteFolder()

describe('smiley run --remote', () => {
  it('runs the program when the recorder is down, says so in one line, and keeps its exit status', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const result = await smiley(['run', '--remote', url, 'shop.py', '4'], { cwd: dir.path })
    expect(result.code).toBe(4)
    expect(result.stdout).toContain('filled')
    expect(result.stderr).toBe(
      `smiley: cannot reach the recorder at ${url} (connection refused); the program runs, but this run is not recorded\n`,
    )
  })

  it('carries on when the recorder stops mid-run and says in one line how much was lost', async () => {
    const db = store.database(dir.path)
    const recorder = await receiver(['record', '-d', db])
    const sender = start(['run', '--remote', recorder.url, 'waits.py'])
    await sender.line(/^ready$/)
    await recorder.line(/ started: /)
    recorder.child.kill('SIGKILL')
    await recorder.exited
    touch('go')
    touch('go2')
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    expect(sender.stdout).toEqual(['ready', 'finished 1999000'])
    expect(sender.stderr).toHaveLength(1)
    expect(sender.stderr[0]).toMatch(
      new RegExp(
        `^smiley: lost the recorder at ${recorder.url} \\(connection refused\\): [\\d,]+ events were not recorded$`,
      ),
    )
  })

  it('drops events, never definitions, when the recorder falls behind, and counts them', async () => {
    const db = store.database(dir.path)
    const recorder = await receiver(['record', '-d', db])
    const sender = start([
      'run',
      '--remote',
      recorder.url,
      '--remote-buffer',
      '100000',
      'waits.py',
      '20000',
    ])
    await sender.line(/^ready$/)
    await recorder.line(/ started: /)
    recorder.child.kill('SIGSTOP')
    touch('go')
    await sender.line(/^finished/)
    recorder.child.kill('SIGCONT')
    touch('go2')
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    expect(sender.stderr).toHaveLength(1)
    const dropped = /fell behind: ([\d,]+) events were dropped from the run$/.exec(
      sender.stderr[0]!,
    )
    expect(dropped, sender.stderr[0]).not.toBeNull()
    await recorder.line(/ completed: /)
    const [run] = await runs(db)
    expect(run!.lostEvents).toBe(Number(dropped![1]!.replace(/,/g, '')))
    expect(run!.lostEvents).toBeGreaterThan(1000)
    expect(run!.status).toBe('completed')
    // Every event kept still has its function, file and source; the profile, sent last, is there.
    const events = (await comparableEvents(db)) as TraceEvent[]
    expect(events).toHaveLength(run!.eventCount)
    for (const event of events)
      expect(event).toMatchObject({ function: '<module>', source: expect.any(String) })
    expect(
      await queryRun(db, 'latest', 'SELECT run FROM profiles WHERE functions > 0'),
    ).toHaveLength(1)
    expect(await queryRun(db, 'latest', 'SELECT path FROM files')).toEqual([
      { path: join(dir.path, 'waits.py') },
    ])
  })

  it('says in one line that the recorder refused the token, and the recorder stores nothing', async () => {
    const db = store.database(dir.path)
    const recorder = await receiver(['record', '-d', db, '--token', 'right'])
    const wrong = await smiley(
      ['run', '--remote', recorder.url, '--token', 'wrong', 'shop.py', '2'],
      {
        cwd: dir.path,
      },
    )
    expect(wrong.code).toBe(2)
    expect(wrong.stdout).toContain('filled')
    expect(wrong.stderr).toBe(
      `smiley: the recorder at ${recorder.url} refused the token; the program runs, but this run is not recorded\n`,
    )
    const none = await smiley(['run', '--remote', recorder.url, 'shop.py'], { cwd: dir.path })
    expect(none.code).toBe(0)
    expect(none.stderr).toMatch(
      /^smiley: the recorder at \S+ needs a token \(give --token or set SMILEY_TOKEN\); /,
    )
    recorder.child.kill('SIGTERM')
    expect((await recorder.exited).code).toBe(0)
    expect(recorder.stdout).toEqual([])
    expect(await runs(db)).toEqual([])
  })
})

describe('listening', () => {
  it('says in one line that the port is in use', async () => {
    const first = await receiver(['record', '-d', store.database(dir.path, 'a')])
    const port = new URL(first.url).port
    for (const command of ['record', 'monitor']) {
      const second = await smiley([command, '--listen', `127.0.0.1:${port}`], { cwd: dir.path })
      expect(second.code).toBe(1)
      expect(second.stderr).toBe(`smiley: port ${port} is in use: choose another with --listen\n`)
    }
  })

  it('refuses to listen beyond loopback without a token', async () => {
    for (const command of ['record', 'monitor']) {
      const result = await smiley([command, '--listen', '0.0.0.0:0'], { cwd: dir.path })
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        'smiley: listening on 0.0.0.0 lets other machines send runs: give a --token (or SMILEY_TOKEN)\n',
      )
    }
  })
})
