/**
 * The Timeline on a huge run: writes a synthetic run of N events (default ten million; see
 * synthetic.ts), then asks a real `smiley server`, in a process of its own, for what the
 * Timeline tab asks: the whole run at 1600 px (its first paint), zooms to windows spread over
 * the run, and pans. Each time is printed against a baseline measured in the same run and
 * server: the run's threads list, a trivial query. The first question of all builds the run's
 * call index and keeps it in the database with its overview; the first question of a server
 * started after (the whole run) reads the overview, and its first zoom the index: all three
 * are shown apart. Then `smiley export --format
 * perfetto` of the run and of a run a tenth as long, in processes of their own: seconds and
 * peak memory, which should not grow with the run.
 *
 *   npx tsx scripts/bench/timeline.ts [--events N] [--database PATH] [--keep]
 */

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TimelineWindow } from '../../shared/types/timeline.js'
import { openDatabase } from '../../server/db/database.js'
import { spawnServer } from '../../tests/support/server-process.js'
import { ROOT } from './capture.js'
import { writeSyntheticRun } from './synthetic.js'
import { hugeRunOptions } from './standalone.js'

export interface TimelineOptions {
  events: number
  /** Where the run is (or is written); a temporary folder when absent. */
  database?: string | undefined
  keep?: boolean | undefined
}

/** Milliseconds: the median of the requests, and the slowest. */
export interface Timing {
  median: number
  max: number
  /** Bars answered (the most of the requests). */
  bars: number
}

export interface TimelineFigures {
  events: number
  width: number
  baseline: Timing
  /** The first question: the call index built and kept, then the whole run answered. */
  firstEver: number
  /** The first question of a server started later: the overview read, the run answered. */
  firstAfterRestart: number
  /** Its first zoom after: the call index read back, a window answered. */
  firstZoomAfterRestart: number
  firstPaint: Timing
  zoom: Timing
  deepZoom: Timing
  pan: Timing
  /** `smiley export --format perfetto`: per run length, seconds and peak resident megabytes. */
  perfetto: Array<{ events: number; seconds: number; peakMB: number; megabytes: number }>
}

const WIDTH = 1600
const ROUNDS = 7
const progress = (line: string) => process.stderr.write(`  ${line}\n`)

/** The newest run of `path` when it has `events` events or more, else one written there. */
function findOrWriteRun(path: string, events: number): string {
  const db = openDatabase(path, { create: true })
  try {
    const existing = db
      .prepare('SELECT uuid FROM runs WHERE event_count >= ? ORDER BY id DESC LIMIT 1')
      .pluck()
      .get(events) as string | undefined
    if (existing !== undefined) return existing
    progress(`writing ${events.toLocaleString('en-US')} events into ${path}…`)
    return writeSyntheticRun(db, events)
  } finally {
    db.close()
  }
}

