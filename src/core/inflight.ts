// Outgoing QoS 1/2 state without I/O: packet-id allocation, the in-flight window (-M, or the
// broker's receive-maximum) and the queue of messages waiting for a free slot.
import type { PublishFields } from './encode.js'

/** Called once per message: no error when the broker acknowledged it (or QoS 0 was written). */
export type PublishDone = (err?: Error) => void

/** One outgoing message the broker has not finished acknowledging. */
export interface InflightEntry {
  fields: PublishFields
  /** 'publish': waiting for PUBACK/PUBREC; 'pubrel': PUBREL sent, waiting for PUBCOMP. */
  state: 'publish' | 'pubrel'
  done?: PublishDone
}

/** The window. Entries keep insertion order, which is the resend order after a reconnect. */
export class InflightWindow {
  readonly entries = new Map<number, InflightEntry>()
  readonly queue: { fields: PublishFields; done?: PublishDone }[] = []
  /** Packet ids used by SUBSCRIBE/UNSUBSCRIBE awaiting their ack. */
  readonly reserved = new Set<number>()
  private lastMid = 0

  constructor(public limit: number) {}

  /** True when one more QoS 1/2 message may be sent now. */
  hasRoom(): boolean {
    return this.entries.size < this.limit
  }

  /** Total messages not yet acknowledged: in flight plus queued. */
  pending(): number {
    return this.entries.size + this.queue.length
  }

  /** Next free packet identifier, 1..65535, skipping ids still in flight [MQTT-2.2.1-3]. */
  nextMid(): number {
    for (let i = 0; i < 65535; i++) {
      this.lastMid = this.lastMid === 65535 ? 1 : this.lastMid + 1
      if (!this.entries.has(this.lastMid) && !this.reserved.has(this.lastMid)) return this.lastMid
    }
    throw new Error('no free packet identifier')
  }

  /** Drop every entry and queued message, failing each with `err`. */
  failAll(err: Error): void {
    const dones = [...this.entries.values(), ...this.queue.splice(0)].map((e) => e.done)
    this.entries.clear()
    for (const done of dones) done?.(err)
  }
}
