/** Writing small Python programs into a test's folder. */

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** Writes `files` (path → source) under `folder`; returns `folder`. */
export function writePrograms(folder: string, files: Record<string, string>): string {
  for (const [path, source] of Object.entries(files)) {
    const target = join(folder, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, source.replace(/^\n/, ''))
  }
  return folder
}
