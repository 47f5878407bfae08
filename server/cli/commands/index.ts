/**
 * Every command, by group, as `smiley --help` lists them. A command's module is loaded only
 * when it runs: `smiley run` does not pay for the dashboard's web server or the MCP SDK.
 */

import type { Command } from '../command.js'

export interface CommandEntry {
  name: string
  /** The one line `smiley --help` shows: the same as the command's own `spec.summary`. */
  summary: string
  load(): Promise<Command>
}

export const COMMAND_GROUPS: Array<{ group: string; commands: CommandEntry[] }> = [
  {
    group: 'Record',
    commands: [
      {
        name: 'run',
        summary: 'Run a Python program and record everything it does.',
        load: async () => (await import('./run.js')).runCommand,
      },
      {
        name: 'pytest',
        summary: 'Run pytest and record each test as a run of its own, keeping those that failed.',
        load: async () => (await import('./pytest.js')).pytestCommand,
      },
      {
        name: 'ci',
        summary: 'Run any command and record every Python process it starts (for CI jobs).',
        load: async () => (await import('./ci.js')).ciCommand,
      },
      {
        name: 'record',
        summary: 'Take runs sent with "smiley run --remote" and record them.',
        load: async () => (await import('./record.js')).recordCommand,
      },
      {
        name: 'monitor',
        summary: 'Print the events of runs sent with "smiley run --remote", live.',
        load: async () => (await import('./monitor.js')).monitorCommand,
      },
    ],
  },
  {
    group: 'Look at runs',
    commands: [
      {
        name: 'server',
        summary: 'Serve the live web dashboard over the recorded runs.',
        load: async () => (await import('./server.js')).serverCommand,
      },
      {
        name: 'list',
        summary: 'List the recorded runs, newest first.',
        load: async () => (await import('./list.js')).listCommand,
      },
      {
        name: 'show',
        summary: "Show a run's details: how it ran, how it ended, its threads and tasks.",
        load: async () => (await import('./show.js')).showCommand,
      },
      {
        name: 'replay',
        summary: "Print a run's events in order, as they were recorded.",
        load: async () => (await import('./replay.js')).replayCommand,
      },
      {
        name: 'tail',
        summary: 'Follow a run as it is recorded, printing its events as they arrive.',
        load: async () => (await import('./tail.js')).tailCommand,
      },
      {
        name: 'search',
        summary: "Print a run's events that match a query, as replay prints them.",
        load: async () => (await import('./search.js')).searchCommand,
      },
      {
        name: 'state',
        summary: 'Print the program at one event: its source line, variables and stack.',
        load: async () => (await import('./state.js')).stateCommand,
      },
      {
        name: 'history',
        summary: "Print a variable's values in the call running at one event.",
        load: async () => (await import('./history.js')).historyCommand,
      },
      {
        name: 'threads',
        summary: "List a run's threads: when each ran, its events and locations.",
        load: async () => (await import('./threads.js')).threadsCommand,
      },
      {
        name: 'diff',
        summary: 'Compare two runs: where they first went different ways, in paths and values.',
        load: async () => (await import('./diff.js')).diffCommand,
      },
      {
        name: 'stats',
        summary: "Show, export or draw a run's profiler statistics (cProfile).",
        load: async () => (await import('./stats.js')).statsCommand,
      },
      {
        name: 'report',
        summary: 'Write a self-contained report of a run that opens in any browser, offline.',
        load: async () => (await import('./report.js')).reportCommand,
      },
    ],
  },
  {
    group: 'Manage runs',
    commands: [
      {
        name: 'delete',
        summary: 'Delete runs and everything only they used.',
        load: async () => (await import('./delete.js')).deleteCommand,
      },
      {
        name: 'export',
        summary: 'Copy runs into another database file, or write one as a Perfetto trace.',
        load: async () => (await import('./transfer.js')).exportCommand,
      },
      {
        name: 'import',
        summary: 'Copy runs from another database file into this one.',
        load: async () => (await import('./transfer.js')).importCommand,
      },
      {
        name: 'config',
        summary: 'Show the settings in effect here, and where each came from.',
        load: async () => (await import('./config.js')).configCommand,
      },
    ],
  },
  {
    group: 'Debug in an editor, or with an agent',
    commands: [
      {
        name: 'dap',
        summary: 'Debug a recording from an editor: the Debug Adapter Protocol on stdin/stdout.',
        load: async () => (await import('./dap.js')).dapCommand,
      },
      {
        name: 'mcp',
        summary: 'Serve the runs of a database to coding agents (Model Context Protocol on stdio).',
        load: async () => (await import('./mcp.js')).mcpCommand,
      },
    ],
  },
]

export const ALL_COMMANDS: CommandEntry[] = COMMAND_GROUPS.flatMap((g) => g.commands)
