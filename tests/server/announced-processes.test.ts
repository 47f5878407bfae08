/**
 * Finding the processes that still carry a recording's announcement, on the real /proc: only
 * those started since the recording began are read.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { announcedProcesses, nextPid } from '../../server/children/announced-processes.js'

const started: ChildProcess[] = []
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL')
})

/** A process that lives a while with `marker` in its environment. */
function carrying(marker: string): ChildProcess {
  const child = spawn('sleep', ['30'], { env: { ...process.env, SMILEY_TEST_MARK: marker } })
  started.push(child)
  return child
}

describe('the processes that carry an announcement', () => {
  it('are found among those started since, and among all', () => {
    const marker = `mark-${randomBytes(8).toString('hex')}`
    const since = nextPid()
    expect(since).not.toBeNull()
    const child = carrying(marker)
    expect(announcedProcesses(marker, since)).toEqual([child.pid])
    expect(announcedProcesses(marker)).toEqual([child.pid])
    child.kill('SIGKILL')
  })

  it('are not read when they started before the recording began, unless the numbers wrapped', async () => {
    const marker = `mark-${randomBytes(8).toString('hex')}`
    const child = carrying(marker)
    await new Promise((done) => child.once('spawn', done))
    const since = nextPid()!
    expect(announcedProcesses(marker)).toEqual([child.pid])
    const wrapped = nextPid()! < since
    expect(announcedProcesses(marker, since)).toEqual(wrapped ? [child.pid] : [])
  })
})
