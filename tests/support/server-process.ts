/**
 * Real `smiley server` and `smiley record` processes, as a user starts them, for tests that
 * need them apart from their own process (to see them stay up, or to load them).
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { SMILEY } from './cli.js'

export interface ServerProcess {
  /** The address it printed (with the token, when it has one). */
  url: string
  port: number
  child: ChildProcess
  /** What it wrote on stderr so far. */
  stderr(): string
  /** Whether it is still running. */
  alive(): boolean
  /** Stops it with SIGINT; resolves with its exit status. */
  stop(): Promise<number | null>
}

/** Starts `smiley server -d DATABASE --port 0 ARGS…` and waits for the address it prints. */
export function spawnServer(database: string, args: string[] = []): Promise<ServerProcess> {
  return spawnListening(['server', '-d', database, '--port', '0', ...args], 'stdout')
}

/** Starts `smiley record -d DATABASE --listen 127.0.0.1:0 ARGS…` and waits for its address. */
export function spawnRecorder(database: string, args: string[] = []): Promise<ServerProcess> {
  return spawnListening(['record', '-d', database, '--listen', '127.0.0.1:0', ...args], 'stderr')
}

async function spawnListening(
  args: string[],
  announcedOn: 'stdout' | 'stderr',
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SMILEY, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  const url = await new Promise<string>((found, failed) => {
    const lines = createInterface({ input: child[announcedOn]! })
    lines.on('line', (line) => {
      const match = /(http:\/\/[^\s)]+)/.exec(line)
      if (match) found(match[1]!)
    })
    void exited.then((code) => failed(new Error(`smiley ${args[0]} exited (${code}): ${stderr}`)))
  })
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      return exited
    },
  }
}
