/** The SEQ argument of `state` and `history`. */

import { UsageError } from '../errors.js'

/** The event number `text` gives; a usage error when it is no positive whole number. */
export function eventNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`SEQ must be an event number (1 or more), not "${text}"`)
  return Number(text)
}
