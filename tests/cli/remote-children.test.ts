/**
 * Child processes under `smiley run --remote`: the local smiley still takes each child's
 * stream on its Unix socket and sends it on to the remote recorder as a run of its own, so the
 * recorder holds the same tree a local recording would, with honest endings.
 */

import { describe, expect, it } from 'vitest'
import type { ChildStart } from '../../shared/types/child-start.js'
import type { Run } from '../../shared/types/run.js'
import { smiley } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { freePort, receiver, remoteFolder, runs, start } from '../support/remote.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

const dir = remoteFolder()

/** A parent starting a Python subprocess, a fork, a multiprocessing worker, and a child it kills. */
function writeFamily(): void {
  writePrograms(dir.path, {
    'family.py': `
import multiprocessing, os, signal, subprocess, sys, time

def square(n):
    return n * n

if __name__ == "__main__":
    subprocess.run([sys.executable, "kid.py", "3"])
    pid = os.fork()
    if pid == 0:
        square(5)
        os._exit(4)
    os.waitpid(pid, 0)
    worker = multiprocessing.get_context("fork").Process(target=square, args=(2,))
    worker.start()
    worker.join()
    doomed = subprocess.Popen([sys.executable, "sleeper.py"], stdout=subprocess.PIPE, text=True)
    assert doomed.stdout.readline() == "ready\\n"
    time.sleep(0.3)  # its events reach smiley (the tracer sends every 50 ms)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    print("family done")
`,
    'kid.py': `
import sys

def count(n):
    return sum(range(n))

print("kid", count(int(sys.argv[1])))
`,
    'sleeper.py': `
import time

def prepare():
    return 6

prepare()
print("ready", flush=True)
time.sleep(60)
`,
  })
}

const patiently = { timeoutMs: 200_000 }

describe('smiley run --remote with child processes', { timeout: 240_000 }, () => {
  it('sends each child to the recorder as a run of its own, linked to its parent, with honest endings', async () => {
    writeFamily()
    const db = store.database(dir.path, 'remote')
    const recorder = await receiver(['record', '-d', db])
    const sender = start(['run', '--remote', recorder.url, 'family.py'])
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    expect(sender.stdout).toEqual(['kid 3', 'family done'])
    expect(sender.stderr).toEqual([])
    const recorded = await runs(db)
    expect(recorded).toHaveLength(5)
    const top = recorded.find((run) => run.process === undefined)!
    const by = (startedBy: string, description: string) =>
      recorded.find(
        (run) => run.process?.startedBy === startedBy && run.description === description,
      )!
    expect(top).toMatchObject({ description: 'family.py', status: 'completed' })
    expect(by('subprocess', 'kid.py 3')).toMatchObject({ status: 'completed', exitCode: 0 })
    expect(by('fork', 'family.py')).toMatchObject({ status: 'error', exitCode: 4 })
    expect(by('multiprocessing-fork', 'family.py')).toMatchObject({ status: 'completed' })
    // Killed by SIGKILL: no end from its tracer, and the recorder cannot see its exit.
    expect(by('subprocess', 'sleeper.py')).toMatchObject({
      status: 'lost',
      errorMessage: 'the recording stopped before the program ended',
    })
    for (const run of recorded.filter((r) => r !== top))
      expect(run.process).toMatchObject({ parent: top.id, parentSeq: expect.any(Number) })
    // The parent's trace marks each start with the child's run, as a local recording does.
    const shown = await smiley(['show', '--json', '-d', db, top.id], patiently)
    const starts = (JSON.parse(shown.stdout) as { children: ChildStart[] }).children
    expect(starts.map((s) => s.run?.id).sort()).toEqual(
      recorded
        .filter((r) => r !== top)
        .map((r) => r.id)
        .sort(),
    )
    // The killed child's events reached the recorder.
    const sleeper = by('subprocess', 'sleeper.py')
    const replay = await smiley(['replay', '--json', '-d', db, sleeper.id], patiently)
    expect(replay.stdout).toContain('"function":"prepare"')

    // The same program recorded locally gives the same tree.
    const local = store.database(dir.path, 'local')
    const alone = await smiley(['run', '-d', local, 'family.py'], { cwd: dir.path, ...patiently })
    expect(alone.code, alone.stderr).toBe(0)
    const shape = (list: Run[]) =>
      list
        .map((run) => `${run.process?.startedBy ?? 'top'} ${run.description} ${run.status}`)
        .sort()
    expect(shape(await runs(local))).toEqual(shape(recorded))
  })

  it('sends the top process alone with --no-children', async () => {
    writeFamily()
    const db = store.database(dir.path, 'alone')
    const recorder = await receiver(['record', '-d', db])
    const sender = start(['run', '--remote', recorder.url, '--no-children', 'family.py'])
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    const recorded: Run[] = await runs(db)
    expect(recorded.map((run) => run.process)).toEqual([undefined])
  })

  it('says once that the recorder cannot be reached, for the program and its children', async () => {
    writeFamily()
    const url = `http://127.0.0.1:${await freePort()}`
    const result = await smiley(['run', '--remote', url, 'family.py'], {
      cwd: dir.path,
      ...patiently,
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      `smiley: cannot reach the recorder at ${url} (connection refused); the program runs, but this run is not recorded\n`,
    )
  })
})
