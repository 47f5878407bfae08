/**
 * Start-up: `smiley run` of an empty program against the bare interpreter running it, and where
 * the difference goes: before the program's first line and after its last (a one-line program
 * notes the time of its line, with and without smiley), Node's own start, Node with the
 * `smiley` command loaded (`smiley --version`), and the interpreter with the tracer started
 * but no recorder behind it. smiley starts the interpreter while it opens the database (the
 * program held at a gate meanwhile), so the phases overlap: the slower of the two is what the
 * first line waits for.
 * The one-line program under smiley run also notes smiley's own moments (SMILEY_STARTUP_MARKS:
 * Node started, the command loaded, the interpreter spawned, the tracer at its gate, the go
 * byte, the program's exit, the run written, smiley's exit), on the same clock as its line.
 * Rounds interleave, after one that warms every cache (the accelerator's build, the tracer's
 * bytecode, the database's creation); each figure is the least of the rounds, and so is each
 * moment's time since the command started. The machine's load is printed beside: on a loaded
 * machine, compare the CPU column and the differences, measured in the same run.
 *
 *   npx tsx scripts/bench/startup.ts [--python 3.11] [--scale 1]
 */

import { randomUUID } from 'node:crypto'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { tracerEnv } from '../../server/record/launch.js'
import { ROOT } from './capture.js'
import { standaloneOptions } from './standalone.js'
import { least, NOT_YET, timed, type Timing } from './timing.js'
import { benchTracerOptions } from './workloads.js'

const SMILEY = join(ROOT, 'bin', 'smiley.js')

/** Seconds of wall-clock time before a program's first line, and after it until the end. */
export interface Phases {
  toFirstLine: number
  afterLastLine: number
  /** Each of smiley's moments (server/startup-marks.ts), seconds after the command started. */
  moments: Record<string, number>
  /** The CPU seconds its process (Node, or the interpreter) had used by each moment. */
  cpu: Record<string, number>
}

export interface StartupFigures {
  rounds: number
  /** Each the least of the rounds. `bare`: the interpreter alone. */
  bare: Timing
  node: Timing
  cli: Timing
  tracer: Timing
  smileyRun: Timing
  /** A one-line program's phases, each the least of the rounds: alone, and under smiley run. */
  phases: { bare: Phases; smileyRun: Phases }
  /** The machine's load average over a minute, as the rounds began and as they ended. */
  load: [number, number]
}

type Way = keyof Omit<StartupFigures, 'rounds' | 'phases' | 'load'>

/** The program of the phases: its one line notes when it ran, in the file it is given. */
const ONE_LINE = 'import sys, time; open(sys.argv[1], "w").write(repr(time.time()))\n'

/**
 * Runs a command that runs the one-line program, and says when it started, when the program's
 * line ran (read from the file it wrote) and when the command ended: one clock, the system's.
 */
const PHASES = `import subprocess, sys, time
started = time.time()
code = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ended = time.time()
line = float(open(sys.argv[1]).read())
sys.stderr.write("phases %d %f %f %f\\n" % (code, line - started, ended - line, started))`

/** Where smiley notes its moments: SMILEY_STARTUP_MARKS. */
const MARKS_ENV = 'SMILEY_STARTUP_MARKS'

function phased(python: string, mark: string, command: string[], marks: string): Promise<Phases> {
  rmSync(marks, { force: true })
  const child = spawn(python, ['-c', PHASES, mark, ...command], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, [MARKS_ENV]: marks },
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((done, fail) => {
    child.once('error', fail)
    child.once('exit', () => {
      const found = /phases (\d+) ([\d.-]+) ([\d.-]+) ([\d.]+)\s*$/.exec(stderr)
      if (found === null || found[1] !== '0') {
        fail(new Error(`${command.join(' ')}: ${found === null ? stderr.trim() : 'failed'}`))
        return
      }
      const [toFirstLine, afterLastLine, started] = found.slice(2).map(Number) as [
        number,
        number,
        number,
      ]
      done({
        toFirstLine,
        afterLastLine,
        ...noted(marks, started),
        moments: {
          ...noted(marks, started).moments,
          "program's first line": toFirstLine,
          'command ended, as its caller saw': toFirstLine + afterLastLine,
        },
      })
    })
  })
}

/**
 * The moments noted in `marks`, each in seconds after `started`, and the CPU time its process
 * had used by then; the first of each name.
 */
function noted(marks: string, started: number): Pick<Phases, 'moments' | 'cpu'> {
  const found: Pick<Phases, 'moments' | 'cpu'> = { moments: {}, cpu: {} }
  if (!existsSync(marks)) return found
  for (const line of readFileSync(marks, 'utf8').split('\n')) {
    const mark = /^(.+) ([\d.]+) ([\d.]+)$/.exec(line)
    if (mark === null || mark[1]! in found.moments) continue
    found.moments[mark[1]!] = Number(mark[2]) - started
    found.cpu[mark[1]!] = Number(mark[3])
  }
  return found
}

