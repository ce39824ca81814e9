// mosquitto_sub -F 2.0.11 vs tssub -F: every % specifier with its flags, width and precision
// (including 2.0.11's width bugs), every @ time specifier, every \ escape, %j/%J JSON with and
// without --pretty and v5 properties, and every format error. Both subscribers run side by side
// on the same filter and print the same messages; clock readings are masked before comparing.
//
// Intentional differences (README "Differences from mosquitto"):
// | case                         | mosquitto 2.0.11                              | ours                                   |
// | %x/%X with a width           | the payload cut to `width` bytes, half shown  | the width is a minimum (as in 2.1)     |
// | %j, payload with a NUL       | cut at the NUL                                 | the whole payload, NUL as \u0000        |
// | %j, payload not UTF-8        | raw bytes in the string (not JSON)            | "payload_encoding":"base64" + base64   |
import { differential, type Arg, type DiffCase, type Step } from '../helpers/differential.js'

const m = (payload: Arg, ...extra: Arg[]): Step => ({ pub: ['-t', '{T}', '-m', payload, '-q', '1', ...extra] })
const stdin = (payload: Buffer | string, ...extra: Arg[]): Step => ({ pub: ['-t', '{T}', '-s', '-q', '1', ...extra], stdin: payload })
const empty: Step = { pub: ['-t', '{T}', '-n', '-q', '1'] }
const V5_PROPS = ['-V', '5', '-D', 'publish', 'content-type', 'text/plain', '-D', 'publish', 'correlation-data', 'corr',
  '-D', 'publish', 'message-expiry-interval', '3600', '-D', 'publish', 'payload-format-indicator', '1',
  '-D', 'publish', 'user-property', 'k1', 'v1', '-D', 'publish', 'user-property', 'k1', 'v2', '-D', 'publish', 'response-topic', 'resp/t']
const withProps = (payload: Arg): Step => m(payload, ...V5_PROPS)
// Clock digits differ between the two runs; names of days and months do not.
const digits = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/[0-9]/g, '#'), 'latin1')

// One format, printed for `feed` by both subscribers (-C counts the feed's messages, or the one
// retained message of `setup` when there is no feed).
const fmt = (name: string, format: Arg, feed: Step[], { sub = [], ...extra }: Partial<DiffCase> & { sub?: Arg[] } = {}): DiffCase => ({
  name, args: ['-t', '{T}', '-C', String(Math.max(feed.length, 1)), '-F', format, ...sub], feed, ...extra,
})
// A format that must be refused at parse time.
const bad = (format: Arg): DiffCase => ({ name: `-F ${JSON.stringify(format.toString())} is refused`, args: ['-t', '{T}', '-F', format], waitFor: false })

const specifiers: DiffCase[] = [
  fmt('every field at QoS 0', '|%t|%p|%q|%r|%m|%l|%x|%X|%%|', [m('message', '-q', '0')]),
  fmt('every field at QoS 1 (%m is the mid)', '|%t|%p|%q|%r|%m|%l|%x|%X|', [m('message'), m('again')], { sub: ['-q', '1'] }),
  fmt('%r of a retained message', '%r %q %t', [], { sub: ['-q', '2'], setup: [m('kept', '-r')] }),
  fmt('%r of a live message published with -r is 0', '%r %t', [m('live', '-r')]),
  fmt('an empty payload', '[%p][%x][%l][%5p][%-3x]', [empty]),
  fmt('binary payload through %p and %x', '%p|%x|%X|%l', [stdin(Buffer.from([0, 1, 0xff, 0x0a, 0x7f]))]),
  fmt('%t: width, left, precision', '[%30t][%-30t][%.2t][%10.2t][%-10.4t][%030t][%5t]', [m('message')]),
  fmt('%p: a width truncates, precision is ignored', '[%12p][%-12p][%3p][%.3p][%012p]', [m('message')]),
  fmt('%-p without a width pads by the payload length', '[%-p]', [m('message')]),
  // difference: the width is a minimum and every byte is printed (mosquitto prints half of `width` bytes).
  fmt('%x and %X with a width', '[%20x][%4x][%020x][%-20X][%1x][%-x]', [m('message')], {
    ours: { stdout: '[      6d657373616765][6d657373616765][0000006d657373616765][6D657373616765      ][6d657373616765][6d657373616765]\n' },
  }),
  fmt('numbers: %l %m with flags', '[%5l][%05l][%-05l][%-5l][%5m][%05m]', [m('message')], { sub: ['-q', '1'] }),
  fmt('flags and widths ignored on %q %r %%', '[%5q][%-5r][%05%][%.3q]', [m('message')]),
  fmt('a width that wraps around like a C int', '[%4294967297l]', [m('message')]),
  fmt('-F overrides -v', '%p', [m('message')], { sub: ['-v'] }),
  fmt('-F with -N', '<%p>', [m('a'), m('b')], { sub: ['-N'] }),
  fmt('literal text only', 'just text', [m('a')]),
]

