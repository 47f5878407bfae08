/**
 * The recorder's columns go to PostgreSQL as binary array parameters
 * (server/store/postgres/binary-array.ts): a real server reads back every value sent, integers
 * with negatives, values past 32 bits up to 2^53 and nulls, text in any script, bytes of any
 * value, and refuses a malformed array. A column of mixed values is not sent as an array.
 */

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { columnArray, int8Array } from '../../server/store/postgres/binary-array.js'
import { startPostgres } from '../support/postgres.js'

const postgres = await startPostgres()
let client: pg.Client

beforeAll(async () => {
  if (postgres === null) return
  postgres.createDatabase('arrays')
  client = new pg.Client({ connectionString: postgres.url('arrays') })
  await client.connect()
})
afterAll(async () => {
  await client?.end()
  postgres?.stop()
})

/** What the server reads `values` as, each element as text (exact past 2^53 too). */
async function readBack(values: unknown[]): Promise<Array<string | null>> {
  const answer = await client.query<{ value: string | null }>(
    'SELECT value::TEXT AS value FROM unnest($1::BIGINT[]) WITH ORDINALITY AS t (value, n) ORDER BY n',
    [int8Array(values)],
  )
  return answer.rows.map((row) => row.value)
}

describe.skipIf(postgres === null)('integer columns sent as binary arrays', () => {
  it('are read by the server value for value, from 0 to 2^53 - 1 and below 0', async () => {
    const values = [
      0,
      1,
      -1,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32,
      2 ** 32 + 5,
      -(2 ** 32) - 5,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]
    expect(await readBack(values)).toEqual(values.map(String))
  })

  it('keep their nulls in place', async () => {
    expect(await readBack([null, 7, null, 2 ** 40])).toEqual([null, '7', null, String(2 ** 40)])
  })

  it('may be long: a flush sends tens of thousands of rows in one', async () => {
    const values = Array.from({ length: 50_000 }, (_, i) => i * 1_000_003)
    const answer = await client.query<{ n: string; total: string }>(
      'SELECT count(*)::TEXT AS n, sum(v)::TEXT AS total FROM unnest($1::BIGINT[]) AS v',
      [int8Array(values)],
    )
    expect(answer.rows[0]).toEqual({
      n: '50000',
      total: String(values.reduce((a, b) => a + BigInt(b), 0n)),
    })
  })

  it('of text and of bytes are read back as sent, nulls in place', async () => {
    const texts = ['', 'plain', 'ünïcödé ✓ 🐍', "quote ' and \\ backslash", null, '{a,b}']
    const text = columnArray(texts)!
    expect(text.type).toBe('TEXT')
    const answer = await client.query<{ value: string | null }>(
      'SELECT value FROM unnest($1::TEXT[]) WITH ORDINALITY AS t (value, n) ORDER BY n',
      [text.bytes],
    )
    expect(answer.rows.map((row) => row.value)).toEqual(texts)
    const blobs = [Buffer.from([0, 255, 92, 39, 0]), Buffer.alloc(0), null, Buffer.alloc(70_000, 7)]
    const bytes = columnArray(blobs)!
    expect(bytes.type).toBe('BYTEA')
    const back = await client.query<{ value: Buffer | null }>(
      'SELECT value FROM unnest($1::BYTEA[]) WITH ORDINALITY AS t (value, n) ORDER BY n',
      [bytes.bytes],
    )
    expect(back.rows.map((row) => row.value)).toEqual(blobs)
  })

  it('are not made of a column whose values share no type', () => {
    expect(columnArray([1, 'one'])).toBeNull()
    expect(columnArray([1.5, 2])).toBeNull()
    expect(columnArray([Buffer.alloc(1), 2])).toBeNull()
    expect(columnArray([null, 3])?.type).toBe('BIGINT')
  })

  it('are refused by the server when cut short, rather than read as something else', async () => {
    const cut = int8Array([1, 2, 3]).subarray(0, 30)
    await expect(client.query('SELECT $1::BIGINT[]', [cut])).rejects.toThrow(
      /insufficient data|incorrect binary data format/,
    )
  })
})
