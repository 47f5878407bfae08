/**
 * A PostgreSQL store finds a finished run named by its whole id without asking the server
 * again for a moment (server/store/postgres/found-runs.ts), as the explorer asks at every
 * step; yet a running run is always asked for, a change made through the store or announced
 * on the change feed is seen at once, and any other change within FRESH_MS.
 */

import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RunNotFound, type NewRun, type RunEnding } from '../../server/db/runs.js'
import { FRESH_MS } from '../../server/store/postgres/found-runs.js'
import { PostgresStore } from '../../server/store/postgres/postgres-store.js'
import { startPostgres } from '../support/postgres.js'
import { sleep, waitFor } from '../support/wait.js'

const postgres = await startPostgres()
let store: PostgresStore
let other: PostgresStore

beforeAll(async () => {
  if (postgres === null) return
  postgres.createDatabase('found')
  store = await PostgresStore.open(postgres.url('found'))
  other = await PostgresStore.open(postgres.url('found'))
})
afterAll(async () => {
  await store?.close()
  await other?.close()
  postgres?.stop()
})

function newRun(description: string): NewRun {
  return {
    uuid: randomUUID(),
    description,
    argv: ['prog.py'],
    cwd: '/',
    python: null,
    pythonVersion: null,
    host: null,
    pid: null,
    backend: null,
    startedAt: Date.now() / 1000,
    options: {},
  }
}

const ended: RunEnding = {
  status: 'completed',
  endedAt: Date.now() / 1000,
  exitCode: 0,
  signal: null,
  errorType: null,
  errorMessage: null,
  traceback: null,
}

/** A run written through `other`, ended unless `running`. */
async function recorded(running = false): Promise<{ uuid: string; key: number }> {
  const run = newRun('found-runs test')
  const key = await other.createRun(run)
  if (!running) await other.endRun(key, ended, null)
  return { uuid: run.uuid, key }
}

/** Changes the run's description behind every store's back, as another program could. */
function describeAs(uuid: string, description: string): void {
  postgres!.sql('found', `UPDATE runs SET description = '${description}' WHERE uuid = '${uuid}'`)
}

describe.skipIf(postgres === null)('finding a run on PostgreSQL', () => {
  it('a finished run named by its id is found again without the server for a moment, then asked for again', async () => {
    const { uuid } = await recorded()
    expect((await store.findRun(uuid)).run.description).toBe('found-runs test')
    describeAs(uuid, 'changed behind its back')
    const started = performance.now()
    expect((await store.findRun(uuid)).run.description).toBe('found-runs test')
    if (performance.now() - started < FRESH_MS / 2) {
      await sleep(FRESH_MS + 50)
      expect((await store.findRun(uuid)).run.description).toBe('changed behind its back')
    }
  })

  it('a running run is asked for every time: its event count as the server has it', async () => {
    const { uuid, key } = await recorded(true)
    expect((await store.findRun(uuid)).run.status).toBe('running')
    describeAs(uuid, 'seen at once')
    expect((await store.findRun(uuid)).run.description).toBe('seen at once')
    await other.endRun(key, ended, null)
    expect((await store.findRun(uuid)).run.status).toBe('completed')
  })

  it('a prefix of the id is asked for every time: another run may come to share it', async () => {
    const { uuid } = await recorded()
    const prefix = uuid.slice(0, 13)
    await store.findRun(prefix)
    describeAs(uuid, 'named by a prefix')
    expect((await store.findRun(prefix)).run.description).toBe('named by a prefix')
  })

  it('a run deleted through the store is not found any more, at once', async () => {
    const { uuid } = await recorded()
    const found = await store.findRun(uuid)
    await store.deleteRun(found.key)
    await expect(store.findRun(uuid)).rejects.toThrow(RunNotFound)
  })

  it('a notice set through the store is seen at once', async () => {
    const { uuid, key } = await recorded()
    await store.findRun(uuid)
    await store.setNotice(key, 'a notice')
    expect((await store.findRun(uuid)).run.notice).toBe('a notice')
  })

  it('a run another process changes is seen as soon as the change feed says so, when the store is watched', async () => {
    const heard: number[] = []
    const stop = await store.watch((run) => heard.push(run))
    const told = (key: number, times: number) => () =>
      heard.filter((run) => run === key).length >= times
    try {
      const { uuid, key } = await recorded()
      await waitFor('its start and end announced', told(key, 2), 10_000)
      await store.findRun(uuid)
      await other.setNotice(key, 'from another process')
      await waitFor('the notice announced', told(key, 3), 10_000)
      expect((await store.findRun(uuid)).run.notice).toBe('from another process')
      await other.deleteRun(key)
      await waitFor('the deletion announced', told(key, 4), 10_000)
      await expect(store.findRun(uuid)).rejects.toThrow(RunNotFound)
    } finally {
      await stop()
    }
  })
})
