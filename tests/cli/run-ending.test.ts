/**
 * How a run ends when the program leaves an exception in sys.last_value without it being
 * uncaught (pytest does, for debuggers, and so do its xdist workers): the process's own exit,
 * not an error, for a program and for a child process, whose exit status its recorder
 * cannot see.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'leaves.py': `
import sys
try:
    raise ValueError("kept for a debugger")
except ValueError as error:
    sys.last_type, sys.last_value, sys.last_traceback = type(error), error, error.__traceback__
print("left", flush=True)
`,
    'raises.py': `
def parse():
    raise KeyError("uncaught")
parse()
`,
    'own_hook.py': `
import sys
sys.excepthook = lambda kind, value, tb: print("own hook:", kind.__name__)
raise RuntimeError("with a hook of its own")
`,
    'parent.py': `
import subprocess, sys
for child in ("leaves.py", "raises.py"):
    done = subprocess.run([sys.executable, child], stderr=subprocess.DEVNULL)
    print(child, done.returncode, flush=True)
`,
  })
})
afterAll(() => dir.remove())

async function runsOf(db: string): Promise<Run[]> {
  const listed = await smiley(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

describe('how a run ends', { timeout: 60_000 }, () => {
  it('is completed when the program left an exception in sys.last_value and exited normally', async () => {
    const db = store.database(dir.path, 'leaves')
    const result = await smiley(['run', '-d', db, 'leaves.py'], { cwd: dir.path })
    expect(result).toMatchObject({ code: 0, stdout: 'left\n' })
    const [run] = await runsOf(db)
    expect(run).toMatchObject({ status: 'completed', exitCode: 0, errorType: null })
  })

  it('is an error with the exception when it was uncaught, with our hook or the program’s own', async () => {
    const db = store.database(dir.path, 'raises')
    const raised = await smiley(['run', '-d', db, 'raises.py'], { cwd: dir.path })
    expect(raised.code).toBe(1)
    const hooked = await smiley(['run', '-d', db, 'own_hook.py'], { cwd: dir.path })
    expect(hooked).toMatchObject({ code: 1, stdout: 'own hook: RuntimeError\n' })
    const runs = await runsOf(db)
    expect(
      runs.map((run) => [run.description, run.status, run.exitCode, run.errorType]).sort(),
    ).toEqual([
      ['own_hook.py', 'error', 1, 'RuntimeError'],
      ['raises.py', 'error', 1, 'KeyError'],
    ])
  })

  it('tells a child that left an exception behind from one that raised it', async () => {
    const db = store.database(dir.path, 'children')
    const result = await smiley(['run', '-d', db, 'parent.py'], { cwd: dir.path })
    expect(result).toMatchObject({ code: 0, stdout: 'left\nleaves.py 0\nraises.py 1\n' })
    const children = (await runsOf(db)).filter((run) => run.process?.parent)
    expect(
      children.map((run) => [run.description, run.status, run.exitCode, run.errorType]).sort(),
    ).toEqual([
      ['leaves.py', 'completed', 0, null],
      ['raises.py', 'error', 1, 'KeyError'],
    ])
  })
})
