/** What `--database` names: a PostgreSQL server by URL, or else a SQLite file. */

/** Whether `location` names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}
