/**
 * Keeps a recording from taking the last bytes of its disk. Once SQLite has filled a disk,
 * even the one-row update that marks the run as ended has no room in the WAL, and the run is
 * left `running` until a reader finds it lost. So before each batch of events the free space
 * on the database's file system is read, and recording stops while a reserve is left: a
 * floor, plus twice the most any batch of this run has taken so far.
 */

import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseError, type Db } from '../db/database.js'

/** Room always kept: enough for the run's ending and a few pages of other writers. */
const RESERVE_FLOOR = 256 * 1024

export class DiskRoom {
  /** The most free space one write has taken, in bytes. */
  private largestWrite = 0

  /** `folder`: where the database lives; null (an in-memory database) means no limit. */
  constructor(private readonly folder: string | null) {}

  static of(db: Db): DiskRoom {
    return new DiskRoom(db.memory ? null : dirname(db.name))
  }

  /** Free bytes below which nothing more is written. */
  get reserve(): number {
    return RESERVE_FLOOR + 2 * this.largestWrite
  }

  /** Throws a `DatabaseError` when the disk has no more room than the reserve. */
  check(): void {
    this.measured()
  }

  /** Runs `write` when there is room for it (see `check`), and learns how much it took. */
  write(write: () => void): void {
    const before = this.measured()
    write()
    const after = this.free()
    if (before !== null && after !== null)
      this.largestWrite = Math.max(this.largestWrite, before - after)
  }

  private measured(): number | null {
    const free = this.free()
    if (free !== null && free < this.reserve)
      throw new DatabaseError(
        free === 0 ? 'the disk is full' : `the disk is nearly full (${describe(free)} left)`,
      )
    return free
  }

  /** Bytes an unprivileged writer may still use there; null when the system will not say. */
  private free(): number | null {
    if (this.folder === null) return null
    try {
      const stats = statfsSync(this.folder)
      // Some file systems (FUSE, network mounts) report no size at all: nothing to go by.
      return stats.blocks === 0 ? null : stats.bavail * stats.bsize
    } catch {
      return null
    }
  }
}

function describe(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
  return `${Math.round(bytes / 1024)} KB`
}
