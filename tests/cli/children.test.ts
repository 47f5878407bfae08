/**
 * Child processes: every Python process a recorded program starts is recorded into the same
 * database as a run of its own, linked to the run that started it, with an honest status
 * however it ends. Real programs, real interpreters.
 */

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { openDatabase } from '../../server/db/database.js'
import { readEvents } from '../../server/db/events.js'
import { findRun } from '../../server/db/runs.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { findPythons } from '../../scripts/lib/pythons.js'

let dir: { path: string; remove: () => void }

/** `smiley`, given the time a busy machine needs for several interpreters. */
const smileyPatiently = (args: string[], options: Parameters<typeof smiley>[1] = {}) =>
  smiley(args, { timeoutMs: 200_000, ...options })
beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'pool.py': `
import multiprocessing, sys

def square(n):
    result = n * n
    return result

if __name__ == "__main__":
    pool = multiprocessing.get_context(sys.argv[1]).Pool(2)
    print(pool.map(square, range(4)))
    pool.close()
    pool.join()
`,
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
    'stdlib_child.py': `
import subprocess, sys

# Children that record nothing (a module of the standard library, a --function that never
# runs there): what their own stderr says is theirs alone.
done = subprocess.run([sys.executable, "-m", "json.tool"], input='{"a": 1}', capture_output=True, text=True)
print(repr(done.stdout), repr(done.stderr), done.returncode)
`,
    'child.py': `
import sys

def count(n):
    total = 0
    for i in range(n):
        total += i
    return total

print("child", count(int(sys.argv[1])))
`,
    'executor.py': `
import concurrent.futures, os, sys

def cube(n):
    return n ** 3

if __name__ == "__main__":
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=__import__("multiprocessing").get_context("fork")) as pool:
        print(list(pool.map(cube, range(4))))
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "child.py", "3"])
    os.wait()
`,
    'code_child.py': `
import subprocess, sys
subprocess.run([sys.executable, "-c", "def twice(n):\\n    return n * 2\\nimport sys\\nprint(twice(21), *sys.argv[1:])", "extra"])
subprocess.run([sys.executable, "-uc", "x = 5\\nprint(x)"])
`,
    'killed.py': `
import signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "sleeper.py"], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline() == "ready\\n"
time.sleep(0.3)  # its events reach the recorder (the tracer sends them every 50 ms)
child.send_signal(signal.SIGKILL)
print("child", child.wait())
`,
    'sleeper.py': `
import sys, time

def prepare():
    steps = [1, 2, 3]
    return sum(steps)

prepare()
print("ready", flush=True)
time.sleep(60)
`,
    'orphaning.py': `
import subprocess, sys
subprocess.Popen([sys.executable, "late.py", sys.argv[1]])
print("parent done")
sys.exit(3)
`,
    'late.py': `
import sys, time

def finish(path):
    time.sleep(1)
    with open(path, "w") as out:
        out.write("late child done")
    return path

finish(sys.argv[1])
`,
  })
})
afterAll(() => dir.remove())