const properties: DiffCase[] = [
  fmt('v5 fields missing, v3 subscriber', '|%5A|%5C|%5D|%5E|%05F|%5P|%5R|%5S|', [m('message')]),
  fmt('v5 fields missing, v5 subscriber', '|%5A|%5C|%5D|%5E|%05F|%5P|%5R|%05S|%-4E|', [m('message')], { sub: ['-V', '5'] }),
  fmt('v5 fields present', '|%A|%C|%D|%E|%F|%P|%R|%S|', [withProps('message')], { sub: ['-V', '5'] }),
  fmt('v5 fields with widths and precisions', '|%12C|%-12C|%.4C|%8E|%08E|%-3F|%03F|%10R|%.3R|%-8R|', [withProps('m')], { sub: ['-V', '5'] }),
  fmt('v5 fields are not sent to a v3 subscriber', '|%C|%D|%E|%F|%P|%R|', [withProps('message')]),
]

const time: DiffCase[] = [
  fmt('%I and %U', '%I|%U|%p', [m('message')]),
  fmt('%I with width and precision', '[%30I][%-26I][%.10I]', [m('message')], { normalize: digits }),
  fmt('@ date and time', '@Y-@m-@d|@H:@M:@S|@N|@s|@@|@z|@Z', [m('message')], { normalize: digits }),
  fmt('@ names and other conversions', '@a @A @b @B @c @C @D @e @F @g @G @h @I @j @k @l @n @p @r @R @t @T @u @U @V @w @W @x @X @y @% @P',
    [m('message')], { normalize: digits }),
  fmt('@ conversions glibc does not know', '@q @E @O @+ @i @L', [m('message')]),
  fmt('@ and % mixed', '@H%t@@%%@M', [m('message')], { normalize: digits }),
  // Local time under other TZ values: a zoneinfo name, and POSIX rules that only the C library reads.
  ...['Asia/Kolkata', 'America/St_Johns', 'XYZ-3:30', '<+0330>-3:30', 'CET-1CEST,M3.5.0,M10.5.0/3', 'AEST-10AEDT,M10.1.0,M4.1.0/3']
    .map((tz) => fmt(`TZ=${tz}`, '@z|@Z|@H|%j', [m('message')], { env: { TZ: tz } })),
]

const escapes: DiffCase[] = [
  fmt('every escape', 'a\\\\b\\0c\\ad\\ee\\nf\\rg\\th\\vi', [m('message')]),
  fmt('escapes around fields', '\\t%p\\n', [m('x'), m('y')]),
]

const SPECIAL = Buffer.concat([Buffer.from('a\x01b\x1fc\x7fd'), Buffer.from('é', 'utf8'), Buffer.from([0x65, 0xff]),
  Buffer.from('z"q\\/\b\f\n\r\t end', 'latin1')])
// cJSON's parser and number printer at their edges: overflow, subnormals, 15 vs 17 digits, surrogates,
// lenient prefixes and trailing commas (one message per line).
const ODD_JSON = ['1e400', '-1e400', '[0.1e1,1E2,1e-2,-0.0,0e0]', '123456789012345678901234567890', '1.7976931348623157e308',
  '5e-324', '{"a":"\\ud83d\\ude00"}', '"\\ud800"', '"\\u0000ab"', '[1,2,]', '{"a":1,}', 'tru', '0x10', '+1', '.5', '01', '1.',
  '-', '[1.5e300,2.2250738585072014e-308,0.30000000000000004,1e15,1e16,1e17,-12.5e-5]', '"\\u00e9\\u20ac\\uFFFF"',
  '[1e-7,1e-6,1e21,1e20,3.14159265358979]']
