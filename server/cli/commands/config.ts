/** `smiley config`: the settings in effect here, and where each came from. */

import { SETTINGS, applySettings, type EffectiveSetting } from '../../config/settings.js'
import { findPyproject } from '../../config/pyproject.js'
import { Output } from '../../console/output.js'
import { formatTable, type Column } from '../../console/table.js'
import type { ParsedArgs } from '../args.js'
import { jsonOption, type Command } from '../command.js'
import { describeUrl, isPostgresUrl } from '../../store/location.js'
import { runSpec } from './run-spec.js'

/** The options of `smiley run` that carry settings: given here, they show as they would act. */
const SETTING_OPTIONS = runSpec.options.filter((option) =>
  SETTINGS.some((setting) => setting.option === option.name),
)

export const configCommand: Command = {
  spec: {
    name: 'config',
    summary: 'Show the settings in effect here, and where each came from.',
    usage: ['[options]'],
    description: [
      'Settings come from, weakest first: the defaults, [tool.smiley] in the nearest',
      'pyproject.toml (here or in a folder above), the SMILEY_* environment variables, then',
      "the command's options. Options given here show what they would change.",
      '',
      'pyproject.toml:',
      '  [tool.smiley]',
      '  database = "traces/smiley.db"',
      '  python = "python3.12"',
      '  include = ["src/*"]',
      '  exclude = ["src/vendor/*"]',
      '  function = ["Parser.parse"]',
      '  redact = true',
      '  max-repr = 500',
      '  keep = "failed"',
    ].join('\n'),
    options: [...SETTING_OPTIONS, jsonOption],
    positionals: [],
    examples: ['smiley config', 'SMILEY_DB=/tmp/t.db smiley config --json'],
  },

  async run(args: ParsedArgs) {
    const settings = applySettings(SETTING_OPTIONS, args).map(withoutPassword)
    const out = new Output()
    if (args.options['json']) {
      await out.line(JSON.stringify({ pyproject: findPyproject(process.cwd()), settings }, null, 2))
      return 0
    }
    const columns: Column<EffectiveSetting>[] = [
      { header: 'SETTING', value: (s) => s.key },
      { header: 'VALUE', value: (s) => shown(s.value), max: 60 },
      { header: 'FROM', value: (s) => (s.from === null ? s.source : `${s.source} (${s.from})`) },
    ]
    const lines = formatTable(columns, settings, (_, row, padded) =>
      row === null ? out.style('bold', padded) : padded,
    )
    for (const line of lines) await out.line(line)
    return 0
  },
}

/** A PostgreSQL URL's password is never shown, wherever it was given. */
function withoutPassword(setting: EffectiveSetting): EffectiveSetting {
  const { value } = setting
  return typeof value === 'string' && isPostgresUrl(value)
    ? { ...setting, value: describeUrl(value) }
    : setting
}

function shown(value: EffectiveSetting['value']): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ')
  return value === undefined ? '' : String(value)
}
