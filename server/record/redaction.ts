/**
 * Secrets kept out of a run's command line and description, by the rules the tracer applies
 * to values (tracer/smiley_tracer/secret_patterns.json; see redaction.py): `--password X`
 * hides X, `--token=X` hides X, and values shaped like secrets are hidden wherever they are.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tracerDir } from '../paths.js'

export const REDACTED = '<redacted>'

interface Rules {
  names: string
  values: { pattern: string }[]
  partial: { pattern: string }[]
}

const rules = JSON.parse(
  readFileSync(join(tracerDir, 'smiley_tracer', 'secret_patterns.json'), 'utf8'),
) as Rules
const SECRET_NAME = new RegExp(rules.names, 'i')
const WHOLE = rules.values.map((rule) => new RegExp(rule.pattern, 'g'))
const PARTIAL = rules.partial.map((rule) => new RegExp(rule.pattern, 'g'))
const OPTION = /^(-{1,2}[A-Za-z_][\w.-]*)(=(.*))?$/s

/** What the user adds with `--redact NAME` and `--redact /REGEX/`. */
export interface ExtraSecrets {
  names: string[]
  patterns: string[]
}

/** `--redact` values split into names and patterns; a pattern JavaScript cannot compile throws. */
export function extraSecrets(values: readonly string[]): ExtraSecrets {
  const names: string[] = []
  const patterns: string[] = []
  for (const value of values) {
    const pattern = /^\/(.+)\/$/s.exec(value)
    if (pattern === null) {
      names.push(value)
      continue
    }
    new RegExp(pattern[1]!) // a SyntaxError says what is wrong with it
    patterns.push(pattern[1]!)
  }
  return { names, patterns }
}

/** A program's arguments with the values of secret options and secret-shaped values hidden. */
export function redactArguments(argv: readonly string[], extra: ExtraSecrets): string[] {
  const isSecret = (option: string): boolean => {
    const name = option.replace(/^-+/, '').replaceAll('-', '_').toLowerCase()
    return (
      SECRET_NAME.test(name) ||
      extra.names.some((n) => n.toLowerCase().replaceAll('-', '_') === name)
    )
  }
  const shown: string[] = []
  let hideNext = false
  for (const argument of argv) {
    if (hideNext) {
      shown.push(REDACTED)
      hideNext = false
      continue
    }
    const option = OPTION.exec(argument)
    if (option !== null && isSecret(option[1]!)) {
      if (option[2] === undefined) hideNext = true
      else {
        shown.push(`${option[1]}=${REDACTED}`)
        continue
      }
    }
    shown.push(redactText(argument, extra))
  }
  return shown
}

/** `text` with secret-shaped values hidden. */
export function redactText(text: string, extra: ExtraSecrets): string {
  let result = text
  for (const pattern of PARTIAL) result = result.replace(pattern, redactLastGroup)
  for (const pattern of [...WHOLE, ...extra.patterns.map((p) => new RegExp(p, 'g'))]) {
    result = result.replace(pattern, REDACTED)
  }
  return result
}

/** A partial rule's match with its last group (the credential) hidden. */
function redactLastGroup(match: string, ...rest: unknown[]): string {
  const groups = rest.slice(
    0,
    rest.findIndex((item) => typeof item === 'number'),
  )
  const secret = groups[groups.length - 1]
  if (typeof secret !== 'string' || secret === '') return REDACTED
  const at = match.lastIndexOf(secret)
  return match.slice(0, at) + REDACTED + match.slice(at + secret.length)
}
