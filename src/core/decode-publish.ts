// Direct decoding of the most common packets: a PUBLISH without v5 properties (tssub's hot path) and
// the 4-byte acknowledgements of QoS 1/2 (one or two per message, both ways). Anything else goes
// through mqtt-packet, but a v5 PUBLISH's property block is also walked here: user properties in
// packet order for tssub, and the encoder reorders them. Also direct encoding of those acknowledgements.
import type { PublishFields } from './encode.js'

/** A PUBLISH as the client core handles it (the same fields it sends); the topic stays raw bytes. */
export type IncomingPublish = PublishFields & { userPropertyList?: UserPropertyList }

/** v5 user properties as [key, value] byte pairs, in packet order (duplicates and their interleaving kept). */
export type UserPropertyList = [Buffer, Buffer][]

/**
 * Decode a whole PUBLISH packet (fixed header included). Returns undefined when it carries v5
 * properties (the caller then uses mqtt-packet), and null when it is malformed.
 */
export function decodePublish(packet: Buffer, protocolVersion: number): IncomingPublish | undefined | null {
  const flags = packet[0] & 0x0f
  const qos = (flags >> 1) & 3
  if (qos === 3) return null // [MQTT-3.3.1-4]
  let at = 1
  while (at < packet.length && packet[at] & 0x80) at++
  at++
  if (at + 2 > packet.length) return null
  const topicLen = packet.readUInt16BE(at)
  at += 2
  const topic = packet.subarray(at, at + topicLen)
  at += topicLen
  let mid = 0
  if (qos > 0) {
    if (at + 2 > packet.length) return null
    mid = packet.readUInt16BE(at)
    at += 2
  }
  if (protocolVersion === 5) {
    if (at >= packet.length) return null
    if (packet[at] !== 0) return undefined
    at++
  }
  if (at > packet.length || topic.length !== topicLen) return null
  return { topic, payload: packet.subarray(at), qos: qos as 0 | 1 | 2, retain: (flags & 1) === 1, dup: (flags & 8) === 8, mid }
}

// How each v5 property's value is laid out [MQTT-2.2.2.2]: a fixed byte count, or a kind of field.
// 'string' and 'binary' are a 2-byte length and bytes; 'pair' two such strings; 'varint' a variable byte integer.
type PropertyShape = 1 | 2 | 4 | 'string' | 'binary' | 'pair' | 'varint'
const PROPERTY_SHAPES: Record<number, PropertyShape> = {
  0x01: 1, 0x02: 4, 0x03: 'string', 0x08: 'string', 0x09: 'binary', 0x0b: 'varint', 0x11: 4, 0x12: 'string',
  0x13: 2, 0x15: 'string', 0x16: 'binary', 0x17: 1, 0x18: 4, 0x19: 1, 0x1a: 'string', 0x1c: 'string',
  0x1f: 'string', 0x21: 2, 0x22: 2, 0x23: 2, 0x24: 1, 0x25: 1, 0x26: 'pair', 0x27: 4, 0x28: 1, 0x29: 1, 0x2a: 1,
}
const USER_PROPERTY = 0x26

/**
 * The user properties of a whole v5 PUBLISH packet, in packet order. mqtt-packet groups them into an
 * object by key (and JavaScript puts integer-like keys first), while mosquitto prints them as they came.
 * Returns undefined when there are none, or when the property block is malformed or has an unknown
 * property (mqtt-packet's own decoding then stands, or rejects the packet).
 */
export function publishUserProperties(packet: Buffer): UserPropertyList | undefined {
  let at = 1
  while (at < packet.length && packet[at] & 0x80) at++
  at++
  if (at + 2 > packet.length) return undefined
  at += 2 + packet.readUInt16BE(at)
  if ((packet[0] >> 1) & 3) at += 2
  const chunks = propertyChunks(packet, at)
  if (!chunks) return undefined
  const list: UserPropertyList = []
  for (const c of chunks.list) {
    if (packet[c.start] !== USER_PROPERTY) continue
    const klen = packet.readUInt16BE(c.start + 1)
    const k = packet.subarray(c.start + 3, c.start + 3 + klen)
    list.push([k, packet.subarray(c.start + 5 + klen, c.end)])
  }
  return list.length > 0 ? list : undefined
}

/** One property inside a property block: its bytes, identifier included. */
export interface PropertyChunk { start: number; end: number }

/**
 * Split the property block whose length varint is at `at` into its properties [MQTT-2.2.2]. Returns
 * where the block's bytes start and end, and the properties in order; undefined when it is malformed
 * or has a property this table does not know.
 */
export function propertyChunks(buf: Buffer, at: number): { start: number; end: number; list: PropertyChunk[] } | undefined {
  const len = readVarint(buf, at)
  if (!len) return undefined
  const start = len.end
  const end = start + len.value
  if (end > buf.length) return undefined
  at = start
  const list: PropertyChunk[] = []
  const field = (): boolean => {
    if (at + 2 > end) return false
    at += 2 + buf.readUInt16BE(at)
    return at <= end
  }
  while (at < end) {
    const from = at
    const shape = PROPERTY_SHAPES[buf[at++]]
    if (shape === undefined) return undefined
    if (typeof shape === 'number') at += shape
    else if (shape === 'varint') {
      const v = readVarint(buf, at)
      if (!v) return undefined
      at = v.end
    } else if (shape === 'pair') {
      if (!field() || !field()) return undefined
    } else if (!field()) return undefined
    if (at > end) return undefined
    list.push({ start: from, end: at })
  }
  return { start, end, list }
}

// A variable byte integer at `at` [MQTT-1.5.5]; undefined when it runs past the packet or past 4 bytes.
function readVarint(buf: Buffer, at: number): { value: number; end: number } | undefined {
  let value = 0
  for (let i = 0; i < 4; i++) {
    if (at + i >= buf.length) return undefined
    const b = buf[at + i]
    value += (b & 0x7f) * 128 ** i
    if (!(b & 0x80)) return { value, end: at + i + 1 }
  }
  return undefined
}

const ACK_TYPES = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const

/**
 * The packet identifier of a whole PUBACK, PUBREC, PUBREL or PUBCOMP that is just that (4 bytes:
 * reason Success, no properties, the right fixed-header flags, an identifier of 1..65535); -1 for
 * any other packet, which mqtt-packet then decodes (and rejects, if it is malformed).
 */
export function plainAckMid(packet: Buffer): number {
  if (packet.length !== 4 || packet[1] !== 2) return -1
  const first = packet[0]
  if (first !== 0x40 && first !== 0x50 && first !== 0x62 && first !== 0x70) return -1
  const mid = (packet[2] << 8) | packet[3]
  return mid === 0 ? -1 : mid
}

/** An acknowledgement the client sends for every QoS 1/2 message. */
export type AckType = keyof typeof ACK_TYPES

/**
 * PUBACK, PUBREC, PUBREL or PUBCOMP with reason Success, written at `at` in `buf`: 4 bytes in
 * every MQTT version (v5 leaves out a Success reason code without properties, as libmosquitto does).
 */
export function writeAck(buf: Buffer, at: number, cmd: AckType, mid: number): void {
  buf[at] = ACK_TYPES[cmd]
  buf[at + 1] = 2
  buf[at + 2] = mid >> 8
  buf[at + 3] = mid & 0xff
}
