// Local-time text for -F (%I, %U, @X, @N) and the JSON "tst" field, as glibc's strftime prints it
// in the C locale. Local time follows the TZ environment variable, which Node's Date honours.

import { readFileSync } from 'node:fs'

/** A source of the current time; tests inject a fixed one. */
export interface Clock {
  /** epochMs: milliseconds since the epoch; nanos: nanoseconds within that second (0..999999999). */
  now(): { epochMs: number; nanos: number }
}

/** The real clock: Date.now() for the wall time, process.hrtime for the digits below a millisecond. */
export const systemClock: Clock = {
  now() {
    const epochMs = Date.now()
    const subMs = Number(process.hrtime.bigint() % 1000000n)
    return { epochMs, nanos: (((epochMs % 1000) + 1000) % 1000) * 1000000 + subMs }
  },
}

/** One clock reading broken down into local calendar fields. */
export interface LocalTime {
  epochSec: number
  nanos: number
  year: number
  month: number // 1..12
  day: number
  hour: number
  minute: number
  second: number
  wday: number // 0 = Sunday
  yday: number // 0-based
  offsetMin: number // east of UTC
}

/** Break a clock reading into local time fields. */
export function localTime(reading: { epochMs: number; nanos: number }): LocalTime {
  const epochSec = Math.floor(reading.epochMs / 1000)
  const rule = posixRule()
  if (rule !== undefined) {
    // Node's Date does not understand POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3"); glibc does.
    const offsetSec = posixOffset(rule, epochSec).offset
    const u = new Date((epochSec + offsetSec) * 1000)
    return fields(epochSec, reading.nanos, u.getUTCFullYear(), u.getUTCMonth() + 1, u.getUTCDate(), u.getUTCHours(),
      u.getUTCMinutes(), u.getUTCSeconds(), u.getUTCDay(), offsetSec / 60)
  }
  const d = new Date(epochSec * 1000)
  return fields(epochSec, reading.nanos, d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(),
    d.getSeconds(), d.getDay(), -d.getTimezoneOffset())
}

function fields(epochSec: number, nanos: number, year: number, month: number, day: number, hour: number, minute: number,
  second: number, wday: number, offsetMin: number): LocalTime {
  const yday = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86400000)
  return { epochSec, nanos, year, month, day, hour, minute, second, wday, yday, offsetMin }
}

// --- TZ as a POSIX rule (glibc reads it so when no zoneinfo file has that name), e.g. "XYZ-3:30",
// "<+0330>-3:30" or "CET-1CEST,M3.5.0,M10.5.0/3". Offsets are kept as seconds east of UTC.

/** A DST start or end: a day of the year (Jn, n or Mm.w.d) and a local time in seconds. */
type RuleDay = { kind: 'J' | 'n'; n: number; time: number } | { kind: 'M'; m: number; w: number; d: number; time: number }

interface PosixRule { std: string; stdOff: number; dst?: string; dstOff: number; start?: RuleDay; end?: RuleDay }

const posixRules = new Map<string, PosixRule | undefined>()

// The rule for the current TZ, or undefined when TZ names a zoneinfo file (or is unset, empty or unparsable).
function posixRule(): PosixRule | undefined {
  const tz = process.env.TZ
  if (tz === undefined || tz === '' || tz === ':') return undefined
  if (!posixRules.has(tz)) posixRules.set(tz, zoneFileExists(tz) ? undefined : parsePosixTz(tz.replace(/^:/, '')))
  return posixRules.get(tz)
}

function zoneFileExists(tz: string): boolean {
  const name = tz.replace(/^:/, '')
  const path = name.startsWith('/') ? name : (process.env.TZDIR ?? '/usr/share/zoneinfo') + '/' + name
  try {
    return readFileSync(path).toString('latin1', 0, 4) === 'TZif'
  } catch {
    return false
  }
}

