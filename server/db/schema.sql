-- Smiley's database. The version is PRAGMA user_version (see migrations.ts); every table
-- but runs and sources is keyed by the run's local integer id, so deleting a run is one
-- DELETE per table. Names, functions, files and threads are small per-run integers.

CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: readers cache by it
  uuid TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  argv TEXT NOT NULL,                 -- JSON array, as given to the interpreter
  cwd TEXT NOT NULL DEFAULT '',
  python TEXT,                        -- interpreter path
  python_version TEXT,
  host TEXT,
  pid INTEGER,
  backend TEXT,                       -- 'settrace' or 'monitoring'
  started_at REAL NOT NULL,           -- Unix time in seconds
  ended_at REAL,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'completed', 'error', 'interrupted', 'lost')),
  exit_code INTEGER,
  signal TEXT,
  error_type TEXT,
  error_message TEXT,
  traceback TEXT,
  notice TEXT,                        -- why tracing stopped early, when it did
  event_count INTEGER NOT NULL DEFAULT 0,
  lost_events INTEGER NOT NULL DEFAULT 0,
  options TEXT NOT NULL DEFAULT '{}', -- JSON: how the run was recorded
  recorder_host TEXT,                 -- the process writing this run, to tell a live run from a lost one
  recorder_pid INTEGER,
  heartbeat_at REAL,
  parent_run TEXT,                    -- a child process's run: the uuid of the run that started it
  started_by TEXT,                    -- how: subprocess, exec, fork, multiprocessing-spawn…, command
  parent_pid INTEGER                  -- a child's parent process (a shell between it and its run)
);
CREATE INDEX runs_by_start ON runs (started_at DESC);
CREATE INDEX runs_by_parent ON runs (parent_run) WHERE parent_run IS NOT NULL;

-- Where in a run each child process was started: after event `seq` (0: before any), by pid
-- (0 for a fork: a forked child's run takes the last fork made before it started).
CREATE TABLE child_starts (
  run INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at REAL NOT NULL                    -- Unix time, to tell apart children that had one pid
);
CREATE INDEX child_starts_by_pid ON child_starts (run, pid);

-- The tests of a session (`smiley run --per-test`): `run` is the session's run, and each test
-- has a run of its own, named by `test_run` (its uuid stays when that run is deleted, as
-- `--keep failed` does with a test that passed: the session still lists the test).
CREATE TABLE tests (
  run INTEGER NOT NULL,
  position INTEGER NOT NULL,          -- 1, 2, … in the order the tests started
  name TEXT NOT NULL,                 -- a pytest node id, a unittest id
  test_run TEXT NOT NULL,
  started_at REAL NOT NULL,
  outcome TEXT,                       -- passed, failed, error, skipped, xfailed, xpassed; NULL while it runs
  duration REAL,                      -- seconds, as the test runner measured them
  events INTEGER,                     -- of its run, once ended
  PRIMARY KEY (run, position)
) WITHOUT ROWID;
CREATE INDEX tests_by_run ON tests (test_run);

-- The tests of a session whose runs were deleted (`--keep failed`), packed (test-packs.ts): a
-- compressed blob per pack of 32, in the order they ended, in place of their rows of `tests`.
-- A rowid table: in a WITHOUT ROWID table a blob of a kilobyte would spill into a page of its own.
CREATE TABLE test_packs (
  run INTEGER NOT NULL,               -- the session's run
  pack INTEGER NOT NULL,              -- 0, 1, …
  data BLOB NOT NULL,
  PRIMARY KEY (run, pack)
);

-- Source text, stored once per content, shared by every run that executed it. A rowid table:
-- in a WITHOUT ROWID table a row of more than ~1 000 bytes (most source files) spills into an
-- overflow page of its own, mostly empty.
CREATE TABLE sources (
  hash TEXT PRIMARY KEY,              -- sha256 of the UTF-8 text
  text TEXT NOT NULL
);

CREATE TABLE files (
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  path TEXT NOT NULL,                 -- absolute, as the interpreter named it
  source_hash TEXT,                   -- NULL when the source could not be read
  PRIMARY KEY (run, id)
) WITHOUT ROWID;

CREATE TABLE functions (
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  file INTEGER NOT NULL,
  name TEXT NOT NULL,
  qualified_name TEXT NOT NULL,
  first_line INTEGER NOT NULL,
  PRIMARY KEY (run, id)
) WITHOUT ROWID;

-- Variable names and type names.
CREATE TABLE symbols (
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (run, id)
) WITHOUT ROWID;

CREATE TABLE threads (
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  ident INTEGER NOT NULL,
  name TEXT NOT NULL,
  first_seq INTEGER,
  last_seq INTEGER,
  first_us INTEGER,
  last_us INTEGER,
  events INTEGER NOT NULL DEFAULT 0,
  locations INTEGER NOT NULL DEFAULT 0, -- distinct (function, line) pairs executed
  PRIMARY KEY (run, id)
) WITHOUT ROWID;

-- Asyncio tasks, as threads: events carry their task (0: none) the way they carry their thread.
CREATE TABLE tasks (
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  name TEXT NOT NULL,
  thread INTEGER NOT NULL,            -- whose event loop runs it
  awaiter INTEGER,                    -- the task last seen awaiting it (directly or through gather)
  first_frame INTEGER,                -- the frame of its first event: its coroutine
  first_seq INTEGER,
  last_seq INTEGER,
  first_us INTEGER,
  last_us INTEGER,
  events INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run, id)
) WITHOUT ROWID;

