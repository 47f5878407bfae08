/**
 * Schema versions. `schema.sql` is always the current schema, used for new files; an older
 * file is moved forward by the steps after its version: MIGRATIONS[n - 1] takes version n
 * to version n + 1. Add a step here and bump SCHEMA_VERSION whenever schema.sql changes.
 */

export const SCHEMA_VERSION = 1

export const MIGRATIONS: readonly string[] = []
