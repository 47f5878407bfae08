/** Two runs compared: where they first went different ways, in control flow and in values. */

import type { EventKind } from './event.js'
import type { StackEntry } from './moment.js'

/** Where one run went at a divergence: its next event. */
export interface DiffPlace {
  seq: number
  kind: EventKind
  /** The file's path, relative to the run's folder when it is inside it. */
  file: string
  line: number
  function: string
  /** The source line as it was when the run executed it. */
  source: string | null
}

/** One stretch where the two runs' paths part, from the last event both shared. */
export interface ControlDivergence {
  /** The thread, as each run names it (null: the run has no such thread). */
  thread: { a: string | null; b: string | null }
  /** The last event both runs shared before they parted (null: none, they parted at once). */
  lastCommon: { a: number | null; b: number | null }
  /** That last shared event, as the first run has it. */
  common: DiffPlace | null
  /** Where each run went next; null when its thread ended there. */
  a: DiffPlace | null
  b: DiffPlace | null
  /** Each run's call stack at its next event, innermost first (the first divergence only). */
  stacks?: { a: StackEntry[]; b: StackEntry[] }
  /** Where both runs are back on the same path; null when they never rejoin. */
  rejoin: { a: number; b: number } | null
  /** Events each run had on its own in this stretch. */
  only: { a: number; b: number }
  /**
   * With --all: the first aligned event after the rejoin, before the paths part again, where
   * a value differs; null when none does (or they never rejoin).
   */
  value?: ValueDivergence | null
}

/** An aligned event where a local, a return value or an exception differs. */
export interface ValueDivergence {
  /** The event in each run. */
  a: number
  b: number
  /** The variable's name, or `<return>` / `<exception>`. */
  name: string
  a_value: string | null
  b_value: string | null
  thread: string
  file: string
  line: number
  function: string
}

/** A function the two runs called a different number of times. */
export interface CallCount {
  function: string
  file: string
  a: number
  b: number
}

export interface DiffSummary {
  /** Events in each run. */
  events: { a: number; b: number }
  /** Events the runs shared before their first control-flow divergence (all threads). */
  commonPrefix: number
  /** Events the runs shared in all, after every re-alignment. */
  aligned: number
  /** Aligned events whose values differ (beyond those ignored). */
  valueDifferences: number
  /** Differences not counted: addresses, ids, timestamps, durations, --ignore, --ignore-name. */
  ignored: number
  /** How many stretches the paths parted in. */
  divergences: number
  /** Functions called a different number of times, most different first. */
  calls: CallCount[]
}

export interface DiffRunInfo {
  id: string
  description: string
  pythonVersion: string | null
}

/** The whole answer of a comparison. */
export interface DiffReport {
  a: DiffRunInfo
  b: DiffRunInfo
  /** No control-flow divergence and no value divergence. */
  identical: boolean
  controlFlow: ControlDivergence | null
  /** The first value divergence before the first control-flow divergence. */
  value: ValueDivergence | null
  /** Every divergent stretch, in order of the first run (with --all; otherwise the first). */
  divergences: ControlDivergence[]
  summary: DiffSummary
}

/** What a comparison leaves out and how far it goes. */
export interface DiffOptions {
  /** Patterns whose matches in values are not differences. */
  ignore: string[]
  /** Variables whose values are never compared. */
  ignoreNames: string[]
  /** List every divergent stretch, not just the first. */
  all: boolean
}
