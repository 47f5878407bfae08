/** A run's files, with how much of each ran, and their source as it was. */

import { isAbsolute, relative, sep } from 'node:path'
import type { RunFile, RunSource } from '../../shared/types/file.js'
import type { Db } from './database.js'
import { readSourceText } from './source-text.js'

interface FileRow {
  id: number
  path: string
  source_hash: string | null
  executed: number
  hits: number
}

const FILES = `
  SELECT f.id, f.path, f.source_hash, count(h.line) AS executed, coalesce(sum(h.hits), 0) AS hits
  FROM files f LEFT JOIN line_hits h ON h.run = f.run AND h.file = f.id
  WHERE f.run = ? %s
  GROUP BY f.id ORDER BY f.path`

/** The path to show for a file: relative to the run's folder when inside it. */
export function displayPath(path: string, cwd: string): string {
  if (cwd && path.startsWith(cwd.endsWith(sep) ? cwd : cwd + sep)) return relative(cwd, path)
  return isAbsolute(path) ? path : path
}

function toFile(row: FileRow, cwd: string): RunFile {
  return {
    id: row.id,
    path: row.path,
    displayPath: displayPath(row.path, cwd),
    executedLines: row.executed,
    hits: row.hits,
    hasSource: row.source_hash !== null,
  }
}

/** Every file of run `run` (local key), by path. */
export function listFiles(db: Db, run: number, cwd: string): RunFile[] {
  const rows = db.prepare(FILES.replace('%s', '')).all(run) as FileRow[]
  return rows.map((row) => toFile(row, cwd))
}

/** One file with its stored text and per-line hit counts, or undefined when the run has no such file. */
export function readSource(db: Db, run: number, file: number, cwd: string): RunSource | undefined {
  const row = db.prepare(FILES.replace('%s', 'AND f.id = ?')).get(run, file) as FileRow | undefined
  if (row === undefined) return undefined
  const text = row.source_hash === null ? null : readSourceText(db, row.source_hash)
  const hits: Record<number, number> = {}
  const lines = db
    .prepare('SELECT line, hits FROM line_hits WHERE run = ? AND file = ?')
    .all(run, file) as Array<{
    line: number
    hits: number
  }>
  for (const { line, hits: count } of lines) hits[line] = count
  return { file: toFile(row, cwd), text, hits }
}
