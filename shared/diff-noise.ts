/**
 * Values that differ on every run and so are no divergence: memory addresses, object ids,
 * timestamps and durations, found by pattern, what another machine or Python version shows
 * differently, and whatever the user asks to ignore.
 */

/** Texts that change from one run to the next whatever the program does. */
const BUILT_IN: RegExp[] = [
  // Memory addresses in reprs: <Foo object at 0x7f3a…>, <function f at 0x…>.
  /0x[0-9a-f]{4,}/gi,
  // Object ids and thread idents, in reprs: <Thread(worker, stopped 140341049026240)>.
  /\b\d{12,}\b/g,
  // Where a module was loaded from: another machine or Python has it elsewhere.
  /(?<=<module '[^']*' from ')[^']*(?='>)/g,
  // ISO dates and times: 2026-12-07 11:15:02.123456, 2026-12-07T11:15:02Z.
  /\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g,
  // datetime and timedelta reprs.
  /datetime\.(datetime|date|time)\([\d, ]*(tzinfo=[^)]*\)?)?\)/g,
  /datetime\.timedelta\([^)]*\)/g,
  // Unix times in seconds, with their fraction: 1765105702.5531.
  /\b1[5-9]\d{8}\.\d+\b/g,
  // time.struct_time(tm_year=…).
  /time\.struct_time\([^)]*\)/g,
]

/** Texts that one Python version shows and another does not: left out rather than replaced. */
const VERSIONED: RegExp[] = [
  // Python 3.10+ names a thread after its target: <Thread(Thread-1 (work), started …)>.
  /(?<=\bThread-\d+) \([^()]*\)/g,
]

/** Names whose float values are times or durations. */
const TIME_NAME =
  /(^|_)(t\d*|ts|time|times|timestamp|elapsed|duration|took|start|started|end|ended|stop|now|deadline|delay|latency|when|clock|tic|toc)(_|$)/i
/** Names whose integer values are object ids, addresses or process ids. */
const ID_NAME = /(^|_)(id|ident|oid|addr|address|pid|tid|handle)$/i

const FLOAT = /^-?\d+\.\d+(e[+-]?\d+)?$/i
const INTEGER = /^-?\d+$/

export class Noise {
  private readonly patterns: RegExp[]
  private readonly names: Set<string>

  /** `ignore`: regular expressions (already checked); `ignoreNames`: variable names. */
  constructor(ignore: readonly string[], ignoreNames: readonly string[]) {
    this.patterns = [...BUILT_IN, ...ignore.map((source) => new RegExp(source, 'g'))]
    this.names = new Set(ignoreNames)
  }

  /** True when a difference between texts `a` and `b` of variable `name` does not count. */
  ignorable(name: string, a: string | null, b: string | null): boolean {
    if (this.names.has(name)) return true
    if (a === null || b === null) return false
    if (FLOAT.test(a) && FLOAT.test(b) && TIME_NAME.test(name)) return true
    if (INTEGER.test(a) && INTEGER.test(b) && ID_NAME.test(name)) return true
    return this.normal(a) === this.normal(b)
  }

  private normal(text: string): string {
    let out = text
    for (const pattern of VERSIONED) out = out.replace(pattern, '')
    for (const pattern of this.patterns) out = out.replace(pattern, '\u2026')
    return out
  }
}

/** The message of the first pattern that is not a regular expression, or null. */
export function badPattern(patterns: readonly string[]): string | null {
  for (const source of patterns) {
    try {
      new RegExp(source, 'g')
    } catch (error) {
      return `--ignore ${JSON.stringify(source)} is not a regular expression: ${(error as Error).message}`
    }
  }
  return null
}
