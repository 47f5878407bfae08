/** A file a run executed, and the source it had then. */
export interface RunFile {
  /** File id within the run. */
  id: number
  /** Absolute path, as the interpreter named it. */
  path: string
  /** The path relative to the run's working folder when it is inside it, else absolute. */
  displayPath: string
  /** Lines that ran at least once, and line events in total. */
  executedLines: number
  hits: number
  /** False when the source could not be read when the run started. */
  hasSource: boolean
}

/** A file's text as it was when the run executed it, with per-line execution counts. */
export interface RunSource {
  file: RunFile
  text: string | null
  /** Line number → how many line events it had. Lines that never ran are absent. */
  hits: Record<number, number>
}
