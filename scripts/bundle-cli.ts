/**
 * Part of `npm run build`: the `smiley` command bundled into dist/cli/, one file for what every
 * command loads and one chunk for each command's own modules (a command still loads only its
 * own), so that starting it reads a few files instead of a hundred modules one by one, each
 * resolved and read by Node's ESM loader in turn (a third of `smiley run`'s start-up before).
 * Packages stay in node_modules: better-sqlite3 finds its native addon from there. Source maps
 * beside: bin/smiley.js turns them on with SMILEY_DEBUG, for stack traces in TypeScript.
 */

import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const outdir = join(root, 'dist', 'cli')

// Chunks are named by their content: those of an older build would stay behind.
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { smiley: join(root, 'server', 'cli', 'main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
