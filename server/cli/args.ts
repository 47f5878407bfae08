/**
 * A small declarative command-line parser: each command lists its options and positionals
 * once, and both parsing and `--help` come from that list.
 */

import { UsageError } from './errors.js'

export type OptionKind = 'flag' | 'string' | 'integer' | 'list'
export type OptionValue = string | number | boolean | string[]

export interface OptionSpec {
  /** Long name, kebab-case, without the dashes. */
  name: string
  short?: string
  kind: OptionKind
  /** Placeholder for the value in help, e.g. PATH. */
  value?: string
  help: string
  default?: OptionValue
  /** The largest value an `integer` option takes (the smallest is 0). */
  max?: number
  /** Environment variable consulted when the option is not given. */
  env?: string
  /** The arguments after this option belong to the program (`run -m module args…`). */
  endsOptions?: boolean
  /** Left out of `--help` (for tests and debugging). */
  hidden?: boolean
}

export interface PositionalSpec {
  name: string
  help: string
  required?: boolean
  variadic?: boolean
}

export interface CommandSpec {
  name: string
  summary: string
  /** Usage lines, without the leading `smiley NAME`. */
  usage: string[]
  description?: string
  options: OptionSpec[]
  positionals: PositionalSpec[]
  /** Options stop at the first positional: what follows belongs to the traced program. */
  optionsEndAtPositional?: boolean
  /** Options also stop at the first one this command does not know: it and what follows belong
   * to the program (`smiley pytest -x`). */
  unknownOptionsEndOptions?: boolean
  examples?: string[]
}

/** Where an option's value came from. */
export type OptionSource = 'option' | 'env' | 'default'

export interface ParsedArgs {
  /** Option values by camelCase name; absent options have their default or are missing. */
  options: Record<string, OptionValue | undefined>
  /** Where each value of `options` came from, by camelCase name. */
  sources?: Record<string, OptionSource>
  positionals: string[]
  help: boolean
}

const HELP: OptionSpec = { name: 'help', short: 'h', kind: 'flag', help: 'show this help and exit' }

export function parseArgs(
  spec: CommandSpec,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedArgs {
  const options: Record<string, OptionValue | undefined> = {}
  const positionals: string[] = []
  const all = [...spec.options, HELP]
  let help = false
  let i = 0
  const rest = () => {
    positionals.push(...argv.slice(i))
    i = argv.length
  }
  while (i < argv.length) {
    const arg = argv[i]!
    if (arg === '--') {
      i += 1
      rest()
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (spec.optionsEndAtPositional) {
        rest()
        break
      }
      positionals.push(arg)
      i += 1
      continue
    }
    const [flag, inline] = splitInline(arg)
    const option = flag.startsWith('--')
      ? all.find((o) => o.name === flag.slice(2))
      : all.find((o) => o.short !== undefined && o.short === flag.slice(1))
    if (option === undefined && spec.unknownOptionsEndOptions) {
      rest()
      break
    }
    if (option === undefined) {
      const known = flag.startsWith('--')
        ? closest(
            flag.slice(2),
            all.map((o) => o.name),
          )
        : undefined
      throw new UsageError(
        `unknown option ${flag}${known ? ` (did you mean --${known}?)` : ''} (see: smiley ${spec.name} --help)`,
      )
    }
    i += 1
    if (option === HELP) {
      help = true
      continue
    }
    const key = camel(option.name)
    if (option.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`option --${option.name} takes no value`)
      options[key] = true
    } else {
      let value = inline
      if (value === undefined) {
        if (i >= argv.length)
          throw new UsageError(`option --${option.name} needs a value (${option.value ?? 'VALUE'})`)
        value = argv[i]!
        i += 1
      }
      options[key] = convert(option, value, options[key])
    }
    if (option.endsOptions) {
      rest()
      break
    }
  }
  const sources: Record<string, OptionSource> = {}
  for (const option of spec.options) {
    const key = camel(option.name)
    if (options[key] !== undefined) {
      sources[key] = 'option'
      continue
    }
    const fromEnv = option.env ? env[option.env] : undefined
    if (fromEnv !== undefined && fromEnv !== '') {
      options[key] =
        option.kind === 'list' ? splitList(fromEnv) : convert(option, fromEnv, undefined)
      sources[key] = 'env'
    } else if (option.default !== undefined) {
      options[key] = option.default
      sources[key] = 'default'
    }
  }
  if (!help) checkPositionals(spec, positionals)
  return { options, sources, positionals, help }
}

