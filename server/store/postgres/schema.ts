/**
 * Smiley's tables in PostgreSQL: those of server/db/schema.sql, column for column (BIGINT for
 * SQLite's INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB), so that the same rows and
 * blobs go in and come out. The version is the one row of `smiley_schema`, as SQLite's is
 * `PRAGMA user_version`; a later version appends a step to PG_MIGRATIONS.
 */

export const PG_SCHEMA_VERSION = 1

/** Steps from version N to N + 1 (index N - 1); none yet. */
export const PG_MIGRATIONS: readonly string[] = []

/** The tables holding one row set per run (every table with a `run` column). */
export const PG_RUN_TABLES = [
  'activations',
  'block_summaries',
  'call_index',
  'call_overview',
  'child_starts',
  'event_blocks',
  'files',
  'frame_blocks',
  'frame_children',
  'frame_ends',
  'frames',
  'functions',
  'line_blocks',
  'line_hits',
  'profiles',
  'symbols',
  'task_blocks',
  'tasks',
  'test_packs',
  'tests',
  'thread_blocks',
  'threads',
] as const

export const PG_SCHEMA = `
CREATE TABLE smiley_schema (version INTEGER NOT NULL);
CREATE TABLE runs (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  argv TEXT NOT NULL,
  cwd TEXT NOT NULL DEFAULT '',
  python TEXT,
  python_version TEXT,
  host TEXT,
  pid BIGINT,
  backend TEXT,
  started_at DOUBLE PRECISION NOT NULL,
  ended_at DOUBLE PRECISION,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'completed', 'error', 'interrupted', 'lost')),
  exit_code BIGINT,
  signal TEXT,
  error_type TEXT,
  error_message TEXT,
  traceback TEXT,
  notice TEXT,
  event_count BIGINT NOT NULL DEFAULT 0,
  lost_events BIGINT NOT NULL DEFAULT 0,
  options TEXT NOT NULL DEFAULT '{}',
  recorder_host TEXT,
  recorder_pid BIGINT,
  heartbeat_at DOUBLE PRECISION,
  parent_run TEXT,
  started_by TEXT,
  parent_pid BIGINT
);
CREATE INDEX runs_by_start ON runs (started_at DESC);
CREATE INDEX runs_by_parent ON runs (parent_run) WHERE parent_run IS NOT NULL;
CREATE TABLE child_starts (run BIGINT NOT NULL, pid BIGINT NOT NULL, seq BIGINT NOT NULL,
  at DOUBLE PRECISION NOT NULL);
CREATE INDEX child_starts_by_pid ON child_starts (run, pid);
CREATE TABLE tests (run BIGINT NOT NULL, position BIGINT NOT NULL, name TEXT NOT NULL,
  test_run TEXT NOT NULL, started_at DOUBLE PRECISION NOT NULL, outcome TEXT,
  duration DOUBLE PRECISION, events BIGINT, PRIMARY KEY (run, position));
CREATE INDEX tests_by_run ON tests (test_run);
CREATE TABLE sources (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE files (run BIGINT NOT NULL, id BIGINT NOT NULL, path TEXT NOT NULL,
  source_hash TEXT, PRIMARY KEY (run, id));
CREATE TABLE functions (run BIGINT NOT NULL, id BIGINT NOT NULL, file BIGINT NOT NULL,
  name TEXT NOT NULL, qualified_name TEXT NOT NULL, first_line BIGINT NOT NULL,
  PRIMARY KEY (run, id));
CREATE TABLE symbols (run BIGINT NOT NULL, id BIGINT NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (run, id));
CREATE TABLE threads (run BIGINT NOT NULL, id BIGINT NOT NULL, ident BIGINT NOT NULL,
  name TEXT NOT NULL, first_seq BIGINT, last_seq BIGINT, first_us BIGINT, last_us BIGINT,
  events BIGINT NOT NULL DEFAULT 0, locations BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (run, id));
CREATE TABLE tasks (run BIGINT NOT NULL, id BIGINT NOT NULL, name TEXT NOT NULL,
  thread BIGINT NOT NULL, awaiter BIGINT, first_frame BIGINT, first_seq BIGINT, last_seq BIGINT,
  first_us BIGINT, last_us BIGINT, events BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (run, id));
CREATE TABLE frames (run BIGINT NOT NULL, first_id BIGINT NOT NULL, min_id BIGINT NOT NULL,
  max_id BIGINT NOT NULL, count BIGINT NOT NULL, revision BIGINT NOT NULL, data BYTEA NOT NULL,
  PRIMARY KEY (run, first_id));
CREATE TABLE frame_ends (run BIGINT NOT NULL, id BIGINT NOT NULL, end_seq BIGINT, end_us BIGINT,
  children BIGINT NOT NULL, PRIMARY KEY (run, id));
CREATE TABLE frame_children (run BIGINT NOT NULL, parent BIGINT NOT NULL, chunk BIGINT NOT NULL,
  PRIMARY KEY (run, parent, chunk));
CREATE TABLE activations (run BIGINT NOT NULL, frame BIGINT NOT NULL, seq BIGINT NOT NULL,
  parent BIGINT NOT NULL, parent_line BIGINT, PRIMARY KEY (run, frame, seq));
CREATE TABLE event_blocks (run BIGINT NOT NULL, first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (run, first_seq));
CREATE TABLE block_summaries (run BIGINT NOT NULL, block BIGINT NOT NULL, kinds BIGINT NOT NULL,
  functions BYTEA NOT NULL, names BYTEA NOT NULL, texts BYTEA NOT NULL, PRIMARY KEY (run, block));
CREATE TABLE thread_blocks (run BIGINT NOT NULL, thread BIGINT NOT NULL, block BIGINT NOT NULL,
  PRIMARY KEY (run, thread, block));
CREATE TABLE task_blocks (run BIGINT NOT NULL, task BIGINT NOT NULL, block BIGINT NOT NULL,
  PRIMARY KEY (run, task, block));
CREATE TABLE line_blocks (run BIGINT NOT NULL, file BIGINT NOT NULL, line BIGINT NOT NULL,
  block BIGINT NOT NULL, PRIMARY KEY (run, file, line, block));
CREATE TABLE frame_blocks (run BIGINT NOT NULL, frame BIGINT NOT NULL, block BIGINT NOT NULL,
  locals BYTEA NOT NULL, PRIMARY KEY (run, frame, block));
CREATE TABLE line_hits (run BIGINT NOT NULL, file BIGINT NOT NULL, line BIGINT NOT NULL,
  hits BIGINT NOT NULL, PRIMARY KEY (run, file, line));
CREATE TABLE profiles (run BIGINT PRIMARY KEY, functions BIGINT NOT NULL, calls BIGINT NOT NULL,
  data BYTEA NOT NULL);
CREATE TABLE call_index (run BIGINT NOT NULL, thread BIGINT NOT NULL, task BIGINT NOT NULL,
  depth BIGINT NOT NULL, events BIGINT NOT NULL, count BIGINT NOT NULL, start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (run, thread, task, depth));
CREATE TABLE call_overview (run BIGINT PRIMARY KEY, events BIGINT NOT NULL,
  start_us BIGINT NOT NULL, end_us BIGINT NOT NULL, calls BIGINT NOT NULL, data BYTEA NOT NULL);
CREATE TABLE test_packs (run BIGINT NOT NULL, pack BIGINT NOT NULL, data BYTEA NOT NULL,
  PRIMARY KEY (run, pack));
`