/** Parse a POSIX TZ string as glibc does; undefined when it is not one (glibc then uses UTC). */
export function parsePosixTz(s: string): PosixRule | undefined {
  let i = 0
  const name = (): string | undefined => {
    const m = /^(?:<([A-Za-z0-9+-]{3,})>|([A-Za-z]{3,}))/.exec(s.slice(i))
    if (!m) return undefined
    i += m[0].length
    return m[1] ?? m[2]
  }
  // [+-]hh[:mm[:ss]] in seconds, clamped as glibc does (hours to 24, or 167 in a rule's time);
  // zone offsets are west-positive, so they are negated to east.
  const time = (zoneOffset: boolean): number | undefined => {
    const m = /^([+-]?)(\d+)(?::(\d+))?(?::(\d+))?/.exec(s.slice(i))
    if (!m) return undefined
    i += m[0].length
    const secs = Math.min(Number(m[2]), zoneOffset ? 24 : 167) * 3600 + Math.min(Number(m[3] ?? 0), 59) * 60 +
      Math.min(Number(m[4] ?? 0), 59)
    const negative = m[1] === '-'
    return zoneOffset === negative ? secs : -secs
  }
  const ruleDay = (): RuleDay | 'bad' | undefined => {
    const m = /^(?:J(\d+)|(\d+)|M(\d+)\.(\d+)\.(\d+))/.exec(s.slice(i))
    if (!m) return undefined
    i += m[0].length
    let t = 7200
    if (s[i] === '/') {
      i++
      const v = time(false)
      if (v === undefined) return undefined
      t = v
    }
    const n = Number(m[1] ?? m[2])
    if (m[1] !== undefined) return n >= 1 && n <= 365 ? { kind: 'J', n, time: t } : 'bad'
    if (m[2] !== undefined) return n <= 365 ? { kind: 'n', n, time: t } : 'bad'
    const [mo, w, d] = [Number(m[3]), Number(m[4]), Number(m[5])]
    return mo >= 1 && mo <= 12 && w >= 1 && w <= 5 && d <= 6 ? { kind: 'M', m: mo, w, d, time: t } : 'bad'
  }
  const std = name()
  const stdOff = std === undefined ? undefined : time(true)
  if (std === undefined || stdOff === undefined) return undefined
  const rule: PosixRule = { std, stdOff, dstOff: stdOff + 3600 }
  const dst = name()
  if (dst === undefined) return rule
  rule.dst = dst
  if (s[i] !== ',' && s[i] !== undefined) rule.dstOff = time(true) ?? rule.dstOff
  // glibc: rules that are missing or incomplete fall back to the US rules ("posixrules"; an
  // approximation within the hour around the changes), rules out of range mean no DST at all.
  const at = i
  i++
  const start = s[at] === ',' ? ruleDay() : undefined
  const end = start !== undefined && s[i++] === ',' ? ruleDay() : undefined
  if (start === 'bad' || end === 'bad') {
    rule.dst = undefined
    return rule
  }
  rule.start = start !== undefined && end !== undefined ? start : { kind: 'M', m: 3, w: 2, d: 0, time: 7200 }
  rule.end = start !== undefined && end !== undefined ? end : { kind: 'M', m: 11, w: 1, d: 0, time: 7200 }
  return rule
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

// Seconds from the start of `year` (local) to 00:00 of the rule's day.
function ruleDayStart(r: RuleDay, year: number): number {
  // Jn counts 1..365 and never Feb 29; n counts 0..365 with it
  if (r.kind !== 'M') return r.kind === 'J' ? (r.n - 1 + (isLeap(year) && r.n >= 60 ? 1 : 0)) * 86400 : r.n * 86400
  const first = Date.UTC(year, r.m - 1, 1)
  const firstDow = new Date(first).getUTCDay()
  let day = 1 + ((r.d - firstDow + 7) % 7) + (r.w - 1) * 7
  const monthDays = new Date(Date.UTC(year, r.m, 0)).getUTCDate()
  while (day > monthDays) day -= 7
  return (first - Date.UTC(year, 0, 1)) / 1000 + (day - 1) * 86400
}

/** The offset east of UTC in effect at `epochSec`, and whether it is daylight time. */
function posixOffset(r: PosixRule, epochSec: number): { offset: number; dst: boolean } {
  if (r.dst === undefined || r.start === undefined || r.end === undefined) return { offset: r.stdOff, dst: false }
  const year = new Date((epochSec + r.stdOff) * 1000).getUTCFullYear()
  const yearStart = Date.UTC(year, 0, 1) / 1000
  // The start is given in standard time, the end in daylight time.
  const start = yearStart + ruleDayStart(r.start, year) + r.start.time - r.stdOff
  const end = yearStart + ruleDayStart(r.end, year) + r.end.time - r.dstOff
  const dst = start < end ? epochSec >= start && epochSec < end : epochSec >= start || epochSec < end
  return { offset: dst ? r.dstOff : r.stdOff, dst }
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December']

const p2 = (n: number): string => (n < 10 ? '0' + n : String(n))
const s2 = (n: number): string => (n < 10 ? ' ' + n : String(n))
const p3 = (n: number): string => (n < 10 ? '00' + n : n < 100 ? '0' + n : String(n))
const hour12 = (h: number): number => h % 12 || 12

/** `+hhmm` / `-hhmm`, as strftime's %z. */
export function formatOffset(offsetMin: number): string {
  const a = Math.abs(Math.trunc(offsetMin))
  return (offsetMin < 0 ? '-' : '+') + p2(Math.floor(a / 60)) + p2(a % 60)
}

// ISO 8601 week-numbering year and week (strftime %G and %V)
function isoWeek(t: LocalTime): { year: number; week: number } {
  const isoDow = t.wday === 0 ? 7 : t.wday
  const week = Math.floor((t.yday + 1 - isoDow + 10) / 7)
  if (week < 1) return { year: t.year - 1, week: weeksInYear(t.year - 1) }
  if (week > weeksInYear(t.year)) return { year: t.year + 1, week: 1 }
  return { year: t.year, week }
}

function weeksInYear(y: number): number {
  const p = (x: number): number => (x + Math.floor(x / 4) - Math.floor(x / 100) + Math.floor(x / 400)) % 7
  return p(y) === 4 || p(y - 1) === 3 ? 53 : 52
}

/** strftime("%<conv>") for one conversion byte, C locale; an unknown byte prints `%` and itself, as glibc does. */
export function strftime1(conv: number, t: LocalTime): string {
  switch (String.fromCharCode(conv)) {
    case 'a': return DAYS[t.wday].slice(0, 3)
    case 'A': return DAYS[t.wday]
    case 'b': case 'h': return MONTHS[t.month - 1].slice(0, 3)
    case 'B': return MONTHS[t.month - 1]
    case 'c': return `${DAYS[t.wday].slice(0, 3)} ${MONTHS[t.month - 1].slice(0, 3)} ${s2(t.day)} ` +
      `${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)} ${t.year}`
    case 'C': return p2(Math.floor(t.year / 100))
    case 'd': return p2(t.day)
    case 'D': case 'x': return `${p2(t.month)}/${p2(t.day)}/${p2(t.year % 100)}`
    case 'e': return s2(t.day)
    case 'F': return `${t.year}-${p2(t.month)}-${p2(t.day)}`
    case 'g': return p2(isoWeek(t).year % 100)
    case 'G': return String(isoWeek(t).year)
    case 'H': return p2(t.hour)
    case 'I': return p2(hour12(t.hour))
    case 'j': return p3(t.yday + 1)
    case 'k': return s2(t.hour)
    case 'l': return s2(hour12(t.hour))
    case 'm': return p2(t.month)
    case 'M': return p2(t.minute)
    case 'n': return '\n'
    case 'p': return t.hour < 12 ? 'AM' : 'PM'
    case 'P': return t.hour < 12 ? 'am' : 'pm'
    case 'r': return `${p2(hour12(t.hour))}:${p2(t.minute)}:${p2(t.second)} ${t.hour < 12 ? 'AM' : 'PM'}`
    case 'R': return `${p2(t.hour)}:${p2(t.minute)}`
    case 's': return String(t.epochSec)
    case 'S': return p2(t.second)
    case 't': return '\t'
    case 'T': case 'X': return `${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}`
    case 'u': return String(t.wday === 0 ? 7 : t.wday)
    case 'U': return p2(Math.floor((t.yday + 7 - t.wday) / 7))
    case 'V': return p2(isoWeek(t).week)
    case 'w': return String(t.wday)
    case 'W': return p2(Math.floor((t.yday + 7 - ((t.wday + 6) % 7)) / 7))
    case 'y': return p2(t.year % 100)
    case 'Y': return String(t.year)
    case 'z': return formatOffset(t.offsetMin)
    case 'Z': return zoneAbbreviation(t)
    case '%': return '%'
    default: return '%' + String.fromCharCode(conv) // latin1: the byte comes back unchanged
  }
}

/** Nine-digit nanoseconds within the second (@N). */
export function nanos9(nanos: number): string {
  return String(nanos).padStart(9, '0')
}

/** `%U`: Unix time with nanoseconds, `secs.nnnnnnnnn`. */
export function unixTimeNanos(reading: { epochMs: number; nanos: number }): string {
  return Math.floor(reading.epochMs / 1000) + '.' + nanos9(reading.nanos)
}

// The date-and-time part is the same for every reading within one second: cache it per second and TZ.
let cacheSec = NaN
let cacheTz: string | undefined
let cacheBase = ''
let cacheZone = ''

function secondParts(reading: { epochMs: number }): void {
  const sec = Math.floor(reading.epochMs / 1000)
  const tz = process.env.TZ
  if (sec === cacheSec && tz === cacheTz) return
  const t = localTime({ epochMs: reading.epochMs, nanos: 0 })
  cacheBase = `${t.year}-${p2(t.month)}-${p2(t.day)}T${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}`
  cacheZone = formatOffset(t.offsetMin)
  cacheSec = sec
  cacheTz = tz
}

/** `%I`: strftime("%FT%T%z") in local time. */
export function isoLocalTime(reading: { epochMs: number; nanos: number }): string {
  secondParts(reading)
  return cacheBase + cacheZone
}

/** The JSON "tst" value. */
export function jsonTimestamp(reading: { epochMs: number; nanos: number }): string {
  secondParts(reading)
  // mosquitto 2.0.11 prints a stray "Z" between the microseconds and the offset (fixed in 2.0.13)
  return cacheBase + '.' + String(Math.floor(reading.nanos / 1000)).padStart(6, '0') + cacheZone
}

// --- %Z: the zone abbreviation. ICU's short names differ from tzdata's (Dubai is "+04" in tzdata, "GST"
// or "GMT+4" in ICU), so read the abbreviation from the same TZif file glibc would use, once per TZ value.

interface Zone { times: number[]; types: number[]; abbrs: string[]; std?: string; dst?: string; stdOff: number }

const zones = new Map<string, Zone | string>()

function zoneAbbreviation(t: LocalTime): string {
  const tz = process.env.TZ
  const key = tz ?? '\0'
  let z = zones.get(key)
  if (z === undefined) {
    z = loadZone(tz)
    zones.set(key, z)
  }
  const rule = posixRule()
  if (rule !== undefined) return posixOffset(rule, t.epochSec).dst ? rule.dst! : rule.std
  if (typeof z === 'string') return z
  const { times } = z
  const last = times.length - 1
  if (last < 0 || t.epochSec >= times[last]) {
    if (z.std !== undefined) return z.dst !== undefined && t.offsetMin * 60 !== z.stdOff ? z.dst : z.std
    return z.abbrs[last < 0 ? 0 : z.types[last]] ?? 'UTC'
  }
  if (t.epochSec < times[0]) return z.abbrs[0] ?? 'UTC'
  let lo = 0
  let hi = last
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (times[mid] <= t.epochSec) lo = mid
    else hi = mid - 1
  }
  return z.abbrs[z.types[lo]]
}

function loadZone(tz: string | undefined): Zone | string {
  const name = tz?.startsWith(':') ? tz.slice(1) : tz
  if (name === '') return 'UTC'
  const path = name === undefined ? '/etc/localtime'
    : name.startsWith('/') ? name : (process.env.TZDIR ?? '/usr/share/zoneinfo') + '/' + name
  try {
    return parseTzif(readFileSync(path))
  } catch {
    // glibc falls back to reading TZ as a POSIX rule ("XYZ", "<+03>-3"): its first name is the abbreviation.
    if (name === undefined) return icuAbbreviation()
    const m = /^(?:<([A-Za-z0-9+-]{3,})>|([A-Za-z]{3,}))/.exec(name)
    return m ? (m[1] ?? m[2]) : ''
  }
}

function icuAbbreviation(): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date())
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? 'UTC'
}