/** A list option's value from the environment: its items separated by commas. */
function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

function checkPositionals(spec: CommandSpec, positionals: string[]): void {
  const required = spec.positionals.filter((p) => p.required).length
  const variadic = spec.positionals.some((p) => p.variadic)
  if (positionals.length < required) {
    const missing = spec.positionals[positionals.length]!
    throw new UsageError(`missing ${missing.name} (see: smiley ${spec.name} --help)`)
  }
  if (!variadic && positionals.length > spec.positionals.length) {
    throw new UsageError(
      `unexpected argument ${positionals[spec.positionals.length]} (see: smiley ${spec.name} --help)`,
    )
  }
}

function convert(option: OptionSpec, raw: string, previous: OptionValue | undefined): OptionValue {
  switch (option.kind) {
    case 'integer':
      if (!/^\d+$/.test(raw)) {
        throw new UsageError(`option --${option.name} needs a whole number, not "${raw}"`)
      }
      if (option.max !== undefined && Number(raw) > option.max) {
        throw new UsageError(`option --${option.name} must be from 0 to ${option.max}, not ${raw}`)
      }
      return Number(raw)
    case 'list':
      return [...((previous as string[] | undefined) ?? []), raw]
    case 'flag':
      return !['', '0', 'false', 'no'].includes(raw.toLowerCase())
    case 'string':
      return raw
  }
}

function splitInline(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined]
  const equals = arg.indexOf('=')
  return equals < 0 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)]
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
}

/** The candidate `name` is most likely a typo of: the single nearest one, within two edits. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const distances = candidates.map((candidate) => editDistance(name, candidate))
  const best = Math.min(...distances)
  const nearest = candidates.filter((_, i) => distances[i] === best)
  return best <= 2 && nearest.length === 1 ? nearest[0] : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, previous[j - 2]! + 1)
      current.push(best)
    }
    previous = current
  }
  return previous[b.length]!
}

/** The `--help` text of a command. */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`${spec.summary}`, '', 'Usage:']
  for (const usage of spec.usage) lines.push(`  smiley ${spec.name} ${usage}`.trimEnd())
  if (spec.description) lines.push('', ...spec.description.split('\n'))
  if (spec.positionals.length > 0) {
    lines.push('', 'Arguments:')
    const width = Math.max(...spec.positionals.map((p) => p.name.length))
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(width)}  ${p.help}`)
  }
  const visible = [...spec.options.filter((o) => !o.hidden), HELP]
  const labels = visible.map((o) => {
    const short = o.short ? `-${o.short}, ` : '    '
    return `${short}--${o.name}${o.kind === 'flag' ? '' : ` ${o.value ?? 'VALUE'}`}`
  })
  const width = Math.max(...labels.map((l) => l.length))
  lines.push('', 'Options:')
  visible.forEach((o, index) => {
    const extras: string[] = []
    if (o.kind === 'list') extras.push('repeatable')
    if (o.default !== undefined && o.kind !== 'flag') extras.push(`default: ${String(o.default)}`)
    if (o.env) extras.push(`env: ${o.env}`)
    const suffix = extras.length > 0 ? ` (${extras.join('; ')})` : ''
    lines.push(`  ${labels[index]!.padEnd(width)}  ${o.help}${suffix}`)
  })
  if (spec.examples && spec.examples.length > 0) {
    lines.push('', 'Examples:')
    for (const example of spec.examples) lines.push(`  ${example}`)
  }
  return lines.join('\n') + '\n'
}