-- The activations of functions, in chunks of consecutive calls: see server/db/frame-chunk.ts for
-- the format. A chunk is found by the id of its first frame; a frame whose call arrived late
-- (another thread ran between its id and its call) may be in a later chunk, never below min_id.
-- Rows this big are kept out of WITHOUT ROWID tables, whose lookups would read every blob met.
CREATE TABLE frames (
  run INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  min_id INTEGER NOT NULL,
  max_id INTEGER NOT NULL,
  count INTEGER NOT NULL,
  revision INTEGER NOT NULL,          -- bumped at every write: readers cache a chunk until then
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX frames_by_first ON frames (run, first_id);

-- Frames still running when their chunk was written for the last time: their end (NULL while
-- running) and the calls they have made, laid over the chunk.
CREATE TABLE frame_ends (
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  end_seq INTEGER,
  end_us INTEGER,
  children INTEGER NOT NULL,
  PRIMARY KEY (run, id)
) WITHOUT ROWID;

-- The chunks, other than its own, that hold calls a frame made (parent 0: frames with no
-- recorded caller).
CREATE TABLE frame_children (
  run INTEGER NOT NULL,
  parent INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  PRIMARY KEY (run, parent, chunk)
) WITHOUT ROWID;

-- Every generator resumed (from wherever it is resumed), with the frame and the line it was
-- resumed from, for the call stack at any moment. A frame's first activation is its call
-- (runs recorded by schema 2 have a row here for it too).
CREATE TABLE activations (
  run INTEGER NOT NULL,
  frame INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  parent INTEGER NOT NULL,
  parent_line INTEGER,
  PRIMARY KEY (run, frame, seq)
) WITHOUT ROWID;

-- The events, in blocks of consecutive events: see server/db/event-block.ts for the format and
-- why. kind: 0 call, 1 line, 2 return, 3 exception, 4 yield (a generator suspended).
CREATE TABLE event_blocks (
  run INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX event_blocks_by_first ON event_blocks (run, first_seq);

-- What each block holds, for a search to skip the blocks that cannot match: see
-- server/db/block-summary.ts and text-filter.ts. Runs recorded before schema 5 have none: their blocks are read.
CREATE TABLE block_summaries (
  run INTEGER NOT NULL,
  block INTEGER NOT NULL,
  kinds INTEGER NOT NULL,
  functions BLOB NOT NULL,
  names BLOB NOT NULL,
  texts BLOB NOT NULL,
  PRIMARY KEY (run, block)
) WITHOUT ROWID;

-- What finds events without reading every block (block: its first_seq). The blocks holding a
-- thread's events; the blocks executing a line (line events); and the blocks where a frame has
-- events other than the block of its call, with its variables (see event-block.ts) as they
-- were before its first event there.
CREATE TABLE thread_blocks (
  run INTEGER NOT NULL,
  thread INTEGER NOT NULL,
  block INTEGER NOT NULL,
  PRIMARY KEY (run, thread, block)
) WITHOUT ROWID;

CREATE TABLE task_blocks (
  run INTEGER NOT NULL,
  task INTEGER NOT NULL,
  block INTEGER NOT NULL,
  PRIMARY KEY (run, task, block)
) WITHOUT ROWID;

CREATE TABLE line_blocks (
  run INTEGER NOT NULL,
  file INTEGER NOT NULL,
  line INTEGER NOT NULL,
  block INTEGER NOT NULL,
  PRIMARY KEY (run, file, line, block)
) WITHOUT ROWID;

CREATE TABLE frame_blocks (
  run INTEGER NOT NULL,
  frame INTEGER NOT NULL,
  block INTEGER NOT NULL,
  locals BLOB NOT NULL,
  PRIMARY KEY (run, frame, block)
) WITHOUT ROWID;

-- Executions per line, kept up to date while recording.
CREATE TABLE line_hits (
  run INTEGER NOT NULL,
  file INTEGER NOT NULL,
  line INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  PRIMARY KEY (run, file, line)
) WITHOUT ROWID;

-- cProfile's statistics, compressed in one blob per run (profile-blob.ts): a profile has a row
-- per function the process ever called, thousands for a test runner, read only whole.
CREATE TABLE profiles (
  run INTEGER PRIMARY KEY,
  functions INTEGER NOT NULL,         -- how many functions it holds
  calls INTEGER NOT NULL,             -- how many caller → callee pairs
  data BLOB NOT NULL
);

-- The Timeline's calls by time (server/timeline/call-index.ts), kept once built for a run that
-- has ended: one row per lane (thread, task; 0 for none) and depth, its columns raw in `data`
-- (see server/timeline/stored-index.ts). `events`: the run's events when it was built.
CREATE TABLE call_index (
  run INTEGER NOT NULL,
  thread INTEGER NOT NULL,
  task INTEGER NOT NULL,
  depth INTEGER NOT NULL,
  events INTEGER NOT NULL,
  count INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX call_index_by_lane ON call_index (run, thread, task, depth);

-- The Timeline's overview of a run (server/timeline/overview.ts), kept with its call index:
-- the whole run drawn once at a few thousand pixels, which answers the first paint.
CREATE TABLE call_overview (
  run INTEGER PRIMARY KEY,
  events INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  calls INTEGER NOT NULL,
  data BLOB NOT NULL
);
