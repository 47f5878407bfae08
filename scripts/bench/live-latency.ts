/**
 * Live latency: from an event committed to the database to that event visible in the
 * dashboard, measured in Chromium. A writer process records a run through RunWriter at a
 * steady rate (a flush every 50 ms, as `smiley run` flushes) and prints when each flush
 * committed and its last event; the dashboard follows the run, and the page notes when each
 * event's row first shows. Both clocks are this machine's wall clock.
 *
 *   npx tsx scripts/bench/live-latency.ts [--seconds 10] [--rate 20000]
 */

import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../server/db/database.js'
import { createRun, finishRun } from '../../server/db/runs.js'
import { RunWriter } from '../../server/ingest/run-writer.js'
import { batchWriter } from '../../server/store/sqlite/write-batch.js'
import { startServer } from '../../server/web/server.js'
import { TAG } from '../../shared/wire/records.js'
import { launchBrowser } from '../../tests/support/browser.js'
import { benchRun } from './workloads.js'

const FLUSH_MS = 50

export interface LatencyFigures {
  commits: number
  events: number
  median: number
  p95: number
  max: number
}

/** The writer process: records `rate` events a second for `seconds`, one line per commit. */
async function write(database: string, seconds: number, rate: number): Promise<void> {
  const db = openDatabase(database)
  const uuid = randomUUID()
  const key = createRun(
    db,
    benchRun('live latency bench', { uuid, pid: process.pid, backend: 'settrace' }),
  )
  const writer = new RunWriter(batchWriter(db), key)
  writer.accept({ tag: TAG.symbol, symbol: 1, text: 'i' })
  writer.accept({ tag: TAG.symbol, symbol: 2, text: 'int' })
  writer.accept({
    tag: TAG.file,
    file: 1,
    path: '/bench/loop.py',
    source: 'for i in range(n):\n    pass\n',
  })
  writer.accept({
    tag: TAG.code,
    code: 1,
    file: 1,
    name: '<module>',
    qualifiedName: '<module>',
    firstLine: 1,
  })
  writer.accept({ tag: TAG.thread, thread: 1, ident: 1, name: 'MainThread' })
  writer.accept({
    tag: TAG.call,
    frame: 1,
    line: 1,
    time: 0,
    locals: null,
    code: 1,
    parent: 0,
    thread: 1,
    depth: 0,
    task: 0,
  })
  writer.flushNow()
  process.stdout.write(`run ${uuid}\n`)
  await new Promise((done) => setTimeout(done, 1500)) // the page opens the run meanwhile
  const perFlush = Math.max(1, Math.round((rate * FLUSH_MS) / 1000))
  const end = Date.now() + seconds * 1000
  let i = 0
  while (Date.now() < end) {
    for (let k = 0; k < perFlush; k++, i++)
      writer.accept({
        tag: TAG.line,
        frame: 1,
        line: 1 + (i % 2),
        time: i * 1e-6,
        changes: [1, 2, String(i)],
      })
    writer.flushNow()
    process.stdout.write(`commit ${writer.stored} ${Date.now()}\n`)
    await new Promise((done) => setTimeout(done, FLUSH_MS))
  }
  finishRun(db, key, {
    status: 'completed',
    endedAt: Date.now() / 1000,
    exitCode: 0,
    signal: null,
    errorType: null,
    errorMessage: null,
    traceback: null,
  })
  db.close()
}

export async function measureLiveLatency(seconds: number, rate: number): Promise<LatencyFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-latency-'))
  const database = join(folder, 'live.db')
  openDatabase(database, { create: true }).close()
  const server = await startServer({
    database,
    host: '127.0.0.1',
    port: 0,
    token: null,
    poll: false,
  })
  const browser = await launchBrowser()
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript(() => {
      const seen: Array<[number, number]> = []
      ;(window as unknown as { seen: typeof seen }).seen = seen
      let newest = 0
      new MutationObserver(() => {
        const rows = document.querySelectorAll('.row[data-seq]')
        const last = Number(rows[rows.length - 1]?.getAttribute('data-seq') ?? 0)
        if (last > newest) {
          newest = last
          seen.push([last, Date.now()])
        }
      }).observe(document, {
        childList: true,
        subtree: true,
        // Rows are reused as the window moves: a new event may only change a row's data-seq.
        attributeFilter: ['data-seq'],
      })
    })
    const writer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        import.meta.filename,
        '--writer',
        database,
        '--seconds',
        String(seconds),
        '--rate',
        String(rate),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const commits: Array<[number, number]> = []
    const exited = new Promise((done) => writer.on('exit', done))
    for await (const line of createInterface({ input: writer.stdout! })) {
      const [what, a, b] = line.split(' ')
      if (what === 'run') await page.goto(`${server.url}#/runs/${a}`)
      else if (what === 'commit') commits.push([Number(a), Number(b)])
    }
    await exited
    await page.waitForTimeout(1000)
    const seen = await page.evaluate(
      () => (window as unknown as { seen: Array<[number, number]> }).seen,
    )
    const latencies = commits
      .map(([seq, committed]) => {
        const shown = seen.find(([visible]) => visible >= seq)
        return shown === undefined ? Number.POSITIVE_INFINITY : shown[1] - committed
      })
      .sort((x, y) => x - y)
    const at = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
    return {
      commits: commits.length,
      events: commits.at(-1)?.[0] ?? 0,
      median: at(0.5),
      p95: at(0.95),
      max: latencies.at(-1) ?? 0,
    }
  } finally {
    await browser.close()
    await server.close()
    rmSync(folder, { recursive: true, force: true })
  }
}

export function formatLatency(figures: LatencyFigures): string {
  return (
    `live latency, commit → row on screen in Chromium, over ${figures.commits} commits ` +
    `(${figures.events.toLocaleString('en-US')} events): median ${figures.median} ms, ` +
    `p95 ${figures.p95} ms, max ${figures.max} ms`
  )
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      writer: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      rate: { type: 'string', default: '20000' },
    },
  })
  const seconds = Number(values.seconds)
  const rate = Number(values.rate)
  if (values.writer !== undefined) await write(values.writer, seconds, rate)
  else process.stdout.write(formatLatency(await measureLiveLatency(seconds, rate)) + '\n')
}