const json: DiffCase[] = [
  fmt('%j at QoS 0', '%j', [m('hello')]),
  fmt('%j at QoS 1 has a mid', '%j', [m('hello')], { sub: ['-q', '1'] }),
  fmt('%j of a retained message', '%j', [], { setup: [m('kept', '-r', '-q', '2')] }),
  fmt('%j of an empty payload', '%j', [empty]),
  // difference: a payload that is not UTF-8 goes as base64 (mosquitto copies the bytes raw: not JSON).
  fmt('%j of a payload that is not UTF-8', '%j', [stdin(SPECIAL)], {
    ours: { stdout: new RegExp(`"payloadlen":${SPECIAL.length},"payload_encoding":"base64","payload":"${SPECIAL.toString('base64').replace(/[+/]/g, '\\$&')}"}\n$`) },
  }),
  fmt('%j escapes as cJSON does', '%j', [stdin(Buffer.from('a\x01b\x1fc\x7fdé z"q\\/\b\f\n\r\t end'))]),
  // difference: the whole payload, its NUL escaped (mosquitto cuts the payload at the NUL).
  fmt('%j of a payload with a NUL', '%j', [stdin(Buffer.from('bin\0ary payload'))], {
    ours: { stdout: /"payload":"bin\\u0000ary payload"}\n$/ },
  }),
  fmt('%j with an odd topic', '%j', [{ pub: ['-t', '{T}/"q"\\/é', '-m', 'x'] }], { args: ['-t', '{T}/#', '-C', '1', '-F', '%j'] }),
  fmt('%j with v5 properties', '%j', [withProps('message')], { sub: ['-V', '5'] }),
  fmt('%j --pretty', '%j', [m('hello')], { sub: ['--pretty', '-q', '1'] }),
  fmt('%j --pretty with v5 properties', '%j', [withProps('message')], { sub: ['-V', '5', '--pretty'] }),
  fmt('%J with an object', '%J', [m('{"a": 1, "b": [1, 2]}')]),
  fmt('%J normalises numbers', '%J', [m('[1.0, 1e21, 1.5e-7, -0, 0.1, 123456789012345678, -3.25e-300]')]),
  fmt('%J with whitespace around a scalar', '%J', [m(' 12 \n')]),
  fmt('%J with a string, \\u escapes and duplicate keys', '%J', [m('{"s":"str\\u00e9\\n","k":1,"k":2,"t":true,"f":false,"n":null}')]),
  fmt('%J with invalid JSON prints an empty line and an error', '%J', [m('{not json'), m('[1,]')]),
  fmt('%J with a NUL in the payload', '%J', [stdin(Buffer.from('{}\0'))]),
  fmt('%J of an empty payload', '%J', [empty]),
  { name: '%J with odd numbers, strings and invalid documents', args: ['-t', '{T}', '-C', String(ODD_JSON.length), '-F', '%J'],
    feed: [{ pub: ['-t', '{T}', '-l', '-q', '1'], stdin: ODD_JSON.join('\n') + '\n' }] },
  fmt('%J --pretty', '%J', [m('{"a":1,"b":[1,2],"c":{},"d":[],"e":[{"x":1}],"f":{"g":{"h":"i"}}}')], { sub: ['--pretty'] }),
  fmt('%J --pretty with a scalar', '%J', [m('"str"')], { sub: ['--pretty'] }),
  fmt('%j and %J in one format with text', '<%j>|<%J>', [m('[1]')], { sub: ['-q', '2'] }),
  fmt('--pretty without %j changes nothing', '%p', [m('x')], { sub: ['--pretty'] }),
]

const errors: DiffCase[] = [
  ...['%', '%0', '%-', '%1', '%.', '%.1', 'abc%', '%-05'].map(bad),
  ...['%Z', '%@s.@N', '%d', '%f', '%.3d', '%.2:x', '% p'].map(bad),
  ...['@', 'a@'].map(bad),
  ...['\\', 'x\\', '\\z', '\\x41'].map(bad),
]

differential('mosquitto_sub -F vs tssub -F', 'fmt', [
  { title: '% specifiers', kind: 'sub', cases: specifiers },
  { title: 'v5 properties', kind: 'sub', cases: properties },
  { title: 'time', kind: 'sub', cases: time },
  { title: 'escapes', kind: 'sub', cases: escapes },
  { title: 'JSON', kind: 'sub', cases: json },
  { title: 'format errors', kind: 'sub', cases: errors },
], { concurrency: 4 })
