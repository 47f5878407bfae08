/**
 * What the time-travel explorer needs from ingest, kept while the stream goes by: an
 * activation row for every generator resumed (who resumed it, from which line), and every
 * live frame's variables, for the snapshots that event blocks keep (see event-blocks.ts).
 */

import type { FlatChanges } from '../../shared/wire/records.js'

type Row = unknown[]

interface Variable {
  type: number
  text: string
}

interface FrameState {
  /** By name symbol. */
  locals: Map<number, Variable>
  line: number
}

export class MomentKeeper {
  readonly activations: Row[] = []
  private readonly frames = new Map<number, FrameState>()
  /** The frame of the last event, and its state: the next event is mostly the same frame's. */
  private lastFrame = -1
  private lastState: FrameState | undefined

  constructor(private readonly run: number) {}

  /** A call event: a new activation (`locals` given) or a generator resumed (`locals` null). */
  call(frame: number, parent: number, seq: number, line: number, locals: FlatChanges | null): void {
    let state = this.frames.get(frame)
    if (state === undefined) {
      state = { locals: new Map(), line }
      this.frames.set(frame, state)
      this.lastFrame = -1
    } else {
      // A generator resumed: its first activation is its frames row.
      this.activations.push([this.run, frame, seq, parent, this.frames.get(parent)?.line ?? null])
    }
    this.apply(state, locals)
    state.line = line
  }

  /** Any other event of a frame, with the locals it changed. */
  event(frame: number, line: number, changes: FlatChanges | null): void {
    let state = this.lastState
    if (frame !== this.lastFrame) {
      state = this.frames.get(frame)
      this.lastFrame = frame
      this.lastState = state
    }
    if (state === undefined) return
    this.apply(state, changes)
    state.line = line
  }

  /** The frame returned for good. */
  end(frame: number): void {
    this.frames.delete(frame)
    this.lastFrame = -1
  }

  /** The frame's variables now, as flat (name, type, text) triples. */
  variables(frame: number): FlatChanges {
    const flat: Array<number | string> = []
    const state = this.frames.get(frame)
    if (state !== undefined)
      for (const [name, { type, text }] of state.locals) flat.push(name, type, text)
    return flat
  }

  private apply(state: FrameState, flat: FlatChanges | null): void {
    if (flat === null) return
    for (let i = 0; i < flat.length; i += 3) {
      const name = flat[i] as number
      const text = flat[i + 2]
      if (typeof text !== 'string') {
        state.locals.delete(name)
        continue
      }
      // Changed in place: most changes are to a variable the frame already has.
      const variable = state.locals.get(name)
      if (variable === undefined) state.locals.set(name, { type: flat[i + 1] as number, text })
      else {
        variable.type = flat[i + 1] as number
        variable.text = text
      }
    }
  }
}
