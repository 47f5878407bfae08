/**
 * Cuts a run's events into blocks (see db/event-block.ts) and notes the keys that find them
 * again without reading every block: which threads and tasks each block holds, which lines it executed,
 * and which frames have events in it beyond the block of their call, with their variables as
 * they were when the frame's first event in that block came (so that a frame's variables at
 * any event are rebuilt from one block).
 *
 * The last block stays open while it fills: each flush writes it again, longer, so the
 * dashboard sees events within one flush of their arrival.
 */

import type { FlatChanges } from '../../shared/wire/records.js'
import { IdFilter } from '../db/block-summary.js'
import { TextFilter } from '../db/text-filter.js'
import {
  BlockEncoder,
  encodeLocalsBlob,
  KIND,
  type FrameInfo,
  type StoredKind,
} from '../db/event-block.js'

/** A block is closed at this many events, or bytes, whichever comes first. */
export const BLOCK_EVENTS = 1024
const BLOCK_BYTES = 256 * 1024

type Row = unknown[]

/** Where a frame's events are: the block of its call, and the last block it had events in. */
interface FramePlace {
  callBlock: number
  lastBlock: number
}

/** The rows a flush writes: blocks (replacing an earlier write of the open one) and keys. */
export interface BlockRows {
  /** run, first_seq, last_seq, data, then the block's summary: kinds, functions, names, texts. */
  blocks: Row[]
  threads: Row[]
  tasks: Row[]
  lines: Row[]
  frames: Row[]
}

export class EventBlocks {
  private open: BlockEncoder | null = null
  /** The open block has events not yet written. */
  private changed = false
  private rows: BlockRows = { blocks: [], threads: [], tasks: [], lines: [], frames: [] }
  private readonly places = new Map<number, FramePlace>()
  /** Keys of the open block already noted. */
  private threads = new Set<number>()
  private tasks = new Set<number>()
  /** Keys of the open block's lines, by file. */
  private lines = new Map<number, Set<number>>()
  /**
   * The previous event's thread, file (with its lines) and frame: consecutive events mostly
   * share them, and need not look them up again.
   */
  private lastThread = -1
  private lastFile = -1
  private lastFileLines: Set<number> = new Set()
  private lastPlaced = -1
  /** The open block's summary (see db/block-summary.ts). */
  private kinds = 0
  private functions = new IdFilter()
  private names = new IdFilter()
  private texts = new TextFilter()

  constructor(
    private readonly run: number,
    /** A frame's variables now, before the event being added changes them. */
    private readonly variablesOf: (frame: number) => FlatChanges,
  ) {}

  /**
   * Takes the event `seq` (one more than the last). `info` is its frame's function, thread,
   * depth and task; `file` its function's file, for the line key.
   */
  add(
    seq: number,
    kind: StoredKind,
    frame: number,
    info: FrameInfo,
    file: number,
    line: number,
    us: number,
    locals: FlatChanges | null,
    valueType: number,
    value: string | null,
  ): void {
    let block = this.open
    if (block === null || block.count >= BLOCK_EVENTS || block.byteLength >= BLOCK_BYTES) {
      if (block !== null) this.close(block)
      block = this.open = new BlockEncoder(seq)
    }
    const at = block.firstSeq
    if (frame !== this.lastPlaced) {
      this.place(frame, kind, at)
      this.lastPlaced = frame
      this.functions.add(info.function)
    }
    this.kinds |= 1 << kind
    if (locals !== null) {
      for (let i = 0; i < locals.length; i += 3) {
        this.names.add(locals[i] as number)
        const text = locals[i + 2]
        if (typeof text === 'string') this.texts.add(text)
      }
    }
    if (value !== null) this.texts.add(value)
    if (info.thread !== this.lastThread && !this.threads.has(info.thread)) {
      this.threads.add(info.thread)
      this.rows.threads.push([this.run, info.thread, at])
    }
    this.lastThread = info.thread
    if (info.task !== 0 && !this.tasks.has(info.task)) {
      this.tasks.add(info.task)
      this.rows.tasks.push([this.run, info.task, at])
    }
    if (kind === KIND.line) {
      if (file !== this.lastFile) {
        let lines = this.lines.get(file)
        if (lines === undefined) this.lines.set(file, (lines = new Set()))
        this.lastFile = file
        this.lastFileLines = lines
      }
      if (!this.lastFileLines.has(line)) {
        this.lastFileLines.add(line)
        this.rows.lines.push([this.run, file, line, at])
      }
    }
    block.add(kind, frame, info, line, us, locals, valueType, value)
    this.changed = true
  }

  /** The frame returned for good: it has no more events. */
  end(frame: number): void {
    this.places.delete(frame)
    if (frame === this.lastPlaced) this.lastPlaced = -1
  }

  /**
   * What to write: closed blocks, the open one again when it grew, and new keys. They stay
   * to write until `written` says they are stored.
   */
  pending(): BlockRows {
    const { blocks, ...keys } = this.rows
    if (this.open === null || !this.changed) return this.rows
    return { blocks: [...blocks, this.blockRow(this.open)], ...keys }
  }

  /** What `pending` gave is stored (or no longer wanted). */
  written(): void {
    this.changed = false
    this.rows = { blocks: [], threads: [], tasks: [], lines: [], frames: [] }
  }

  private close(block: BlockEncoder): void {
    if (this.changed) this.rows.blocks.push(this.blockRow(block))
    this.threads = new Set()
    this.tasks = new Set()
    this.lines = new Map()
    this.lastThread = -1
    this.lastFile = -1
    this.lastPlaced = -1
    this.kinds = 0
    this.functions = new IdFilter()
    this.names = new IdFilter()
    this.texts = new TextFilter()
  }

  private blockRow(block: BlockEncoder): Row {
    const last = block.firstSeq + block.count - 1
    const summary = [
      this.kinds,
      Buffer.from(this.functions.bytes),
      Buffer.from(this.names.bytes),
      Buffer.from(this.texts.bytes),
    ]
    return [this.run, block.firstSeq, last, block.bytes(), ...summary]
  }

  /** Notes, for a frame with events outside its call's block, its variables at this block. */
  private place(frame: number, kind: StoredKind, block: number): void {
    let place = this.places.get(frame)
    if (place === undefined) {
      // A frame's first event is its call, unless its call was never recorded.
      place = { callBlock: kind === 0 ? block : -1, lastBlock: -1 }
      this.places.set(frame, place)
    }
    if (place.lastBlock === block) return
    place.lastBlock = block
    if (place.callBlock !== block)
      this.rows.frames.push([this.run, frame, block, encodeLocalsBlob(this.variablesOf(frame))])
  }
}
