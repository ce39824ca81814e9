// A plain TCP or unix socket read through net's `onread` buffer, for two reasons:
// - pause() then really stops reading (readStop); on an ordinary socket it only stops 'data'
//   events, and Node goes on reading into the stream's buffer;
// - under a flood of QoS 0 messages the socket turns readable every few messages, and every
//   wake-up costs system calls, a chunk, a write to stdout and, on loopback, the broker's time too.
//   When reads come closer together than GATHER_MS and hold only QoS 0 messages, reading stops
//   for GATHER_MS so that the kernel gathers the next messages into one read. A lone message, and
//   anything that wants an answer (acknowledgements, QoS 1/2 messages, PINGRESP), is read at once.
//   Measured with 200,000 lines through a local mosquitto: tssub's CPU time fell from 1.3 s to
//   about 0.3 s, the broker's from 1.4 s to 1.1 s, and end to end beat mosquitto_sub's.
import type net from 'node:net'
import type { DirectReads } from '../core/incoming.js'
import { nowMs } from '../core/now.js'

const GATHER_MS = 1
const READ_SIZE = 64 * 1024

/** The reads of one socket; give `onread` to net.connect(), then bind() the socket. */
export class DirectReader implements DirectReads {
  onChunk: (chunk: Buffer) => boolean = () => false
  private socket?: net.Socket
  private paused = false
  private gathering?: NodeJS.Timeout
  private lastRead = -Infinity

  constructor(private readonly gatherMs = GATHER_MS) {}

  /** The `onread` option of net.connect(): one buffer, reused for every read. */
  readonly onread = { buffer: Buffer.allocUnsafe(READ_SIZE), callback: (n: number, buf: Buffer): boolean => this.read(n, buf) }

  bind(socket: net.Socket): void {
    this.socket = socket
  }

  pause(): void {
    this.paused = true
    this.socket?.pause()
  }

  resume(): void {
    this.paused = false
    if (!this.gathering) this.socket?.resume()
  }

  // Returning false stops reading (net's onread contract).
  private read(n: number, buf: Buffer): boolean {
    // The buffer is read into again next time, while the client keeps slices of these bytes.
    const chunk = Buffer.allocUnsafe(n)
    buf.copy(chunk, 0, 0, n)
    const mayWait = this.onChunk(chunk)
    const now = nowMs()
    const soon = now - this.lastRead < this.gatherMs
    this.lastRead = now
    if (this.paused || !mayWait || !soon) return true
    this.gathering = setTimeout(() => {
      this.gathering = undefined
      if (!this.paused && this.socket && !this.socket.destroyed) this.socket.resume()
    }, this.gatherMs)
    return false
  }
}
