/**
 * Schema versions. `schema.sql` is always the current schema, used for new files; an older
 * file is moved forward by the steps after its version: MIGRATIONS[n - 1] takes version n
 * to version n + 1. Add a step here and bump SCHEMA_VERSION whenever schema.sql changes.
 * A step is SQL, or a function for what SQL alone cannot do.
 */

import { upgradeEvents } from '../ingest/upgrade-events.js'
import type { ProfileCall, ProfileFunction } from '../../shared/types/profile.js'
import type { Db } from './database.js'
import { encodeProfile } from './profile-blob.js'

export const SCHEMA_VERSION = 14

/** What each block of events holds (block-summary.ts); a database moved from 3 has it already. */
const BLOCK_SUMMARIES = `CREATE TABLE IF NOT EXISTS block_summaries (
  run INTEGER NOT NULL, block INTEGER NOT NULL, kinds INTEGER NOT NULL,
  functions BLOB NOT NULL, names BLOB NOT NULL, texts BLOB NOT NULL,
  PRIMARY KEY (run, block)
) WITHOUT ROWID;`

/** Asyncio tasks (6 → 7); a database moved from 3 has them already, as ingest writes them. */
const TASK_TABLES = `CREATE TABLE IF NOT EXISTS tasks (
  run INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, thread INTEGER NOT NULL,
  awaiter INTEGER, first_frame INTEGER, first_seq INTEGER, last_seq INTEGER,
  first_us INTEGER, last_us INTEGER, events INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS task_blocks (
  run INTEGER NOT NULL, task INTEGER NOT NULL, block INTEGER NOT NULL,
  PRIMARY KEY (run, task, block)
) WITHOUT ROWID;`

