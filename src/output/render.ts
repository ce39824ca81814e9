// What mosquitto_sub prints for one received message: the plain payload, -v, -F and -N (contract §2.11).
// Pure: it returns bytes and error lines, the caller writes them.

import type { ReceivedMessage } from '../core/message.js'
import { renderFormat, type CompiledFormat } from './format.js'
import { systemClock, type Clock } from './time.js'

/** The output options of mosquitto_sub: -F (compiled), -v, -N and --pretty. */
export interface OutputOptions { format?: CompiledFormat; verbose: boolean; noEol: boolean; pretty: boolean }

/**
 * The bytes for stdout (possibly empty; plain and -v output come as parts, so the payload is never
 * copied just to add a newline: the writer gathers them) and whole stderr lines, each ending in "\n".
 */
export interface Rendered { out: Buffer | readonly Buffer[]; errors: string[] }

const EMPTY = Buffer.alloc(0)
const NEWLINE = Buffer.from('\n')
const SPACE = Buffer.from(' ')
const NULL_SUFFIX = Buffer.from(' (null)\n')

/** Render one message as mosquitto_sub 2.0.11 prints it. The clock is read only if the format needs it. */
export function renderMessage(msg: ReceivedMessage, opts: OutputOptions, clock: Clock = systemClock): Rendered {
  if (opts.format) {
    writer.length = 0 // in case an earlier call threw half-way
    const errors: string[] = []
    renderFormat(writer, opts.format, msg, opts.pretty, clock, errors)
    if (!opts.noEol) writer.byte(0x0a)
    return { out: writer.take(), errors }
  }
  const { topic, payload } = msg
  if (opts.verbose) {
    if (payload.length === 0) {
      // mosquitto: -v prints "topic (null)" for an empty payload, but -v -N prints nothing at all
      return { out: opts.noEol ? EMPTY : Buffer.concat([topic, NULL_SUFFIX]), errors: [] }
    }
    return { out: opts.noEol ? [topic, SPACE, payload] : [topic, SPACE, payload, NEWLINE], errors: [] }
  }
  // mosquitto: an empty payload prints nothing, not even the newline (the message still counts for -C)
  if (payload.length === 0) return { out: EMPTY, errors: [] }
  return { out: opts.noEol ? payload : [payload, NEWLINE], errors: [] }
}

/** A growable byte buffer, reused across messages so that rendering allocates once per message. */
export class ByteWriter {
  private buf = Buffer.allocUnsafe(4096)
  length = 0

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n))
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }

  bytes(b: Buffer, start = 0, end = b.length): void {
    const n = end - start
    this.room(n)
    if (n > 32) {
      this.length += b.copy(this.buf, this.length, start, end)
      return
    }
    // short copies: a plain loop beats Buffer.copy's call overhead
    const buf = this.buf
    let len = this.length
    for (let i = start; i < end; i++) buf[len++] = b[i]
    this.length = len
  }

  /** Text whose characters are all below U+0100, one byte each. */
  latin1(s: string): void {
    this.room(s.length)
    if (s.length > 32) {
      this.length += this.buf.write(s, this.length, 'latin1')
      return
    }
    const buf = this.buf
    let len = this.length
    for (let i = 0; i < s.length; i++) buf[len++] = s.charCodeAt(i)
    this.length = len
  }

  utf8(s: string): void {
    this.room(Buffer.byteLength(s))
    this.length += this.buf.write(s, this.length, 'utf8')
  }

  byte(c: number): void {
    this.room(1)
    this.buf[this.length++] = c
  }

  repeat(c: number, n: number): void {
    if (n <= 0) return
    this.room(n)
    this.buf.fill(c, this.length, this.length + n)
    this.length += n
  }

  /** A copy of what was written; the writer is emptied for the next message. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length)
    this.buf.copy(out, 0, 0, this.length)
    this.length = 0
    if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(4096) // do not keep one huge message's memory
    return out
  }
}

// One writer for all messages: rendering is synchronous, and take() copies the bytes out.
const writer = new ByteWriter()
