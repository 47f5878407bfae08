/**
 * Smiley's settings, from the weakest source to the strongest: the defaults, `[tool.smiley]` in
 * pyproject.toml, the `SMILEY_*` environment variables, then the command's own options. Each
 * setting is an option of the commands that take it, so every command applies them alike.
 */

import type { OptionSource, OptionSpec, OptionValue, ParsedArgs } from '../cli/args.js'
import { CliError } from '../cli/errors.js'
import { readProjectConfig, type TomlValue } from './pyproject.js'

export interface Setting {
  /** Its key in [tool.smiley]. */
  key: string
  /** The option that carries it. */
  option: string
  kind: 'string' | 'integer' | 'list' | 'boolean'
  /** A boolean setting carried by a flag that says the opposite (`redact` by `--no-redact`). */
  negated?: boolean
}

export const SETTINGS: readonly Setting[] = [
  { key: 'database', option: 'database', kind: 'string' },
  { key: 'python', option: 'python', kind: 'string' },
  { key: 'include', option: 'include', kind: 'list' },
  { key: 'exclude', option: 'exclude', kind: 'list' },
  { key: 'function', option: 'function', kind: 'list' },
  { key: 'redact', option: 'no-redact', kind: 'boolean', negated: true },
  { key: 'redact-also', option: 'redact', kind: 'list' },
  { key: 'call-repr', option: 'call-repr', kind: 'boolean' },
  { key: 'max-repr', option: 'max-repr', kind: 'integer' },
  { key: 'keep', option: 'keep', kind: 'string' },
]

const OPTION_KINDS = {
  string: 'string',
  integer: 'integer',
  list: 'list',
  boolean: 'flag',
} as const

/** Whether `option` is the one that carries `setting`: of its name and kind (`replay --function`,
 * a filter, is not `run --function`). */
const carries = (option: OptionSpec, setting: Setting) =>
  option.name === setting.option && option.kind === OPTION_KINDS[setting.kind]

/** Where a setting's value came from. */
export type SettingSource = OptionSource | 'pyproject.toml'

export interface EffectiveSetting {
  key: string
  value: OptionValue | undefined
  source: SettingSource
  /** The environment variable, or the pyproject.toml and its line, it came from. */
  from: string | null
}

/** What applying the settings to each command line gave: applied once, asked again by `config`. */
const applied = new WeakMap<ParsedArgs, EffectiveSetting[]>()

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

/**
 * Lays `[tool.smiley]` of the nearest pyproject.toml under the options and environment of
 * `args`, for the settings `options` carry; returns every such setting, as it now stands.
 */
export function applySettings(
  options: readonly OptionSpec[],
  args: ParsedArgs,
  cwd = process.cwd(),
): EffectiveSetting[] {
  const known = applied.get(args)
  if (known !== undefined) return known
  const taken = SETTINGS.filter((setting) => options.some((o) => carries(o, setting)))
  if (taken.length === 0) return []
  const project = readProjectConfig(cwd)
  if (project !== null) {
    for (const key of project.values.keys())
      if (!SETTINGS.some((setting) => setting.key === key))
        throw new CliError(
          `${project.path}: [tool.smiley] has no setting "${key}" (there are: ${SETTINGS.map((s) => s.key).join(', ')})`,
          2,
        )
  }
  const sources = (args.sources ??= {})
  const effective = taken.map((setting) => {
    const spec = options.find((o) => carries(o, setting))!
    const name = camel(setting.option)
    const written = project?.values.get(setting.key)
    const source = sources[name] ?? 'default'
    if (written !== undefined && source === 'default') {
      args.options[name] = checked(setting, written.value, `${project!.path}:${written.line}`)
      sources[name] = 'option'
      return shown(setting, args, 'pyproject.toml', `${project!.path}:${written.line}`)
    }
    const from = source === 'env' ? (spec.env ?? null) : null
    return shown(setting, args, source, from)
  })
  applied.set(args, effective)
  return effective
}

function shown(
  setting: Setting,
  args: ParsedArgs,
  source: SettingSource,
  from: string | null,
): EffectiveSetting {
  const value = args.options[camel(setting.option)]
  return {
    key: setting.key,
    value: setting.negated
      ? !value
      : (value ?? (setting.kind === 'list' ? [] : setting.kind === 'boolean' ? false : undefined)),
    source,
    from,
  }
}

/** A pyproject.toml value as its option takes it; one line naming its place when it cannot be. */
function checked(setting: Setting, value: TomlValue, where: string): OptionValue {
  const wrong = (wanted: string) =>
    new CliError(`${where}: ${setting.key} must be ${wanted}, not ${JSON.stringify(value)}`, 2)
  switch (setting.kind) {
    case 'string':
      if (typeof value !== 'string' || value === '') throw wrong('a string')
      return value
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        throw wrong('a whole number')
      return value
    case 'list':
      if (typeof value === 'string') return [value]
      if (!Array.isArray(value)) throw wrong('an array of strings')
      return value
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('true or false')
      return setting.negated ? !value : value
  }
}
