/**
 * Who is told when a database is moved forward from an older schema, which can take a while on
 * a big one: the CLI prints it. Kept apart from database.ts so that setting it loads nothing.
 */

let notice: ((message: string) => void) | null = null

/** Says `message` (one line) whenever a database is moved forward. */
export function onUpgrade(told: ((message: string) => void) | null): void {
  notice = told
}

export function sayUpgrade(message: string): void {
  notice?.(message)
}
