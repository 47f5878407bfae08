/**
 * An event block: consecutive events of one run, stored as one row of `event_blocks` in a
 * compact binary form. A row per event costs SQLite a B-tree insert for the row and one per
 * index; a block of thousands costs one, which is what lets ingest keep up with the tracer.
 *
 *   block     := format:u8 prologues:uint prologue* event*
 *   prologue  := frame function thread depth task         (uints) a frame seen in the block
 *                                                         before any call of it in the block
 *   event     := head:u8 [frame:int] line:int [us:int] body
 *     head    := kind (bits 0–2: 0 call, 1 line, 2 return, 3 exception, 4 yield)
 *                | 0x08 same frame as the previous event | 0x10 has locals | 0x20 same time
 *     frame   := difference from the previous event's frame
 *     line    := difference from the frame's previous line in the block
 *     us      := microseconds since the previous event (the first: since the run started;
 *                threads can take their times a little out of order)
 *   body      := call: function thread depth task (uints), then locals if flagged;
 *                return, yield, exception: locals if flagged, then valueType:uint value:item;
 *                line: locals if flagged
 *   locals    := count:uint (name:uint type:uint [item if type ≠ 0])*   type 0: deleted
 *   item      := 0 null | 1 int:int (text is its decimal form) | 2 + 2n, n bytes of text
 *                | 3 + 2n, prefix:uint suffix:uint, n bytes: the text that replaced this
 *                  variable's previous text in the block, keeping its first `prefix` and
 *                  last `suffix` UTF-16 code units (a long repr that changed a little)
 *
 * A block is read whole, from its start: every difference is from something before it.
 * Format 1 (before asyncio tasks were recorded) has no `task` in prologues and calls: 0.
 */

import type { StoredLocal } from '../../shared/locals.js'
import type { FlatChanges } from '../../shared/wire/records.js'
import { BlobError, ByteReader, ByteWriter, utf8Length } from './bytes.js'

export const BLOCK_FORMAT = 2

/** Kinds as stored: the API's four, with a generator's yield apart from its final return. */
export const KIND = { call: 0, line: 1, return: 2, exception: 3, yield: 4 } as const
export type StoredKind = (typeof KIND)[keyof typeof KIND]

/** An event as stored, every name still an id. */
export interface StoredEvent {
  seq: number
  kind: StoredKind
  thread: number
  /** The asyncio task it ran in; 0: none. */
  task: number
  frame: number
  /** Recorded callers above the frame in its thread, at this activation. */
  depth: number
  /** The frame's code id; 0 when its call was never recorded. */
  function: number
  line: number
  /** Microseconds since the run started. */
  us: number
  /** Every local on a call, the changed ones otherwise; null when none. */
  locals: StoredLocal[] | null
  /** Return value or exception type symbol; null on a line, a call or a return by exception. */
  valueType: number | null
  value: string | null
}

/** What an event's frame is, at the event. */
export interface FrameInfo {
  function: number
  thread: number
  depth: number
  /** The asyncio task; 0: none. */
  task: number
}

const SAME_FRAME = 0x08
const HAS_LOCALS = 0x10
const SAME_TIME = 0x20
const KIND_BITS = 0x07

const NULL_ITEM = 0
const INT_ITEM = 1
/** A changed text is sent as a difference only when the two share at least this much. */
const DELTA_MIN_SHARED = 12
const DELTA_MIN_LENGTH = 24

/** What a block already says about one of its frames. */
interface BlockFrame {
  /** Its last line in the block. */
  line: number
  /** Its variables' latest texts in the block, by name. */
  texts: Map<number, string> | null
}

/** Builds one block, an event at a time. */
export class BlockEncoder {
  count = 0
  private readonly events = new ByteWriter(64 * 1024)
  private readonly prologue = new ByteWriter(256)
  private prologues = 0
  /** Frames whose function, thread and depth the block already says (by a prologue or a call). */
  private readonly frames = new Map<number, BlockFrame>()
  private previousFrame = 0
  private previousUs = 0

  constructor(readonly firstSeq: number) {}

  /** Bytes the block holds so far. */
  get byteLength(): number {
    return this.events.length + this.prologue.length + 8
  }

