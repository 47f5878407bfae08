/**
 * `smiley pytest` on a suite of 500 small unit tests (an order built and totalled by a module
 * under test, about 180 events each), two of which fail, beside the same suite
 * recorded as one run (`smiley run -m pytest`) and run by plain pytest, in the same run: the
 * cost of each test's own run, and the database `--keep failed` leaves against `--keep all`;
 * that last also for a suite of one-line tests (16 events each), where an empty database's
 * page per table is most of what `--keep failed` keeps.
 * Times are CPU time (the recorder's and the interpreter's), which a shared machine's load
 * changes least, beside wall-clock time; each the least of the rounds, which interleave.
 *
 *   npx tsx scripts/bench/test-session.ts [--python 3.11] [--scale 1]
 */

import Database from 'better-sqlite3'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../server/db/database.js'
import { writePrograms } from '../../tests/support/programs.js'
import { standaloneOptions } from './standalone.js'
import { least, NOT_YET, timed, type Timing } from './timing.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SMILEY = join(ROOT, 'bin', 'smiley.js')
const FILES = 50
const FAILING = 2

export interface TestSessionFigures {
  tests: number
  /** Each the least of the rounds. */
  plain: Timing
  oneRun: Timing
  perTest: Timing
  perTestAll: Timing
  /** Milliseconds each test's own run adds to the one-run recording. */
  perTestCostMs: Timing
  /** Database bytes (with its write-ahead log): one run, --keep failed, --keep all, and a
   * database with nothing in it (each of its tables and indexes takes a page). */
  bytes: { oneRun: number; keepFailed: number; keepAll: number; empty: number }
  /** The same two databases for the suite of one-line tests (16 events each). */
  oneLineBytes: { keepFailed: number; keepAll: number }
  /** Where the bytes of the --keep failed database are: its largest tables and indexes, and
   * the pages left free by the runs it deleted. */
  keepFailedTables: Array<{ name: string; bytes: number }>
  keepFailedFree: number
  /** The tables and indexes of --keep failed that take their one page (most are empty). */
  keepFailedOnePage: number
  pageSize: number
}

/** The pages of `database` per table or index (SQLite's dbstat), largest first, and its free pages' bytes. */
function whereTheBytesAre(database: string): {
  tables: Array<{ name: string; bytes: number }>
  free: number
  pageSize: number
} {
  const db = new Database(database, { readonly: true })
  try {
    const tables = db
      .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC')
      .all() as Array<{ name: string; bytes: number }>
    const pageSize = db.pragma('page_size', { simple: true }) as number
    const free = (db.pragma('freelist_count', { simple: true }) as number) * pageSize
    return { tables, free, pageSize }
  } finally {
    db.close()
  }
}

/** The module the suite tests: order lines parsed, merged, priced and totalled. */
const SHOP = `"""A small module under test: order lines parsed, priced and totalled."""


class Line:
    def __init__(self, name, price, quantity):
        self.name = name
        self.price = price
        self.quantity = quantity

    def amount(self):
        return self.price * self.quantity


def parse(text):
    name, price, quantity = text.split(":")
    return Line(name.strip(), int(price), int(quantity))


class Order:
    def __init__(self, customer):
        self.customer = customer
        self.lines = []

    def add(self, text):
        line = parse(text)
        for known in self.lines:
            if known.name == line.name:
                known.quantity += line.quantity
                return known
        self.lines.append(line)
        return line

    def total(self, discount=0):
        subtotal = sum(line.amount() for line in self.lines)
        return subtotal - subtotal * discount // 100
`

/** The order test `k` makes: six lines (some for the same item) and a discount, with its total. */
function order(k: number): { lines: string[]; discount: number; total: number } {
  const lines = Array.from(
    { length: 6 },
    (_, j) => `item${(k + j) % 7}:${((k * 3 + j) % 50) + 1}:${(j % 3) + 1}`,
  )
  const items = new Map<string, { price: number; quantity: number }>()
  for (const line of lines) {
    const [name, price, quantity] = line.split(':') as [string, string, string]
    const item = items.get(name)
    if (item) item.quantity += Number(quantity)
    else items.set(name, { price: Number(price), quantity: Number(quantity) })
  }
  const subtotal = [...items.values()].reduce((sum, item) => sum + item.price * item.quantity, 0)
  const discount = k % 20
  return { lines, discount, total: subtotal - Math.floor((subtotal * discount) / 100) }
}

