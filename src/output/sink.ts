// Buffered stdout: everything written within one tick leaves in one write, in order, so message
// bytes and -d lines interleave exactly as produced. Bytes only: nothing is decoded or coloured.
import { stdout } from './std-streams.js'

/** Where payloads and debug lines go. */
export class OutputSink {
  private chunks: Buffer[] = []
  private size = 0
  private scheduled = false
  /** Set when stdout is gone (EPIPE): the tool should stop. */
  closed = false
  /** Told true when stdout's buffer is full (a slow reader) and false once it drained. */
  onBackpressure?: (congested: boolean) => void
  /** Told when stdout went away. */
  onClosed?: () => void
  private congested = false

  private stream?: NodeJS.WriteStream

  /** `out` defaults to stdout, created only once something is written (see std-streams.ts). */
  constructor(private readonly out?: NodeJS.WriteStream) {}

  private get outStream(): NodeJS.WriteStream {
    if (this.stream) return this.stream
    const stream = (this.stream = this.out ?? stdout())
    stream.on('error', () => {
      this.closed = true
      this.chunks = []
      // Nobody reads any more: stop holding the broker back, so the DISCONNECT gets through.
      if (this.congested) {
        this.congested = false
        this.onBackpressure?.(false)
      }
      this.onClosed?.()
    })
    return stream
  }

  /** Queue bytes (or parts of one output) for stdout. */
  write(buf: Buffer | readonly Buffer[]): void {
    if (this.closed) return
    if (Buffer.isBuffer(buf)) {
      if (buf.length === 0) return
      this.chunks.push(buf)
      this.size += buf.length
    } else {
      for (const part of buf) {
        this.chunks.push(part)
        this.size += part.length
      }
    }
    // A burst (a backlog arriving after a pause) is written as it comes rather than gathered
    // whole: gathering it all before the next tick would hold every message of the burst in memory.
    if (this.size >= FLUSH_AT) return this.flush()
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
  }

  /** Queue one text line (a debug line) followed by "\n". */
  line(text: string): void {
    this.write(Buffer.from(text + '\n', 'utf8'))
  }

  /** Write what is queued now. */
  flush(): void {
    this.scheduled = false
    if (this.chunks.length === 0 || this.closed) return
    const chunks = this.chunks
    const size = this.size
    this.chunks = []
    this.size = 0
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
    if (!ok && this.onBackpressure && !this.congested) {
      this.congested = true
      this.onBackpressure(true)
      out.once('drain', () => {
        this.congested = false
        this.onBackpressure?.(false)
      })
    }
  }
}

// Gathered output is written at once when it reaches this size, without waiting for the next tick.
const FLUSH_AT = 64 * 1024

// Parts larger than this are written as they are; smaller runs are copied into one buffer.
const BIG_PART = 16384

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
