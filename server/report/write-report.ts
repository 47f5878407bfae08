/**
 * `smiley report`: a folder that shows one run in any browser, from file://, with no server
 * and no network. The dashboard's own client (built as a classic script) reads the run from
 * data files written here: the index (run, files, threads, profile, call graph) and the
 * events in chunks, loaded as the pages need them.
 */

import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  cpSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import {
  REPORT_CALLBACK,
  REPORT_FORMAT,
  REPORT_INDEX,
  type ReportIndex,
} from '../../shared/report.js'
import type { Db } from '../db/database.js'
import { RunNames } from '../db/events.js'
import { listFiles, readSource } from '../db/files.js'
import { readProfile } from '../db/profile.js'
import type { StoredRun } from '../db/runs.js'
import { listThreads } from '../db/threads.js'
import { packageRoot } from '../paths.js'
import { eventChunks } from './chunks.js'

export const CHUNK_SIZE = 2000

export class ReportError extends Error {
  override name = 'ReportError'
}

export interface ReportOptions {
  folder: string
  title: string
  /** The call graph, drawn: dot and SVG text, or null when the run has no profile. */
  callGraph: { dot: string; svg: string } | null
  /** Called after each chunk of events with how many are written. */
  onProgress?: (written: number, total: number) => void
}

export interface ReportSummary {
  folder: string
  events: number
  files: number
  bytes: number
}

/** Writes the report of `stored` into `options.folder` (created, or a previous report replaced). */
export function writeReport(db: Db, stored: StoredRun, options: ReportOptions): ReportSummary {
  const { folder } = options
  prepareFolder(folder)
  const client = join(packageRoot, 'dist', 'report-client')
  if (!existsSync(join(client, 'index.html'))) {
    throw new ReportError('the report client is not built: run npm run build in the Smiley folder')
  }
  let bytes = 0
  const write = (path: string, text: string) => {
    writeFileSync(join(folder, path), text)
    bytes += Buffer.byteLength(text)
  }
  cpSync(join(client, 'assets'), join(folder, 'assets'), { recursive: true })
  mkdirSync(join(folder, 'data', 'events'), { recursive: true })
  mkdirSync(join(folder, 'data', 'sources'), { recursive: true })

  const { key, run } = stored
  const names = new RunNames(db, key)
  const files = listFiles(db, key, run.cwd)
  for (const file of files) {
    const source = readSource(db, key, file.id, run.cwd)
    write(join('data', 'sources', `${file.id}.js`), callback('source', file.id, source))
  }
  const functions: ReportIndex['functions'] = {}
  for (const row of db
    .prepare('SELECT id, file, qualified_name FROM functions WHERE run = ?')
    .all(key) as Array<{
    id: number
    file: number
    qualified_name: string
  }>) {
    functions[row.id] = [row.qualified_name, row.file]
  }
  const symbols: ReportIndex['symbols'] = {}
  for (const row of db.prepare('SELECT id, text FROM symbols WHERE run = ?').all(key) as Array<{
    id: number
    text: string
  }>) {
    symbols[row.id] = row.text
  }
  const index: ReportIndex = {
    format: REPORT_FORMAT,
    title: options.title,
    generatedAt: Date.now() / 1000,
    run,
    files,
    threads: listThreads(db, key),
    profile: readProfile(db, key),
    callGraphSvg: options.callGraph?.svg ?? null,
    callGraphDot: options.callGraph?.dot ?? null,
    chunkSize: CHUNK_SIZE,
    functions,
    symbols,
  }
  write(
    join('data', 'report.js'),
    `window[${JSON.stringify(REPORT_INDEX)}] = ${JSON.stringify(index)};\n`,
  )

  let written = 0
  let chunkIndex = 0
  for (const chunk of eventChunks(db, key, names, CHUNK_SIZE)) {
    write(join('data', 'events', `${chunkIndex}.js`), callback('events', chunkIndex, chunk))
    chunkIndex += 1
    written += chunk.events.length
    options.onProgress?.(written, run.eventCount)
  }
  write('index.html', page(readFileSync(join(client, 'index.html'), 'utf8'), options.title))
  return { folder, events: written, files: files.length, bytes }
}

function callback(kind: string, key: number, data: unknown): string {
  return `window[${JSON.stringify(REPORT_CALLBACK)}](${JSON.stringify(kind)}, ${key}, ${JSON.stringify(data)});\n`
}

/**
 * What a report's page may load: its own files (from file://, or from wherever it is put up),
 * the inline styles the client sets and data: images; no connection, no form, nothing else.
 * In a <meta> tag, so it holds from file://; `frame-ancestors` is no part of it, as browsers
 * ignore that directive there.
 */
export const REPORT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'"

/** The client's page, loading the report's index first, as classic scripts (file:// refuses modules). */
function page(html: string, title: string): string {
  const app = /<script type="module" crossorigin src="([^"]+)"><\/script>/.exec(html)
  if (!app)
    throw new ReportError(
      'the report client looks different than expected: rebuild it with npm run build',
    )
  const scripts = `<script defer src="./data/report.js"></script>\n    <script defer src="${app[1]}"></script>`
  const policy = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}" />`
  // The title goes in last, and by a function: a replacement string would read `$&` or `$\``
  // in it as patterns, and the edits before it would edit it too.
  return html
    .replace(app[0], () => scripts)
    .replace(/ crossorigin/g, '')
    .replace(/<title>.*<\/title>/, () => `${policy}\n    <title>${escapeHtml(title)}</title>`)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Creates the folder, or clears a previous report in it; refuses a folder with anything else. */
function prepareFolder(folder: string): void {
  if (existsSync(folder)) {
    const entries = readdirSync(folder)
    const previous = existsSync(join(folder, 'data', 'report.js'))
    if (entries.length > 0 && !previous) {
      throw new ReportError(
        `${folder} is not empty and holds no earlier report: choose another folder with -o`,
      )
    }
    for (const entry of ['assets', 'data', 'index.html'])
      rmSync(join(folder, entry), { recursive: true, force: true })
  }
  try {
    makeFolders(folder)
  } catch (error) {
    throw new ReportError(
      `cannot create ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
}

/** mkdir -p, one level at a time: Node's recursive mkdir never returns on some paths (/proc/…). */
function makeFolders(folder: string): void {
  const parent = dirname(folder)
  if (parent !== folder && !existsSync(parent)) makeFolders(parent)
  if (!existsSync(folder)) mkdirSync(folder)
}
