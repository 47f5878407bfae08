/** A progress bar on stderr, when stderr is a terminal: for commands that read a whole run. */

import { formatCount } from './format.js'

export class Progress {
  private readonly enabled = process.stderr.isTTY === true
  private last = 0

  show(done: number, total: number): void {
    if (!this.enabled || Date.now() - this.last < 100) return
    this.last = Date.now()
    const share = total > 0 ? Math.min(1, done / total) : 1
    const width = 30
    const filled = Math.round(share * width)
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(share * 100)}% ${formatCount(done)} events`,
    )
  }

  done(): void {
    if (this.enabled) process.stderr.write('\r\u001b[2K')
  }
}
