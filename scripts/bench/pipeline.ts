/**
 * Where `smiley run`'s time goes between the tracer and the database: each workload run with
 * one more stage of the recording path switched on at a time, every stage measured in the
 * same run against the untraced workload and the bare `sys.settrace` floor.
 *
 *   dropped   the tracer writes its stream to /dev/null: the tracer alone
 *   drained   into a pipe that a reader in this process empties and throws away
 *   decoded   + frames and records decoded (shared/wire)
 *   built     + RunWriter: events cut into blocks, keys and tallies, each batch built, not written
 *   stored    + the batches written into SQLite: `smiley run`'s recorder, without its command
 *   run       `smiley run` itself
 *
 * `dropped` and `stored` run with cProfile off too (`-profile`). Each figure is the workload's
 * own time (or the interpreter's CPU time, process_time) over the untraced one; the recorder's
 * CPU is this process's, spawn to close, over the untraced workload's time. Wall time on a
 * loaded machine measures the load: read the CPU columns there, and the load printed beside.
 *
 *   npm run bench -- --section pipeline [--python 3.11] [--only arithmetic] [--scale 1]
 */

import { spawn } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { tracerEnv } from '../../server/record/launch.js'
import {
  BenchError,
  ROOT,
  runSettrace,
  runSmiley,
  runUntraced,
  type Accelerator,
  type Capture,
} from './capture.js'
import { loadBuild, type Build } from './ingest.js'
import { benchRun, benchTracerOptions, type Workload } from './workloads.js'

export const STAGES = [
  'dropped',
  'dropped-profile',
  'drained',
  'decoded',
  'built',
  'stored',
  'stored-profile',
  'run',
] as const
export type Stage = (typeof STAGES)[number]

/** One stage of one workload: ratios over the untraced workload. */
export interface StageFigure {
  /** The workload's own time. */
  wall: number
  /** The interpreter's CPU time (null: the workload did not say). */
  python: number | null
  /** The recorder's CPU time, over the untraced workload's CPU time; 0 without a recorder. */
  recorder: number
}

export interface PipelineWorkload {
  workload: string
  settrace: number
  /** Events the recorder stored. */
  events: number
  /** Microseconds of CPU per event: the tracer's (alone, over the untraced run), the recorder's. */
  tracerUs: number | null
  recorderUs: number
  stages: Partial<Record<Stage, StageFigure>>
}

export interface PipelineGroup {
  python: string
  accelerator: Accelerator
  workloads: PipelineWorkload[]
}

export interface PipelineFigures {
  scale: number
  /** The one-minute load average before and after. */
  load: [number, number]
  groups: PipelineGroup[]
}

/** A run's result: the workload's figures and this process's CPU seconds meanwhile. */
interface Measured extends Capture {
  recorderCpu: number
  /** Events the recorder stored; 0 where nothing was stored. */
  events: number
}

