/** The sources of a recorded run are stored compressed and read back exactly as they were. */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/database.js'
import { RunNames } from '../../server/db/events.js'
import { listFiles, readSource } from '../../server/db/files.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => dir.remove())

/** A module of many similar functions, with text outside ASCII, as real modules are. */
const helpers = [
  '"""Helpers — with text outside ASCII: é, ü, 漢字, 🐍."""',
  '',
  ...Array.from({ length: 40 }, (_, i) => [
    `def helper_${i}(value):`,
    `    """Return value plus ${i}, or its text when it is no number."""`,
    '    if isinstance(value, str):',
    `        return value + "${i}"`,
    `    return value + ${i}`,
    '',
  ]).flat(),
].join('\n')

describe('source storage', () => {
  it('stores a module deflated and gives back its text exactly, a tiny one as text', async () => {
    writePrograms(dir.path, {
      'helpers.py': helpers,
      'main.py': 'import helpers\nprint(helpers.helper_3(1))\n',
    })
    const db = join(dir.path, 's.db')
    const result = await smiley(['run', '-d', db, 'main.py'], { cwd: dir.path })
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('4\n')
    const opened = openDatabase(db)
    try {
      const run = opened.prepare('SELECT id FROM runs').pluck().get() as number
      const files = listFiles(opened, run, dir.path)
      const byPath = (name: string) => files.find((file) => file.path.endsWith(name))!
      for (const name of ['helpers.py', 'main.py']) {
        const source = readSource(opened, run, byPath(name).id, dir.path)!
        expect(source.text).toBe(readFileSync(join(dir.path, name), 'utf8'))
      }
      const stored = opened.prepare('SELECT text FROM sources').pluck().all() as Array<
        string | Buffer
      >
      const blobs = stored.filter((value) => Buffer.isBuffer(value))
      expect(blobs).toHaveLength(1)
      expect(blobs[0]!.length).toBeLessThan(Buffer.byteLength(helpers) / 4)
      expect(stored).toContain('import helpers\nprint(helpers.helper_3(1))\n')
      const names = new RunNames(opened, run)
      expect(names.sourceLine(byPath('helpers.py').id, 1)).toBe(helpers.split('\n')[0])
    } finally {
      opened.close()
    }
  })

  it('reads sources stored as text before', () => {
    const db = openDatabase(join(dir.path, 'old.db'), { create: true })
    try {
      const text = helpers
      db.prepare('INSERT INTO sources (hash, text) VALUES (?, ?)').run('h', text)
      db.prepare(
        `INSERT INTO runs (uuid, description, argv, started_at) VALUES ('u', 'old', '[]', 0)`,
      ).run()
      db.prepare(
        `INSERT INTO files (run, id, path, source_hash) VALUES (1, 1, '/old.py', 'h')`,
      ).run()
      expect(readSource(db, 1, 1, '/')!.text).toBe(text)
    } finally {
      db.close()
    }
  })
})
