/**
 * The token given to a command that listens (`server`, `record`, `monitor`) or sends
 * (`run --remote`), checked before anything starts: a token that guards nothing, or too
 * little, is a usage error rather than a false sense of safety.
 */

import type { OptionValue } from './args.js'
import { UsageError } from './errors.js'

/** The shortest token taken by a command listening beyond loopback. */
export const MIN_TOKEN_LENGTH = 16

export interface TokenUse {
  /** The address listened on, for the message. */
  host: string
  /** Only this machine can reach it: a short token will do. */
  loopback: boolean
  /** How to make a good token, said when one is too short. */
  howToMake: string
}

/**
 * The `--token` option's value (from the command line or SMILEY_TOKEN), checked; null when
 * none was given. Without `use` (a sender), only emptiness and blanks are refused.
 */
export function checkedToken(given: OptionValue | undefined, use?: TokenUse): string | null {
  if (typeof given !== 'string') return null
  if (given === '') throw new UsageError('the token is empty: give one, or leave --token out')
  // A blank in a token cannot be sent in an Authorization header as the same token.
  if (/[\s\p{Cc}]/u.test(given))
    throw new UsageError('the token holds a space or a control character: give one without')
  if (use !== undefined && !use.loopback && given.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(
      `a token of ${given.length} characters is too easy to guess for listening on ${use.host}: ` +
        `give one of at least ${MIN_TOKEN_LENGTH} (${use.howToMake})`,
    )
  }
  return given
}
