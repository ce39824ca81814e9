// Buffered stdout: everything written within one tick leaves in one write, in order, so message
// bytes and -d lines interleave exactly as produced. Bytes only: nothing is decoded or coloured.

/** Where payloads and debug lines go. */
export class OutputSink {
  private chunks: Buffer[] = []
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
      this.onClosed?.()
    })
  }

  /** Queue bytes for stdout. */
  write(buf: Buffer): void {
    if (this.closed || buf.length === 0) return
    this.chunks.push(buf)
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
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks)
    this.chunks = []
    if (!this.out.write(data) && this.onBackpressure && !this.congested) {
      this.congested = true
      this.onBackpressure(true)
      this.out.once('drain', () => {
        this.congested = false
        this.onBackpressure?.(false)
      })
    }
  }
}
