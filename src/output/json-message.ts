// The object that %j and %J print for a message, keys in mosquitto 2.1.2's order and shape.
import { isUtf8 } from 'node:buffer'
import type { PublishProperties, ReceivedMessage } from '../core/message.js'
import { JSON_FALSE as FALSE, JSON_NULL as NULL, JSON_TRUE as TRUE, type JsonMember, type JsonValue } from './json.js'

const key = (k: string): Buffer => Buffer.from(k, 'latin1')
const K = {
  tst: key('tst'), topic: key('topic'), qos: key('qos'), retain: key('retain'), payloadlen: key('payloadlen'),
  mid: key('mid'), properties: key('properties'), payload: key('payload'),
}
const num = (value: number): JsonValue => ({ type: 'number', value })
const str = (s: string | Buffer): JsonValue => ({ type: 'string', bytes: typeof s === 'string' ? Buffer.from(s) : s })
// A string from the wire as valid UTF-8 (a broker that skips the check could send any bytes [MQTT-1.5.4-1]).
const text = (b: Buffer): Buffer => (isUtf8(b) ? b : Buffer.from(b.toString('utf8')))

/** The %j string payload: the payload as a string (base64 when it is not UTF-8); null when empty. */
export function stringPayload(payload: Buffer): JsonValue {
  if (payload.length === 0) return NULL
  // Fixed (mosquitto cuts the payload at its first NUL and copies invalid UTF-8 raw, which is
  // not JSON): the whole payload, NULs escaped; a payload that is not UTF-8 goes as base64, and
  // messageJson then says so in "payload_encoding".
  if (!isUtf8(payload)) return { type: 'string', bytes: Buffer.from(payload.toString('base64'), 'latin1') }
  return { type: 'string', bytes: payload }
}

/** True when %j must carry the payload as base64 (it is not UTF-8). */
export function payloadNeedsBase64(payload: Buffer): boolean {
  return payload.length > 0 && !isUtf8(payload)
}

/** The root object of %j / %J, keys in mosquitto's order; `payload` is already converted. */
export function messageJson(msg: ReceivedMessage, tst: string, payload: JsonValue, base64 = false): JsonValue {
  const members: JsonMember[] = [
    { key: K.tst, value: str(Buffer.from(tst, 'latin1')) },
    { key: K.topic, value: str(msg.topic) },
    { key: K.qos, value: num(msg.qos) },
    { key: K.retain, value: msg.retain ? TRUE : FALSE }, // mosquitto 2.1: a boolean (2.0: the number 0 or 1)
    { key: K.payloadlen, value: num(msg.payload.length) },
  ]
  if (msg.qos > 0) members.push({ key: K.mid, value: num(msg.mid) }) // mosquitto: only for QoS > 0
  const props = msg.properties && propertiesJson(msg.properties, msg.userPropertyList)
  if (props) members.push({ key: K.properties, value: props })
  if (base64) members.push({ key: key('payload_encoding'), value: str('base64') })
  members.push({ key: K.payload, value: payload })
  return { type: 'object', members }
}

// The v5 properties in the order mqtt-packet decoded them (wire order; its user properties are grouped by
// key, and the object sits where the first one was, as mosquitto puts it). `userList`: them in packet order.
function propertiesJson(p: PublishProperties, userList?: [Buffer, Buffer][]): JsonValue | undefined {
  const members: JsonMember[] = []
  const add = (k: string, value: JsonValue): void => void members.push({ key: key(k), value })
  for (const name of Object.keys(p) as (keyof PublishProperties)[]) {
    switch (name) {
      case 'payloadFormatIndicator': {
        const v = p.payloadFormatIndicator
        if (v !== undefined) add('payload-format-indicator', num(typeof v === 'boolean' ? (v ? 1 : 0) : v))
        break
      }
      case 'messageExpiryInterval':
        if (p.messageExpiryInterval !== undefined) add('message-expiry-interval', num(p.messageExpiryInterval))
        break
      case 'contentType':
        if (p.contentType !== undefined) add('content-type', str(p.contentType))
        break
      case 'responseTopic':
        if (p.responseTopic !== undefined) add('response-topic', str(p.responseTopic))
        break
      case 'correlationData': {
        // Fixed: mosquitto prints it as a C string, cut at the first NUL, and copies bytes that are not
        // UTF-8 raw (not JSON). Here all of it: as a string, or as base64 with a key before it saying so.
        const v = p.correlationData
        if (v === undefined) break
        if (isUtf8(v)) {
          add('correlation-data', str(v))
        } else {
          add('correlation-data-encoding', str('base64'))
          add('correlation-data', str(v.toString('base64')))
        }
        break
      }
      case 'subscriptionIdentifier': {
        // libmosquitto refuses a PUBLISH with several identifiers, so only the first can matter
        const v = p.subscriptionIdentifier
        const first = Array.isArray(v) ? v[0] : v
        if (first !== undefined) add('subscription-identifier', num(first))
        break
      }
      case 'topicAlias':
        // mosquitto: 2.0.11 prints garbage here (it reads the wrong field; fixed in 2.0.16). We print the real value.
        if (p.topicAlias !== undefined) add('topic-alias', num(p.topicAlias))
        break
      case 'userProperties': {
        // mosquitto 2.1: an array of one-member objects in packet order, so that a repeated key
        // survives a JSON parser: [{"k1":"v1"},{"k1":"v2"}] (2.0: one object, the key written twice)
        const users: JsonValue[] = []
        const pair = (k: Buffer, v: string | Buffer): number => users.push({ type: 'object', members: [{ key: text(k), value: str(typeof v === 'string' ? v : text(v)) }] })
        if (userList) {
          for (const [k, v] of userList) pair(k, v)
        } else {
          for (const [k, v] of Object.entries(p.userProperties ?? {})) {
            for (const one of Array.isArray(v) ? v : [v]) pair(Buffer.from(k), one)
          }
        }
        if (users.length > 0) add('user-properties', { type: 'array', items: users })
        break
      }
    }
  }
  return members.length > 0 ? { type: 'object', members } : undefined
}
