/** The list of runs, kept current by the server's pushes. */

import type { ServerMessage } from '../../../shared/protocol.js'
import type { Run } from '../../../shared/types/run.js'
import type { DataSource } from './source.js'

export class RunsStore {
  runs = $state.raw<Run[]>([])
  loaded = $state(false)
  error = $state<string | null>(null)

  constructor(private readonly source: DataSource) {}

  async load(): Promise<void> {
    try {
      this.runs = await this.source.runs()
      this.error = null
    } catch (error) {
      this.error = (error as Error).message
    } finally {
      this.loaded = true
    }
  }

  /** Applies a push: new runs go to the top, changed ones are replaced in place. */
  apply(message: ServerMessage): void {
    switch (message.type) {
      case 'runs': {
        const changed = new Map(message.runs.map((run) => [run.id, run]))
        const kept = this.runs.map((run) => changed.get(run.id) ?? run)
        const known = new Set(this.runs.map((run) => run.id))
        const added = message.runs.filter((run) => !known.has(run.id))
        this.runs = [...added, ...kept].sort((a, b) => b.startedAt - a.startedAt)
        break
      }
      case 'runsDeleted': {
        const gone = new Set(message.ids)
        this.runs = this.runs.filter((run) => !gone.has(run.id))
        break
      }
      case 'hello':
      case 'events':
        break
      default: {
        const never: never = message
        return never
      }
    }
  }

  find(id: string): Run | undefined {
    return this.runs.find((run) => run.id === id || run.id.startsWith(id))
  }
}
