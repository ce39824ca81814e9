// The JSON of -F %j / %J, byte for byte as mosquitto_sub 2.0.11 prints it through cJSON 1.7.15: a parser
// with cJSON's leniencies, a compact and a --pretty printer, and cJSON's way of printing numbers.

import type { PublishProperties, ReceivedMessage } from '../core/message.js'
import type { ByteWriter } from './render.js'
import { isUtf8 } from 'node:buffer'

/** A parsed or built JSON value. Strings are bytes, as in cJSON (C strings: printing stops at a NUL). */
export type JsonValue =
  | { type: 'null' | 'true' | 'false' }
  | { type: 'number'; value: number }
  // `keepNul`: escape NUL as \u0000 instead of ending the string there (cJSON's C-string cut).
  | { type: 'string'; bytes: Buffer; keepNul?: boolean }
  | { type: 'array'; items: JsonValue[] }
  | { type: 'object'; members: JsonMember[] }

/** One object member; keys may repeat (cJSON keeps duplicates). */
export interface JsonMember { key: Buffer; value: JsonValue }

const NULL: JsonValue = { type: 'null' }
const TRUE: JsonValue = { type: 'true' }
const FALSE: JsonValue = { type: 'false' }

// --- parser ---

const NESTING_LIMIT = 1000 // cJSON's CJSON_NESTING_LIMIT
const NUMBER_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/ // the prefix strtod() accepts here

interface Cursor { s: Buffer; i: number; depth: number }

/** Parse a payload as cJSON does for %J; undefined when it is not valid JSON (mosquitto then prints nothing). */
export function parseJson(s: Buffer): JsonValue | undefined {
  // mosquitto: cJSON reads the payload as a C string and must end exactly at payloadlen, so any NUL fails.
  if (s.indexOf(0) >= 0) return undefined
  const c: Cursor = { s, i: 0, depth: 0 }
  if (s.length > 3 && s[0] === 0xef && s[1] === 0xbb && s[2] === 0xbf) c.i = 3 // cJSON skips a UTF-8 BOM
  skipSpace(c)
  const v = parseValue(c)
  skipSpace(c)
  return v !== undefined && c.i === s.length ? v : undefined
}

// cJSON's whitespace is every byte from 0x01 to 0x20
function skipSpace(c: Cursor): void {
  while (c.i < c.s.length && c.s[c.i] <= 0x20) c.i++
}

function literal(c: Cursor, word: string, v: JsonValue): JsonValue | undefined {
  if (c.s.toString('latin1', c.i, c.i + word.length) !== word) return undefined
  c.i += word.length
  return v
}

function parseValue(c: Cursor): JsonValue | undefined {
  const ch = c.s[c.i]
  switch (ch) {
    case 0x6e: return literal(c, 'null', NULL)
    case 0x66: return literal(c, 'false', FALSE)
    case 0x74: return literal(c, 'true', TRUE)
    case 0x22: return parseString(c)
    case 0x5b: return parseArray(c)
    case 0x7b: return parseObject(c)
  }
  if (ch === 0x2d || (ch >= 0x30 && ch <= 0x39)) return parseNumber(c)
  return undefined
}

function parseNumber(c: Cursor): JsonValue | undefined {
  // cJSON collects the bytes that may belong to a number, then lets strtod() take the longest valid prefix
  let end = c.i
  while (end < c.s.length && isNumberByte(c.s[end])) end++
  const m = NUMBER_RE.exec(c.s.toString('latin1', c.i, end))
  if (!m) return undefined
  c.i += m[0].length
  return { type: 'number', value: Number(m[0]) }
}

function isNumberByte(x: number): boolean {
  return (x >= 0x30 && x <= 0x39) || x === 0x2b || x === 0x2d || x === 0x2e || x === 0x45 || x === 0x65
}

function parseString(c: Cursor): JsonValue | undefined {
  const { s } = c
  const start = c.i + 1
  let end = start
  let escaped = false
  while (end < s.length && s[end] !== 0x22) {
    if (s[end] === 0x5c) {
      escaped = true
      end++
    }
    end++
  }
  if (end >= s.length) return undefined
  c.i = end + 1
  if (!escaped) return { type: 'string', bytes: s.subarray(start, end) }
  const out = Buffer.allocUnsafe(end - start) // decoding never makes it longer
  let n = 0
  for (let k = start; k < end;) {
    if (s[k] !== 0x5c) {
      out[n++] = s[k++]
      continue
    }
    const e = s[k + 1]
    const simple = ESCAPES[e]
    if (simple !== undefined) {
      out[n++] = simple
      k += 2
      continue
    }
    if (e !== 0x75 || k + 6 > end) return undefined
    let cp = hex4(s, k + 2)
    k += 6
    if (cp >= 0xdc00 && cp <= 0xdfff) return undefined
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (k + 6 > end || s[k] !== 0x5c || s[k + 1] !== 0x75) return undefined
      const lo = hex4(s, k + 2)
      if (lo < 0xdc00 || lo > 0xdfff) return undefined
      cp = 0x10000 + (((cp & 0x3ff) << 10) | (lo & 0x3ff))
      k += 6
    }
    n += out.write(String.fromCodePoint(cp), n, 'utf8')
  }
  return { type: 'string', bytes: out.subarray(0, n) }
}

