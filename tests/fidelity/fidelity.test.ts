/**
 * The recording is the truth: every program of the corpus, recorded by `smiley run` on every
 * CPython found and with both tracers, read back from the database, matches what an
 * independent collector (reference.py) saw the same program do, event for event.
 */

import { execFile } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findPythons } from '../../scripts/lib/pythons.js'
import { openDatabase } from '../../server/db/database.js'
import { readEvents } from '../../server/db/events.js'
import { findRun } from '../../server/db/runs.js'
import { ROOT, smiley } from '../support/cli.js'
import { compareRecordings, describeDivergence, type ReferenceEvent } from './compare.js'
import { layCorpus, PROGRAMS, type CorpusProgram } from './corpus.js'

const run = promisify(execFile)
const { found, missing } = findPythons()
if (missing.length > 0)
  console.warn(`fidelity tests skipped for Python ${missing.join(', ')}: not installed here`)

const ACCELERATORS = ['python', 'native'] as const
const MAX_REPR = 200
/** The same hash seed for both recordings: sets and dicts of strings iterate alike. */
const ENV = { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' }

async function reference(python: string, folder: string, program: CorpusProgram, name: string) {
  const output = join(folder, `${name}.jsonl`)
  await run(
    python,
    [join(ROOT, 'tests', 'fidelity', 'reference.py'), output, folder, ...program.argv],
    { cwd: folder, env: ENV, maxBuffer: 64 << 20, timeout: 120_000 },
  )
  return readFileSync(output, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReferenceEvent)
}

async function recorded(
  python: string,
  folder: string,
  program: CorpusProgram,
  accelerator: string,
  name: string,
) {
  const database = join(folder, `${name}.db`)
  const result = await smiley(
    [
      'run',
      '--database',
      database,
      '--python',
      python,
      '--accelerator',
      accelerator,
      '--max-repr',
      String(MAX_REPR),
      ...(program.argv[0] === '-m' ? [] : ['--']),
      ...program.argv,
    ],
    { cwd: folder, env: ENV, timeoutMs: 120_000 },
  )
  expect(result.stderr).not.toMatch(/smiley:/)
  const db = openDatabase(database, { readonly: true })
  try {
    const { key, run } = findRun(db, 'latest')
    return { run, events: [...readEvents(db, key)], stdout: result.stdout }
  } finally {
    db.close()
  }
}

describe.each(found)('on Python $version', ({ version, path }) => {
  let folder = ''
  /** Events found identical, per tracer: the suite's summary. */
  const compared: Record<string, number> = { python: 0, native: 0 }
  beforeAll(() => {
    folder = layCorpus(path)
  })
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true })
    console.warn(
      `fidelity, Python ${version}: ` +
        ACCELERATORS.map(
          (a) => `${compared[a]!.toLocaleString('en')} events identical (${a})`,
        ).join(', '),
    )
  })
  const qualifiedNames = Number(version.split('.')[1]) >= 11

  describe.concurrent.each(PROGRAMS)('$name', (program) => {
    it.each(ACCELERATORS)(
      'is recorded by the %s tracer as the reference collector sees it',
      async (accelerator) => {
        for (let n = 0; n < (program.repeat ?? 1); n++) {
          const name = `${PROGRAMS.indexOf(program)}-${accelerator}-${n}`
          const [theirs, ours] = await Promise.all([
            reference(path, folder, program, name),
            recorded(path, folder, program, accelerator, name),
          ])
          const comparison = compareRecordings(ours.events, theirs, {
            folder,
            values: program.values,
            maxRepr: MAX_REPR,
            qualifiedNames,
            ignore: program.ignore,
          })
          expect(describeDivergence(comparison), `run ${n + 1}`).toBe('no divergence')
          expect(comparison.events).toBeGreaterThan(0)
          expect(ours.run.notice).toBeNull()
          compared[accelerator] = compared[accelerator]! + comparison.events
        }
      },
      300_000,
    )
  })

  describe('a recursion to the limit', () => {
    const program = { name: 'recursion', argv: ['recursion_limit.py'], values: false }

    it('is recorded whole by the native tracer, with the program unchanged', async () => {
      const [plain, ours] = await Promise.all([
        run(path, program.argv, { cwd: folder, env: ENV }),
        recorded(path, folder, program, 'native', 'recursion-native'),
      ])
      expect(ours.stdout).toBe(plain.stdout)
      const deepest = Number(/at depth (\d+)/.exec(plain.stdout)![1])
      const frames = new Map<number, string[]>()
      for (const event of ours.events.filter((e) => e.function === 'down'))
        frames.set(event.frame, [...(frames.get(event.frame) ?? []), event.kind])
      expect(frames.size).toBe(deepest + 1)
      for (const kinds of frames.values())
        expect(kinds.slice(-3)).toEqual(['line', 'exception', 'return'])
      const raised = ours.events.filter((e) => e.kind === 'exception')
      expect(new Set(raised.map((e) => e.valueType))).toEqual(new Set(['RecursionError']))
      expect(ours.run.notice).toBeNull()
    })

    it('is marked partial when the Python tracer had no room for its hook', async () => {
      const ours = await recorded(path, folder, program, 'python', 'recursion-python')
      expect(ours.stdout).toMatch(/caught RecursionError at depth \d+\nafter 3\n/)
      expect(ours.run.status).toBe('completed')
      expect(ours.run.notice).toMatch(/recursion limit|not recorded to its end/)
    })
  })
})
