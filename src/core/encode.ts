// Packet encoding. PUBLISH without properties is the hot path (tspub -l), so it is encoded
// directly into one Buffer; everything else goes through mqtt-packet's generate().
import mqtt from 'mqtt-packet'
import type { Packet } from 'mqtt-packet'
import { propertyChunks } from './decode-publish.js'

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

/**
 * The order -D gave a property object's properties in (a non-enumerable key on that object, set by
 * src/options/properties.ts): a property identifier, or a user property's [key, value]. mqtt-packet
 * writes user properties grouped by key where the first one was (and integer-like keys first);
 * mosquitto writes them all in argv order.
 */
export const PROPERTY_ORDER = Symbol('property order')
export type PropertyOrder = (number | [string, string])[]

/**
 * `base` (a -D property list, which may carry its argv order) followed by more properties, each
 * [mqtt-packet key, property identifier, value]: they go on the wire after the user's.
 */
export function appendProperties(base: Record<string, unknown> | undefined, added: readonly [string, number, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, , value] of added) out[key] = value
  // The spread drops the hidden order; without one, mqtt-packet writes keys in insertion order.
  const order = (base as { [PROPERTY_ORDER]?: PropertyOrder } | undefined)?.[PROPERTY_ORDER]
  if (order) Object.defineProperty(out, PROPERTY_ORDER, { value: [...order, ...added.map(([, id]) => id)] })
  return out
}

/** Encode any packet with mqtt-packet; throws on a packet it cannot encode. */
export function encodePacket(packet: Packet, protocolVersion: number): Buffer {
  // MQTT v5 allows a password without a user name [MQTT-3.1.2-18, 3.1.2-19]; mqtt-packet does not.
  if (packet.cmd === 'connect' && packet.password != null && packet.username == null) {
    return withoutUsername(encodePacket({ ...packet, username: '' }, protocolVersion), packet.password.length)
  }
  const buf = mqtt.generate(packet, { protocolVersion })
  if (protocolVersion !== 5) return buf
  const props = (packet as { properties?: object }).properties
  switch (packet.cmd) {
    case 'connect': reorderConnect(buf, props, packet.will?.properties); break
    // SUBSCRIBE, UNSUBSCRIBE: fixed header, packet identifier, properties [MQTT-3.8.2, 3.10.2]
    case 'subscribe':
    case 'unsubscribe': if (props) reorderProperties(buf, headerEnd(buf) + 2, props); break
    // DISCONNECT: fixed header, reason code, properties [MQTT-3.14.2]
    case 'disconnect': if (props && buf.length > headerEnd(buf) + 1) reorderProperties(buf, headerEnd(buf) + 1, props); break
  }
  return buf
}

// A CONNECT encoded with an empty user name, less that field and its flag: the user name is the
// next-to-last field, just before the password (2-byte length + bytes) [MQTT-3.1.3].
function withoutUsername(buf: Buffer, passwordLength: number): Buffer {
  const body = buf.subarray(headerEnd(buf))
  const usernameAt = body.length - (2 + passwordLength) - 2
  const remaining = body.length - 2
  const out = Buffer.allocUnsafe(1 + varintLength(remaining) + remaining)
  out[0] = buf[0]
  const bodyAt = writeVarint(out, 1, remaining)
  body.copy(out, bodyAt, 0, usernameAt)
  body.copy(out, bodyAt + usernameAt, usernameAt + 2)
  // connect flags: after the protocol name (2-byte length + bytes) and the level byte
  out[bodyAt + 2 + body.readUInt16BE(0) + 1] &= ~0x80
  return out
}

// Where the fixed header (type byte and remaining-length varint) ends.
function headerEnd(buf: Buffer): number {
  let at = 1
  while (buf[at] & 0x80) at++
  return at + 1
}

// CONNECT: fixed header, "MQTT", level, flags, keep alive, properties, client id, then the will properties [MQTT-3.1].
function reorderConnect(buf: Buffer, properties: object | undefined, willProperties: object | undefined): void {
  let at = headerEnd(buf)
  at += 2 + buf.readUInt16BE(at) + 4
  const flags = buf[at - 3]
  const connectProps = propertyChunks(buf, at)
  if (!connectProps) return
  if (properties) reorderProperties(buf, at, properties)
  if (!willProperties || !hasOrder(willProperties) || !(flags & 0x04)) return
  at = connectProps.end
  at += 2 + buf.readUInt16BE(at)
  reorderProperties(buf, at, willProperties)
}

function hasOrder(properties: object): properties is { [PROPERTY_ORDER]: PropertyOrder } {
  return PROPERTY_ORDER in properties
}

// Rewrite, in place, the property block whose length is at `at` in the -D order. The same properties
// in another order take the same bytes, so nothing else moves; anything unexpected leaves mqtt-packet's.
function reorderProperties(buf: Buffer, at: number, properties: object): void {
  if (!hasOrder(properties)) return
  const block = propertyChunks(buf, at)
  if (!block) return
  const byId = new Map<number, Buffer>()
  for (const c of block.list) if (buf[c.start] !== USER_PROPERTY) byId.set(buf[c.start], buf.subarray(c.start, c.end))
  const parts: Buffer[] = []
  for (const item of properties[PROPERTY_ORDER]) {
    if (typeof item !== 'number') parts.push(userProperty(item[0], item[1]))
    else {
      const chunk = byId.get(item)
      if (!chunk) return
      parts.push(chunk)
    }
  }
  const ordered = Buffer.concat(parts)
  if (ordered.length !== block.end - block.start) return
  ordered.copy(buf, block.start)
}

const USER_PROPERTY = 0x26

// A user property as mqtt-packet writes one: the identifier, then two length-prefixed UTF-8 strings.
function userProperty(key: string, value: string): Buffer {
  const k = Buffer.from(key, 'utf8')
  const v = Buffer.from(value, 'utf8')
  const out = Buffer.allocUnsafe(5 + k.length + v.length)
  out[0] = USER_PROPERTY
  out.writeUInt16BE(k.length, 1)
  k.copy(out, 3)
  out.writeUInt16BE(v.length, 3 + k.length)
  v.copy(out, 5 + k.length)
  return out
}

/** True when the PUBLISH needs mqtt-packet (v5 properties); otherwise the direct encoder does it. */
export function needsGenericEncoder(p: PublishFields): boolean {
  return p.properties !== undefined && Object.keys(p.properties).length > 0
}

/** Encode a PUBLISH: fixed header, topic, packet id, (v5: properties), payload [MQTT-3.3]. */
export function encodePublish(p: PublishFields, protocolVersion: number): Buffer {
  if (needsGenericEncoder(p)) {
    const buf = encodePacket(
      { cmd: 'publish', topic: p.topic.toString('utf8'), payload: p.payload, qos: p.qos, retain: p.retain, dup: p.dup,
        messageId: p.qos > 0 ? p.mid : undefined, properties: p.properties } as Packet,
      protocolVersion,
    )
    if (protocolVersion === 5 && p.properties) {
      // PUBLISH: fixed header, topic, packet identifier (QoS > 0), properties [MQTT-3.3.2]
      let at = headerEnd(buf)
      at += 2 + buf.readUInt16BE(at) + (p.qos > 0 ? 2 : 0)
      reorderProperties(buf, at, p.properties)
    }
    return buf
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