const leastOf = (a: Record<string, number>, b: Record<string, number>) => {
  const least = { ...a }
  for (const [name, value] of Object.entries(b))
    least[name] = Math.min(least[name] ?? Infinity, value)
  return least
}

const leastPhases = (a: Phases, b: Phases): Phases => {
  return {
    toFirstLine: Math.min(a.toFirstLine, b.toFirstLine),
    afterLastLine: Math.min(a.afterLastLine, b.afterLastLine),
    moments: leastOf(a.moments, b.moments),
    cpu: leastOf(a.cpu, b.cpu),
  }
}

const NO_PHASES: Phases = { toFirstLine: Infinity, afterLastLine: Infinity, moments: {}, cpu: {} }

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
    const oneLine = join(folder, 'one_line.py')
    writeFileSync(oneLine, ONE_LINE)
    const mark = join(folder, 'line-ran')
    const marks = join(folder, 'marks')
    const phaseWays = {
      bare: () => phased(python, mark, [python, oneLine, mark], marks),
      smileyRun: () =>
        phased(
          python,
          mark,
          [
            process.execPath,
            SMILEY,
            'run',
            '-d',
            join(folder, 'phases.db'),
            '--python',
            python,
            oneLine,
            mark,
          ],
          marks,
        ),
    }
    const phases = { bare: NO_PHASES, smileyRun: NO_PHASES }
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
    for (const way of Object.values(phaseWays)) await way()
    const loadBefore = loadavg()[0]!
    for (let round = 0; round < rounds; round++) {
      for (const [way, measure] of Object.entries(ways) as Array<[Way, () => Promise<Timing>]>)
        best[way] = least(best[way], await measure())
      phases.bare = leastPhases(phases.bare, await phaseWays.bare())
      phases.smileyRun = leastPhases(phases.smileyRun, await phaseWays.smileyRun())
      if ((round + 1) % 5 === 0) progress(`round ${round + 1} of ${rounds}`)
    }
    return { rounds, ...best, phases, load: [loadBefore, loadavg()[0]!] }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/**
 * Each moment in the order it came, with its time, the time since the one before, and the CPU
 * time its process (Node's, or the tracer's interpreter) had used by then.
 */
function timeline({ moments, cpu }: Phases): string[] {
  let before = 0
  return Object.entries(moments)
    .sort(([, a], [, b]) => a - b)
    .map(([name, at]) => {
      const line = `  ${name.padEnd(44)} ${Math.round(at * 1000)} ms`.padEnd(56)
      const step = `+${Math.round((at - before) * 1000)} ms`.padStart(8)
      const used = cpu[name]
      const process = name.startsWith('tracer') ? 'python' : 'node'
      const note =
        used === undefined ? '' : `   ${process} CPU so far ${Math.round(used * 1000)} ms`
      before = at
      return `${line} ${step}${note}`
    })
}

export function formatStartup(figures: StartupFigures): string {
  const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`.padStart(8)
  const over = (timing: Timing, base: Timing) =>
    `+${Math.round((timing.wall - base.wall) * 1000)} ms`
  const row = (label: string, timing: Timing, note: string) =>
    `  ${label.padEnd(44)} ${ms(timing.wall)} ${ms(timing.cpu)}  ${note}`
  const { bare, node, cli, tracer, smileyRun, phases } = figures
  const phase = (label: string, seconds: number, base: number) =>
    `  ${label.padEnd(44)} ${ms(seconds)}           +${Math.round((seconds - base) * 1000)} ms over python`
  return [
    `an empty program, least of ${figures.rounds} rounds              wall      CPU`,
    row('python empty.py', bare, ''),
    row(
      'smiley run empty.py',
      smileyRun,
      `${over(smileyRun, bare)} over python (target ≤ +150 ms)`,
    ),
    'where it goes: a one-line program, before its line and after it',
    `  ${'python one_line.py: to its line'.padEnd(44)} ${ms(phases.bare.toFirstLine)}`,
    phase(
      'smiley run one_line.py: to its line',
      phases.smileyRun.toFirstLine,
      phases.bare.toFirstLine,
    ),
    `  ${'python one_line.py: after its line'.padEnd(44)} ${ms(phases.bare.afterLastLine)}`,
    phase(
      'smiley run one_line.py: after its line',
      phases.smileyRun.afterLastLine,
      phases.bare.afterLastLine,
    ),
    'before the line, overlapped: Node and the command, while the interpreter starts the tracer',
    row('node -e 0 (Node itself)', node, ''),
    row('smiley --version (Node and the command)', cli, `${over(cli, node)} over Node`),
    row('python with the tracer, no recorder', tracer, `${over(tracer, bare)} over python`),
    'smiley run one_line.py moment by moment: since the command started, and since the moment before',
    ...timeline(phases.smileyRun),
    `load average ${figures.load[0].toFixed(1)} as the rounds began, ${figures.load[1].toFixed(1)} as they ended (2 cores)`,
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { python } = standaloneOptions()
  const figures = await measureStartup(python, 15, (line) => process.stderr.write(`  ${line}\n`))
  process.stdout.write(formatStartup(figures) + '\n')
}
