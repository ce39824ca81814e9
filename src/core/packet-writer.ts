// Writes packets to the connection: small ones written within one tick are gathered in one buffer
// and leave in one write (tspub -l writes thousands per tick); a large one is flushed behind them
// and written as it is. A small gathering (a few acknowledgements) leaves as a copy and the buffer
// is kept for the next tick; a large one leaves as the buffer itself, which is then never reused
// (the stream may still hold it). Handing over a fresh 64 KB buffer for every few acknowledgements
// made a QoS 2 flood hold tens of megabytes of them until the garbage collector caught up.

// Packets up to this size are gathered into OUT_BUFFER-sized writes.
const SMALL_WRITE = 16384
const OUT_BUFFER = 65536
// Gatherings up to this size are copied out (into Node's pooled small buffers) on flush.
const COPY_OUT = 4096

/** Where the writer sends bytes; `write` returns false when the stream wants a pause. */
export interface PacketSink {
  write(data: Buffer): boolean
  /** Called for every write that leaves (keepalive counts outgoing traffic). */
  sent(): void
}

/** One connection's gathered writes. */
export class PacketWriter {
  private out?: Buffer
  private outLen = 0
  private flushScheduled = false
  /** Set when the stream asked for a pause (its buffer is full). */
  blocked = false
  private readonly flushBound = (): void => this.flush()

  constructor(private sink?: PacketSink) {}

  /** Point the writer at a new connection; anything gathered for the last one is dropped. */
  reset(sink: PacketSink | undefined): void {
    this.sink = sink
    this.out = undefined
    this.outLen = 0
    this.blocked = false
  }

  /** Queue one encoded packet. */
  write(buf: Buffer): void {
    if (buf.length > SMALL_WRITE) {
      this.flush()
      this.send(buf)
      return
    }
    buf.copy(this.reserve(buf.length), this.outLen)
    this.outLen += buf.length
  }

  /**
   * Room for a packet of `size` bytes to be encoded straight into the gathered buffer at `length`
   * (then call commit(size)); undefined when the packet is too large to gather (use write()).
   */
  room(size: number): Buffer | undefined {
    return size > SMALL_WRITE ? undefined : this.reserve(size)
  }

  /** Where the next packet goes in the buffer room() returned. */
  get length(): number {
    return this.outLen
  }

  /** The packet encoded into room() is complete. */
  commit(size: number): void {
    this.outLen += size
  }

  /** Hand what was gathered to the stream now (before DISCONNECT closes it, say). */
  flush(): void {
    this.flushScheduled = false
    const out = this.out
    if (!out || this.outLen === 0) return
    let data: Buffer
    if (this.outLen <= COPY_OUT) {
      data = Buffer.allocUnsafe(this.outLen)
      out.copy(data, 0, 0, this.outLen)
    } else {
      data = out.subarray(0, this.outLen)
      this.out = undefined
    }
    this.outLen = 0
    this.send(data)
  }

  private send(data: Buffer): void {
    if (!this.sink) return
    this.sink.sent()
    if (!this.sink.write(data)) this.blocked = true
  }

  // The gathered buffer, with room for `size` more bytes at outLen; schedules the flush.
  private reserve(size: number): Buffer {
    if (this.out && this.outLen + size > this.out.length) this.flush()
    if (!this.out) {
      this.out = Buffer.allocUnsafe(OUT_BUFFER)
      this.outLen = 0
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true
      process.nextTick(this.flushBound)
    }
    return this.out
  }
}
