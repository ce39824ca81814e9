// %J's parser: the payload read as cJSON 1.7.15 reads it, leniencies included (a trailing comma, "01",
// "1."), so that what mosquitto_sub prints we print. Fixed where cJSON would make %J print something that
// is not the payload or not JSON: a payload that is not UTF-8 and a "\\u" escape that is not four hex
// digits are invalid JSON; an integer beyond a double's precision, or a number beyond its range, keeps
// its digits.
import { isUtf8 } from 'node:buffer'
import { JSON_FALSE as FALSE, JSON_NULL as NULL, JSON_TRUE as TRUE, type JsonMember, type JsonValue } from './json.js'

const NESTING_LIMIT = 1000 // cJSON's CJSON_NESTING_LIMIT
const NUMBER_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/ // the prefix strtod() accepts here

interface Cursor { s: Buffer; i: number; depth: number }

/** Parse a payload as cJSON does for %J; undefined when it is not valid JSON (mosquitto then prints nothing). */
export function parseJson(s: Buffer): JsonValue | undefined {
  // mosquitto: cJSON reads the payload as a C string and must end exactly at payloadlen, so any NUL fails.
  if (s.indexOf(0) >= 0) return undefined
  // Fixed: cJSON copies invalid UTF-8 inside strings as it is, and the output is then not JSON.
  if (!isUtf8(s)) return undefined
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
  const value = Number(m[0])
  return keepsDigits(m[0], value) ? { type: 'number', value, literal: m[0] } : { type: 'number', value }
}

// JSON's own number syntax (cJSON also takes "01", "1." and the like, which it then prints normalised)
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

// Fixed: a number a double cannot hold keeps its digits (cJSON prints 12345678901234567890 as
// 12345678901234567168 and 1e400 as null); other numbers print as cJSON prints them.
function keepsDigits(text: string, value: number): boolean {
  if (!JSON_NUMBER.test(text)) return false
  if (!Number.isFinite(value)) return true
  const [, frac, exp] = JSON_NUMBER.exec(text)!
  return frac === undefined && exp === undefined && Math.abs(value) > Number.MAX_SAFE_INTEGER && BigInt(text) !== BigInt(value)
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
    if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return undefined
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

// Four hex digits, or -1. Fixed: cJSON's parse_hex4 reads a non-hex digit as 0, so "\\u00zz" became a NUL.
function hex4(s: Buffer, at: number): number {
  const t = s.toString('latin1', at, at + 4)
  return /^[0-9a-fA-F]{4}$/.test(t) ? parseInt(t, 16) : -1
}

function parseArray(c: Cursor): JsonValue | undefined {
  const items = parseList(c, 0x5d, parseValue)
  return items && { type: 'array', items }
}

function parseObject(c: Cursor): JsonValue | undefined {
  const members = parseList(c, 0x7d, parseMember)
  return members && { type: 'object', members }
}

function parseMember(c: Cursor): JsonMember | undefined {
  const key = c.s[c.i] === 0x22 ? parseString(c) : undefined
  if (key?.type !== 'string') return undefined
  skipSpace(c)
  if (c.s[c.i] !== 0x3a) return undefined
  c.i++
  skipSpace(c)
  const value = parseValue(c)
  return value && { key: key.bytes, value }
}

// The elements of an array or object, from its opening bracket to `close`, separated by commas.
function parseList<T>(c: Cursor, close: number, element: (c: Cursor) => T | undefined): T[] | undefined {
  if (c.depth >= NESTING_LIMIT) return undefined
  c.depth++
  const out: T[] = []
  c.i++
  skipSpace(c)
  if (c.s[c.i] !== close) {
    for (;;) {
      const e = element(c)
      if (e === undefined) return undefined
      out.push(e)
      skipSpace(c)
      if (c.s[c.i] !== 0x2c) break
      c.i++
      skipSpace(c)
    }
    if (c.s[c.i] !== close) return undefined
  }
  c.i++
  c.depth--
  return out
}