  add(
    kind: StoredKind,
    frame: number,
    info: FrameInfo,
    line: number,
    us: number,
    locals: FlatChanges | null,
    valueType: number,
    value: string | null,
  ): void {
    const out = this.events
    let state = this.frames.get(frame)
    if (state === undefined) {
      state = { line: 0, texts: null }
      this.frames.set(frame, state)
      if (kind !== KIND.call) {
        this.prologue.uint(frame)
        this.prologue.uint(info.function)
        this.prologue.uint(info.thread)
        this.prologue.uint(info.depth)
        this.prologue.uint(info.task)
        this.prologues += 1
      }
    }
    const hasLocals = locals !== null && locals.length > 0
    let head: number = kind
    if (frame === this.previousFrame) head |= SAME_FRAME
    if (hasLocals) head |= HAS_LOCALS
    if (us === this.previousUs) head |= SAME_TIME
    out.byte(head)
    if (frame !== this.previousFrame) out.int(frame - this.previousFrame)
    out.int(line - state.line)
    if (us !== this.previousUs) out.int(us - this.previousUs)
    this.previousFrame = frame
    this.previousUs = us
    state.line = line
    if (kind === KIND.call) {
      out.uint(info.function)
      out.uint(info.thread)
      out.uint(info.depth)
      out.uint(info.task)
    }
    if (hasLocals) this.locals((state.texts ??= new Map()), locals)
    if (kind >= KIND.return) {
      out.uint(valueType)
      writeItem(out, value)
    }
    this.count += 1
  }

  /** The block as stored. */
  bytes(): Buffer {
    const head = new ByteWriter(16)
    head.byte(BLOCK_FORMAT)
    head.uint(this.prologues)
    return Buffer.concat([head.view(), this.prologue.view(), this.events.view()])
  }

  private locals(texts: Map<number, string>, flat: FlatChanges): void {
    const out = this.events
    out.uint(flat.length / 3)
    for (let i = 0; i < flat.length; i += 3) {
      const name = flat[i] as number
      const text = flat[i + 2]
      out.uint(name)
      if (typeof text !== 'string') {
        out.uint(0)
        texts.delete(name)
        continue
      }
      out.uint(flat[i + 1] as number)
      const previous = texts.get(name)
      texts.set(name, text)
      if (previous !== undefined && this.difference(previous, text)) continue
      writeItem(out, text)
    }
  }

