/**
 * Start-up: `smiley run` of an empty program against the bare interpreter running it, and where
 * the difference goes: Node's own start, Node with the `smiley` command's modules loaded
 * (`smiley --version`), and the interpreter with the tracer started but no recorder behind it.
 * Rounds interleave, after one that warms every cache (the accelerator's build, the tracer's
 * bytecode, the database's creation); each figure is the least of the rounds.
 *
 *   npx tsx scripts/bench/startup.ts [--python 3.11] [--scale 1]
 */

import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tracerEnv } from '../../server/record/launch.js'
import { ROOT } from './capture.js'
import { standaloneOptions } from './standalone.js'
import { least, NOT_YET, timed, type Timing } from './timing.js'
import { benchTracerOptions } from './workloads.js'

const SMILEY = join(ROOT, 'bin', 'smiley.js')

export interface StartupFigures {
  rounds: number
  /** Each the least of the rounds. `bare`: the interpreter alone. */
  bare: Timing
  node: Timing
  cli: Timing
  tracer: Timing
  smileyRun: Timing
}

type Way = keyof Omit<StartupFigures, 'rounds'>

export async function measureStartup(
  python: string,
  rounds: number,
  progress: (line: string) => void = () => undefined,
): Promise<StartupFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-bench-startup-'))
  try {
    const program = join(folder, 'empty.py')
    writeFileSync(program, '')
    const database = join(folder, 'runs.db')
    const tracer = tracerEnv(benchTracerOptions(randomUUID(), { script: program }))
    const ways: Record<Way, () => Promise<Timing>> = {
      bare: () => timed(python, [python, program]),
      node: () => timed(python, [process.execPath, '-e', '0']),
      cli: () => timed(python, [process.execPath, SMILEY, '--version']),
      // The stream's descriptor thrown away: the tracer's start without a recorder.
      tracer: () =>
        timed(python, [
          'env',
          `PYTHONPATH=${tracer['PYTHONPATH']}`,
          `SMILEY_OPTIONS=${tracer['SMILEY_OPTIONS']}`,
          '/bin/sh',
          '-c',
          'exec "$0" "$1" 3>/dev/null',
          python,
          program,
        ]),
      smileyRun: () =>
        timed(python, [
          process.execPath,
          SMILEY,
          'run',
          '-d',
          database,
          '--python',
          python,
          program,
        ]),
    }
    const best: Record<Way, Timing> = {
      bare: NOT_YET,
      node: NOT_YET,
      cli: NOT_YET,
      tracer: NOT_YET,
      smileyRun: NOT_YET,
    }
    for (const way of Object.values(ways)) await way()
    for (let round = 0; round < rounds; round++) {
      for (const [way, measure] of Object.entries(ways) as Array<[Way, () => Promise<Timing>]>)
        best[way] = least(best[way], await measure())
      if ((round + 1) % 5 === 0) progress(`round ${round + 1} of ${rounds}`)
    }
    return { rounds, ...best }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

export function formatStartup(figures: StartupFigures): string {
  const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`.padStart(8)
  const over = (timing: Timing, base: Timing) =>
    `+${Math.round((timing.wall - base.wall) * 1000)} ms`
  const row = (label: string, timing: Timing, note: string) =>
    `  ${label.padEnd(44)} ${ms(timing.wall)} ${ms(timing.cpu)}  ${note}`
  const { bare, node, cli, tracer, smileyRun } = figures
  return [
    `an empty program, least of ${figures.rounds} rounds              wall      CPU`,
    row('python empty.py', bare, ''),
    row(
      'smiley run empty.py',
      smileyRun,
      `${over(smileyRun, bare)} over python (target ≤ +150 ms)`,
    ),
    'where it goes',
    row('node -e 0 (Node itself)', node, ''),
    row('smiley --version (Node and the command)', cli, `${over(cli, node)} over Node`),
    row('python with the tracer, no recorder', tracer, `${over(tracer, bare)} over python`),
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { python } = standaloneOptions()
  const figures = await measureStartup(python, 15, (line) => process.stderr.write(`  ${line}\n`))
  process.stdout.write(formatStartup(figures) + '\n')
}
