/** Where Smiley's own files are, whether it runs from `dist/` or from source. */

import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findPackageRoot(start: string): string {
  let dir = start
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }
      if (name === 'smiley') return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find Smiley's package.json above ${start}`)
    dir = parent
  }
}

/** The folder holding package.json, tracer/ and server/. */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)))

/** The Python tracer's folder: put first on PYTHONPATH of a traced interpreter. */
export const tracerDir = join(packageRoot, 'tracer')

export const schemaFile = join(packageRoot, 'server', 'db', 'schema.sql')

export const version = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version
