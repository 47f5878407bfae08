/** Every supported interpreter found here records through `smiley run`, end to end. */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { findPythons } from '../../scripts/lib/pythons.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

const { found, missing } = findPythons()
if (missing.length > 0)
  console.warn(`end-to-end runs skipped for Python ${missing.join(', ')}: not installed here`)

let dir: { path: string; remove: () => void }
beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'prog.py': `
import threading

def work(items):
    seen = {}
    for item in items:
        seen[item] = len(item)
    return seen

def gen():
    yield "x"

worker = threading.Thread(target=work, args=(["a", "bb"],), name="helper")
worker.start()
worker.join()
result = work(list(gen()))
`,
  })
})
afterAll(() => dir.remove())

describe.concurrent('smiley run --python', () => {
  it.each(found)('records Python $version', async ({ version, path }) => {
    const db = join(dir.path, `py${version}.db`)
    const result = await smiley(['run', '-d', db, '--python', path, 'prog.py'], { cwd: dir.path })
    expect(result.code, result.stderr).toBe(0)
    const [run] = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Run[]
    expect(run!.pythonVersion!.startsWith(`${version}.`)).toBe(true)
    expect(run!.backend).toBe(Number(version.split('.')[1]) >= 12 ? 'monitoring' : 'settrace')
    const events = (await smiley(['replay', '--json', '-d', db, 'latest'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceEvent)
    const helper = events.filter((e) => e.threadName === 'helper')
    expect(helper[0]).toMatchObject({
      kind: 'call',
      function: 'work',
      depth: 0,
      locals: { items: "['a', 'bb']" },
    })
    expect(helper.at(-1)).toMatchObject({ kind: 'return', value: "{'a': 1, 'bb': 2}" })
    const main = events.filter((e) => e.threadName === 'MainThread')
    expect(main.find((e) => e.kind === 'return' && e.function === 'gen')).toMatchObject({
      value: "'x'",
      yielded: true,
    })
    expect(main.at(-1)).toMatchObject({
      kind: 'return',
      function: '<module>',
      locals: { result: "{'x': 1}" },
    })
  })
})
