// The JSON of -F %j / %J, byte for byte as mosquitto_sub 2.1.2 prints it through cJSON 1.7.15: a compact
// and a --pretty printer, and cJSON's way of printing numbers. Except that it is always valid JSON,
// with every byte kept: a NUL in a string is escaped as \u0000 (cJSON ends a string there), and a
// number too large for a double keeps the digits it was given (cJSON prints an approximation, or
// null). The parser is in json-parse.ts, the message object in json-message.ts.

import type { ByteWriter } from './byte-writer.js'

/** A parsed or built JSON value. Strings are bytes, as in cJSON. */
export type JsonValue =
  | { type: 'null' | 'true' | 'false' }
  // `literal`: the number as the payload wrote it, printed instead of `value` when a double loses it
  | { type: 'number'; value: number; literal?: string }
  | { type: 'string'; bytes: Buffer }
  | { type: 'array'; items: JsonValue[] }
  | { type: 'object'; members: JsonMember[] }

/** One object member; keys may repeat (cJSON keeps duplicates). */
export interface JsonMember { key: Buffer; value: JsonValue }

/** The three constant values. */
export const JSON_NULL: JsonValue = { type: 'null' }
export const JSON_TRUE: JsonValue = { type: 'true' }
export const JSON_FALSE: JsonValue = { type: 'false' }

/** Print a value as cJSON_PrintUnformatted (compact) or cJSON_Print (pretty) would; depth is cJSON's. */
export function writeJson(w: ByteWriter, v: JsonValue, pretty: boolean, depth = 0): void {
  switch (v.type) {
    case 'null': case 'true': case 'false': return w.latin1(v.type)
    case 'number': return w.latin1(v.literal ?? formatNumber(v.value))
    case 'string': return writeString(w, v.bytes)
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

/** A cJSON string: `"` `\\` and bytes below 0x20 escaped, every other byte raw. Fixed: cJSON ends the string at a NUL. */
export function writeString(w: ByteWriter, b: Buffer): void {
  w.byte(0x22)
  let run = 0
  let i = 0
  for (; i < b.length; i++) {
    const x = b[i]
    if (x >= 0x20 && x !== 0x22 && x !== 0x5c) continue
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
