/**
 * A database where nothing may be written: on a tmpfs mounted by the test and then remounted
 * read-only (the tests run as root, which file permissions do not stop; elsewhere the cases
 * are skipped with a notice). Every command that reads reads it; `run` runs the program
 * unrecorded with one line; a command that writes says in one line that it cannot.
 */

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { spawnServer } from '../support/server-process.js'

let dir: { path: string; remove: () => void }
let disk: string
let database: string
let mounted = false

beforeAll(async () => {
  dir = tempDir()
  disk = join(dir.path, 'disk')
  mkdirSync(disk)
  writePrograms(dir.path, {
    'small.py': 'def double(n):\n    return n * 2\n\nvalue = double(21)\nprint(value)\n',
  })
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk], { stdio: 'pipe' })
    mounted = true
  } catch (error) {
    console.warn(
      `read-only database tests skipped: cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`,
    )
    return
  }
  database = join(disk, 'runs.db')
  const recorded = await smiley(['run', '-d', database, 'small.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  execFileSync('mount', ['-o', 'remount,ro', disk])
  expect(readdirSync(disk)).toEqual(['runs.db'])
})
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', disk])
  dir.remove()
})

describe('a database on a read-only file system', () => {
  it('is listed', async (context) => {
    if (!mounted) return context.skip()
    const listed = await smiley(['list', '--json', '-d', database])
    expect(listed.code, listed.stderr).toBe(0)
    const runs = JSON.parse(listed.stdout) as Run[]
    expect(runs).toMatchObject([{ description: 'small.py', status: 'completed' }])
  })

  it.for([
    ['show', ['show', 'latest']],
    ['replay', ['replay', 'latest']],
    ['tail', ['tail', 'latest']],
    ['threads', ['threads', 'latest']],
    ['stats', ['stats', 'show', 'latest']],
  ] as const)('is read by %s', async ([, args], context) => {
    if (!mounted) return context.skip()
    const result = await smiley([...args, '-d', database])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).not.toBe('')
  })

  it('is written into a report', async (context) => {
    if (!mounted) return context.skip()
    const folder = join(dir.path, 'report')
    const result = await smiley(['report', '-d', database, 'latest', '-o', folder])
    expect(result.code, result.stderr).toBe(0)
    expect(existsSync(join(folder, 'index.html'))).toBe(true)
  })

  it('has its runs exported', async (context) => {
    if (!mounted) return context.skip()
    const copy = join(dir.path, 'exported.db')
    const result = await smiley(['export', '-d', database, 'latest', '-o', copy])
    expect(result.code, result.stderr).toBe(0)
    const listed = await smiley(['list', '--json', '-d', copy])
    expect(JSON.parse(listed.stdout)).toMatchObject([{ description: 'small.py' }])
  })

  it('is served by the dashboard', async (context) => {
    if (!mounted) return context.skip()
    const server = await spawnServer(database)
    try {
      const runs = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
      expect(runs.map((r) => r.description)).toEqual(['small.py'])
      expect((await fetch(`${server.url}api/runs/${runs[0]!.id}/events`)).status).toBe(200)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  it.for([
    ['into it', 'runs.db'],
    ['into a new one beside it', 'new.db'],
  ] as const)(
    'is no place to record: run %s runs the program unrecorded, with one line',
    async ([, file], context) => {
      if (!mounted) return context.skip()
      const path = join(disk, file)
      const result = await smiley(['run', '-d', path, 'small.py'], { cwd: dir.path })
      expect(result).toMatchObject({
        code: 0,
        stdout: '42\n',
        stderr: `smiley: could not record the run: ${path} cannot be written (a read-only file system); the program runs unrecorded\n`,
      })
    },
  )

  it('refuses a delete in one line', async (context) => {
    if (!mounted) return context.skip()
    const result = await smiley(['delete', '--force', '-d', database, 'latest'])
    expect(result).toMatchObject({
      code: 1,
      stderr: `smiley: ${database} cannot be written (a read-only file system)\n`,
    })
    expect(readdirSync(disk)).toEqual(['runs.db'])
  })
})
