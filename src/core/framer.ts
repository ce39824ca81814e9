// Cuts the byte stream from the broker into whole MQTT packets before mqtt-packet sees them:
// one packet per parse() call (mqtt-packet misreads a v5 DISCONNECT/AUTH/CONNACK without a reason
// code when another packet follows in the same buffer), lengths that are impossible for the packet
// type refused at the header (a "256 MB PUBACK" is a protocol error, not a reason to buffer), and
// a large packet assembled in one buffer of its announced size instead of a growing list.

/** Largest remaining length MQTT can express [MQTT-2.2.3]. */
const MAX_REMAINING = 268435455

// The largest remaining length each packet type from a server can have; undefined: no bound
// beyond MQTT's (PUBLISH, SUBACK, and v5 packets that may carry properties).
function maxRemaining(type: number, protocolVersion: number): number | undefined {
  const v5 = protocolVersion === 5
  switch (type) {
    case 2: return v5 ? undefined : 2 // CONNACK
    case 4: case 5: case 6: case 7: return v5 ? undefined : 2 // PUBACK, PUBREC, PUBREL, PUBCOMP
    case 11: return v5 ? undefined : 2 // UNSUBACK
    case 13: return 0 // PINGRESP
    case 3: case 9: case 14: case 15: return undefined // PUBLISH, SUBACK, DISCONNECT (v5), AUTH (v5)
    default: return -1 // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ or reserved: never from a server
  }
}

const NAMES = ['reserved (0)', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK',
  'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH']

/** Thrown for a header that no server may send. */
export class FramingError extends Error {}

/** Splits chunks into packets; `onPacket` gets each whole packet (fixed header included). */
export class Framer {
  private pending: Buffer[] = []
  private pendingSize = 0
  private big?: { buf: Buffer; filled: number }

  constructor(private readonly protocolVersion: number, private readonly onPacket: (packet: Buffer) => void) {}

  /** Feed one chunk; throws FramingError on an impossible header. */
  push(chunk: Buffer): void {
    if (this.big) return this.fillBig(chunk)
    let data = chunk
    if (this.pendingSize > 0) {
      data = Buffer.concat([...this.pending, chunk], this.pendingSize + chunk.length)
      this.pending = []
      this.pendingSize = 0
    }
    let at = 0
    while (at < data.length) {
      const header = this.readHeader(data, at)
      if (!header) break
      const end = at + header.headerLen + header.remaining
      if (end > data.length) {
        // Start a buffer of the announced size only once the header is known and the packet is
        // big: small partial packets are just kept until the next chunk.
        if (header.remaining > 65536) {
          const buf = Buffer.allocUnsafe(header.headerLen + header.remaining)
          const filled = data.copy(buf, 0, at)
          this.big = { buf, filled }
          return
        }
        break
      }
      this.onPacket(data.subarray(at, end))
      at = end
    }
    if (at < data.length) {
      this.pending.push(data.subarray(at))
      this.pendingSize = data.length - at
    }
  }

  private fillBig(chunk: Buffer): void {
    const big = this.big!
    const take = Math.min(chunk.length, big.buf.length - big.filled)
    chunk.copy(big.buf, big.filled, 0, take)
    big.filled += take
    if (big.filled < big.buf.length) return
    this.big = undefined
    this.onPacket(big.buf)
    if (take < chunk.length) this.push(chunk.subarray(take))
  }

  // The fixed header at `at`, or undefined when it is not all there yet.
  private readHeader(data: Buffer, at: number): { headerLen: number; remaining: number } | undefined {
    if (at + 2 > data.length) return undefined
    const type = data[at] >> 4
    let remaining = 0
    let multiplier = 1
    let i = at + 1
    for (;;) {
      if (i >= data.length) return undefined
      const byte = data[i++]
      remaining += (byte & 0x7f) * multiplier
      if ((byte & 0x80) === 0) break
      multiplier *= 128
      // [MQTT-2.2.3] at most four bytes of remaining length.
      if (i - at > 4) throw new FramingError('malformed remaining length')
    }
    const max = maxRemaining(type, this.protocolVersion)
    if (max === -1) throw new FramingError(`a server may not send ${NAMES[type]} packets`)
    if (remaining > (max ?? MAX_REMAINING)) {
      throw new FramingError(`a ${NAMES[type]} packet cannot be ${remaining} bytes long`)
    }
    return { headerLen: i - at, remaining }
  }
}

/** The topic bytes of a whole PUBLISH packet (after its fixed header), or undefined if cut short. */
export function rawPublishTopic(packet: Buffer): Buffer | undefined {
  let i = 1
  while (i < packet.length && packet[i] & 0x80) i++
  const at = i + 1
  if (at + 2 > packet.length) return undefined
  const len = packet.readUInt16BE(at)
  if (at + 2 + len > packet.length) return undefined
  return packet.subarray(at + 2, at + 2 + len)
}
