/**
 * Reading what a database holds the way a user does (`smiley list --json`, `smiley replay
 * --json`), a recorded run served by a real `smiley server`, and runs left by a recorder
 * that died.
 */

import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { spawnServer, type ServerProcess } from '../support/server-process.js'

/** Every run of `database`, newest first. */
export async function listRuns(database: string): Promise<Run[]> {
  const listed = await smiley(['list', '-d', database, '--json'])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

/** Makes every run of `database` look like one still recording, by a process that has died. */
export async function orphan(database: string): Promise<void> {
  const gone = spawn('true')
  await new Promise((exited) => gone.once('exit', exited))
  const db = new Database(database)
  try {
    db.prepare("UPDATE runs SET status = 'running', recorder_host = ?, recorder_pid = ?").run(
      hostname(),
      gone.pid,
    )
  } finally {
    db.close()
  }
}

/** Every event of `run`, as `smiley replay --json` prints them. */
export async function replayEvents(database: string, run: string): Promise<TraceEvent[]> {
  const replayed = await smiley(['replay', '-d', database, '--json', run], { timeoutMs: 120_000 })
  expect(replayed.code, replayed.stderr).toBe(0)
  return replayed.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceEvent)
}

/** Events numbered 1, 2, 3… with none missing or repeated, as many as the run says it has. */
export function expectDense(events: TraceEvent[], run: Run): void {
  expect(events.length).toBe(run.eventCount)
  const gaps = events.filter((event, index) => event.seq !== index + 1)
  expect(gaps.slice(0, 3)).toEqual([])
}

/** The last value a local variable was given in a run. */
export function lastValue(events: TraceEvent[], name: string): string | null | undefined {
  for (let at = events.length - 1; at >= 0; at -= 1) {
    const locals = events[at]!.locals
    if (name in locals) return locals[name]
  }
  return undefined
}

/** A folder with `quick.py`, a database holding one run of it, and a real `smiley server` over it. */
export interface ServedRun {
  dir: { path: string; remove: () => void }
  database: string
  server: ServerProcess
  run: Run
}

export async function serveRecordedRun(source: string): Promise<ServedRun> {
  const dir = tempDir()
  writePrograms(dir.path, { 'quick.py': source })
  const database = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', database, 'quick.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  const server = await spawnServer(database)
  const run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
  return { dir, database, server, run }
}

/** Stops the server, which must exit cleanly, and removes the folder. */
export async function stopServedRun({ dir, server }: ServedRun): Promise<void> {
  expect(await server.stop()).toBe(0)
  dir.remove()
}
