// The -F cases of the differential tier: helpers to write them, and the cases on which mosquitto_sub
// 2.0.11 and 2.1.2 print the same bytes (format.test.ts runs them against 2.0.11, format21.test.ts
// against 2.1.2, with the cases where 2.1.2 differs). Both subscribers run side by side on the same
// filter and print the same messages; clock readings are masked before comparing.
import type { Arg, DiffCase, Step } from '../helpers/differential.js'

/** A publish of `payload` at QoS 1 (or `extra` options) to the case's topic. */
export const m = (payload: Arg, ...extra: Arg[]): Step => ({ pub: ['-t', '{T}', '-m', payload, '-q', '1', ...extra] })
/** The same with the payload from stdin (any bytes). */
export const stdin = (payload: Buffer | string, ...extra: Arg[]): Step => ({ pub: ['-t', '{T}', '-s', '-q', '1', ...extra], stdin: payload })
/** An empty message. */
export const empty: Step = { pub: ['-t', '{T}', '-n', '-q', '1'] }
const V5_PROPS = ['-V', '5', '-D', 'publish', 'content-type', 'text/plain', '-D', 'publish', 'correlation-data', 'corr',
  '-D', 'publish', 'message-expiry-interval', '3600', '-D', 'publish', 'payload-format-indicator', '1',
  '-D', 'publish', 'user-property', 'k1', 'v1', '-D', 'publish', 'user-property', 'k1', 'v2', '-D', 'publish', 'response-topic', 'resp/t']
/** A v5 message with every property mosquitto_pub can set, user-property twice with one key. */
export const withProps = (payload: Arg): Step => m(payload, ...V5_PROPS)
/** Clock digits differ between the two runs; names of days and months do not. */
export const digits = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/[0-9]/g, '#'), 'latin1')

/**
 * One format, printed for `feed` by both subscribers (-C counts the feed's messages, or the one
 * retained message of `setup` when there is no feed).
 */
export const fmt = (name: string, format: Arg, feed: Step[], { sub = [], ...extra }: Partial<DiffCase> & { sub?: Arg[] } = {}): DiffCase => ({
  name, args: ['-t', '{T}', '-C', String(Math.max(feed.length, 1)), '-F', format, ...sub], feed, ...extra,
})
/** A format that must be refused at parse time. */
export const bad = (format: Arg, extra: Partial<DiffCase> = {}): DiffCase =>
  ({ name: `-F ${JSON.stringify(format.toString())} is refused`, args: ['-t', '{T}', '-F', format], waitFor: false, ...extra })

export const specifiers: DiffCase[] = [
  fmt('every field at QoS 0', '|%t|%p|%q|%r|%m|%l|%x|%X|%%|', [m('message', '-q', '0')]),
  fmt('every field at QoS 1 (%m is the mid)', '|%t|%p|%q|%r|%m|%l|%x|%X|', [m('message'), m('again')], { sub: ['-q', '1'] }),
  fmt('%r of a retained message', '%r %q %t', [], { sub: ['-q', '2'], setup: [m('kept', '-r')] }),
  fmt('%r of a live message published with -r is 0', '%r %t', [m('live', '-r')]),
  fmt('an empty payload', '[%p][%x][%l][%5p][%-3x]', [empty]),
  fmt('binary payload through %p and %x', '%p|%x|%X|%l', [stdin(Buffer.from([0, 1, 0xff, 0x0a, 0x7f]))]),
  fmt('%t: width, left, precision', '[%30t][%-30t][%.2t][%10.2t][%-10.4t][%030t][%5t]', [m('message')]),
  fmt('%p: a width truncates, precision is ignored', '[%12p][%-12p][%3p][%.3p][%012p]', [m('message')]),
  fmt('%-p and %-x without a width pad by the payload length', '[%-p][%-x][%-X]', [m('message')]),
  fmt('numbers: %l %m with flags', '[%5l][%05l][%-05l][%-5l][%5m][%05m]', [m('message')], { sub: ['-q', '1'] }),
  fmt('flags and widths ignored on %q %r %%', '[%5q][%-5r][%05%][%.3q]', [m('message')]),
  fmt('a width that wraps around like a C int', '[%4294967297l][%4294967286l][%.4294967297t]', [m('message')]),
  fmt('-F overrides -v', '%p', [m('message')], { sub: ['-v'] }),
  fmt('-F with -N', '<%p>', [m('a'), m('b')], { sub: ['-N'] }),
  fmt('literal text only', 'just text', [m('a')]),
]

export const properties: DiffCase[] = [
  fmt('v5 fields missing, v3 subscriber', '|%5A|%5C|%5D|%5E|%05F|%5P|%5R|%5S|', [m('message')]),
  fmt('v5 fields missing, v5 subscriber', '|%5A|%5C|%5D|%5E|%05F|%5P|%5R|%05S|%-4E|', [m('message')], { sub: ['-V', '5'] }),
  fmt('v5 fields present', '|%A|%C|%D|%E|%F|%P|%R|%S|', [withProps('message')], { sub: ['-V', '5'] }),
  fmt('v5 fields with widths and precisions', '|%12C|%-12C|%.4C|%8E|%08E|%-3F|%03F|%10R|%.3R|%-8R|', [withProps('m')], { sub: ['-V', '5'] }),
  fmt('v5 fields are not sent to a v3 subscriber', '|%C|%D|%E|%F|%P|%R|', [withProps('message')]),
]

export const time: DiffCase[] = [
  fmt('%I and %U', '%I|%U|%p', [m('message')]),
  fmt('%I with width and precision', '[%30I][%-26I][%.10I]', [m('message')], { normalize: digits }),
  fmt('@ date and time', '@Y-@m-@d|@H:@M:@S|@N|@s|@@|@z|@Z', [m('message')], { normalize: digits }),
  fmt('@ names and other conversions', '@a @A @b @B @c @C @D @e @F @g @G @h @I @j @k @l @n @p @r @R @t @T @u @U @V @w @W @x @X @y @% @P',
    [m('message')], { normalize: digits }),
  fmt('@ conversions glibc does not know', '@q @E @O @+ @i @L', [m('message')]),
  fmt('@ and % mixed', '@H%t@@%%@M', [m('message')], { normalize: digits }),
]

/** TZ values: a zoneinfo name, and POSIX rules that only the C library reads. */
export const ZONES = ['Asia/Kolkata', 'America/St_Johns', 'XYZ-3:30', '<+0330>-3:30', 'CET-1CEST,M3.5.0,M10.5.0/3', 'AEST-10AEDT,M10.1.0,M4.1.0/3']

export const escapes: DiffCase[] = [
  fmt('every escape', 'a\\\\b\\0c\\ad\\ee\\nf\\rg\\th\\vi', [m('message')]),
  fmt('escapes around fields', '\\t%p\\n', [m('x'), m('y')]),
]

export const errors: DiffCase[] = [
  ...['%', '%0', '%-', '%1', '%.', '%.1', 'abc%', '%-05'].map((f) => bad(f)),
  ...['%Z', '%z', '%5.3Q'].map((f) => bad(f)),
  ...['@', 'a@'].map((f) => bad(f)),
  ...['\\', 'x\\', '\\z', '\\x41'].map((f) => bad(f)),
]
