/**
 * Comparing the values of two aligned events: the locals that changed at them (all of them
 * at a call), the return value, the exception. A variable that changed in one run only is
 * compared with its value in the other run at that moment.
 */

import type { Db } from '../db/database.js'
import { KIND, type StoredEvent } from '../db/event-block.js'
import type { RunNames } from '../db/events.js'
import { variablesAt } from '../db/moments.js'
import type { Noise } from '../../shared/diff-noise.js'

export interface ValueSide {
  db: Db
  run: number
  names: RunNames
}

export interface ValueDifference {
  name: string
  a: string | null
  b: string | null
}

export const RETURN = '<return>'
export const EXCEPTION = '<exception>'

export class ValueComparer {
  /** Differences that did not count (noise). */
  ignored = 0

  constructor(
    private readonly sides: readonly [ValueSide, ValueSide],
    private readonly noise: Noise,
  ) {}

  private readonly symbolKeys: [Map<number, number>, Map<number, number>] = [new Map(), new Map()]
  private readonly symbolIds = new Map<string, number>()

  /** The differences between aligned events `a` and `b` that count, in name order. */
  compare(a: StoredEvent, b: StoredEvent): ValueDifference[] {
    const differences: ValueDifference[] = []
    if ((a.locals !== null || b.locals !== null) && !this.sameLocals(a, b))
      this.compareLocals(a, b, differences)
    if (a.kind !== KIND.call && a.kind !== KIND.line) {
      const name = a.kind === KIND.exception ? EXCEPTION : RETURN
      const [textA, textB] = [this.result(0, a), this.result(1, b)]
      if (textA !== textB) this.judge(name, textA, textB, differences)
    }
    return differences
  }

  /** True when both events changed the same names, in the same order, to the same texts. */
  private sameLocals(a: StoredEvent, b: StoredEvent): boolean {
    const [localsA, localsB] = [a.locals, b.locals]
    if (localsA === null || localsB === null || localsA.length !== localsB.length) return false
    for (let i = 0; i < localsA.length; i++) {
      const [x, y] = [localsA[i]!, localsB[i]!]
      if (x.text !== y.text || this.symbolKey(0, x.name) !== this.symbolKey(1, y.name)) return false
    }
    return true
  }

  /** One number per name text, the same in both runs. */
  private symbolKey(side: 0 | 1, symbol: number): number {
    let key = this.symbolKeys[side].get(symbol)
    if (key === undefined) {
      const text = this.sides[side].names.symbol(symbol)
      key = this.symbolIds.get(text)
      if (key === undefined) this.symbolIds.set(text, (key = this.symbolIds.size))
      this.symbolKeys[side].set(symbol, key)
    }
    return key
  }

  private compareLocals(a: StoredEvent, b: StoredEvent, out: ValueDifference[]): void {
    const mapA = this.locals(0, a)
    const mapB = this.locals(1, b)
    const names = [...new Set([...mapA.keys(), ...mapB.keys()])].sort()
    for (const name of names) {
      const textA = mapA.has(name) ? mapA.get(name)! : this.current(0, a, name)
      const textB = mapB.has(name) ? mapB.get(name)! : this.current(1, b, name)
      if (textA !== textB) this.judge(name, textA, textB, out)
    }
  }

  private judge(name: string, a: string | null, b: string | null, out: ValueDifference[]): void {
    if (this.noise.ignorable(name, a, b)) this.ignored += 1
    else out.push({ name, a, b })
  }

  private locals(side: 0 | 1, event: StoredEvent): Map<string, string | null> {
    const { names } = this.sides[side]
    const map = new Map<string, string | null>()
    for (const local of event.locals ?? []) map.set(names.symbol(local.name), local.text)
    return map
  }

  /** A variable's value in the frame of `event` at that event; null when it has none. */
  private current(side: 0 | 1, event: StoredEvent, name: string): string | null {
    const { db, run, names } = this.sides[side]
    for (const [symbol, [, text]] of variablesAt(db, run, event.frame, event.seq))
      if (names.symbol(symbol) === name) return text
    return null
  }

  /** The return value or the exception of `event`, as text. */
  private result(side: 0 | 1, event: StoredEvent): string | null {
    if (event.value === null) return null
    if (event.kind !== KIND.exception || event.valueType === null) return event.value
    return `${this.sides[side].names.symbol(event.valueType)}: ${event.value}`
  }
}