// RFC 8536 TZif: use the 64-bit block of version 2+ files, and the POSIX footer for later times.
function parseTzif(b: Buffer): Zone {
  if (b.toString('latin1', 0, 4) !== 'TZif') throw new Error('not TZif')
  const v1 = counts(b, 0)
  let off = 44
  let timeSize = 4
  let c = v1
  if (b[4] >= 0x32) {
    off = 44 + v1.time * 5 + v1.type * 6 + v1.chars + v1.leap * 8 + v1.isstd + v1.isut
    c = counts(b, off)
    off += 44
    timeSize = 8
  }
  const times: number[] = []
  for (let i = 0; i < c.time; i++) {
    times.push(timeSize === 8 ? Number(b.readBigInt64BE(off + i * 8)) : b.readInt32BE(off + i * 4))
  }
  off += c.time * timeSize
  const types = [...b.subarray(off, off + c.time)]
  off += c.time
  const charsAt = off + c.type * 6
  const abbrs: string[] = []
  for (let i = 0; i < c.type; i++) {
    const start = charsAt + b[off + i * 6 + 5]
    const end = b.indexOf(0, start)
    abbrs.push(b.toString('latin1', start, end < 0 ? charsAt + c.chars : end))
  }
  const zone: Zone = { times, types, abbrs, stdOff: 0 }
  if (timeSize === 8) {
    const tail = charsAt + c.chars + c.leap * 12 + c.isstd + c.isut
    const footer = b.toString('latin1', tail + 1, b.indexOf(0x0a, tail + 1))
    const m = /^(<[^>]*>|[A-Za-z]+)([+-]?[\d:]+)(<[^>]*>|[A-Za-z]+)?/.exec(footer)
    if (m) {
      const bare = (s: string): string => s.replace(/^<|>$/g, '')
      const [h = 0, mi = 0, s = 0] = m[2].replace(/^[+-]/, '').split(':').map(Number)
      zone.std = bare(m[1])
      zone.dst = m[3] && bare(m[3])
      zone.stdOff = (m[2].startsWith('-') ? 1 : -1) * (h * 3600 + mi * 60 + s)
    }
  }
  return zone
}

function counts(b: Buffer, at: number) {
  const n = (i: number): number => b.readUInt32BE(at + 20 + i * 4)
  return { isut: n(0), isstd: n(1), leap: n(2), time: n(3), type: n(4), chars: n(5) }
}
