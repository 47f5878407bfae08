/**
 * Writing to the terminal: colour only on a TTY and never with NO_COLOR, and a closed pipe
 * (`smiley replay … | head`) ends the command quietly instead of with a stack trace.
 */

import type { Writable } from 'node:stream'

export type Style = 'dim' | 'bold' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan'

const CODES: Record<Style, [number, number]> = {
  dim: [2, 22],
  bold: [1, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
}

/** True when output to `stream` should be coloured. */
export function wantsColor(
  stream: Writable & { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0'
  return stream.isTTY === true && env['TERM'] !== 'dumb'
}

export class Output {
  readonly color: boolean
  private closed = false

  constructor(
    private readonly stream: Writable & { isTTY?: boolean; columns?: number } = process.stdout,
    color?: boolean,
  ) {
    this.color = color ?? wantsColor(stream)
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error
      this.closed = true
    })
  }

  /** False once the reader has gone away: long outputs should stop. */
  get open(): boolean {
    return !this.closed && !this.stream.destroyed
  }

  /** The terminal's width, or undefined when not writing to a terminal. */
  get columns(): number | undefined {
    return this.stream.isTTY ? this.stream.columns : undefined
  }

  style(style: Style, text: string): string {
    if (!this.color || text === '') return text
    const [on, off] = CODES[style]
    return `\u001b[${on}m${text}\u001b[${off}m`
  }

  /** Writes a line; resolves once the stream can take more (backpressure for long outputs). */
  line(text = ''): Promise<void> | void {
    if (!this.open) return
    if (!this.stream.write(text + '\n')) {
      return new Promise((resolve) => {
        const done = () => {
          this.stream.off('drain', done)
          this.stream.off('close', done)
          resolve()
        }
        this.stream.once('drain', done)
        this.stream.once('close', done)
      })
    }
  }
}
