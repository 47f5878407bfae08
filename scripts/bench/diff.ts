/**
 * Comparing two huge runs: writes two synthetic runs of N events (see synthetic.ts) that part
 * near the end (the second calls checkpoint once more, 95% of the way through) and rejoin,
 * then times `compareRuns` as `smiley diff` calls it, against a baseline measured in the same
 * process: reading both runs' events through the event store's stream, each block decoded
 * once, and nothing else: the floor of any comparison. Then `smiley diff` itself, in a
 * process of its own: its time and its peak memory (resident set), which does not grow with
 * the length of the runs. Each figure comes with its CPU time and the load average when it
 * was taken: on a machine others keep busy, the wall clock measures them too.
 *
 *   npx tsx scripts/bench/diff.ts [--events N,N…] [--keep]
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { spawnSync } from 'node:child_process'
import { openDatabase } from '../../server/db/database.js'
import { EventStore } from '../../server/db/event-store.js'
import { findRun } from '../../server/db/runs.js'
import { compareRuns } from '../../server/diff/index.js'
import { ROOT } from './capture.js'
import { writeSyntheticRun } from './synthetic.js'

export interface DiffTiming {
  events: number
  /** Seconds to read both runs' events, each block once; and the CPU seconds it took. */
  read: number
  readCpu: number
  /** Seconds of the comparison (and CPU seconds), and whether it found the divergence where it was made. */
  compare: number
  compareCpu: number
  found: boolean
  /** `smiley diff` in a process of its own: seconds, CPU seconds, peak resident memory in megabytes. */
  command: { seconds: number; cpu: number; peakMB: number }
  /** The machine's one-minute load average before and after. */
  load: [number, number]
}

export interface DiffFigures {
  runs: DiffTiming[]
}

const progress = (line: string) => process.stderr.write(`  ${line}\n`)

/** Runs `smiley diff` on the runs in a process of its own: its time and peak memory. */
function runCommand(path: string, a: string, b: string): DiffTiming['command'] {
  const script = [
    `import { main } from ${JSON.stringify(join(ROOT, 'dist', 'server', 'cli', 'main.js'))}`,
    'const started = performance.now()',
    'const cpuStarted = process.cpuUsage()',
    `await main(['diff', '--json', '-d', ${JSON.stringify(path)}, '${a}', '${b}'])`,
    'const seconds = (performance.now() - started) / 1000',
    'const used = process.cpuUsage(cpuStarted)',
    'const cpu = (used.user + used.system) / 1e6',
    'process.stderr.write(JSON.stringify({ seconds, cpu, maxRSS: process.resourceUsage().maxRSS }))',
  ].join('\n')
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  })
  const { seconds, cpu, maxRSS } = JSON.parse(child.stderr.trim().split('\n').at(-1)!) as {
    seconds: number
    cpu: number
    maxRSS: number
  }
  return { seconds, cpu, peakMB: maxRSS / 1024 }
}

/** Events per loop of the synthetic program (its checkpoints aside). */
const EVENTS_PER_LOOP = 8

export function measureDiff(options: { events: number[]; keep?: boolean }): DiffFigures {
  const runs: DiffTiming[] = []
  for (const events of options.events) {
    const folder = mkdtempSync(join(tmpdir(), 'smiley-bench-diff-'))
    const path = join(folder, 'diff.db')
    try {
      const writer = openDatabase(path, { create: true })
      const loop = Math.floor((events / EVENTS_PER_LOOP) * 0.95)
      progress(`writing two runs of ${events.toLocaleString('en-US')} events`)
      const idA = writeSyntheticRun(writer, events)
      const idB = writeSyntheticRun(writer, events, loop)
      writer.close()
      const readers = [0, 1].map(() => openDatabase(path, { readonly: true }))
      const [a, b] = [idA, idB].map((id, index) => ({
        db: readers[index]!,
        stored: findRun(readers[index]!, id),
      }))
      const loadBefore = loadavg()[0]!
      let started = performance.now()
      let cpuStarted = process.cpuUsage()
      let count = 0
      for (const side of [a!, b!])
        for (const event of EventStore.of(side.db).stream(side.stored.key))
          count += event.seq > 0 ? 1 : 0
      const read = (performance.now() - started) / 1000
      const readCpu = cpuSeconds(cpuStarted)
      progress(
        `read ${count.toLocaleString('en-US')} events in ${read.toFixed(2)} s (CPU ${readCpu.toFixed(2)} s)`,
      )
      started = performance.now()
      cpuStarted = process.cpuUsage()
      const report = compareRuns(a!, b!, { ignore: [], ignoreNames: [], all: false })
      const compare = (performance.now() - started) / 1000
      const compareCpu = cpuSeconds(cpuStarted)

      const found =
        report.controlFlow?.b?.function === 'checkpoint' && report.controlFlow.rejoin !== null
      progress(
        `compared in ${compare.toFixed(2)} s (CPU ${compareCpu.toFixed(2)} s): ${found ? 'found' : 'did NOT find'} the divergence`,
      )
      for (const reader of readers) reader.close()
      const command = runCommand(path, idA, idB)
      progress(
        `smiley diff: ${command.seconds.toFixed(2)} s (CPU ${command.cpu.toFixed(2)} s), peak ${command.peakMB.toFixed(0)} MB`,
      )
      const load: [number, number] = [loadBefore, loadavg()[0]!]
      runs.push({ events, read, readCpu, compare, compareCpu, found, command, load })
    } finally {
      if (!options.keep) rmSync(folder, { recursive: true, force: true })
    }
  }
  return { runs }
}

export function formatDiff(figures: DiffFigures): string {
  const lines = [
    'smiley diff of two runs parting 95% of the way through: seconds (CPU seconds), and the',
    'comparison against reading both runs, by the clock and in CPU time',
    `${'events'.padStart(12)}  ${'read both'.padStart(13)}  ${'compare'.padStart(13)}  ratio (CPU)  divergence  smiley diff, peak memory  load`,
  ]
  const pair = (wall: number, cpu: number) => `${wall.toFixed(2)} (${cpu.toFixed(2)})`.padStart(13)
  for (const run of figures.runs) {
    const ratio = `${(run.compare / run.read).toFixed(2)} (${(run.compareCpu / run.readCpu).toFixed(2)})`
    lines.push(
      `${run.events.toLocaleString('en-US').padStart(12)}  ${pair(run.read, run.readCpu)}  ` +
        `${pair(run.compare, run.compareCpu)}  ${ratio.padStart(11)}  ` +
        `${run.found ? 'found' : 'MISSED'}`.padEnd(10) +
        `  ${`${run.command.seconds.toFixed(2)} s (${run.command.cpu.toFixed(2)}), ${run.command.peakMB.toFixed(0)} MB`.padEnd(24)}` +
        `  ${run.load.map((l) => l.toFixed(1)).join('–')}`,
    )
  }
  return lines.join('\n')
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, keep: { type: 'boolean' } },
  })
  const events = (values.events ?? '1000000,10000000').split(',').map(Number)
  process.stdout.write(`${formatDiff(measureDiff({ events, keep: values.keep }))}\n`)
}