  /** Writes `text` as a difference from `previous` when that is shorter; says whether it did. */
  private difference(previous: string, text: string): boolean {
    if (text.length < DELTA_MIN_LENGTH || previous.length < DELTA_MIN_LENGTH) return false
    const most = Math.min(previous.length, text.length)
    let prefix = 0
    while (prefix < most && previous.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++
    let suffix = 0
    while (
      suffix < most - prefix &&
      previous.charCodeAt(previous.length - 1 - suffix) ===
        text.charCodeAt(text.length - 1 - suffix)
    )
      suffix++
    // Never split a surrogate pair: the middle must stand as text of its own.
    if (prefix > 0 && isHighSurrogate(text.charCodeAt(prefix - 1))) prefix--
    if (suffix > 0 && isLowSurrogate(text.charCodeAt(text.length - suffix))) suffix--
    if (prefix + suffix < DELTA_MIN_SHARED) return false
    const middle = text.slice(prefix, text.length - suffix)
    const bytes = utf8Length(middle)
    this.events.uint(3 + 2 * bytes)
    this.events.uint(prefix)
    this.events.uint(suffix)
    this.events.utf8(middle, bytes)
    return true
  }
}

function writeItem(out: ByteWriter, text: string | null): void {
  if (text === null) return out.uint(NULL_ITEM)
  const number = decimalInteger(text)
  if (number !== null) {
    out.uint(INT_ITEM)
    return out.int(number)
  }
  out.sizedUtf8(2, text)
}

/** A frame's variables, on their own (frame_blocks.locals): the block's `locals`, no differences. */
export function encodeLocalsBlob(flat: FlatChanges): Buffer {
  const out = new ByteWriter(64)
  out.uint(flat.length / 3)
  for (let i = 0; i < flat.length; i += 3) {
    const text = flat[i + 2]
    out.uint(flat[i] as number)
    if (typeof text !== 'string') {
      out.uint(0)
      continue
    }
    out.uint(flat[i + 1] as number)
    writeItem(out, text)
  }
  return Buffer.from(out.view())
}

export function decodeLocalsBlob(data: Buffer): StoredLocal[] {
  return readLocals(new ByteReader(data), 0, new Map())
}

/** The events of a block whose first event is `firstSeq`; throws BlobError when malformed. */
export function decodeBlock(data: Buffer, firstSeq: number): StoredEvent[] {
  const input = new ByteReader(data)
  const format = input.byte()
  if (format !== BLOCK_FORMAT && format !== 1) throw new BlobError('unknown event block format')
  const tasks = format === BLOCK_FORMAT
  const infos = new Map<number, FrameInfo>()
  for (let count = input.uint(); count > 0; count--) {
    const frame = input.uint()
    infos.set(frame, readInfo(input, tasks))
  }
  const events: StoredEvent[] = []
  const lines = new Map<number, number>()
  const texts = new Map<number, Map<number, string>>()
  let frame = 0
  let us = 0
  let seq = firstSeq
  while (!input.done) {
    const head = input.byte()
    const kind = (head & KIND_BITS) as StoredKind
    if (kind > KIND.yield) throw new BlobError(`unknown event kind ${kind}`)
    if ((head & SAME_FRAME) === 0) frame += input.int()
    const line = (lines.get(frame) ?? 0) + input.int()
    lines.set(frame, line)
    if ((head & SAME_TIME) === 0) us += input.int()
    let info: FrameInfo | undefined
    if (kind === KIND.call) {
      info = readInfo(input, tasks)
      infos.set(frame, info)
    } else {
      info = infos.get(frame)
      if (info === undefined) throw new BlobError(`frame ${frame} has no prologue`)
    }
    const locals = (head & HAS_LOCALS) === 0 ? null : readLocals(input, frame, texts)
    let valueType: number | null = null
    let value: string | null = null
    if (kind >= KIND.return) {
      valueType = input.uint() || null
      value = readItem(input, undefined)
    }
    events.push({
      seq: seq++,
      kind,
      thread: info.thread,
      task: info.task,
      frame,
      depth: info.depth,
      function: info.function,
      line,
      us,
      locals,
      valueType,
      value,
    })
  }
  return events
}

function readInfo(input: ByteReader, tasks: boolean): FrameInfo {
  const info = { function: input.uint(), thread: input.uint(), depth: input.uint(), task: 0 }
  if (tasks) info.task = input.uint()
  return info
}

function readLocals(
  input: ByteReader,
  frame: number,
  texts: Map<number, Map<number, string>>,
): StoredLocal[] {
  let known = texts.get(frame)
  if (known === undefined) texts.set(frame, (known = new Map()))
  const locals: StoredLocal[] = []
  for (let count = input.uint(); count > 0; count--) {
    const name = input.uint()
    const type = input.uint()
    if (type === 0) {
      known.delete(name)
      locals.push({ name, type, text: null })
      continue
    }
    const text = readItem(input, known.get(name))
    if (text === null) throw new BlobError('a variable without text')
    known.set(name, text)
    locals.push({ name, type, text })
  }
  return locals
}

function readItem(input: ByteReader, previous: string | undefined): string | null {
  const head = input.uint()
  if (head === NULL_ITEM) return null
  if (head === INT_ITEM) return String(input.int())
  const length = (head - 2 - (head % 2)) / 2
  if (head % 2 === 0) return input.utf8(length)
  if (previous === undefined) throw new BlobError('a difference from no previous text')
  const prefix = input.uint()
  const suffix = input.uint()
  if (prefix + suffix > previous.length) throw new BlobError('a difference past its text')
  const middle = input.utf8(length)
  return previous.slice(0, prefix) + middle + previous.slice(previous.length - suffix)
}

/** The integer whose decimal form `text` is exactly, if it is one JavaScript holds exactly. */
function decimalInteger(text: string): number | null {
  const length = text.length
  if (length === 0 || length > 15) return null
  let at = text.charCodeAt(0) === 45 /* - */ ? 1 : 0
  if (at === length) return null
  // No leading zeros ("007", "-0"): those would come back as other text.
  const first = text.charCodeAt(at)
  if (first === 48 && (length > 1 || at === 1)) return null
  let value = 0
  for (; at < length; at++) {
    const digit = text.charCodeAt(at) - 48
    if (digit < 0 || digit > 9) return null
    value = value * 10 + digit
  }
  return text.charCodeAt(0) === 45 ? -value : value
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff
}
