/** What `--database` names: a PostgreSQL server by URL, or else a SQLite file. */

/** Whether `location` names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

/** The URL without its password, to name the server in messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.password = ''
    return parsed.href
  } catch {
    return 'the PostgreSQL URL'
  }
}
