/** `smiley dap`: the Debug Adapter Protocol over a recording, for editors (VS Code and others). */

import type { AddressInfo } from 'node:net'
import { listenForSessions, serveSession } from '../../dap/index.js'
import type { ParsedArgs } from '../args.js'
import type { Command } from '../command.js'
import { CliError } from '../errors.js'

const log = (line: string) => void process.stderr.write(`${line}\n`)

export const dapCommand: Command = {
  spec: {
    name: 'dap',
    summary: 'Debug a recording from an editor: the Debug Adapter Protocol on stdin/stdout.',
    usage: ['[options]'],
    description: [
      'Speaks the Debug Adapter Protocol on stdin and stdout (or on a loopback port with',
      '--port), for an editor to replay a run as a debugger would run it: breakpoints',
      '(conditions, hit counts, logpoints, functions, exceptions), stepping forward and back,',
      'continuing either way, going to any execution of a line, variables and the stack.',
      'The launch request names the run ("run": an id, a prefix or "latest"; "database"), or',
      'a program to record first ("program", "args", "python", "cwd").',
    ].join('\n'),
    options: [
      {
        name: 'port',
        short: 'p',
        kind: 'integer',
        value: 'N',
        max: 65535,
        help: 'listen on 127.0.0.1:N instead (0: any free port), a session per connection',
      },
    ],
    positionals: [],
    examples: ['smiley dap', 'smiley dap --port 4711'],
  },

  async run(args: ParsedArgs) {
    const port = args.options['port']
    if (port === undefined) {
      await serveSession(process.stdin, process.stdout, log)
      process.stdin.destroy()
      return 0
    }
    let server
    try {
      server = await listenForSessions(Number(port), log)
    } catch (error) {
      throw new CliError(`cannot listen on 127.0.0.1:${String(port)}: ${(error as Error).message}`)
    }
    const address = server.address() as AddressInfo
    log(`smiley dap: listening on 127.0.0.1:${address.port} (Ctrl-C stops)`)
    await new Promise<void>((done) => server.on('close', done))
    return 0
  },
}