async function runsOf(db: string): Promise<Run[]> {
  const listed = await smileyPatiently(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

/** The events of a run, read as `smiley replay` reads them. */
function eventsOf(path: string, run: Run): TraceEvent[] {
  const db = openDatabase(path)
  try {
    return [...readEvents(db, findRun(db, run.id).key)]
  } finally {
    db.close()
  }
}

/** The calls of `name` in a run, by their locals. */
function callsOf(path: string, run: Run, name: string): Array<Record<string, string | null>> {
  return eventsOf(path, run)
    .filter((e) => e.kind === 'call' && e.function === name)
    .map((e) => e.locals)
}

function topRun(runs: Run[]): Run {
  const tops = runs.filter((run) => run.process === undefined)
  expect(tops).toHaveLength(1)
  return tops[0]!
}

// Each test runs several interpreters: slow on a busy machine.
describe.concurrent('child processes', { timeout: 240_000 }, () => {
  for (const method of ['fork', 'spawn'] as const) {
    it(`records each worker of a multiprocessing pool (${method}) as a run of its parent`, async () => {
      const db = join(dir.path, `pool-${method}.db`)
      const result = await smileyPatiently(['run', '-d', db, 'pool.py', method], { cwd: dir.path })
      expect(result.stdout).toBe('[0, 1, 4, 9]\n')
      expect(result.code, result.stderr).toBe(0)
      const runs = await runsOf(db)
      const top = topRun(runs)
      expect(top.status).toBe('completed')
      const workers = runs.filter((run) => run.process !== undefined)
      expect(workers).toHaveLength(2)
      for (const worker of workers) {
        expect(worker.process).toMatchObject({
          parent: top.id,
          startedBy: `multiprocessing-${method}`,
        })
        // Started where the parent made its pool.
        expect(worker.process!.parentSeq).toBeGreaterThan(0)
        expect(worker.status).toBe('completed')
        expect(worker.description).toBe(`pool.py ${method}`)
        expect(worker.pid).not.toBe(top.pid)
      }
      // Every square ran in a worker, recorded there; the parent called it never.
      const squared = workers.flatMap((w) => callsOf(db, w, 'square'))
      expect(squared.map((locals) => locals['n']).sort()).toEqual(['0', '1', '2', '3'])
      expect(callsOf(db, top, 'square')).toEqual([])
    })
  }

  it('records a Python subprocess and an os.fork child, each linked to its parent', async () => {
    const db = join(dir.path, 'parent.db')
    const result = await smileyPatiently(['run', '-d', db, 'parent.py'], { cwd: dir.path })
    expect(result.stdout).toBe('child 6\nfork 3\n')
    expect(result.code, result.stderr).toBe(0)
    const runs = await runsOf(db)
    const top = topRun(runs)
    const child = runs.find((run) => run.process?.startedBy === 'subprocess')!
    expect(child).toMatchObject({
      description: 'child.py 4',
      status: 'completed',
      exitCode: 0,
      process: { parent: top.id },
    })
    expect(callsOf(db, child, 'count')).toEqual([{ n: '4' }])
    const forked = runs.find((run) => run.process?.startedBy === 'fork')!
    expect(forked).toMatchObject({
      description: 'parent.py',
      exitCode: 3,
      process: { parent: top.id },
    })
    expect(callsOf(db, forked, 'work')).toEqual([{ n: '3' }])
    // Each child links to the place of the parent's trace where it was started.
    const parentEvents = eventsOf(db, top)
    const at = (run: Run) => parentEvents.find((e) => e.seq === run.process!.parentSeq)!
    expect(at(child).source).toContain('subprocess.run(')
    expect(at(forked).source).toContain('os.fork()')
    // The parent's run holds its own events alone.
    expect(callsOf(db, top, 'count')).toEqual([])
    expect(callsOf(db, top, 'work')).toEqual([])
    // smiley list puts both under their parent, each saying how it was started.
    const listed = await smileyPatiently(['list', '-d', db])
    const lines = listed.stdout.trimEnd().split('\n').slice(1)
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(new RegExp(`^${top.id.slice(0, 8)} .* parent\\.py$`))
    const lineOf = (run: Run) => lines.find((line) => line.includes(run.id.slice(0, 8)))!
    expect(lines.indexOf(lineOf(child))).toBeGreaterThan(0)
    expect(lines.indexOf(lineOf(forked))).toBeGreaterThan(0)
    expect(lineOf(child)).toMatch(
      new RegExp(
        `^  └ ${child.id.slice(0, 8)} .* child\\.py 4 \\[subprocess, pid ${child.pid}\\]$`,
      ),
    )
    expect(lineOf(forked)).toMatch(
      new RegExp(
        `^  └ ${forked.id.slice(0, 8)} .* parent\\.py \\[fork, pid ${forked.pid}\\] +exited with status 3$`,
      ),
    )
    const shown = await smileyPatiently(['show', '--json', '-d', db, child.id])
    expect(JSON.parse(shown.stdout)).toMatchObject({
      process: { parent: top.id, startedBy: 'subprocess' },
    })
    // Its children started after it, yet latest is the run the user started.
    const latest = await smileyPatiently(['show', '--json', '-d', db, 'latest'])
    expect(JSON.parse(latest.stdout)).toMatchObject({ id: top.id })
  })

  it("leaves a child's stderr as its program wrote it, saying on the child's run why it recorded nothing", async () => {
    const db = join(dir.path, 'stdlib-child.db')
    const expected = `'{\\n    "a": 1\\n}\\n' '' 0\n`
    const result = await smileyPatiently(['run', '-d', db, 'stdlib_child.py'], { cwd: dir.path })
    expect(result.stdout).toBe(expected)
    expect(result.code, result.stderr).toBe(0)
    const child = (await runsOf(db)).find((run) => run.process !== undefined)!
    expect(child.notice).toBe(
      'nothing was recorded: json.tool is in the standard library, which is not recorded by default (--include-stdlib records it)',
    )
    const scoped = join(dir.path, 'stdlib-child-function.db')
    const args = ['run', '-d', scoped, '--function', 'nosuchfunction', 'stdlib_child.py']
    const again = await smileyPatiently(args, { cwd: dir.path })
    expect(again.stdout).toBe(expected)
    expect(again.stderr).toBe(
      'smiley: --function nosuchfunction: no function of that name ran, so nothing of it was recorded\n',
    )
  })

  it('records a process pool executor, and a fork that replaced itself (exec) under the fork', async () => {
    const db = join(dir.path, 'executor.db')
    const result = await smileyPatiently(['run', '-d', db, 'executor.py'], { cwd: dir.path })
    expect(result.stdout).toBe('[0, 1, 8, 27]\nchild 3\n')
    expect(result.code, result.stderr).toBe(0)
    const runs = await runsOf(db)
    const top = topRun(runs)
    const workers = runs.filter((run) => run.process?.startedBy === 'multiprocessing-fork')
    // The executor starts its workers as work comes: one or two.
    expect(workers.length).toBeGreaterThan(0)
    for (const worker of workers) expect(worker.process!.parent).toBe(top.id)
    const cubed = workers.flatMap((worker) => callsOf(db, worker, 'cube'))
    expect(cubed.map((locals) => locals['n']).sort()).toEqual(['0', '1', '2', '3'])
    // The fork ended where it replaced itself; the program it became is its child, same pid.
    const forked = runs.find((run) => run.process?.startedBy === 'fork')!
    expect(forked).toMatchObject({ status: 'completed', process: { parent: top.id } })
    const execed = runs.find((run) => run.process?.startedBy === 'exec')!
    expect(execed).toMatchObject({
      description: 'child.py 3',
      status: 'completed',
      pid: forked.pid,
      process: { parent: forked.id },
    })
    expect(callsOf(db, execed, 'count')).toEqual([{ n: '3' }])
  })

  it('marks a child killed by SIGKILL as lost, keeping the events that reached the recorder', async () => {
    const db = join(dir.path, 'killed.db')
    const result = await smileyPatiently(['run', '-d', db, 'killed.py'], { cwd: dir.path })
    expect(result.stdout).toBe('child -9\n')
    expect(result.code, result.stderr).toBe(0)
    const runs = await runsOf(db)
    const top = topRun(runs)
    expect(top.status).toBe('completed')
    const sleeper = runs.find((run) => run.process !== undefined)!
    expect(sleeper).toMatchObject({ description: 'sleeper.py', status: 'lost' })
    expect(sleeper.errorMessage).toMatch(/before the program ended/)
    expect(callsOf(db, sleeper, 'prepare')).toEqual([{}])
  })

  it('waits for a child that outlives its parent, and exits with the parent status', async () => {
    const db = join(dir.path, 'orphaning.db')
    const marker = join(dir.path, 'late.txt')
    const result = await smileyPatiently(['run', '-d', db, 'orphaning.py', marker], {
      cwd: dir.path,
    })
    expect(result.stdout).toBe('parent done\n')
    expect(result.code).toBe(3)
    // smiley ended after the child: its work is done and its run complete.
    expect(existsSync(marker)).toBe(true)
    const runs = await runsOf(db)
    const top = topRun(runs)
    expect(top).toMatchObject({ status: 'error', exitCode: 3 })
    const late = runs.find((run) => run.process !== undefined)!
    expect(late).toMatchObject({ status: 'completed', process: { parent: top.id } })
    expect(late.endedAt!).toBeGreaterThan(top.endedAt!)
    expect(callsOf(db, late, 'finish')).toEqual([{ path: `'${marker}'` }])
  })

  // sys.settrace before 3.12, sys.monitoring from 3.12: the same tree on every version.
  for (const python of findPythons().found) {
    it(`records a subprocess and a fork on Python ${python.version}`, async () => {
      const db = join(dir.path, `parent-${python.version}.db`)
      const result = await smileyPatiently(
        ['run', '--python', python.path, '-d', db, 'parent.py'],
        {
          cwd: dir.path,
        },
      )
      expect(result.stdout).toBe('child 6\nfork 3\n')
      expect(result.code, result.stderr).toBe(0)
      const runs = await runsOf(db)
      const top = topRun(runs)
      expect(top.pythonVersion).toMatch(new RegExp(`^${python.version.replace('.', '\\.')}\\.`))
      const startedBy = runs.map((run) => run.process?.startedBy ?? 'top').sort()
      expect(startedBy).toEqual(['fork', 'subprocess', 'top'])
      for (const run of runs) expect(run.status, run.description).toMatch(/completed|error/)
      const child = runs.find((run) => run.process?.startedBy === 'subprocess')!
      expect(callsOf(db, child, 'count')).toEqual([{ n: '4' }])
      const forked = runs.find((run) => run.process?.startedBy === 'fork')!
      expect(callsOf(db, forked, 'work')).toEqual([{ n: '3' }])
    })
  }

  // 3.8 and 3.9 have no sys.orig_argv: the code is read from /proc/self/cmdline there.
  for (const python of findPythons().found.filter((p) => ['3.8', '3.13'].includes(p.version))) {
    it(`records the code of a python -c child as its <string> source on Python ${python.version}`, async () => {
      const db = join(dir.path, `code-${python.version}.db`)
      const result = await smileyPatiently(
        ['run', '--python', python.path, '-d', db, 'code_child.py'],
        { cwd: dir.path },
      )
      expect(result.stdout).toBe('42 extra\n5\n')
      expect(result.code, result.stderr).toBe(0)
      const runs = await runsOf(db)
      const children = runs.filter((run) => run.process?.startedBy === 'subprocess')
      expect(children).toHaveLength(2)
      const [twice, clustered] = [...children].sort((a, b) => a.startedAt - b.startedAt)
      const events = eventsOf(db, twice!)
      expect(events.every((event) => event.file === join(dir.path, '<string>'))).toBe(true)
      expect(callsOf(db, twice!, 'twice')).toEqual([{ n: '21' }])
      expect(events.filter((e) => e.kind === 'line').map((e) => e.source)).toEqual([
        'def twice(n):',
        'import sys',
        'print(twice(21), *sys.argv[1:])',
        '    return n * 2',
      ])
      // An option cluster ending in c: -uc CODE.
      expect(
        eventsOf(db, clustered!)
          .filter((e) => e.kind === 'line')
          .map((e) => [e.source, e.locals]),
      ).toEqual([
        ['x = 5', {}],
        ['print(x)', { x: '5' }],
      ])
    })
  }

  it('records the top process alone with --no-children', async () => {
    const db = join(dir.path, 'alone.db')
    const result = await smileyPatiently(['run', '--no-children', '-d', db, 'parent.py'], {
      cwd: dir.path,
    })
    expect(result.stdout).toBe('child 6\nfork 3\n')
    const runs = await runsOf(db)
    expect(runs).toHaveLength(1)
    expect(runs[0]!.process).toBeUndefined()
  })
})
