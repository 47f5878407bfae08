/** The store's one error path: what a door turns into one line for the user. */

/** A store that cannot be used (unreachable, refused, not Smiley's, failing): one line. */
export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    message: string,
    /** Another process held the database longer than the busy timeout (SQLite). */
    readonly locked = false,
  ) {
    super(message)
  }
}

/** A door that has not moved onto the seam yet, asked to use PostgreSQL. */
export class NotYetSupported extends StoreError {
  override name = 'NotYetSupported'
  constructor(what: string) {
    super(`${what} does not yet support PostgreSQL (use a SQLite file for it)`)
  }
}

/** The run was deleted while it was being recorded: nothing more is written under its key. */
export class RunDeleted extends Error {
  override name = 'RunDeleted'
}
