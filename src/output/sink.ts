// Buffered stdout: everything written within one tick leaves in one write, in order, so message
// bytes and -d lines interleave exactly as produced. Bytes only: nothing is decoded or coloured.
// A Repeat (a long padding) is expanded a chunk at a time, each chunk written once the previous
// one has drained, so that a width of 2147483647 streams in bounded memory as mosquitto's does.
import { isRepeat, type OutPart, type Repeat } from './byte-writer.js'
import { stdout, stdoutBusyUntil } from './std-streams.js'

/** Where payloads and debug lines go. */
export class OutputSink {
  private chunks: OutPart[] = []
  private size = 0
  private repeats = 0 // Repeat pieces in `chunks`
  private scheduled = false
  /** Set when stdout is gone (EPIPE): the tool should stop. */
  closed = false
  /** Told true when stdout's buffer is full (a slow reader) and false once it drained. */
  onBackpressure?: (congested: boolean) => void
  /** Told when stdout went away. */
  onClosed?: () => void
  // Why the tool should stop reading: stdout's buffer is full, or a Repeat is being expanded.
  private draining = false
  private streaming = false
  private congested = false
  // Resolves once the queue is empty again after a Repeat (the tool's exit waits for it).
  private idle?: () => void

  private stream?: NodeJS.WriteStream

  /** `out` defaults to stdout, created only once something is written (see std-streams.ts). */
  constructor(private readonly out?: NodeJS.WriteStream) {}

  private get outStream(): NodeJS.WriteStream {
    if (this.stream) return this.stream
    const stream = (this.stream = this.out ?? stdout())
    stream.on('error', () => {
      this.closed = true
      this.chunks = []
      this.repeats = 0
      // Nobody reads any more: stop holding the broker back, so the DISCONNECT gets through.
      this.draining = false
      this.streaming = false
      this.updatePressure()
      this.settleIdle()
      this.onClosed?.()
    })
    return stream
  }

  /** Queue bytes (or the parts of one output) for stdout. */
  write(buf: Buffer | readonly OutPart[]): void {
    if (this.closed) return
    if (Buffer.isBuffer(buf)) {
      if (buf.length === 0) return
      this.chunks.push(buf)
      this.size += buf.length
    } else {
      for (const part of buf) {
        this.chunks.push(part)
        if (isRepeat(part)) this.repeats++
        else this.size += part.length
      }
    }
    // A burst (a backlog arriving after a pause) is written as it comes rather than gathered
    // whole: gathering it all before the next tick would hold every message of the burst in memory.
    if (this.size >= FLUSH_AT || this.repeats > 0) return this.flush()
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
  }

  /** Queue one text line (a debug line) followed by "\n". */
  line(text: string): void {
    this.write(Buffer.from(text + '\n', 'utf8'))
  }

  /** Write what is queued now (what follows a Repeat goes once the Repeat is out). */
  flush(): void {
    this.scheduled = false
    if (this.chunks.length === 0 || this.closed || this.streaming) return
    if (this.repeats === 0) return this.writeBuffers(this.chunks as Buffer[], this.size, true)
    const at = this.chunks.findIndex(isRepeat)
    const before = this.chunks.slice(0, at) as Buffer[]
    const repeat = this.chunks[at] as Repeat
    this.chunks = this.chunks.slice(at + 1)
    this.repeats--
    let beforeSize = 0
    for (const b of before) beforeSize += b.length
    this.size -= beforeSize
    if (before.length > 0) this.writeBuffers(before, beforeSize, false)
    this.expand(repeat)
  }

  // Write buffers now (all of the queue when `all`).
  private writeBuffers(chunks: Buffer[], size: number, all: boolean): void {
    if (all) {
      this.chunks = []
      this.size = 0
    }
    const pieces = coalesce(chunks, size)
    const out = this.outStream
    let ok = true
    if (pieces.length === 1) {
      ok = out.write(pieces[0])
    } else {
      // Small parts were gathered into one buffer; large payloads go as they are (one writev).
      out.cork()
      for (const piece of pieces) out.write(piece)
      out.uncork()
      ok = !out.writableNeedDrain
    }
    if (!ok && !this.draining) {
      this.draining = true
      this.updatePressure()
      out.once('drain', () => {
        this.draining = false
        this.updatePressure()
      })
    }
  }

  // Write a Repeat chunk by chunk: the next chunk once the last one drained (or, when stdout takes
  // it at once, e.g. a file, on the next turn of the event loop, so that timers and the socket
  // still get their turn). Meanwhile the tool reads no more messages, and later output waits.
  private expand(r: Repeat): void {
    this.streaming = true
    this.updatePressure()
    if (!this.idle) stdoutBusyUntil(new Promise<void>((resolve) => (this.idle = resolve)))
    const chunk = repeatChunk(r.pattern)
    const out = this.outStream
    let left = r.length
    const next = (): void => {
      if (this.closed) return
      if (left === 0) {
        this.streaming = false
        this.updatePressure()
        this.flush()
        if (!this.streaming && this.chunks.length === 0) this.settleIdle()
        return
      }
      const n = Math.min(left, chunk.length)
      left -= n
      if (out.write(n === chunk.length ? chunk : chunk.subarray(0, n))) setImmediate(next)
      else out.once('drain', next)
    }
    next()
  }

  private settleIdle(): void {
    const idle = this.idle
    this.idle = undefined
    idle?.()
  }

  private updatePressure(): void {
    const congested = this.draining || this.streaming
    if (congested === this.congested) return
    this.congested = congested
    this.onBackpressure?.(congested)
  }
}

// Gathered output is written at once when it reaches this size, without waiting for the next tick.
const FLUSH_AT = 64 * 1024

// Parts larger than this are written as they are; smaller runs are copied into one buffer.
const BIG_PART = 16384

// How much of a Repeat goes in one write: whole patterns, about this many bytes.
const REPEAT_CHUNK = 1 << 20

// A buffer of whole copies of `pattern` (so that every chunk starts where the pattern starts).
function repeatChunk(pattern: Buffer): Buffer {
  const copies = Math.max(1, Math.floor(REPEAT_CHUNK / pattern.length))
  return Buffer.alloc(copies * pattern.length, pattern)
}

// Small parts joined into runs (one copy each), large parts kept as they are (never copied).
function coalesce(chunks: Buffer[], size: number): Buffer[] {
  if (chunks.length === 1) return chunks
  if (size <= BIG_PART * 4) return [Buffer.concat(chunks, size)]
  const pieces: Buffer[] = []
  let run: Buffer[] = []
  let runSize = 0
  const endRun = (): void => {
    if (run.length > 0) pieces.push(run.length === 1 ? run[0] : Buffer.concat(run, runSize))
    run = []
    runSize = 0
  }
  for (const c of chunks) {
    if (c.length > BIG_PART) {
      endRun()
      pieces.push(c)
    } else {
      run.push(c)
      runSize += c.length
    }
  }
  endRun()
  return pieces
}
