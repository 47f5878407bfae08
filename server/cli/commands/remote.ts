/** Commands that record or watch runs sent over the network. */

import type { Command } from '../command.js'

export const remoteCommands: Command[] = []
