// mosquitto_sub 2.1.2 -F vs tssub -F: the cases 2.0.11 prints alike (format-cases.ts) and those where
// 2.1.2 prints otherwise, which tssub follows: %j/%J ("retain":true, user properties as an array, no
// stray Z in "tst"), %x widths, hex groups with a separator, a separator accepted on any specifier,
// %f/%d, a missing %C padded with zeros. Broker and clients are 2.1.2's.
//
// Intentional differences (README "Differences from mosquitto"):
// | case                                  | mosquitto 2.1.2                             | ours                                     |
// | %j, payload with a NUL                | cut at the NUL                              | the whole payload, NUL as \u0000         |
// | %j, payload not UTF-8                 | raw bytes in the string (not JSON)          | "payload_encoding":"base64" + base64     |
// | %J, payload not UTF-8 or a bad \u     | raw bytes / a NUL that ends the string      | "not valid JSON" error                   |
// | %J, a number a double cannot hold     | 1e400 -> null, 123456789012345678901 -> 1.2345678901234568e+20 | the digits as given |
// | %J, "\u0000" in a string              | the string ends there                       | kept as \u0000                           |
// | %f/%d of a payload of another size    | its complaint without a newline             | the same complaint as a line             |
// | a format ending in a separator "%.2:" | "Invalid format specifier '<NUL>'."         | "Incomplete format specifier."           |
import { differential, type DiffCase, type Step } from '../helpers/differential.js'
import { bad, empty, errors, escapes, fmt, m, properties, specifiers, stdin, time, withProps, ZONES } from './format-cases.js'

const widths: DiffCase[] = [
  fmt('%x and %X with a width: the payload cut to `width` bytes, padded to `width` characters',
    '[%20x][%4x][%020x][%-20X][%1x][%-4x][%3X][%0x][%-4294967295x]', [m('message')]),
  fmt('hex groups and their separators', '[%.1x][%.2x][%.2:x][%.4-X][%.13x][%20.4x][%030.4_X][%010.3-x][%-10.2x][%.x][%.0x]', [m('message')]),
  fmt('hex groups of an empty payload: the padding and its separators', '[%6.2:x][%5.2:x][%-6.2x][%06.4x]', [empty]),
  fmt('hex groups of every byte value', '%.8:X|%-600.4x|%0600.3x|', [stdin(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))]),
  fmt('a separator is accepted (and ignored) on every specifier', '[%:t][%5.2:p][%- p][%:%][%@t][%-.2-t][%05:l][%.3#m][%-5#q]', [m('message')]),
  fmt('a missing %C is padded like the numbers', '|%05C|%-05C|%5C|%05A|', [m('message')], { sub: ['-V', '5'] }),
]

const floatBytes = (v: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeFloatLE(v)
  return b
}
const doubleBytes = (v: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeDoubleLE(v)
  return b
}
const NEGATIVE_NAN = { float: Buffer.from('0000c0ff', 'hex'), double: Buffer.from('000000000000f8ff', 'hex') }
const FLOATS = [-0.70710678, 1.5, 0.1, 3.4028234663852886e38, 1e-45, -0, Infinity, -Infinity, NaN].map(floatBytes)
const DOUBLES = [0.5, 1.5, 2.5, -0, 0.125, -0.04, 1e300, 5e-324, 123456789.987654321, Number.MAX_VALUE, Infinity, NaN].map(doubleBytes)
const feed = (payloads: Buffer[]): Step[] => payloads.map((p) => stdin(p))

const floats: DiffCase[] = [
  fmt('%f of floats', '[%f][%.3f][%10.2f][%-10.2f][%010.2f][%-010.2f][%.0f][%.60f][%4294967297.3f][%-4294967286.3f][%.f]',
    feed([...FLOATS, NEGATIVE_NAN.float])),
  fmt('%d of doubles', '[%d][%.0d][%.2d][%08.1d][%-8d][%020.17d][%.4294967295d][%-4294967286.3d]', feed([...DOUBLES, NEGATIVE_NAN.double])),
  fmt('%d with 1100 decimals', '%.1100d', feed([doubleBytes(-0.04), doubleBytes(5e-324)])),
  // difference: mosquitto's complaint has no newline, so the next one runs on.
  fmt('%f and %d of a payload of another size: nothing for the field, a complaint', '[%f][%d]', [m('message'), empty], {
    ours: { stderr: 'requested float printing, but non-float data received\nrequested double printing, but non-double data received\n'.repeat(2) },
  }),
]

const SPECIAL = Buffer.concat([Buffer.from('a\x01b\x1fc\x7fd'), Buffer.from('é', 'utf8'), Buffer.from([0x65, 0xff]),
  Buffer.from('z"q\\/\b\f\n\r\t end', 'latin1')])
// cJSON's parser and number printer at their edges: subnormals, 15 vs 17 digits, surrogates, lenient
// prefixes and trailing commas (one message per line).
const ODD_JSON = ['[0.1e1,1E2,1e-2,-0.0,0e0]', '1.7976931348623157e308', '5e-324', '{"a":"\\ud83d\\ude00"}', '"\\ud800"', '[1,2,]',
  '{"a":1,}', 'tru', '0x10', '+1', '.5', '01', '1.', '-', '[1.5e300,2.2250738585072014e-308,0.30000000000000004,1e15,1e16,1e17,-12.5e-5]',
  '"\\u00e9\\u20ac\\uFFFF"', '[1e-7,1e-6,1e21,1e20,3.14159265358979]', '9007199254740992', '1e308']
