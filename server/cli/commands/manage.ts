/** Commands that change or move what the database holds. */

import type { Command } from '../command.js'
import { deleteCommand } from './delete.js'
import { exportCommand, importCommand } from './transfer.js'

export const manageCommands: Command[] = [deleteCommand, exportCommand, importCommand]