/**
 * A suite of `tests` tests in files of ten, two of which fail. `unit`: each test builds an
 * order with the module under test and checks its total (about 180 events, as a small unit
 * test is); otherwise each is a one-line loop of 16 events, the least a test can record, where
 * the database's fixed size (a page per table) is most of what is kept.
 */
function writeSuite(folder: string, tests: number, unit: boolean): void {
  const perFile = Math.ceil(tests / FILES)
  const files: Record<string, string> = unit ? { 'tests/shop.py': SHOP } : {}
  let made = 0
  for (let file = 0; made < tests; file++) {
    const lines = unit ? ['from shop import Order', ''] : ['import pytest', '']
    for (let i = 0; i < perFile && made < tests; i++, made++) {
      const fails = made === Math.floor(tests / 3) || made === Math.floor((2 * tests) / 3)
      if (unit) {
        const { lines: ordered, discount, total } = order(made)
        lines.push(
          `def test_order_${made}():`,
          `    order = Order("customer ${made}")`,
          ...ordered.map((line) => `    order.add("${line}")`),
          `    assert order.total(${discount}) == ${fails ? total + 1 : total}`,
          '',
        )
      } else {
        lines.push(
          `def test_${made}():`,
          `    total = 0`,
          `    for n in range(5):`,
          `        total += n * ${made}`,
          `    assert total == ${fails ? -1 : 10 * made}`,
          '',
        )
      }
    }
    files[`tests/test_part${file}.py`] = lines.join('\n')
  }
  writePrograms(folder, files)
}

function sizeOf(database: string): number {
  return [database, `${database}-wal`]
    .filter((path) => existsSync(path))
    .reduce((sum, path) => sum + statSync(path).size, 0)
}

