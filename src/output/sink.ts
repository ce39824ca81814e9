// Buffered stdout: everything written within one tick leaves in one write, in order, so message
// bytes and -d lines interleave exactly as produced. Bytes only: nothing is decoded or coloured.

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

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    out.on('error', () => {
      this.closed = true
      this.chunks = []
      // Nobody reads any more: stop holding the broker back, so the DISCONNECT gets through.
      if (this.congested) {
        this.congested = false
        this.onBackpressure?.(false)
      }
      this.onClosed?.()
    })
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
    let ok: boolean
    if (chunks.length === 1 || size <= 65536) {
      ok = this.out.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
    } else {
      // Large output: hand the pieces over as they are (one writev), never copied together.
      this.out.cork()
      for (const c of chunks) ok = this.out.write(c)
      this.out.uncork()
      ok = !this.out.writableNeedDrain
    }
    if (!ok && this.onBackpressure && !this.congested) {
      this.congested = true
      this.onBackpressure(true)
      this.out.once('drain', () => {
        this.congested = false
        this.onBackpressure?.(false)
      })
    }
  }
}
