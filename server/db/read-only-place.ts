/**
 * A database where this process may not write: a read-only file system, or a file or folder
 * another user owns. SQLite cannot read a WAL database there unless the `-shm` index beside it
 * already exists (a writer has it open); otherwise a reading command reads a copy of it, made in
 * the temporary folder and removed when the process exits.
 */

import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'

/**
 * Why `path` cannot be written as SQLite writes a database (the file, and its folder for the
 * `-wal` and `-shm` beside it); null when it can.
 */
export function whyUnwritable(path: string): string | null {
  const places = existsSync(path) ? [path, dirname(path)] : [dirname(path)]
  for (const place of places) {
    try {
      accessSync(place, constants.W_OK)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EROFS') return 'a read-only file system'
      if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
      if (code !== 'ENOENT') return code ?? String(error)
    }
  }
  return null
}

/** A copy of the database at `path` (with its `-wal`, if any) to read; removed at exit. */
export function copyForReading(path: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-read-only-'))
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }))
  const copy = join(folder, basename(path))
  copyFileSync(path, copy)
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`)
  return copy
}