const ESCAPES: Record<number, number> = { 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f }

// mosquitto: cJSON's parse_hex4 turns any non-hex digit into the code 0, so "\u00zz" is a NUL (which ends the string)
function hex4(s: Buffer, at: number): number {
  const t = s.toString('latin1', at, at + 4)
  return /^[0-9a-fA-F]{4}$/.test(t) ? parseInt(t, 16) : 0
}

function parseArray(c: Cursor): JsonValue | undefined {
  if (c.depth >= NESTING_LIMIT) return undefined
  c.depth++
  const items: JsonValue[] = []
  c.i++
  skipSpace(c)
  if (c.s[c.i] !== 0x5d) {
    for (;;) {
      const v = parseValue(c)
      if (v === undefined) return undefined
      items.push(v)
      skipSpace(c)
      if (c.s[c.i] !== 0x2c) break
      c.i++
      skipSpace(c)
    }
    if (c.s[c.i] !== 0x5d) return undefined
  }
  c.i++
  c.depth--
  return { type: 'array', items }
}

function parseObject(c: Cursor): JsonValue | undefined {
  if (c.depth >= NESTING_LIMIT) return undefined
  c.depth++
  const members: JsonMember[] = []
  c.i++
  skipSpace(c)
  if (c.s[c.i] !== 0x7d) {
    for (;;) {
      const key = c.s[c.i] === 0x22 ? parseString(c) : undefined
      if (key?.type !== 'string') return undefined
      skipSpace(c)
      if (c.s[c.i] !== 0x3a) return undefined
      c.i++
      skipSpace(c)
      const value = parseValue(c)
      if (value === undefined) return undefined
      members.push({ key: key.bytes, value })
      skipSpace(c)
      if (c.s[c.i] !== 0x2c) break
      c.i++
      skipSpace(c)
    }
    if (c.s[c.i] !== 0x7d) return undefined
  }
  c.i++
  c.depth--
  return { type: 'object', members }
}

// --- printer ---

/** Print a value as cJSON_PrintUnformatted (compact) or cJSON_Print (pretty) would; depth is cJSON's. */
export function writeJson(w: ByteWriter, v: JsonValue, pretty: boolean, depth = 0): void {
  switch (v.type) {
    case 'null': case 'true': case 'false': return w.latin1(v.type)
    case 'number': return w.latin1(formatNumber(v.value))
    case 'string': return writeString(w, v.bytes, v.keepNul)
    case 'array':
      w.byte(0x5b)
      for (let i = 0; i < v.items.length; i++) {
        if (i > 0) w.latin1(pretty ? ', ' : ',') // mosquitto: --pretty keeps arrays on one line
        writeJson(w, v.items[i], pretty, depth + 1)
      }
      return w.byte(0x5d)
    case 'object':
      w.latin1(pretty ? '{\n' : '{')
      for (let i = 0; i < v.members.length; i++) {
        const m = v.members[i]
        if (i > 0) w.latin1(pretty ? ',\n' : ',')
        if (pretty) w.repeat(0x09, depth + 1)
        writeString(w, m.key)
        w.latin1(pretty ? ':\t' : ':')
        writeJson(w, m.value, pretty, depth + 1)
      }
      if (pretty) {
        if (v.members.length > 0) w.byte(0x0a)
        w.repeat(0x09, depth)
      }
      return w.byte(0x7d)
  }
}

/** A cJSON string: cut at the first NUL (unless keepNul); `"` `\` and bytes below 0x20 escaped; every other byte raw. */
export function writeString(w: ByteWriter, b: Buffer, keepNul = false): void {
  w.byte(0x22)
  let run = 0
  let i = 0
  for (; i < b.length; i++) {
    const x = b[i]
    if (x >= 0x20 && x !== 0x22 && x !== 0x5c) continue
    if (x === 0 && !keepNul) break
    w.bytes(b, run, i)
    run = i + 1
    const short = SHORT_ESCAPES[x]
    if (short !== undefined) w.latin1(short)
    else w.latin1('\\u00' + (x < 16 ? '0' : '') + x.toString(16))
  }
  w.bytes(b, run, i)
  w.byte(0x22)
}

const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t' }

