/**
 * `npm start`: records the bundled demo program (demo/) into ./smiley.db, then serves the
 * live dashboard over it. Record more runs from another terminal and watch them appear.
 */

import { spawn, spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const smiley = join(root, 'bin', 'smiley.js')
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

const port = process.env['PORT'] ?? '8080'
step(`$ smiley server --port ${port}`)
process.stdout.write(
  'Open the address below; runs recorded from another terminal appear there live:\n',
)
process.stdout.write('  npx smiley run your_program.py\n\n')
const server = spawn(process.execPath, [smiley, 'server', '--port', port], {
  cwd: root,
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 0))
