/** `smiley server`: the live web dashboard over the database. */

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { isLoopback, PortInUse, startServer } from '../../web/server.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command } from '../command.js'
import { CliError, UsageError } from '../errors.js'
import { checkedToken } from '../token.js'

export const serverCommand: Command = {
  spec: {
    name: 'server',
    summary: 'Serve the live web dashboard over the recorded runs.',
    usage: ['[options]'],
    description: [
      'Runs appear as they are recorded (by smiley run in another terminal, or smiley record),',
      "and a running program's trace grows while you watch. The server listens on 127.0.0.1;",
      'listening on any other address needs --token, and the URL to open then carries it.',
      'On PostgreSQL (--database postgres://…) it shows the runs of every recorder writing',
      'there, on any machine, as they are recorded; any number of servers can share one database.',
    ].join('\n'),
    options: [
      databaseOption,
      {
        name: 'host',
        kind: 'string',
        value: 'ADDRESS',
        help: 'address to listen on',
        default: '127.0.0.1',
      },
      {
        name: 'port',
        short: 'p',
        kind: 'integer',
        value: 'PORT',
        help: 'port to listen on (0: any free one)',
        default: 8080,
        max: 65535,
      },
      {
        name: 'token',
        kind: 'string',
        value: 'TOKEN',
        help: 'require this token from browsers ("auto": make one up)',
        env: 'SMILEY_TOKEN',
      },
      { name: 'open', kind: 'flag', help: 'open the dashboard in a browser' },
      {
        name: 'poll',
        kind: 'flag',
        help: 'poll the SQLite file instead of waiting for file system notifications',
      },
    ],
    positionals: [],
    examples: [
      'smiley server',
      'smiley server --port 9000 --open',
      'smiley server --host 0.0.0.0 --token auto      # reachable from other machines',
      'smiley server --database postgres://smiley@db.example:5432/smiley',
    ],
  },

  async run(args: ParsedArgs) {
    const host = text(args, 'host')
    const given = args.options['token']
    const token =
      given === 'auto'
        ? randomBytes(18).toString('base64url')
        : checkedToken(given, {
            host,
            loopback: isLoopback(host),
            howToMake: '--token auto makes one',
          })
    if (!isLoopback(host) && token === null) {
      throw new UsageError(
        `listening on ${host} makes your recordings readable from the network: add --token auto (or --token SECRET)`,
      )
    }
    let server
    try {
      server = await startServer({
        database: text(args, 'database'),
        host,
        port: Number(args.options['port']),
        token,
        poll: Boolean(args.options['poll']),
      })
    } catch (error) {
      if (error instanceof PortInUse) throw new CliError(error.message)
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
        throw new CliError(`cannot listen on ${host}: no such host`)
      if (code === 'EADDRNOTAVAIL')
        throw new CliError(`cannot listen on ${host}: it is not an address of this machine`)
      if (code === 'EACCES')
        throw new CliError(`cannot listen on port ${args.options['port']}: permission denied`)
      throw error
    }
    process.stdout.write(
      `Smiley dashboard for ${server.location}: ${server.url}\n(Ctrl-C to stop)\n`,
    )
    if (args.options['open']) openBrowser(server.url)
    await new Promise<void>((stop) => {
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await server.close()
    return 0
  },
}

function openBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open'
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true })
  child.on('error', () =>
    process.stderr.write(`smiley: could not open a browser; open ${url} yourself\n`),
  )
  child.unref()
}
