// Direct decoding of the most common packet, a PUBLISH without v5 properties: tssub's hot path.
// Anything else (v5 properties) goes through mqtt-packet. Also direct encoding of the 4-byte
// acknowledgements sent for every QoS 1/2 message.
import type { PublishFields } from './encode.js'

/** A PUBLISH as the client core handles it (the same fields it sends); the topic stays raw bytes. */
export type IncomingPublish = PublishFields

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

const ACK_TYPES = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const

/** PUBACK, PUBREC, PUBREL or PUBCOMP with reason Success: 4 bytes in every MQTT version. */
export function encodeAck(cmd: keyof typeof ACK_TYPES, mid: number): Buffer {
  const buf = Buffer.allocUnsafe(4)
  buf[0] = ACK_TYPES[cmd]
  buf[1] = 2
  buf.writeUInt16BE(mid, 2)
  return buf
}
