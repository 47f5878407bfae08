/**
 * `npm start`: records the bundled demo program (demo/) into ./smiley.db, then shows what
 * was recorded: the list of runs and the beginning of the demo's trace.
 */

import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const smiley = join(root, 'bin', 'smiley.js')
const TRACE_LINES = 40

const bold = process.stdout.isTTY && !process.env['NO_COLOR']

function step(title: string): void {
  process.stdout.write(bold ? `\n\u001b[1m${title}\u001b[22m\n` : `\n${title}\n`)
}

step('$ smiley run demo/main.py')
const recorded = spawnSync(process.execPath, [smiley, 'run', join('demo', 'main.py')], {
  cwd: root,
  stdio: 'inherit',
})
if (recorded.status !== 0) process.exit(recorded.status ?? 1)

step('$ smiley list')
spawnSync(process.execPath, [smiley, 'list', '--limit', '5'], { cwd: root, stdio: 'inherit' })

step(`$ smiley replay latest   (the first ${TRACE_LINES} lines)`)
const replay = spawn(process.execPath, [smiley, 'replay', 'latest'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
})
let shown = 0
const lines = createInterface({ input: replay.stdout })
lines.on('line', (line) => {
  if (shown++ < TRACE_LINES) process.stdout.write(line + '\n')
  else replay.kill()
})
lines.on('close', () => {
  process.stdout.write('\nSee the whole trace with: npx smiley replay latest | less -R\n')
})
