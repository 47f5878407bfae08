/**
 * The gate that holds a program before its first line while smiley gets its recording ready:
 * the interpreter starts (a tenth of a second or more) while smiley loads its database modules
 * and opens the database, instead of after. The tracer waits on its end of the gate (see
 * `_wait_for_go` in tracer/smiley_tracer/session.py) before it sends or hooks anything; one
 * byte lets the program start, a gate shut without it stops the interpreter there, quietly,
 * for smiley to say why in one line.
 */

import type { Writable } from 'node:stream'

/** The descriptor the interpreter finds its end of the gate on. */
export const GATE_FD = 4

/** The byte that lets the program start (`GO` in session.py). */
const GO = Buffer.from('g')

export class Gate {
  private settled = false

  constructor(private readonly end: Writable) {
    // An interpreter that ended before the gate opened (it failed to start, or was killed)
    // has closed its end: nothing to tell it then.
    end.on('error', () => undefined)
  }

  /** Lets the program start. */
  open(): void {
    if (this.settled) return
    this.settled = true
    this.end.end(GO)
  }

  /** The program never starts: the interpreter exits before its first line. */
  shut(): void {
    if (this.settled) return
    this.settled = true
    this.end.destroy()
  }
}