export const MIGRATIONS: ReadonlyArray<string | ((db: Db) => void)> = [
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
  // 3 → 4: events in blocks (see event-block.ts) and frames in chunks (frame-chunk.ts),
  // found again through small key tables instead of indexes on every row; run keys are never
  // reused, so readers may cache by them.
  (db) => {
    db.exec(`ALTER TABLE frames RENAME TO frames_3;
     CREATE TABLE frames (
       run INTEGER NOT NULL, first_id INTEGER NOT NULL, min_id INTEGER NOT NULL,
       max_id INTEGER NOT NULL, count INTEGER NOT NULL, revision INTEGER NOT NULL,
       data BLOB NOT NULL
     );
     CREATE UNIQUE INDEX frames_by_first ON frames (run, first_id);
     CREATE TABLE frame_ends (
       run INTEGER NOT NULL, id INTEGER NOT NULL, end_seq INTEGER, end_us INTEGER,
       children INTEGER NOT NULL,
       PRIMARY KEY (run, id)
     ) WITHOUT ROWID;
     CREATE TABLE frame_children (
       run INTEGER NOT NULL, parent INTEGER NOT NULL, chunk INTEGER NOT NULL,
       PRIMARY KEY (run, parent, chunk)
     ) WITHOUT ROWID;
     CREATE TABLE event_blocks (
       run INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, data BLOB NOT NULL
     );
     CREATE UNIQUE INDEX event_blocks_by_first ON event_blocks (run, first_seq);
     CREATE TABLE thread_blocks (
       run INTEGER NOT NULL, thread INTEGER NOT NULL, block INTEGER NOT NULL,
       PRIMARY KEY (run, thread, block)
     ) WITHOUT ROWID;
     CREATE TABLE line_blocks (
       run INTEGER NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL, block INTEGER NOT NULL,
       PRIMARY KEY (run, file, line, block)
     ) WITHOUT ROWID;
     CREATE TABLE frame_blocks (
       run INTEGER NOT NULL, frame INTEGER NOT NULL, block INTEGER NOT NULL, locals BLOB NOT NULL,
       PRIMARY KEY (run, frame, block)
     ) WITHOUT ROWID;`)
    // The blocks are written as ingest writes them, with their summaries (see 4 → 5) and the
    // task keys (10 → 11).
    db.exec(BLOCK_SUMMARIES)
    db.exec(TASK_TABLES)
    upgradeEvents(db)
    db.exec(`DROP TABLE events;
     DROP TABLE snapshots;
     DROP TABLE frames_3;
     CREATE TABLE runs_4 (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       uuid TEXT NOT NULL UNIQUE,
       description TEXT NOT NULL,
       argv TEXT NOT NULL,
       cwd TEXT NOT NULL DEFAULT '',
       python TEXT,
       python_version TEXT,
       host TEXT,
       pid INTEGER,
       backend TEXT,
       started_at REAL NOT NULL,
       ended_at REAL,
       status TEXT NOT NULL DEFAULT 'running'
         CHECK (status IN ('running', 'completed', 'error', 'interrupted', 'lost')),
       exit_code INTEGER,
       signal TEXT,
       error_type TEXT,
       error_message TEXT,
       traceback TEXT,
       notice TEXT,
       event_count INTEGER NOT NULL DEFAULT 0,
       lost_events INTEGER NOT NULL DEFAULT 0,
       options TEXT NOT NULL DEFAULT '{}',
       recorder_host TEXT,
       recorder_pid INTEGER,
       heartbeat_at REAL
     );
     INSERT INTO runs_4 SELECT * FROM runs;
     DROP TABLE runs;
     ALTER TABLE runs_4 RENAME TO runs;
     CREATE INDEX runs_by_start ON runs (started_at DESC);`)
  },
  // 4 → 5: block summaries for search. Runs recorded before have none, and a search reads
  // their blocks as it always did.
  BLOCK_SUMMARIES,
  // 5 → 6: the tests of a session, each a run of its own (`smiley run --per-test`). Written to
  // stand on a database that has the table already, as BLOCK_SUMMARIES is.
  `CREATE TABLE IF NOT EXISTS tests (
     run INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, test_run TEXT NOT NULL,
     started_at REAL NOT NULL, outcome TEXT, duration REAL, events INTEGER,
     PRIMARY KEY (run, position)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS tests_by_run ON tests (test_run);`,
  // 6 → 7: the Timeline's call index of runs that have ended, kept once built.
  `CREATE TABLE IF NOT EXISTS call_index (
     run INTEGER NOT NULL, thread INTEGER NOT NULL, task INTEGER NOT NULL, depth INTEGER NOT NULL,
     events INTEGER NOT NULL, count INTEGER NOT NULL, start_us INTEGER NOT NULL,
     end_us INTEGER NOT NULL, data BLOB NOT NULL
   );
   CREATE UNIQUE INDEX IF NOT EXISTS call_index_by_lane ON call_index (run, thread, task, depth);`,
  // 7 → 8: sources in a rowid table, where a source file of a few KB fills its pages (see
  // schema.sql).
  `CREATE TABLE sources_8 (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
   INSERT INTO sources_8 (hash, text) SELECT hash, text FROM sources;
   DROP TABLE sources;
   ALTER TABLE sources_8 RENAME TO sources;`,
  // 8 → 9: each profile in one compressed blob (profile-blob.ts), from its rows. Written to
  // stand on a database that has the new table already, as BLOCK_SUMMARIES is.
  (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS profiles (
      run INTEGER PRIMARY KEY, functions INTEGER NOT NULL, calls INTEGER NOT NULL,
      data BLOB NOT NULL)`)
    const old = db
      .prepare("SELECT count(*) FROM sqlite_master WHERE name = 'profile_functions'")
      .pluck()
      .get()
    if (old === 0) return
    const insert = db.prepare(
      'INSERT INTO profiles (run, functions, calls, data) VALUES (?, ?, ?, ?)',
    )
    const functionsOf = db.prepare(
      `SELECT id, file, line, name, primitive_calls AS primitiveCalls, calls,
         total_time AS totalTime, cumulative_time AS cumulativeTime
       FROM profile_functions WHERE run = ? ORDER BY id`,
    )
    const callsOf = db.prepare(
      `SELECT caller, callee, primitive_calls AS primitiveCalls, calls,
         total_time AS totalTime, cumulative_time AS cumulativeTime
       FROM profile_calls WHERE run = ? ORDER BY callee, caller`,
    )
    const runs = db.prepare('SELECT DISTINCT run FROM profile_functions').pluck().all() as number[]
    for (const run of runs) {
      const functions = functionsOf.all(run) as ProfileFunction[]
      const calls = callsOf.all(run) as ProfileCall[]
      insert.run(run, functions.length, calls.length, encodeProfile(functions, calls))
    }
    db.exec('DROP TABLE profile_functions; DROP TABLE profile_calls;')
  },
  // 9 → 10: child processes, each a run of its own linked to the run that started it. Written
  // to stand on a database that has the columns and the table already, as BLOCK_SUMMARIES is.
  (db) => {
    const columns = db.prepare("SELECT name FROM pragma_table_info('runs')").pluck().all()
    for (const column of ['parent_run', 'started_by'])
      if (!columns.includes(column)) db.exec(`ALTER TABLE runs ADD COLUMN ${column} TEXT`)
    db.exec(`CREATE INDEX IF NOT EXISTS runs_by_parent ON runs (parent_run)
       WHERE parent_run IS NOT NULL;
     CREATE TABLE IF NOT EXISTS child_starts (
       run INTEGER NOT NULL, pid INTEGER NOT NULL, seq INTEGER NOT NULL, at REAL NOT NULL
     );
     CREATE INDEX IF NOT EXISTS child_starts_by_pid ON child_starts (run, pid);`)
  },
  // 10 → 11: asyncio tasks, and the blocks holding each task's events (event blocks of format 2
  // carry the task; runs recorded before have none).
  TASK_TABLES,
  // 11 → 12: the Timeline's overview of runs that have ended, kept with their call index.
  `CREATE TABLE IF NOT EXISTS call_overview (
     run INTEGER PRIMARY KEY, events INTEGER NOT NULL, start_us INTEGER NOT NULL,
     end_us INTEGER NOT NULL, calls INTEGER NOT NULL, data BLOB NOT NULL
   );`,
  // 12 → 13: a child's parent process, which started it where its parent run started a shell.
  (db) => {
    const columns = db.prepare("SELECT name FROM pragma_table_info('runs')").pluck().all()
    if (!columns.includes('parent_pid')) db.exec('ALTER TABLE runs ADD COLUMN parent_pid INTEGER')
  },
  // 13 → 14: the tests of a session whose runs were deleted, packed (test-packs.ts).
  `CREATE TABLE IF NOT EXISTS test_packs (
     run INTEGER NOT NULL, pack INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (run, pack)
   );`,
]
