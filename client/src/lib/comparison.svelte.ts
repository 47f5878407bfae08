/**
 * The compare page's state: the report of two runs compared, and on each side the moment
 * shown and the events of its thread around it. The two sides move together while they are
 * at the same place (aligned): a step on one steps the other.
 */

import { Noise } from '../../../shared/diff-noise.js'
import type { DiffReport } from '../../../shared/types/diff.js'
import type { TraceEvent } from '../../../shared/types/event.js'
import type { Moment } from '../../../shared/types/moment.js'
import type { DataSource, Explorer } from './source.js'

/** Events shown before and after the cursor, in its thread. */
const BEFORE = 6
const AFTER = 12

export type SideIndex = 0 | 1

export class ComparedSide {
  moment = $state.raw<Moment | null>(null)
  events = $state.raw<TraceEvent[]>([])
  problem = $state<string | null>(null)

  constructor(readonly id: string) {}
}

/** Where the page opens: the last event both runs shared before they parted, or the start. */
export function openingSeqs(report: DiffReport, seq?: number): [number, number] {
  const flow = report.controlFlow
  const fallback: [number, number] = flow
    ? [flow.lastCommon.a ?? flow.a?.seq ?? 1, flow.lastCommon.b ?? flow.b?.seq ?? 1]
    : report.value
      ? [report.value.a, report.value.b]
      : [1, 1]
  if (seq === undefined) return fallback
  // Before the paths part with the runs in step, event N of one is event N of the other.
  const inStep =
    flow === null || (flow.lastCommon.a === flow.lastCommon.b && seq <= (flow.lastCommon.a ?? 0))
  return [seq, inStep ? seq : fallback[1]]
}

/** True when two events are at the same place: the comparison's own test, on what the page has. */
export function samePlace(a: TraceEvent, b: TraceEvent): boolean {
  return (
    a.kind === b.kind &&
    a.line === b.line &&
    a.function === b.function &&
    a.depth === b.depth &&
    baseName(a.file) === baseName(b.file)
  )
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

const noise = new Noise([], [])

/** The names of the variables whose values differ between two moments (noise aside). */
export function differingNames(a: Moment | null, b: Moment | null): Set<string> {
  const differing = new Set<string>()
  if (a === null || b === null) return differing
  const valuesA = new Map(a.variables.map((v) => [v.name, v.value]))
  const valuesB = new Map(b.variables.map((v) => [v.name, v.value]))
  for (const name of new Set([...valuesA.keys(), ...valuesB.keys()])) {
    const [x, y] = [valuesA.get(name) ?? null, valuesB.get(name) ?? null]
    if (x !== y && !noise.ignorable(name, x, y)) differing.add(name)
  }
  return differing
}

export class Comparison {
  report = $state.raw<DiffReport | null>(null)
  problem = $state<string | null>(null)
  readonly sides: [ComparedSide, ComparedSide]

  constructor(
    private readonly source: DataSource,
    private readonly explorer: Explorer,
    a: string,
    b: string,
  ) {
    this.sides = [new ComparedSide(a), new ComparedSide(b)]
  }

  async load(): Promise<void> {
    try {
      this.report = await this.source.compare!(this.sides[0].id, this.sides[1].id)
    } catch (error) {
      this.problem = (error as Error).message
    }
  }

  /** The two sides are at the same place: they step together. */
  get aligned(): boolean {
    const [a, b] = [this.sides[0].moment, this.sides[1].moment]
    return a !== null && b !== null && samePlace(a.event, b.event)
  }

  get differing(): Set<string> {
    return differingNames(this.sides[0].moment, this.sides[1].moment)
  }

  /** Shows event `seq` on side `index`. */
  async show(index: SideIndex, seq: number): Promise<void> {
    const side = this.sides[index]
    if (side.moment?.event.seq === seq) return
    try {
      const moment = await this.explorer.moment(side.id, seq)
      const thread = moment.event.thread
      const [before, after] = await Promise.all([
        this.source.events(side.id, {
          from: seq - 1,
          limit: BEFORE,
          direction: 'backward',
          thread,
        }),
        this.source.events(side.id, { from: seq, limit: AFTER, direction: 'forward', thread }),
      ])
      side.moment = moment
      side.events = seq > 1 ? [...before.events, ...after.events] : after.events
      side.problem = null
    } catch (error) {
      side.problem = (error as Error).message
    }
  }

  /**
   * Where a step from side `index` leads each side, in its thread: both sides while they are
   * aligned, this side alone otherwise. Null for a side that stays.
   */
  async step(index: SideIndex, how: 'next' | 'previous'): Promise<[number | null, number | null]> {
    const moving: SideIndex[] = this.aligned ? [0, 1] : [index]
    const targets: [number | null, number | null] = [null, null]
    await Promise.all(
      moving.map(async (which) => {
        const moment = this.sides[which].moment
        if (moment === null) return
        targets[which] = await this.explorer.move(
          this.sides[which].id,
          moment.event.seq,
          how,
          moment.event.thread,
        )
      }),
    )
    return targets
  }
}
