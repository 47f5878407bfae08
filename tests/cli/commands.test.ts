/** The command list `smiley --help` prints, against the commands themselves. */

import { describe, expect, it } from 'vitest'
import { ALL_COMMANDS } from '../../server/cli/commands/index.js'
import { smiley } from '../support/cli.js'

describe('the list of commands', () => {
  it('names each command as it names itself, with its own summary', async () => {
    for (const entry of ALL_COMMANDS) {
      const command = await entry.load()
      expect(command.spec.name).toBe(entry.name)
      expect(command.spec.summary).toBe(entry.summary)
    }
  })

  it('is what smiley --help prints, a line per command', async () => {
    const help = await smiley(['--help'])
    expect(help.code).toBe(0)
    for (const entry of ALL_COMMANDS)
      expect(help.stdout).toMatch(new RegExp(`^  ${entry.name} +${escape(entry.summary)}$`, 'm'))
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
