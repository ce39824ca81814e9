// Packet encoding. PUBLISH without properties is the hot path (tspub -l), so it is encoded
// directly into one Buffer; everything else goes through mqtt-packet's generate().
import mqtt from 'mqtt-packet'
import type { Packet } from 'mqtt-packet'

// mqtt-packet would otherwise build a cache of 65,536 two-byte Buffers on its first generate():
// megabytes of garbage and several GCs in a process that sends a handful of packets.
mqtt.writeToStream.cacheNumbers = false

/** What a PUBLISH needs; `properties` forces the generic (v5) encoder. */
export interface PublishFields {
  topic: Buffer
  payload: Buffer
  qos: 0 | 1 | 2
  retain: boolean
  dup: boolean
  mid: number
  properties?: Record<string, unknown>
}

/** Encode any packet with mqtt-packet; throws on a packet it cannot encode. */
export function encodePacket(packet: Packet, protocolVersion: number): Buffer {
  return mqtt.generate(packet, { protocolVersion })
}

/** Encode a PUBLISH: fixed header, topic, packet id, (v5: properties), payload [MQTT-3.3]. */
export function encodePublish(p: PublishFields, protocolVersion: number): Buffer {
  if (p.properties && Object.keys(p.properties).length > 0) {
    return encodePacket(
      { cmd: 'publish', topic: p.topic.toString('utf8'), payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup,
        messageId: p.qos > 0 ? p.mid : undefined, properties: p.properties } as Packet,
      protocolVersion,
    )
  }
  const propsLen = protocolVersion === 5 ? 1 : 0
  const remaining = 2 + p.topic.length + (p.qos > 0 ? 2 : 0) + propsLen + p.payload.length
  const headerLen = 1 + varintLength(remaining)
  const buf = Buffer.allocUnsafe(headerLen + remaining)
  buf[0] = 0x30 | (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 1 : 0)
  let at = writeVarint(buf, 1, remaining)
  buf.writeUInt16BE(p.topic.length, at)
  at += 2
  at += p.topic.copy(buf, at)
  if (p.qos > 0) {
    buf.writeUInt16BE(p.mid, at)
    at += 2
  }
  if (propsLen) buf[at++] = 0
  p.payload.copy(buf, at)
  return buf
}

/** Largest value a remaining-length varint can hold [MQTT-2.2.3]. */
export const MAX_REMAINING_LENGTH = 268435455

function varintLength(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    buf[at++] = byte
  } while (n > 0)
  return at
}