/** A number as cJSON 1.7.15 prints it: "%1.15g", or "%1.17g" when that does not read back (nearly) equal. */
export function formatNumber(d: number): string {
  if (!Number.isFinite(d)) return 'null'
  // fast paths: integers below 1e15, and normal numbers whose shortest form has at most 15 digits (a double
  // is then within half an ulp of it, closer than half a unit of the 15th digit), print as %1.15g would
  if (Number.isInteger(d) && Math.abs(d) < 1e15) return Object.is(d, -0) ? '-0' : String(d)
  const [shortest, shortExp] = splitExp(Math.abs(d).toExponential())
  if (shortest.length <= 15 && Math.abs(d) >= 2.2250738585072014e-308) return layoutG(d < 0 ? '-' : '', shortest, shortExp, 15)
  const s = formatG(d, 15)
  const back = Number(s)
  // cJSON's compare_double: equal within DBL_EPSILON relative to the larger magnitude
  if (Math.abs(back - d) <= Math.max(Math.abs(back), Math.abs(d)) * Number.EPSILON) return s
  return formatG(d, 17)
}

/** C's printf("%1.<p>g"), rounding exact ties to even as glibc does. */
export function formatG(d: number, p: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0'
  const a = Math.abs(d)
  let [digits, exp] = splitExp(a.toExponential(p - 1))
  // toExponential rounds exact ties away from zero; glibc rounds them to even
  if (a.toExponential(p)[p + 1] === '5') {
    const [exact, e2] = splitExp(a.toExponential(100))
    if (/^50*$/.test(exact.slice(p)) && Number(exact[p - 1]) % 2 === 0) [digits, exp] = [exact.slice(0, p), e2]
  }
  return layoutG(d < 0 ? '-' : '', digits, exp, p)
}

// %g's choice between the exponent form and the plain form, without trailing zeros
function layoutG(sign: string, digits: string, exp: number, p: number): string {
  if (exp < -4 || exp >= p) {
    const frac = digits.slice(1).replace(/0+$/, '')
    const e = Math.abs(exp)
    return `${sign}${digits[0]}${frac ? '.' + frac : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`
  }
  const all = exp < 0 ? '0'.repeat(-exp) + digits : digits.padEnd(exp + 1, '0')
  const point = exp < 0 ? 1 : exp + 1
  const frac = all.slice(point).replace(/0+$/, '')
  return sign + all.slice(0, point) + (frac ? '.' + frac : '')
}

function splitExp(s: string): [string, number] {
  const e = s.indexOf('e')
  return [s.slice(0, e).replace('.', ''), Number(s.slice(e + 1))]
}

// --- the message object ---

const key = (k: string): Buffer => Buffer.from(k, 'latin1')
const K = {
  tst: key('tst'), topic: key('topic'), qos: key('qos'), retain: key('retain'), payloadlen: key('payloadlen'),
  mid: key('mid'), properties: key('properties'), payload: key('payload'),
}
const num = (value: number): JsonValue => ({ type: 'number', value })
const str = (s: string | Buffer): JsonValue => ({ type: 'string', bytes: typeof s === 'string' ? Buffer.from(s) : s })

/** The %j string payload: the payload read as a C string (cut at the first NUL); null when empty. */
export function stringPayload(payload: Buffer): JsonValue {
  if (payload.length === 0) return NULL
  // Fixed (mosquitto cuts the payload at its first NUL and copies invalid UTF-8 raw, which is
  // not JSON): the whole payload, NULs escaped; a payload that is not UTF-8 goes as base64, and
  // messageJson then says so in "payload_encoding".
  if (!isUtf8(payload)) return { type: 'string', bytes: Buffer.from(payload.toString('base64'), 'latin1') }
  return { type: 'string', bytes: payload, keepNul: true }
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
    { key: K.retain, value: num(msg.retain ? 1 : 0) }, // mosquitto: a number in 2.0, not a boolean
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
        // mosquitto: printed as a C string, so cut at the first NUL. Fixed: bytes that are not UTF-8
        // (it copies them raw, which is not JSON) go as base64, and a key before them says so.
        const v = p.correlationData
        if (v === undefined) break
        const nul = v.indexOf(0)
        const cut = nul === -1 ? v : v.subarray(0, nul)
        if (isUtf8(cut)) {
          add('correlation-data', str(cut))
        } else {
          add('correlation-data-encoding', str('base64'))
          add('correlation-data', str(cut.toString('base64')))
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
        // mosquitto: an object in which a repeated key is written again, e.g. {"k1":"v1","k1":"v2"}
        const users: JsonMember[] = []
        if (userList) {
          for (const [k, v] of userList) users.push({ key: k, value: str(v) })
        } else {
          for (const [k, v] of Object.entries(p.userProperties ?? {})) {
            for (const one of Array.isArray(v) ? v : [v]) users.push({ key: Buffer.from(k), value: str(one) })
          }
        }
        if (users.length > 0) add('user-properties', { type: 'object', members: users })
        break
      }
    }
  }
  return members.length > 0 ? { type: 'object', members } : undefined
}
