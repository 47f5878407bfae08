/**
 * `smiley run` starts the interpreter while it opens the database, the program held before
 * its first line until the recording is ready (server/record/gate.ts): nothing of the program
 * runs when the database cannot be opened, and an interpreter that ends before its first line
 * ends smiley in one line with its status, no run left behind.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exited } from '../../server/record/outcome.js'
import { FrameReader } from '../../shared/wire/frames.js'
import { launch } from '../../server/record/launch.js'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { itOnSqlite, storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
const python = 'python3'

beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'marks.py': `
import sys
open(sys.argv[1], "w").write("ran")
print("ran", flush=True)
`,
    'exits/sitecustomize.py': 'import os\nos._exit(3)\n',
    'terminated/sitecustomize.py': 'import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n',
    'killed/sitecustomize.py': 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n',
  })
})
afterAll(() => dir.remove())

async function runsOf(db: string): Promise<Run[]> {
  const listed = await smiley(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

/** How many frames of records `bytes` hold (the stream's header is no record). */
function frames(bytes: Buffer): number {
  return [...new FrameReader().push(bytes)].length
}

/** All of a stream, once it has closed. */
async function drained(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

describe('the program held until its recording is ready', { timeout: 60_000 }, () => {
  // A file that is not a database is SQLite's own case.
  itOnSqlite(
    'never runs when the database cannot be opened, and smiley says why in one line',
    async () => {
      const db = join(dir.path, 'not-a-database.db')
      const garbage = 'this is not a SQLite database, '.repeat(8)
      writeFileSync(db, garbage)
      const marker = join(dir.path, 'marker-bad-db')
      const result = await smiley(['run', '-d', db, 'marks.py', marker], { cwd: dir.path })
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(/not a SQLite database/)
      expect(existsSync(marker)).toBe(false)
      expect(readFileSync(db, 'utf8')).toBe(garbage)
    },
  )

  it('ends in one line with the status of an interpreter that exits before the first line', async () => {
    const db = store.database(dir.path, 'exits')
    const marker = join(dir.path, 'marker-exits')
    const result = await smiley(['run', '-d', db, 'marks.py', marker], {
      cwd: dir.path,
      env: { PYTHONPATH: join(dir.path, 'exits') },
    })
    expect(result.code).toBe(3)
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/exited before Smiley's tracer started \(exit status 3\)$/),
    ])
    expect(existsSync(marker)).toBe(false)
    expect(await runsOf(db)).toEqual([])
  })

  it('dies quietly of a SIGTERM that stopped the interpreter before the first line', async () => {
    const db = store.database(dir.path, 'terminated')
    const result = await smiley(['run', '-d', db, 'marks.py', join(dir.path, 'marker-term')], {
      cwd: dir.path,
      env: { PYTHONPATH: join(dir.path, 'terminated') },
    })
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM', stderr: '' })
    expect(await runsOf(db)).toEqual([])
  })

  it('says in one line that the interpreter was killed before the first line', async () => {
    const db = store.database(dir.path, 'killed')
    const result = await smiley(['run', '-d', db, 'marks.py', join(dir.path, 'marker-kill')], {
      cwd: dir.path,
      env: { PYTHONPATH: join(dir.path, 'killed') },
    })
    expect(result).toMatchObject({ code: null, signal: 'SIGKILL' })
    expect(result.stderr).toMatch(/exited before Smiley's tracer started \(killed by SIGKILL\)\n$/)
    expect(await runsOf(db)).toEqual([])
  })
})

describe('the tracer at the gate', { timeout: 30_000 }, () => {
  const held = (marker: string) =>
    launch(
      python,
      { kind: 'script', path: join(dir.path, 'marks.py'), args: [marker] },
      {
        run: 'held',
        maxRepr: 200,
        redact: true,
        profile: false,
        includeStdlib: false,
        includeSitePackages: false,
        includePackages: [],
      },
      process.env,
      {},
      true,
    )

  it('sends no record and runs nothing until the gate opens, then records the program', async () => {
    const marker = join(dir.path, 'marker-open')
    const { child, stream, gate } = held(marker)
    const received: Buffer[] = []
    stream.on('data', (chunk: Buffer) => received.push(chunk))
    // Long enough for the interpreter to reach the gate, which it must not pass alone.
    await new Promise((done) => setTimeout(done, 1500))
    expect(frames(Buffer.concat(received))).toBe(0)
    expect(existsSync(marker)).toBe(false)
    gate!.open()
    expect(await exited(child)).toEqual({ code: 0, signal: null })
    expect(existsSync(marker)).toBe(true)
    expect(frames(Buffer.concat(received))).toBeGreaterThan(0)
  })

  it('stops the interpreter before the first line, sending no record, when the gate is shut', async () => {
    const marker = join(dir.path, 'marker-shut')
    const { child, stream, gate } = held(marker)
    const sent = drained(stream)
    gate!.shut()
    expect(await exited(child)).toEqual({ code: 1, signal: null })
    expect(frames(await sent)).toBe(0)
    expect(existsSync(marker)).toBe(false)
  })
})