// What cJSON cannot carry (difference): numbers beyond a double, and a NUL inside a string.
const KEPT_JSON = ['1e400', '-1e400', '123456789012345678901234567890', '[9007199254740993,-12345678901234567890]', '"\\u0000ab"']
const lines = (payloads: string[]): Step => ({ pub: ['-t', '{T}', '-l', '-q', '1'], stdin: payloads.join('\n') + '\n' })
const payloadsOf = (out: Buffer): string[] => out.toString().split('\n').filter((l) => l !== '').map((l) => l.slice(l.indexOf('"payload":') + 10, -1))

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
  fmt('%j with v5 properties (user properties as an array, a repeated key kept)', '%j', [withProps('message')], { sub: ['-V', '5'] }),
  fmt('%j --pretty', '%j', [m('hello')], { sub: ['--pretty', '-q', '1'] }),
  fmt('%j --pretty with v5 properties', '%j', [withProps('message')], { sub: ['-V', '5', '--pretty'] }),
  fmt('%J with an object', '%J', [m('{"a": 1, "b": [1, 2]}')]),
  fmt('%J normalises numbers', '%J', [m('[1.0, 1e21, 1.5e-7, -0, 0.1, 1234567890123456, 9007199254740992, -3.25e-300]')]),
  fmt('%J with whitespace around a scalar', '%J', [m(' 12 \n')]),
  fmt('%J with a string, \\u escapes and duplicate keys', '%J', [m('{"s":"str\\u00e9\\n","k":1,"k":2,"t":true,"f":false,"n":null}')]),
  fmt('%J with invalid JSON prints an empty line and an error', '%J', [m('{not json'), m('[1,]')]),
  fmt('%J with a NUL in the payload', '%J', [stdin(Buffer.from('{}\0'))]),
  fmt('%J of an empty payload', '%J', [empty]),
  fmt('%J with odd numbers, strings and invalid documents', '%J', [lines(ODD_JSON)], { args: ['-t', '{T}', '-C', String(ODD_JSON.length), '-F', '%J'] }),
  // difference: the digits as given, the NUL kept (cJSON prints null, an approximation, or cuts the string).
  fmt('%J with numbers a double cannot hold and a NUL in a string', '%J', [lines(KEPT_JSON)], {
    args: ['-t', '{T}', '-C', String(KEPT_JSON.length), '-F', '%J'],
    ours: { stdout: (out) => JSON.stringify(payloadsOf(out)) === JSON.stringify(KEPT_JSON) },
  }),
  // difference: "not valid JSON" (mosquitto copies the 0xff into its output, or turns \u00zz into a NUL).
  fmt('%J of a string that is not UTF-8, or has a bad \\u escape', '%J', [stdin(Buffer.from('"a\xffb"', 'latin1')), m('"\\u00zz"')], {
    ours: { stdout: '\n\n', stderr: 'Error: Message payload is not valid JSON on topic {T}.\n'.repeat(2) },
  }),
  fmt('%J --pretty', '%J', [m('{"a":1,"b":[1,2],"c":{},"d":[],"e":[{"x":1}],"f":{"g":{"h":"i"}}}')], { sub: ['--pretty'] }),
  fmt('%J --pretty with a scalar', '%J', [m('"str"')], { sub: ['--pretty'] }),
  fmt('%j and %J in one format with text', '<%j>|<%J>', [m('[1]')], { sub: ['-q', '2'] }),
  fmt('--pretty without %j changes nothing', '%p', [m('x')], { sub: ['--pretty'] }),
  ...ZONES.map((tz) => fmt(`%j under TZ=${tz}`, '@z|@Z|@H|%j', [m('message')], { env: { TZ: tz } })),
]

// Fixed: mosquitto 2.1.2 prints the NUL after the separator as the "invalid specifier".
const incomplete = { ours: { stderr: /^Error: Incomplete format specifier\.\n\nUse 'tssub --help' to see usage\.\n$/ } }
const errors21: DiffCase[] = [
  // A separator character after the precision is taken as such, so the error names the character after it.
  ...['%@s.@N', '%0-5l', '%--5l', '%5.3.2l', '%5.3::l', '%-.2 :x'].map((f) => bad(f)),
  ...['%:', '%.2:', 'ab%-5.3 '].map((f) => bad(f, incomplete)),
]

differential('mosquitto_sub 2.1.2 -F vs tssub -F', 'fmt21', [
  { title: '% specifiers', kind: 'sub', cases: [...specifiers, ...widths] },
  { title: 'v5 properties', kind: 'sub', cases: properties },
  { title: '%f and %d', kind: 'sub', cases: floats },
  { title: 'time', kind: 'sub', cases: time },
  { title: 'escapes', kind: 'sub', cases: escapes },
  { title: 'JSON', kind: 'sub', cases: json },
  { title: 'format errors', kind: 'sub', cases: [...errors, ...errors21] },
], { broker: { version: '2.1' }, concurrency: 4 })
