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

/** True when the PUBLISH needs mqtt-packet (v5 properties); otherwise the direct encoder does it. */
export function needsGenericEncoder(p: PublishFields): boolean {
  return p.properties !== undefined && Object.keys(p.properties).length > 0
}

/** Encode a PUBLISH: fixed header, topic, packet id, (v5: properties), payload [MQTT-3.3]. */
export function encodePublish(p: PublishFields, protocolVersion: number): Buffer {
  if (needsGenericEncoder(p)) {
    return encodePacket(
      { cmd: 'publish', topic: p.topic.toString('utf8'), payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup,
        messageId: p.qos > 0 ? p.mid : undefined, properties: p.properties } as Packet,
      protocolVersion,
    )
  }
  const buf = Buffer.allocUnsafe(publishSize(p, protocolVersion))
  writePublish(buf, 0, p, protocolVersion)
  return buf
}

/** Bytes of a PUBLISH without properties (see writePublish). */
export function publishSize(p: PublishFields, protocolVersion: number): number {
  const remaining = publishRemaining(p, protocolVersion)
  return 1 + varintLength(remaining) + remaining
}

/** Write a PUBLISH without properties into `buf` at `at`; returns where it ends. */
export function writePublish(buf: Buffer, at: number, p: PublishFields, protocolVersion: number): number {
  const remaining = publishRemaining(p, protocolVersion)
  buf[at] = 0x30 | (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 1 : 0)
  at = writeVarint(buf, at + 1, remaining)
  buf.writeUInt16BE(p.topic.length, at)
  at += 2
  at += p.topic.copy(buf, at)
  if (p.qos > 0) {
    buf.writeUInt16BE(p.mid, at)
    at += 2
  }
  if (protocolVersion === 5) buf[at++] = 0
  return at + p.payload.copy(buf, at)
}

function publishRemaining(p: PublishFields, protocolVersion: number): number {
  return 2 + p.topic.length + (p.qos > 0 ? 2 : 0) + (protocolVersion === 5 ? 1 : 0) + p.payload.length
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
