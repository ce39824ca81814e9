// How the client core receives bytes. Any Duplex works through its 'data' events; a transport may
// instead attach a DirectReads to the stream it returns (a plain TCP or unix socket does: see
// transport/direct-read.ts), which hands each read over directly and can really stop reading
// between reads, something pause() on an ordinary socket does not do.
import type { Duplex } from 'node:stream'

/** Reads handed to the client one by one, with a pause that stops reading at the source. */
export interface DirectReads {
  /**
   * Set by the client: called with the bytes of each read. It returns true when nothing in them
   * needs an answer soon (only QoS 0 messages): the reader may then let the next bytes gather.
   */
  onChunk: (chunk: Buffer) => boolean
  /** Stop reading until resume() (the tool's stdout is slow). */
  pause(): void
  resume(): void
}

const DIRECT_READS = Symbol('direct reads')

/** Mark `stream` as read through `reads` (by the transport that opened it). */
export function attachDirectReads<T extends Duplex>(stream: T, reads: DirectReads): T {
  ;(stream as unknown as Record<symbol, DirectReads>)[DIRECT_READS] = reads
  return stream
}

/** The stream's DirectReads, if its transport gave it one. */
export function directReadsOf(stream: Duplex): DirectReads | undefined {
  return (stream as unknown as Record<symbol, DirectReads | undefined>)[DIRECT_READS]
}
