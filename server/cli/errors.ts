/** The CLI's error path: every expected failure becomes one line on stderr and an exit code. */

/** A failure the user can act on; `exitCode` 2 means the command line itself was wrong. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export class UsageError extends CliError {
  override name = 'UsageError'
  constructor(message: string) {
    super(message, 2)
  }
}
