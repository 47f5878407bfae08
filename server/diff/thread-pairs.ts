/**
 * Which thread of one run is which thread of the other: the same name, in the order they
 * started; then the same name without the target Python 3.10+ adds ("Thread-1 (work)");
 * then the rest in the order they started. A thread left over is compared with nothing.
 */

import type { ThreadSummary } from '../../shared/types/thread.js'

export interface ThreadPair {
  a: ThreadSummary | null
  b: ThreadSummary | null
}

const ways: Array<(thread: ThreadSummary) => string> = [
  (thread) => thread.name,
  (thread) => thread.name.replace(/ \(.*\)$/, ''),
  () => '',
]

/** Pairs the threads of two runs, each list in the order its threads started. */
export function pairThreads(a: ThreadSummary[], b: ThreadSummary[]): ThreadPair[] {
  const pairs: ThreadPair[] = []
  const leftA = new Set(a.filter((thread) => thread.firstSeq !== null))
  const leftB = new Set(b.filter((thread) => thread.firstSeq !== null))
  for (const name of ways) {
    for (const thread of [...leftA]) {
      const partner = [...leftB].find((other) => name(other) === name(thread))
      if (partner === undefined) continue
      pairs.push({ a: thread, b: partner })
      leftA.delete(thread)
      leftB.delete(partner)
    }
  }
  for (const thread of leftA) pairs.push({ a: thread, b: null })
  for (const thread of leftB) pairs.push({ a: null, b: thread })
  return pairs.sort((x, y) => start(x) - start(y))
}

function start(pair: ThreadPair): number {
  return pair.a?.firstSeq ?? pair.b?.firstSeq ?? 0
}