/** Measures every stage of every workload, on each interpreter and accelerator. */
export async function measurePipeline(options: {
  pythons: Array<{ version: string; path: string }>
  accelerators: Accelerator[]
  workloads: Workload[]
  scale: number
  progress: (line: string) => void
}): Promise<PipelineFigures> {
  const build = await loadBuild()
  const folder = mkdtempSync(join(tmpdir(), 'smiley-pipeline-'))
  const load: [number, number] = [loadavg()[0]!, 0]
  const groups: PipelineGroup[] = []
  try {
    for (const python of options.pythons) {
      for (const accelerator of options.accelerators) {
        const group: PipelineGroup = { python: python.version, accelerator, workloads: [] }
        for (const workload of options.workloads) {
          const target = {
            python: python.path,
            workload: workload.path,
            scale: options.scale,
            label: `${workload.name} on ${python.version}`,
          }
          const untraced = await runUntraced(target)
          const settrace = await runSettrace(target)
          const figures: PipelineWorkload = {
            workload: workload.name,
            settrace: settrace.seconds / untraced.seconds,
            events: 0,
            tracerUs: null,
            recorderUs: 0,
            stages: {},
          }
          for (const stage of STAGES) {
            const measured =
              stage === 'run'
                ? {
                    ...(await runSmiley(target, join(folder, 'run.db'), accelerator)),
                    recorderCpu: 0,
                  }
                : await runStage(build, stage, target, accelerator, folder)
            if (JSON.stringify(measured.checksum) !== JSON.stringify(untraced.checksum))
              throw new BenchError(`${target.label}: ${stage} computed another checksum`)
            figures.stages[stage] = ratios(measured, untraced)
            if (stage === 'dropped' && measured.cpu !== null && untraced.cpu !== null)
              figures.tracerUs = measured.cpu - untraced.cpu
            if (stage === 'stored') {
              figures.events = measured.events
              figures.recorderUs = measured.recorderCpu
            }
          }
          const perEvent = (seconds: number) => (seconds * 1e6) / Math.max(1, figures.events)
          figures.recorderUs = perEvent(figures.recorderUs)
          if (figures.tracerUs !== null) figures.tracerUs = perEvent(figures.tracerUs)
          group.workloads.push(figures)
          const shown = STAGES.map(
            (stage) => `${stage} ${figures.stages[stage]!.wall.toFixed(1)}×`,
          ).join(', ')
          options.progress(
            `${python.version} ${accelerator.padEnd(6)} ${workload.name.padEnd(13)} ${shown}`,
          )
        }
        groups.push(group)
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
  load[1] = loadavg()[0]!
  return { scale: options.scale, load, groups }
}

function ratios(measured: Measured, untraced: Capture): StageFigure {
  const base = untraced.cpu ?? untraced.seconds
  return {
    wall: measured.seconds / untraced.seconds,
    python: measured.cpu === null || untraced.cpu === null ? null : measured.cpu / untraced.cpu,
    recorder: measured.recorderCpu / base,
  }
}

/** The workload under the tracer, its stream taken as far as `stage` goes. */
async function runStage(
  build: Build,
  stage: Exclude<Stage, 'run'>,
  target: { python: string; workload: string; scale: number; label: string },
  accelerator: Accelerator,
  folder: string,
): Promise<Measured> {
  const profile = !stage.endsWith('-profile')
  const env = tracerEnv(benchTracerOptions('pipeline', { accelerator, profile }))
  const toNull = stage.startsWith('dropped')
  const sink = toNull ? openSync('/dev/null', 'w') : null
  const database = join(folder, 'stage.db')
  const take = toNull ? null : consumer(build, stage, database)
  const before = process.cpuUsage()
  try {
    const child = spawn(target.python, [target.workload, String(target.scale)], {
      cwd: ROOT,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe', sink ?? 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const stream = child.stdio[3] as Readable | null
    const reading =
      stream === null || take === null
        ? Promise.resolve()
        : (async () => {
            for await (const chunk of stream) take.push(chunk as Buffer)
            await take.end()
          })()
    const code = await new Promise<number | null>((done, fail) => {
      child.once('error', fail)
      child.once('close', done)
    })
    await reading
    const used = process.cpuUsage(before)
    if (code !== 0)
      throw new BenchError(`${target.label}: ${stage} exited with ${code}\n${stderr.trim()}`)
    const warning = stderr.split('\n').find((line) => line.startsWith('smiley:'))
    if (warning) throw new BenchError(`${target.label}: the tracer stopped: ${warning}`)
    const report = stdout
      .trim()
      .split('\n')
      .reverse()
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>
        } catch {
          return null
        }
      })
      .find((value) => value !== null && typeof value['seconds'] === 'number')
    if (!report) throw new BenchError(`${target.label}: ${stage}: no {"checksum", "seconds"} line`)
    return {
      checksum: report['checksum'],
      seconds: report['seconds'] as number,
      cpu: typeof report['cpu'] === 'number' ? report['cpu'] : null,
      wallSeconds: 0,
      recorderCpu: take === null ? 0 : (used.user + used.system) / 1e6,
      events: take?.events() ?? 0,
    }
  } finally {
    if (sink !== null) closeSync(sink)
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true })
  }
}

interface Consumer {
  push(chunk: Buffer): void
  end(): Promise<void>
  /** Events stored, where the stage stores them. */
  events(): number
}

/** What reads the stream at `stage`: each stage does what the one before did, and more. */
function consumer(build: Build, stage: Stage, database: string): Consumer {
  switch (stage) {
    case 'drained':
      return { push: () => undefined, end: async () => undefined, events: () => 0 }
    case 'decoded': {
      const frames = new build.FrameReader()
      let records = 0
      return {
        push: (chunk) => {
          for (const payload of frames.push(chunk))
            for (const _record of build.readRecords(payload)) records += 1
        },
        end: async () => {
          if (records === 0) throw new BenchError('the stream held no records')
        },
        events: () => 0,
      }
    }
    case 'built': {
      const frames = new build.FrameReader()
      // The store's place: each batch is built in full, and then forgotten.
      const writer = new build.RunWriter({ writeBatch: () => undefined }, 1)
      return {
        push: (chunk) => {
          for (const payload of frames.push(chunk))
            for (const record of build.readRecords(payload)) writer.accept(record)
          if (writer.due) writer.flushNow()
        },
        end: async () => writer.flushNow(),
        events: () => 0,
      }
    }
    case 'stored':
    case 'stored-profile': {
      const db = build.openDatabase(database, { create: true })
      const recorder = new build.RunRecorder(new build.SqliteStore(db), () =>
        benchRun('pipeline bench'),
      )
      return {
        push: (chunk) => void recorder.push(chunk),
        end: async () => {
          await recorder.finish({ code: 0, signal: null })
          db.close()
          if (recorder.problem) throw new BenchError(`recording failed: ${recorder.problem}`)
        },
        events: () => recorder.eventCount,
      }
    }
    default:
      throw new BenchError(`no reader for the ${stage} stage`)
  }
}
