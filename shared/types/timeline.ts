/**
 * The Timeline tab: a run's calls over time as a flame chart, one lane per thread (and per
 * asyncio task, where events carry one). The server answers a window of time at a width in
 * pixels with at most a screen of bars: calls narrower than a pixel are merged.
 */

/** Which lane a call is drawn in: its thread, and its task when it ran in one. */
export interface LaneKey {
  thread: number
  /** The asyncio task, when events carry one. */
  task?: number
}

/** A call drawn as one bar, or a stretch of calls each narrower than a pixel, merged. */
export interface TimelineBar {
  /** Callers above it in its lane (0: an outermost call). */
  depth: number
  /** Microseconds since the run started. */
  start: number
  end: number
  /** The function (of the longest call, for merged calls). */
  function: number
  /** The call's frame (the first call's, for merged calls). */
  frame: number
  /** The call's event: where the explorer opens it (the first call's, for merged calls). */
  callSeq: number
  /** 1 for a call; more for calls merged because each is narrower than a pixel. */
  calls: number
  /** The call has not returned (still running, or the run ended first). */
  open: boolean
}

export interface TimelineLane {
  key: LaneKey
  name: string
  /** The deepest call in the lane, over the whole run. */
  depth: number
  bars: TimelineBar[]
}

/** A function a bar names, with where it is. */
export interface TimelineFunction {
  id: number
  name: string
  file: number
  path: string
  line: number
}

/** The explorer's position, placed on the timeline. */
export interface TimelinePosition {
  seq: number
  us: number
  lane: LaneKey
  depth: number
}

export interface TimelineWindow {
  /** The whole run, in microseconds since it started. */
  span: { start: number; end: number }
  /** The window answered (the one asked, kept inside the run). */
  from: number
  to: number
  width: number
  lanes: TimelineLane[]
  /** The functions the bars name. */
  functions: TimelineFunction[]
  position: TimelinePosition | null
  /** Bars were left out past the limit of a screen: zoom in for the rest. */
  truncated: boolean
}
