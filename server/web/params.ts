/** Reading query parameters strictly: a malformed one is a 400, never a 500. */

import { HTTPException } from 'hono/http-exception'

/** A whole number in [min, max], or `fallback` when absent. */
export function integerParam(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback
  if (!/^-?\d+$/.test(value))
    throw new HTTPException(400, { message: `${name} must be a whole number` })
  const number = Number(value)
  if (number < min || number > max) {
    throw new HTTPException(400, { message: `${name} must be between ${min} and ${max}` })
  }
  return number
}

/** One of `choices`, or `fallback` when absent. */
export function choiceParam<T extends string>(
  value: string | undefined,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === '') return fallback
  if (!(choices as readonly string[]).includes(value)) {
    throw new HTTPException(400, { message: `${name} must be one of ${choices.join(', ')}` })
  }
  return value as T
}

/** The single value of a query parameter; repeating it is a 400. */
export function queryText(
  query: Record<string, string | string[]>,
  name: string,
): string | undefined {
  const value = query[name]
  if (Array.isArray(value))
    throw new HTTPException(400, { message: `${name} given more than once` })
  return value
}
