// The bytes of one rendered message. A long run of padding (a width of 2147483647 asks for 2 GiB)
// is never written out here: it stays a Repeat, which the sink expands a chunk at a time, so memory
// is bounded whatever the width or precision.

/** A stretch of output kept as a description: `pattern` repeated, cut to `length` bytes. */
export interface Repeat { pattern: Buffer; length: number }

/** One piece of a message's output. */
export type OutPart = Buffer | Repeat

/** True for a Repeat piece. */
export const isRepeat = (p: OutPart): p is Repeat => !Buffer.isBuffer(p)

// Repeats longer than this stay Repeats; shorter ones are written into the buffer.
const LAZY_AT = 64 * 1024
// A payload slice longer than this is handed on as it is instead of being copied.
const SHARE_AT = 64 * 1024

const ONE_BYTE: Buffer[] = Array.from({ length: 256 }, (_, c) => Buffer.from([c]))

/** A growable byte buffer, reused across messages so that rendering allocates once per message. */
export class ByteWriter {
  private buf = Buffer.allocUnsafe(4096)
  length = 0
  // Finished pieces before the bytes in `buf` (only when a long repeat or a large slice came up).
  private parts: OutPart[] = []

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n))
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }

  // Close the current run of bytes as a piece of its own (copied: `buf` is reused).
  private cut(): void {
    if (this.length === 0) return
    this.parts.push(Buffer.from(this.buf.subarray(0, this.length)))
    this.length = 0
  }

  bytes(b: Buffer, start = 0, end = b.length): void {
    const n = end - start
    if (n > SHARE_AT) {
      this.cut()
      this.parts.push(b.subarray(start, end))
      return
    }
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

  /** `n` copies of the byte `c` (nothing when n <= 0). */
  repeat(c: number, n: number): void {
    if (n <= 0) return
    if (n > LAZY_AT) return this.repeatPattern(ONE_BYTE[c], n)
    this.room(n)
    this.buf.fill(c, this.length, this.length + n)
    this.length += n
  }

  /** `pattern` repeated from its start, cut to `n` bytes. */
  repeatPattern(pattern: Buffer, n: number): void {
    if (n <= 0) return
    if (n > LAZY_AT) {
      this.cut()
      this.parts.push({ pattern, length: n })
      return
    }
    this.room(n)
    this.buf.fill(pattern, this.length, this.length + n)
    this.length += n
  }

  /** Space for `n` bytes written straight into `buffer` from `at`; then call `advance(n)`. */
  reserve(n: number): { buffer: Buffer; at: number } {
    this.room(n)
    return { buffer: this.buf, at: this.length }
  }

  advance(n: number): void {
    this.length += n
  }

  /**
   * What was written: one Buffer (a copy), or pieces when a long repeat or a large slice came up.
   * The writer is emptied for the next message.
   */
  take(): Buffer | OutPart[] {
    let out: Buffer | OutPart[]
    if (this.parts.length > 0) {
      this.cut()
      out = this.parts
      this.parts = []
    } else {
      out = Buffer.allocUnsafe(this.length)
      this.buf.copy(out, 0, 0, this.length)
    }
    this.length = 0
    if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(4096) // do not keep one huge message's memory
    return out
  }

  /** Forget anything half-written (an earlier render that threw). */
  reset(): void {
    this.length = 0
    this.parts = []
  }
}

/** The whole output as one Buffer, repeats expanded (for small outputs: tests, warm-up). */
export function joinOutput(out: Buffer | readonly OutPart[]): Buffer {
  if (Buffer.isBuffer(out)) return out
  return Buffer.concat(out.map((p) => (isRepeat(p) ? Buffer.alloc(p.length, p.pattern) : p)))
}
