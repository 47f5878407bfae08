/**
 * What `smiley run` tells the tracer, as JSON in the SMILEY_OPTIONS environment variable
 * (read by tracer/sitecustomize.py and tracer/smiley_tracer/session.py).
 */
export interface TracerOptions {
  /** The inherited file descriptor to write the event stream to. */
  fd: number
  /**
   * An inherited descriptor to wait on before the program's first line: one byte lets it start,
   * end of file stops the interpreter (`smiley run` opens its database meanwhile).
   */
  goFd?: number
  /** The run's uuid, echoed in `hello`. */
  run: string
  /** The PYTHONPATH the program should see (null: unset). */
  pythonPath: string | null
  /** Longest recorded `repr`, in characters. */
  maxRepr: number
  /** Replace secrets with `<redacted>` (see tracer/smiley_tracer/redaction.py). */
  redact: boolean
  /** More secret names (`--redact NAME`), matched whole and without regard to case. */
  redactNames?: string[]
  /** More secret value patterns (`--redact /REGEX/`). */
  redactPatterns?: string[]
  /** Call every object's own `__repr__`, the program's too (`--call-repr`). */
  callReprs?: boolean
  /** Record cProfile statistics. */
  profile: boolean
  includeStdlib: boolean
  includeSitePackages: boolean
  /** Packages to record although they are installed, by import name. */
  includePackages: string[]
  /** Globs on file paths: record only the files they match (`--include`)… */
  include?: string[]
  /** …and never those these match (`--exclude`). */
  exclude?: string[]
  /** Record only inside calls of the functions of these names, qualified names or
   * `module.qualified` names, with all they call (`--function`). */
  functions?: string[]
  /** The main script, compiled first so that a syntax error gets a one-line message. */
  script?: string
  /** Use sys.settrace even where sys.monitoring exists (3.12+). */
  settrace?: boolean
  /** The pseudo file name of a program given as text (`<string>` for -c, `<stdin>`), recorded. */
  mainName?: string
  /** Its text, recorded as its source. */
  mainSource?: string
  /** Mark where each test starts and ends (pytest, unittest): each is recorded as its own run. */
  perTest?: boolean
  /** The tracer's native accelerator: used when it builds (`auto`), required, or never. */
  accelerator?: Accelerator
}

export type Accelerator = 'auto' | 'native' | 'python'
export const ACCELERATORS: readonly Accelerator[] = ['auto', 'native', 'python']

/**
 * What a recorder tells the Python processes a recorded program starts, as JSON in the
 * SMILEY_CHILDREN environment variable (read by tracer/smiley_tracer/children.py). Each
 * recorded process rewrites `parent` and `pid` with its own run, for the processes it starts.
 */
export interface ChildrenAnnouncement {
  /** The recorder's Unix socket: a child connects, says the token and a newline, then streams. */
  socket: string
  /** The recording's token (hex), so that nothing else can add runs to it. */
  token: string
  /** How the children record: the parent's options without its own run, script or tests. */
  options: Partial<TracerOptions>
  /** The run of the process that set this announcement (absent for `smiley ci`'s command). */
  parent?: string
  /** That process's pid: a child with the same pid replaced it (exec). */
  pid?: number
}
