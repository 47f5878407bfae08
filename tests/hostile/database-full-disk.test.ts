/**
 * A database on a disk that fills up while a program is recorded, and one on a disk another
 * program filled: a tmpfs of 2 MB mounted by the test (the tests run as root; elsewhere the
 * cases are skipped with a notice).
 */

import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiskRoom } from '../../server/record/disk-room.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { expectDense, listRuns, orphan, replayEvents } from './recordings.js'

let dir: { path: string; remove: () => void }
let disk: string
let mounted = false

beforeAll(() => {
  dir = tempDir()
  disk = join(dir.path, 'disk')
  mkdirSync(disk)
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk], { stdio: 'pipe' })
    mounted = true
  } catch (error) {
    console.warn(
      `full-disk tests skipped: cannot mount a small tmpfs here (${(error as Error).message.split('\n')[0]})`,
    )
  }
  writePrograms(dir.path, {
    'small.py': 'def double(n):\n    return n * 2\n\nvalue = double(21)\n',
    'big.py': `
for step in range(300000):
    text = "line %d " % step + "x" * 60
print("the program went on to the end", flush=True)
raise SystemExit(7)
`,
  })
})
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', disk])
  dir.remove()
})

describe('a full disk', () => {
  it('stops recording with one line, marks the run, and lets the program finish', async (context) => {
    if (!mounted) return context.skip()
    const database = join(disk, 'runs.db')
    const small = await smiley(['run', '-d', database, 'small.py'], { cwd: dir.path })
    expect(small.code, small.stderr).toBe(0)
    const [earlier] = await listRuns(database)
    const earlierEvents = await replayEvents(database, earlier!.id)

    const big = await smiley(['run', '-d', database, 'big.py'], {
      cwd: dir.path,
      timeoutMs: 120_000,
    })
    expect(big.code).toBe(7)
    expect(big.stdout).toBe('the program went on to the end\n')
    const [run, first] = await listRuns(database)
    // Stopped while room was left to mark the run as ended.
    const line = `recording stopped after ${run!.eventCount} events: the disk is nearly full`
    expect(big.stderr).toMatch(new RegExp(`^smiley: ${line} \\(\\d+ KB left\\)\n$`))
    expect(run!.notice).toBe(big.stderr.slice('smiley: '.length, -1))
    expect(run).toMatchObject({
      description: 'big.py',
      status: 'error',
      exitCode: 7,
      errorMessage: 'exited with status 7',
    })
    expect(run!.eventCount).toBeGreaterThan(1000)
    expectDense(await replayEvents(database, run!.id), run!)

    // The database stays whole and readable, earlier runs as they were.
    const db = new Database(database, { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    } finally {
      db.close()
    }
    expect(first).toEqual(earlier)
    expect(await replayEvents(database, first!.id)).toEqual(earlierEvents)
  })

  it('runs a program unrecorded, with one line, when not even the run fits', async (context) => {
    if (!mounted) return context.skip()
    const database = join(disk, 'runs.db')
    const before = await listRuns(database)
    // Whatever room the first recording left (its batches vary with the machine's speed),
    // less than the floor of the reserve is left now.
    fillDisk(join(disk, 'filler'), 128 * 1024)
    const result = await smiley(['run', '-d', database, 'big.py'], {
      cwd: dir.path,
      timeoutMs: 120_000,
    })
    expect(result.code).toBe(7)
    expect(result.stdout).toBe('the program went on to the end\n')
    // Not even the run's row is written: what room is left is kept.
    expect(result.stderr).toMatch(
      /^smiley: could not record the run: the disk is (full|nearly full \(\d+ KB left\))\n$/,
    )
    const after = await listRuns(database)
    expect(after.slice(-before.length)).toEqual(before)
  })

  it('lets every reader open the database on a disk another program filled, and refuses a recording', async (context) => {
    if (!mounted) return context.skip()
    for (const name of readdirSync(disk)) rmSync(join(disk, name))
    const database = join(disk, 'readers.db')
    const small = await smiley(['run', '-d', database, 'small.py'], { cwd: dir.path })
    expect(small.code, small.stderr).toBe(0)
    const [recorded] = await listRuns(database)
    const events = await replayEvents(database, recorded!.id)
    await orphan(database)
    fillDisk(join(disk, 'filler'))

    // No room for the WAL's shared index, nor to mark the orphaned run lost: readers still read.
    expect(await listRuns(database)).toEqual([{ ...recorded, status: 'running' }])
    expect(await replayEvents(database, recorded!.id)).toEqual(events)
    const shown = await smiley(['show', '-d', database, recorded!.id])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain('small.py')
    expect(readdirSync(disk).sort()).toEqual(['filler', 'readers.db'])
    // A recording would hold the database alone for as long as its program runs: it is refused.
    const refused = await smiley(['run', '-d', database, 'small.py'], { cwd: dir.path })
    expect(refused).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `smiley: cannot use database ${database}: the disk is full: no room beside the database for its index (the -shm file)\n`,
    })
    expect(readdirSync(disk).sort()).toEqual(['filler', 'readers.db'])

    // With room again, the run the recorder left behind is marked lost.
    rmSync(join(disk, 'filler'))
    expect((await listRuns(database)).map((run) => run.status)).toEqual(['lost'])
  })

  it('keeps a reserve that grows with the largest write a recording made', (context) => {
    if (!mounted) return context.skip()
    for (const name of readdirSync(disk)) rmSync(join(disk, name))
    const room = new DiskRoom(disk)
    const half = Buffer.alloc(512 * 1024)
    // 2 MB free: room for a write of 512 KB, after which 256 KB + twice 512 KB are kept.
    room.write(() => writeFileSync(join(disk, 'first'), half))
    expect(room.reserve).toBe(256 * 1024 + 2 * half.length)
    room.write(() => writeFileSync(join(disk, 'second'), half))
    expect(() => room.check()).toThrow('the disk is nearly full (1.0 MB left)')
    expect(() => room.write(() => writeFileSync(join(disk, 'third'), half))).toThrow(/nearly full/)
    expect(readdirSync(disk).sort()).toEqual(['first', 'second'])
  })
})

/** Writes `path` until the disk has no byte left, then gives `leave` bytes back. */
function fillDisk(path: string, leave = 0): void {
  const chunk = Buffer.alloc(4096)
  const fd = openSync(path, 'w')
  let size = 0
  try {
    for (;;) size += writeSync(fd, chunk)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  } finally {
    closeSync(fd)
  }
  if (leave > 0) truncateSync(path, Math.max(0, size - leave))
}
