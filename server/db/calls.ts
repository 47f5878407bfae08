/**
 * The call tree of a run, read a level at a time from the frame chunks: the calls one frame
 * made, grouped by function, then the calls of a group a page at a time. A frame's calls are
 * in its own chunk and in the chunks `frame_children` names for it, so neither reads the rest.
 */

import type { CallGroup, CallNode } from '../../shared/types/moment.js'
import type { Db } from './database.js'
import type { RunNames } from './events.js'
import { FrameStore } from './frame-store.js'

/** The calls frame `parent` made (0: the calls nobody recorded made), by function, in order of the first call. */
export function callGroups(db: Db, run: number, names: RunNames, parent: number): CallGroup[] {
  const groups = new Map<number, Omit<CallGroup, 'name' | 'file'>>()
  FrameStore.of(db).forEachChild(run, parent, (call) => {
    let group = groups.get(call.function)
    if (group === undefined) {
      group = {
        function: call.function,
        calls: 0,
        micros: 0,
        running: 0,
        first: call.id,
        firstSeq: call.callSeq,
      }
      groups.set(call.function, group)
    }
    group.calls += 1
    if (call.endUs === null) group.running += 1
    else group.micros += call.endUs - call.callUs
    if (call.id < group.first) {
      group.first = call.id
      group.firstSeq = call.callSeq
    }
  })
  // In order of the first call: a call that came late may be in a later chunk.
  const ordered = [...groups.values()].sort((a, b) => a.first - b.first)
  return ordered.map((group) => {
    const fn = names.function(group.function)
    return {
      ...group,
      name: fn?.qualifiedName ?? '?',
      file: fn ? (names.file(fn.file)?.path ?? '?') : '?',
    }
  })
}

export interface CallsRequest {
  parent: number
  function: number
  /** First frame id to include, in `direction`. */
  from: number
  direction: 'forward' | 'backward'
  limit: number
}

/** Calls of one group, in order, starting at frame id `from`. */
export function groupCalls(db: Db, run: number, request: CallsRequest): CallNode[] {
  const calls: CallNode[] = []
  const children = FrameStore.of(db).children(run, request.parent, request.from, request.direction)
  for (const call of children) {
    if (call.function !== request.function) continue
    calls.push({
      frame: call.id,
      function: call.function,
      callSeq: call.callSeq,
      endSeq: call.endSeq,
      micros: call.endUs === null ? null : call.endUs - call.callUs,
      children: call.children,
    })
    if (calls.length === request.limit) break
  }
  return request.direction === 'forward' ? calls : calls.reverse()
}

/** The frames from the outermost recorded caller down to `frame`, each with its function. */
export function framePath(
  db: Db,
  run: number,
  frame: number,
): Array<{ frame: number; function: number }> {
  const frames = FrameStore.of(db)
  const path: Array<{ frame: number; function: number }> = []
  const seen = new Set<number>()
  let current = frame
  while (current !== 0 && !seen.has(current)) {
    seen.add(current)
    const record = frames.frame(run, current)
    if (record === undefined) break
    path.push({ frame: current, function: record.function })
    current = record.parent
  }
  return path.reverse()
}
