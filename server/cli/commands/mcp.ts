/** `smiley mcp`: the recordings of a database, for coding agents (Model Context Protocol). */

import { existsSync } from 'node:fs'
import { isPostgresUrl } from '../../store/location.js'
import { serveMcp } from '../../mcp/index.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command } from '../command.js'
import { CliError } from '../errors.js'

export const mcpCommand: Command = {
  spec: {
    name: 'mcp',
    summary: 'Serve the runs of a database to coding agents (Model Context Protocol on stdio).',
    usage: ['[options]'],
    description: [
      'An MCP server on stdin and stdout, for a model to debug recorded runs: list_runs,',
      'run_summary, search, state_at, variable_history, line_executions, step and source,',
      'and a resource smiley://runs/ID per run. It only reads the database. Add it to an MCP',
      'client as the command "smiley mcp --database /path/to/smiley.db".',
    ].join('\n'),
    options: [databaseOption],
    positionals: [],
    examples: ['smiley mcp', 'smiley mcp -d /srv/runs.db'],
  },

  async run(args: ParsedArgs) {
    const database = text(args, 'database')
    if (!isPostgresUrl(database) && !existsSync(database))
      throw new CliError(`no database ${database} (record a run with: smiley run prog.py)`)
    await serveMcp(database)
    return 0
  },
}