/** Milliseconds for a GET of `url` and the reading of its JSON, and the JSON. */
async function timed<T>(url: string): Promise<[number, T]> {
  const started = performance.now()
  const response = await fetch(url)
  const body = (await response.json()) as T
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`)
  return [performance.now() - started, body]
}

async function timings(urls: string[]): Promise<Timing> {
  const times: number[] = []
  let bars = 0
  for (const url of urls) {
    const [ms, body] = await timed<TimelineWindow | unknown[]>(url)
    times.push(ms)
    if (!Array.isArray(body))
      bars = Math.max(
        bars,
        body.lanes.reduce((n, l) => n + l.bars.length, 0),
      )
  }
  times.sort((a, b) => a - b)
  return { median: times[times.length >> 1]!, max: times.at(-1)!, bars }
}

/** `smiley export --format perfetto` of run `uuid` in a process of its own. */
function exportRun(path: string, uuid: string, folder: string) {
  const output = join(folder, 'trace.json')
  const script = [
    `import { main } from ${JSON.stringify(join(ROOT, 'dist', 'server', 'cli', 'main.js'))}`,
    'const started = performance.now()',
    `await main(['export', '-d', ${JSON.stringify(path)}, '${uuid}', '--format', 'perfetto', '-o', ${JSON.stringify(output)}])`,
    'const seconds = (performance.now() - started) / 1000',
    'process.stderr.write(JSON.stringify({ seconds, maxRSS: process.resourceUsage().maxRSS }))',
  ].join('\n')
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  const { seconds, maxRSS } = JSON.parse(child.stderr.trim().split('\n').at(-1)!) as {
    seconds: number
    maxRSS: number
  }
  const megabytes = statSync(output).size / 1e6
  rmSync(output)
  return { seconds, peakMB: maxRSS / 1024, megabytes }
}

export async function measureTimeline(options: TimelineOptions): Promise<TimelineFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-bench-timeline-'))
  const path = options.database ?? join(folder, 'timeline.db')
  try {
    const uuid = findOrWriteRun(path, options.events)
    const forget = openDatabase(path)
    forget.prepare('DELETE FROM call_index').run()
    forget.prepare('DELETE FROM call_overview').run()
    forget.close()
    const first = await spawnServer(path)
    let firstEver: number
    try {
      const url = `${new URL(first.url).origin}/api/runs/${uuid}/timeline?width=${WIDTH}`
      ;[firstEver] = await timed<TimelineWindow>(url)
    } finally {
      await first.stop()
    }
    progress(`call index built and kept, first window answered in ${firstEver.toFixed(0)} ms`)
    const server = await spawnServer(path)
    let figures: Omit<TimelineFigures, 'perfetto'>
    try {
      const base = new URL(server.url)
      const api = `${base.origin}/api/runs/${uuid}`
      const [firstAfterRestart, whole] = await timed<TimelineWindow>(
        `${api}/timeline?width=${WIDTH}`,
      )
      progress(`after a restart, first window answered in ${firstAfterRestart.toFixed(0)} ms`)
      const { start, end } = whole.span
      const length = end - start
      const [firstZoomAfterRestart] = await timed<TimelineWindow>(
        `${api}/timeline?width=${WIDTH}&from=${start}&to=${Math.ceil(start + length / 8)}`,
      )
      progress(`then its first zoom, in ${firstZoomAfterRestart.toFixed(0)} ms`)
      const windows = (share: number) =>
        Array.from({ length: ROUNDS }, (_, k) => {
          const from = Math.floor(start + ((k + 0.5) / ROUNDS) * (1 - share) * length)
          return `${api}/timeline?width=${WIDTH}&from=${from}&to=${Math.ceil(from + share * length)}`
        })
      const baseline = await timings(Array.from({ length: ROUNDS }, () => `${api}/threads`))
      const firstPaint = await timings(
        Array.from({ length: ROUNDS }, () => `${api}/timeline?width=${WIDTH}`),
      )
      const zoom = await timings(windows(1 / 8))
      const deepZoom = await timings(windows(1 / 10_000))
      const middle = start + length / 2
      const pan = await timings(
        Array.from({ length: ROUNDS }, (_, k) => {
          const from = Math.floor(middle + k * (length / 200))
          return `${api}/timeline?width=${WIDTH}&from=${from}&to=${from + Math.ceil(length / 100)}`
        }),
      )
      figures = {
        firstAfterRestart,
        firstZoomAfterRestart,
        events: options.events,
        width: WIDTH,
        baseline,
        firstEver,
        firstPaint,
        zoom,
        deepZoom,
        pan,
      }
    } finally {
      await server.stop()
    }
    const perfetto = []
    const tenth = Math.max(1000, Math.floor(options.events / 10))
    const small = join(folder, 'tenth.db')
    const smallRun = findOrWriteRun(small, tenth)
    for (const [events, file, run] of [
      [tenth, small, smallRun],
      [options.events, path, uuid],
    ] as const) {
      progress(`exporting ${events.toLocaleString('en-US')} events for Perfetto…`)
      perfetto.push({ events, ...exportRun(file, run, folder) })
    }
    return { ...figures, perfetto }
  } finally {
    if (!options.keep) rmSync(folder, { recursive: true, force: true })
    else if (existsSync(folder)) progress(`kept ${folder}`)
  }
}

export function formatTimeline(figures: TimelineFigures): string {
  const base = figures.baseline.median
  const row = (name: string, timing: Timing) =>
    `${name.padEnd(34)}${timing.median.toFixed(1).padStart(8)}${timing.max.toFixed(1).padStart(8)}` +
    `${(timing.median / base).toFixed(1).padStart(8)}×${String(timing.bars).padStart(7)}`
  return [
    `The Timeline on ${figures.events.toLocaleString('en-US')} events at ${figures.width} px: ms per request through HTTP, against the threads list`,
    `${''.padEnd(34)}${'median'.padStart(8)}${'max'.padStart(8)}${'ratio'.padStart(9)}${'bars'.padStart(7)}`,
    row('baseline: the threads list', figures.baseline),
    row('first paint: the whole run', figures.firstPaint),
    row('zoom: an eighth of the run', figures.zoom),
    row('deep zoom: a ten-thousandth', figures.deepZoom),
    row('pan: a hundredth, moved', figures.pan),
    `the first question of all, building the call index and keeping it: ${figures.firstEver.toFixed(0)} ms`,
    `the first question of a server started later, reading the overview kept: ${figures.firstAfterRestart.toFixed(0)} ms`,
    `  then its first zoom, reading the call index back: ${figures.firstZoomAfterRestart.toFixed(0)} ms`,
    '',
    'smiley export --format perfetto: seconds, peak memory, file size',
    ...figures.perfetto.map(
      (p) =>
        `${p.events.toLocaleString('en-US').padStart(12)} events  ${p.seconds.toFixed(1).padStart(6)} s  ` +
        `${p.peakMB.toFixed(0).padStart(5)} MB  ${p.megabytes.toFixed(0).padStart(5)} MB`,
    ),
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const figures = await measureTimeline(hugeRunOptions())
  process.stdout.write(`${formatTimeline(figures)}\n`)
}
