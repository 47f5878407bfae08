/**
 * Schema versions. `schema.sql` is always the current schema, used for new files; an older
 * file is moved forward by the steps after its version: MIGRATIONS[n - 1] takes version n
 * to version n + 1. Add a step here and bump SCHEMA_VERSION whenever schema.sql changes.
 */

export const SCHEMA_VERSION = 3

export const MIGRATIONS: readonly string[] = [
  // 1 → 2: what the time-travel explorer needs. Runs recorded before have no activations
  // or snapshots: their call stacks come from frames alone.
  `ALTER TABLE frames ADD COLUMN call_us INTEGER;
   ALTER TABLE frames ADD COLUMN end_us INTEGER;
   CREATE INDEX frames_by_parent ON frames (run, parent, function, id);
   CREATE TABLE activations (
     run INTEGER NOT NULL, frame INTEGER NOT NULL, seq INTEGER NOT NULL,
     parent INTEGER NOT NULL, parent_line INTEGER,
     PRIMARY KEY (run, frame, seq)
   ) WITHOUT ROWID;
   CREATE TABLE snapshots (
     run INTEGER NOT NULL, frame INTEGER NOT NULL, seq INTEGER NOT NULL, locals TEXT NOT NULL,
     PRIMARY KEY (run, frame, seq)
   ) WITHOUT ROWID;
   CREATE INDEX events_by_frame ON events (run, frame, seq);
   CREATE INDEX events_by_line ON events (run, line, seq);`,
  // 2 → 3: only line events are asked for by line.
  `DROP INDEX events_by_line;
   CREATE INDEX events_by_line ON events (run, line, seq) WHERE kind = 1;`,
]
