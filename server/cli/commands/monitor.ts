/** `smiley monitor`: print the events of runs sent with `smiley run --remote` as they happen. */

import { Output } from '../../console/output.js'
import { MonitorSinks } from '../../remote/monitor-sinks.js'
import type { ParsedArgs } from '../args.js'
import type { Command } from '../command.js'
import { listenOption, senderTimeoutOption, serve, tokenOption } from './receiving.js'

export const monitorCommand: Command = {
  spec: {
    name: 'monitor',
    summary: 'Print the events of runs sent with "smiley run --remote", live.',
    usage: ['[options]'],
    description: [
      'Listens like "smiley record", but stores nothing: each event is printed as it arrives,',
      'in the format of "smiley replay", with a line as each run starts and ends.',
    ].join('\n'),
    options: [
      listenOption,
      tokenOption,
      { name: 'exit', kind: 'flag', help: 'stop once the first run has ended' },
      senderTimeoutOption,
    ],
    positionals: [],
    examples: ['smiley monitor', 'smiley monitor --exit | less -R'],
  },

  async run(args: ParsedArgs) {
    const once = Boolean(args.options['exit'])
    await serve(args, {
      sinks: new MonitorSinks(new Output()),
      ready: (url) => `showing runs sent to ${url} as they happen (Ctrl-C stops)`,
      onRunEnd: (summary, stop) => {
        if (once && summary.status !== 'unrecorded') stop()
      },
    })
    return 0
  },
}