export async function measureTestSession(
  python: string,
  scale: number,
  repeat = 3,
  progress: (line: string) => void = () => undefined,
): Promise<TestSessionFigures> {
  const tests = Math.max(10, Math.round(500 * scale))
  const folder = mkdtempSync(join(tmpdir(), 'smiley-bench-tests-'))
  try {
    const unit = join(folder, 'unit')
    writeSuite(unit, tests, true)
    const oneLine = join(folder, 'one-line')
    writeSuite(oneLine, tests, false)
    const pytest = ['-q', '-p', 'no:cacheprovider']
    const smiley = [process.execPath, SMILEY]
    const best = { plain: NOT_YET, oneRun: NOT_YET, perTest: NOT_YET, perTestAll: NOT_YET }
    // Two tests fail: every command exits with 1.
    const measure = (command: string[]) => timed(python, command, { cwd: unit, exitCode: 1 })
    const empty = join(folder, 'empty.db')
    openDatabase(empty, { create: true }).close()
    const bytes = { oneRun: 0, keepFailed: 0, keepAll: 0, empty: sizeOf(empty) }
    let where: ReturnType<typeof whereTheBytesAre> = { tables: [], free: 0, pageSize: 0 }
    for (let round = 0; round < repeat; round++) {
      const [one, failed, all] = ['one', 'failed', 'all'].map((name) =>
        join(folder, `${name}-${round}.db`),
      ) as [string, string, string]
      const recorded = ['--python', python]
      // Interleaved, so that a machine slower for a while slows each of them alike.
      const plain = await measure([python, '-m', 'pytest', ...pytest])
      best.plain = least(best.plain, plain)
      const oneRun = await measure([
        ...smiley,
        'run',
        '-d',
        one,
        ...recorded,
        '-m',
        'pytest',
        ...pytest,
      ])
      best.oneRun = least(best.oneRun, oneRun)
      const perTest = await measure([...smiley, 'pytest', '-d', failed, ...recorded, ...pytest])
      best.perTest = least(best.perTest, perTest)
      const perTestAll = await measure([
        ...smiley,
        'pytest',
        '-d',
        all,
        ...recorded,
        '--keep',
        'all',
        ...pytest,
      ])
      best.perTestAll = least(best.perTestAll, perTestAll)
      bytes.oneRun = sizeOf(one)
      bytes.keepFailed = sizeOf(failed)
      bytes.keepAll = sizeOf(all)
      where = whereTheBytesAre(failed)
      const cpu = (timing: Timing) => `${timing.cpu.toFixed(2)} s`
      progress(
        `round ${round + 1} of ${repeat}, CPU: pytest ${cpu(plain)}, one run ${cpu(oneRun)}, per test ${cpu(perTest)}, keep all ${cpu(perTestAll)}`,
      )
    }
    const oneLineBytes = { keepFailed: 0, keepAll: 0 }
    for (const keep of ['failed', 'all'] as const) {
      const database = join(oneLine, `${keep}.db`)
      const command = [...smiley, 'pytest', '-d', database, '--python', python, '--keep', keep]
      await timed(python, [...command, ...pytest], { cwd: oneLine, exitCode: 1 })
      oneLineBytes[keep === 'failed' ? 'keepFailed' : 'keepAll'] = sizeOf(database)
    }
    const cost = (a: number, b: number) => ((a - b) / tests) * 1000
    return {
      tests,
      ...best,
      perTestCostMs: {
        cpu: cost(best.perTest.cpu, best.oneRun.cpu),
        wall: cost(best.perTest.wall, best.oneRun.wall),
      },
      bytes,
      oneLineBytes,
      keepFailedTables: where.tables,
      keepFailedFree: where.free,
      keepFailedOnePage: where.tables.filter((table) => table.bytes <= where.pageSize).length,
      pageSize: where.pageSize,
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

export function formatTestSession(figures: TestSessionFigures): string {
  const s = (seconds: number) => `${seconds.toFixed(2)} s`.padStart(9)
  const kib = (bytes: number) =>
    `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`.padStart(11)
  const ratio = (a: Timing, b: Timing) => `${(a.cpu / b.cpu).toFixed(2)}×`.padStart(6)
  const row = (label: string, timing: Timing, against: string) =>
    `  ${label.padEnd(32)} ${s(timing.cpu)} ${s(timing.wall)}  ${against}`
  const { plain, oneRun, perTest, perTestAll, perTestCostMs, bytes } = figures
  const share = (part: number) => `${((100 * part) / bytes.keepAll).toFixed(1)}% of --keep all`
  const larger = figures.keepFailedTables.filter((table) => table.bytes > figures.pageSize)
  const onePage = figures.keepFailedOnePage
  return [
    `${figures.tests} tests, ${FAILING} failing, least of the rounds      CPU      wall`,
    row('plain pytest', plain, ''),
    row('smiley run -m pytest (one run)', oneRun, `${ratio(oneRun, plain)} pytest's CPU`),
    row('smiley pytest (--keep failed)', perTest, `${ratio(perTest, oneRun)} the one run's`),
    row('smiley pytest --keep all', perTestAll, `${ratio(perTestAll, oneRun)} the one run's`),
    `  each test's own run: ${perTestCostMs.cpu.toFixed(2)} ms of CPU (${perTestCostMs.wall.toFixed(2)} ms of wall-clock time) over the one run`,
    'database, with its write-ahead log',
    `  one run                        ${kib(bytes.oneRun)}  ${share(bytes.oneRun)}`,
    `  --keep failed                  ${kib(bytes.keepFailed)}  ${share(bytes.keepFailed)}`,
    `  --keep all                     ${kib(bytes.keepAll)}`,
    `  an empty database              ${kib(bytes.empty)}  ${share(bytes.empty)}`,
    'where the bytes of --keep failed are (tables and indexes of more than a page)',
    ...larger.map(({ name, bytes: size }) => `  ${name.padEnd(30)} ${kib(size)}  ${share(size)}`),
    `  ${`${onePage} of a page each`.padEnd(30)} ${kib(onePage * figures.pageSize)}  ${share(onePage * figures.pageSize)}`,
    `  free pages                     ${kib(figures.keepFailedFree)}`,
    `the same suite of one-line tests (16 events each; an empty database is ${((100 * bytes.empty) / figures.oneLineBytes.keepAll).toFixed(1)}% of its --keep all)`,
    `  --keep failed                  ${kib(figures.oneLineBytes.keepFailed)}  ${((100 * figures.oneLineBytes.keepFailed) / figures.oneLineBytes.keepAll).toFixed(1)}% of --keep all`,
    `  --keep all                     ${kib(figures.oneLineBytes.keepAll)}`,
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { python, scale } = standaloneOptions()
  const figures = await measureTestSession(python, scale, 3, (line) =>
    process.stderr.write(`  ${line}\n`),
  )
  process.stdout.write(formatTestSession(figures) + '\n')
}
