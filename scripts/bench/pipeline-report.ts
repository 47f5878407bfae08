/** The pipeline section's tables (pipeline.ts measures): stages, sides, targets. */

import { availableParallelism } from 'node:os'
import type { Accelerator } from './capture.js'
import { STAGES, type PipelineFigures, type Stage } from './pipeline.js'
import { geometricMean } from './report.js'

/** What each stage adds, for the table. */
const STAGE_TITLES: Record<Stage, string> = {
  dropped: 'tracer alone, stream to /dev/null',
  'dropped-profile': '  the same, cProfile off',
  drained: '+ pipe, drained by a reader',
  decoded: '+ frames and records decoded',
  built: '+ blocks and batches built',
  stored: '+ SQLite writes (the recorder)',
  'stored-profile': '  the same, cProfile off',
  run: 'smiley run',
}

/** The targets for `smiley run`, per unit of work. */
export const PIPELINE_TARGETS: Array<{ python: string; accelerator: Accelerator; bound: number }> =
  [
    { python: '3.11', accelerator: 'python', bound: 40 },
    { python: '3.11', accelerator: 'native', bound: 15 },
    { python: '3.12', accelerator: 'native', bound: 10 },
    { python: '3.13', accelerator: 'native', bound: 10 },
  ]

/** The stage table of each interpreter and accelerator, geomeans and the targets. */
export function formatPipeline(figures: PipelineFigures): string {
  const lines = [
    `recording path, stage by stage: slowdown per unit of work, geomean over the workloads (scale ${figures.scale}; load ${figures.load[0].toFixed(1)} → ${figures.load[1].toFixed(1)} on ${availableParallelism()} cores)`,
    "  wall: the workload's time; python: its interpreter's CPU time; recorder: this process's CPU time, both over the untraced interpreter's CPU time",
  ]
  for (const group of figures.groups) {
    const settrace = geometricMean(group.workloads.map((w) => w.settrace))
    lines.push(
      '',
      `  CPython ${group.python}, ${group.accelerator}, ${group.workloads.length} workloads (settrace floor ${settrace.toFixed(1)}×)`,
      `    ${'stage'.padEnd(36)} ${'wall'.padStart(7)} ${'python'.padStart(7)} ${'recorder'.padStart(9)} ${'cpu sum'.padStart(8)}`,
    )
    for (const stage of STAGES) {
      const rows = group.workloads.map((w) => w.stages[stage]).filter((row) => row !== undefined)
      if (rows.length === 0) continue
      const wall = geometricMean(rows.map((row) => row.wall))
      const pythons = rows.map((row) => row.python)
      const python = pythons.every((value) => value !== null)
        ? geometricMean(pythons as number[])
        : NaN
      const recorder = geometricMean(rows.map((row) => Math.max(row.recorder, 1e-6)))
      const sum = pythons.every((value) => value !== null)
        ? geometricMean(rows.map((row) => row.python! + row.recorder))
        : NaN
      const shown = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)}×` : '—')
      lines.push(
        `    ${STAGE_TITLES[stage].padEnd(36)} ${shown(wall).padStart(7)} ${shown(python).padStart(7)} ${(stage === 'run' || stage.startsWith('dropped') ? '—' : shown(recorder)).padStart(9)} ${(stage === 'run' ? '—' : shown(sum)).padStart(8)}`,
      )
    }
    lines.push(
      "    which side is slower, in CPU per event (the recorder's own start and end included):",
    )
    for (const w of group.workloads) {
      const tracer = w.tracerUs === null ? NaN : w.tracerUs
      const side = !Number.isFinite(tracer)
        ? '—'
        : w.recorderUs > tracer
          ? 'the recorder'
          : 'the tracer'
      lines.push(
        `      ${w.workload.padEnd(14)} ${w.events.toLocaleString('en-US').padStart(9)} events, tracer ${Number.isFinite(tracer) ? tracer.toFixed(2) : '—'} µs, recorder ${w.recorderUs.toFixed(2)} µs: ${side}`,
      )
    }
    const target = PIPELINE_TARGETS.find(
      (t) => t.python === group.python && t.accelerator === group.accelerator,
    )
    const run = group.workloads.map((w) => w.stages.run?.wall)
    if (target !== undefined && run.every((value) => value !== undefined)) {
      const measured = geometricMean(run as number[])
      const met = measured <= target.bound ? 'met' : 'not met'
      lines.push(
        `    target: smiley run ≤ ${target.bound}× — measured ${measured.toFixed(1)}× (${met}), settrace floor ${settrace.toFixed(1)}× in the same run`,
      )
    }
  }
  return lines.join('\n')
}
