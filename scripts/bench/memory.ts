/**
 * The tracer's memory: the peak resident size of a workload traced (its stream written to
 * /dev/null, so nothing waits) minus the same workload untraced, at one length and at four
 * times that length. A bounded tracer costs the same at both.
 *
 *   npx tsx scripts/bench/memory.ts [--python 3.11] [--scale 1]
 */

import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { tracerEnv } from '../../server/record/launch.js'
import { standaloneOptions } from './standalone.js'
import { benchTracerOptions } from './workloads.js'

const ROOT = join(import.meta.dirname, '..', '..')
const WORKLOADS = join(ROOT, 'scripts', 'bench', 'workloads')
const NAMES = ['locals.py', 'recursion.py', 'generators.py', 'objects.py']

/**
 * Runs the workload, then prints its peak resident size (KiB) on stderr's last line. Linux
 * carries ru_maxrss over exec from the process that forked, so a large parent (the whole
 * `npm run bench`) would hide the figure: the high-water mark of /proc comes first.
 */
const PEAK = `import resource, runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
def peak():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write("peak %d\\n" % peak())`

export interface MemoryFigures {
  workload: string
  /** KiB above the untraced program at the base length and at four times it. */
  above: [number, number]
}

async function peakOf(python: string, workload: string, scale: number, traced: boolean) {
  const sink = openSync('/dev/null', 'w')
  const env = traced ? tracerEnv(benchTracerOptions('memory-bench')) : process.env
  const child = spawn(python, ['-c', PEAK, join(WORKLOADS, workload), String(scale)], {
    cwd: WORKLOADS,
    env,
    stdio: ['ignore', 'ignore', 'pipe', sink],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise<number | null>((done) => child.on('exit', done))
  closeSync(sink)
  const peak = /peak (\d+)\s*$/.exec(stderr)
  if (code !== 0 || peak === null) throw new Error(`${workload}: exited with ${code}: ${stderr}`)
  return Number(peak[1])
}

export async function measureMemory(python: string, scale: number): Promise<MemoryFigures[]> {
  const figures: MemoryFigures[] = []
  for (const workload of NAMES) {
    const above: number[] = []
    for (const length of [scale, scale * 4]) {
      const untraced = await peakOf(python, workload, length, false)
      const traced = await peakOf(python, workload, length, true)
      above.push(traced - untraced)
    }
    figures.push({ workload, above: [above[0]!, above[1]!] })
  }
  return figures
}

export function formatMemory(figures: MemoryFigures[]): string {
  const mb = (kib: number) => `${(kib / 1024).toFixed(1)} MB`
  return [
    'tracer memory: peak resident size above the untraced program, at 1× and 4× the length',
    ...figures.map(
      (f) =>
        `  ${f.workload.padEnd(16)} ${mb(f.above[0]).padStart(9)} ${mb(f.above[1]).padStart(9)}`,
    ),
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { python, scale } = standaloneOptions()
  process.stdout.write(formatMemory(await measureMemory(python, scale)) + '\n')
}
