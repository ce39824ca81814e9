// Unit tests for -F: checking, compiling and rendering (contract §2.10). Every expected string below was
// printed by mosquitto_sub 2.1.2 (and 2.0.11, where the two agree) for the same message, unless a
// comment says "Fixed"; time fields use an injected clock and TZ=UTC.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { UsageError } from '../../src/core/errors.js'
import type { ReceivedMessage } from '../../src/core/message.js'
import { compileFormat } from '../../src/output/format.js'
import { joinOutput, type OutPart } from '../../src/output/byte-writer.js'
import { renderMessage } from '../../src/output/render.js'
import type { Clock } from '../../src/output/time.js'

process.env.TZ = 'UTC'

const fixed = (epochMs: number, nanos: number): Clock => ({ now: () => ({ epochMs, nanos }) })
const noClock: Clock = { now: () => assert.fail('the clock must not be read') }

const plain: ReceivedMessage = { topic: Buffer.from('w/x'), payload: Buffer.from('message'), qos: 0, retain: false, mid: 0 }
const v5: ReceivedMessage = {
  topic: Buffer.from('f/x'),
  payload: Buffer.from('message'),
  qos: 1,
  retain: false,
  mid: 1,
  properties: {
    subscriptionIdentifier: 56,
    contentType: 'text/plain',
    correlationData: Buffer.from('corr'),
    payloadFormatIndicator: true,
    responseTopic: 'resp/t',
    userProperties: { k1: ['v1', 'v2'] },
    messageExpiryInterval: 3600,
  },
}

function render(format: string | Buffer, msg: ReceivedMessage = plain, clock: Clock = noClock, noEol = false): string {
  const compiled = compileFormat(typeof format === 'string' ? Buffer.from(format, 'latin1') : format)
  return joinOutput(renderMessage(msg, { format: compiled, verbose: false, noEol, pretty: false }, clock).out).toString('latin1')
}

// §2.10 "Check results", topic w/x and payload "message"
const checkResults: Array<[string, string]> = [
  ['[%10t]', '[       w/x]'],
  ['[%-10t]', '[w/x       ]'],
  ['[%.2t]', '[w/]'],
  ['[%10.2t]', '[        w/]'],
  ['[%12p]', '[     message]'],
  ['[%-12p]', '[message     ]'],
  ['[%3p]', '[mes]'],
  ['[%.3p]', '[message]'],
  ['[%5l]', '[    7]'],
  ['[%05l]', '[00007]'],
  ['[%5m]', '[    0]'],
  ['[%5q]', '[0]'],
  ['%x', '6d657373616765'],
]
for (const [format, want] of checkResults) {
  test(`check result ${format}`, () => assert.equal(render(format), want + '\n'))
}

// mosquitto's width and padding rules, and other flag/width cases
const widthCases: Array<[string, string]> = [
  // mosquitto 2.1: a width cuts the payload to `width` bytes, then pads the hex to `width` characters
  // (2.0.11 printed half of the cut bytes); -x pads by |width - printed|, or by the payload length.
  ['[%20x]', '[      6d657373616765]'],
  ['[%4x]', '[6d657373]'],
  ['[%020x]', '[0000006d657373616765]'],
  ['[%-20x]', '[6d657373616765      ]'],
  ['[%1x]', '[6d]'],
  ['[%3x]', '[6d6573]'],
  ['[%-4x]', '[6d657373    ]'],
  ['[%-x]', '[6d657373616765       ]'],
  ['[%-X]', '[6D657373616765       ]'],
  ['[%0x]', '[6d657373616765]'],
  ['[%-4294967295x]', '[6d657373616765        ]'],
  ['[%-4294967295p]', '[message        ]'],
  ['[%-p]', '[message       ]'],
  ['[%-0p]', '[message       ]'],
  ['[%-1p]', '[m]'],
  ['[%-8p]', '[message ]'],
  ['[%012p]', '[00000message]'],
  ['[%-012p]', '[message     ]'],
  ['[%-05p]', '[messa]'],
  ['[%.t]', '[]'],
  ['[%-.1t]', '[w]'],
  ['[%05t]', '[  w/x]'],
  ['%-05l', '7    '],
  ['%00000000000005l', '00007'],
  ['%10%', '%'],
  ['[%-10q%-10r%010r]', '[000]'],
  ['[%.3l][%5.3l][%.3m]', '[7][    7][0]'],
  ['[%4294967297l]', '[7]'], // the width wraps around like a C int
  ['[%4294967298.4294967297t]', '[ w]'],
  ['[%4294967295l]', '[7]'],
  ['[%4294967295p]', '[message]'],
  ['[%4294967294.4294967295t]', '[w/x]'],
  ['|%5A|%5C|%5D|%5E|%05F|%5P|%5R|%5S|', '|     |     ||     |00000|||     |'], // no v5 properties
  // mosquitto 2.1: a missing content-type is padded like the numbers (2.0.11: spaces for %05C)
  ['|%-5A|%-5C|%-05E|%-5F|%05C|%.2C|%-.3R|%-5S|%05S|%05A|%-05A|', '|     |     |00000|     |00000|||     |00000|00000|00000|'],
  ['[%5.3C][%-5.3C][%5.3R][%.3A][%5.3A][%.3D]', '[     ][     ][][][     ][]'],
]
for (const [format, want] of widthCases) {
  test(`width and flags ${format}`, () => assert.equal(render(format), want + '\n'))
}

test('empty payload with widths', () => {
  const empty = { ...plain, payload: Buffer.alloc(0) }
  assert.equal(render('|%p|%x|[%-p][%-x][%5x][%3p][%l]', empty), '|||[][][     ][   ][0]\n')
})

test('the v5 property line', () => {
  const clock = fixed(1795319567882, 882383021)
  assert.equal(render('|%t|%p|%q|%r|%m|%l|%A|%C|%D|%E|%F|%P|%R|%S|%x|%X|%%|%I|%U|', v5, clock),
    '|f/x|message|1|0|1|7||text/plain|corr|3600|1|k1:v1 k1:v2|resp/t|56|6d657373616765|6D657373616765|%|' +
    '2026-11-22T03:52:47+0000|1795319567.882383021|\n')
})

test('v5 properties with flags and widths', () => {
  const msg = { ...v5, properties: { ...v5.properties, messageExpiryInterval: 3445 } }
  assert.equal(render('|%-6A|%-12C|%.3C|%12.3C|%-8E|%08E|%-05E|%3F|%03F|%-3F|%-10R|%10.3R|%-5S|%05S|%010D|%10P|', msg),
    '|      |text/plain  |tex|         tex|3445    |00003445|3445 |  1|001|1  |resp/t    |       res|56   |00056|corr|k1:v1 k1:v2|\n')
  assert.equal(render('[%010C][%-010R][%010R][%.1F][%.5P][%.2D]', msg), '[text/plain][resp/t    ][    resp/t][1][k1:v1 k1:v2][corr]\n')
})

test('topic alias, numeric payload format indicator, several subscription ids, binary correlation data', () => {
  const msg: ReceivedMessage = {
    ...plain,
    properties: { topicAlias: 7, payloadFormatIndicator: 3, subscriptionIdentifier: [268435455, 2], correlationData: Buffer.from('ab\0cd') },
  }
  assert.equal(render('|%A|%5A|%-5A|%05A|%F|%S|%D|', msg), '|7|    7|7    |00007|3|268435455|ab\0cd|\n')
})

test('@ sequences share one clock reading', () => {
  let reads = 0
  const clock: Clock = { now: () => (reads++, { epochMs: 1795319588672, nanos: 672496159 }) }
  assert.equal(render('@Y-@m-@d|@H:@M:@S|@N|@s|@@|@z|@Z', plain, clock), '2026-11-22|03:53:08|672496159|1795319588|@|+0000|UTC\n')
  assert.equal(reads, 1)
})

test('%I, %U, %j and %J read the clock each time they appear', () => {
  let reads = 0
  const clock: Clock = { now: () => (reads++, { epochMs: 1795319567882, nanos: 882383021 }) }
  render('%I%U%I%j%J@s@N', plain, clock)
  assert.equal(reads, 6) // five for the % fields, one shared by @s and @N
})

test('formats without time fields never read the clock', () => {
  assert.equal(render('%t %p %x %l %m %q %r %A %C %D %E %F %P %R %S %% @@ \\n', v5), 'f/x message 6d657373616765 7 1 1 0  text/plain corr 3600 1 k1:v1 k1:v2 resp/t 56 % @ \n\n')
})

test('strftime conversions in the C locale', () => {
  const clock = fixed(1795323881000, 0)
  assert.equal(render('@a|@A|@b|@B|@c|@C|@D|@e|@F|@g|@G|@h|@I|@j|@k|@l|@p|@P|@r|@R|@T|@u|@U|@V|@w|@W|@x|@X|@y', plain, clock),
    'Sun|Sunday|Nov|November|Sun Nov 22 05:04:41 2026|20|11/22/26|22|2026-11-22|26|2026|Nov|05|326| 5| 5|AM|am|05:04:41 AM|05:04|05:04:41|7|47|47|0|46|11/22/26|05:04:41|26\n')
  // what glibc prints for conversions it does not know, and the modifiers with nothing after them
  assert.equal(render('@q|@+|@E|@O|@%|@i|@\xc3', plain, clock), '%q|%+|%E|%O|%|%i|%\xc3\n')
})

test('local time honours TZ', () => {
  const clock = fixed(1795323881976, 976076000)
  const zones: Array<[string, string]> = [
    ['Asia/Kolkata', '2026-11-22T10:34:41+0530|IST'],
    ['America/New_York', '2026-11-22T00:04:41-0500|EST'],
    ['Australia/Lord_Howe', '2026-11-22T16:04:41+1100|+11'],
  ]
  try {
    for (const [tz, want] of zones) {
      process.env.TZ = tz
      assert.equal(render('%I|@Z', plain, clock), want + '\n', tz)
    }
  } finally {
    process.env.TZ = 'UTC'
  }
})

test('escapes', () => {
  assert.equal(render('a\\\\b\\0c\\ad\\ee\\nf\\rg\\th\\v'), 'a\\b\0c\x07d\x1be\nf\rg\th\x0b\n')
})

test('-N drops the final newline; an empty format prints only the newline', () => {
  assert.equal(render('%t', plain, noClock, true), 'w/x')
  assert.equal(render(''), '\n')
  assert.equal(render('', plain, noClock, true), '')
})

test('compiled tokens: literals merged, flags and widths kept', () => {
  assert.deepEqual(compileFormat(Buffer.from('a%%b@@\\t%-05.3t@N@Y')).tokens, [
    { kind: 'literal', bytes: Buffer.from('a%b@\t') },
    { kind: 'field', field: 'topic', pad: { left: true, zero: true, width: 5, precision: 3, sep: 0x20 } },
    { kind: 'nanos' },
    { kind: 'strftime', conv: 0x59 },
  ])
})

// check_format errors: the text is exact (the caller adds the "Use ... --help" trailer)
const errorCases: Array<[string, string]> = [
  ['%', 'Error: Incomplete format specifier.\n'],
  ['%0', 'Error: Incomplete format specifier.\n'],
  ['%-', 'Error: Incomplete format specifier.\n'],
  ['%1', 'Error: Incomplete format specifier.\n'],
  ['%.', 'Error: Incomplete format specifier.\n'],
  ['%.1', 'Error: Incomplete format specifier.\n'],
  ['%-.', 'Error: Incomplete format specifier.\n'],
  ['abc%', 'Error: Incomplete format specifier.\n'],
  ['abc@', 'Error: Incomplete format specifier.\n'],
  ['@@@', 'Error: Incomplete format specifier.\n'],
  ['%z', "Error: Invalid format specifier 'z'.\n"],
  // mosquitto 2.1: one character of !"#$&'()*+,-./:;<=>?@[\]^_`{|}~ and space may follow the
  // precision as the hex separator, so these fail on the character after it
  ['%@s.@N', "Error: Invalid format specifier 's'.\n"], // the man page's own example
  ['%0-5l', "Error: Invalid format specifier '5'.\n"],
  ['%--5l', "Error: Invalid format specifier '5'.\n"],
  ['%5.3.2l', "Error: Invalid format specifier '2'.\n"],
  ['%5.3::l', "Error: Invalid format specifier ':'.\n"],
  // Fixed: mosquitto 2.1.2 says "Invalid format specifier '<NUL byte>'." for a format ending in a separator
  ['%:', 'Error: Incomplete format specifier.\n'],
  ['%.2:', 'Error: Incomplete format specifier.\n'],
  ['ab%-5.3 ', 'Error: Incomplete format specifier.\n'],
  ['%\xc3\xa9', "Error: Invalid format specifier '\xc3'.\n"],
  ['abc\\', 'Error: Incomplete escape specifier.\n'],
  ['\\q', "Error: Invalid escape specifier 'q'.\n"],
  ['x\\@', "Error: Invalid escape specifier '@'.\n"],
  ['\\\xc3\xa9', "Error: Invalid escape specifier '\xc3'.\n"],
]
for (const [format, want] of errorCases) {
  test(`check_format rejects ${JSON.stringify(format)}`, () => {
    assert.throws(() => compileFormat(Buffer.from(format, 'latin1')), (e: unknown) => {
      assert.ok(e instanceof UsageError)
      assert.deepEqual(e.text, Buffer.from(want, 'latin1'))
      assert.equal(e.withUsageHint, true)
      return true
    })
  })
}

test('%P prints user properties in packet order when it is known (interleaved and integer-like keys, raw bytes)', () => {
  const pair = (k: string, v: string | Buffer): [Buffer, Buffer] => [Buffer.from(k), typeof v === 'string' ? Buffer.from(v) : v]
  const msg: ReceivedMessage = {
    ...plain,
    properties: { userProperties: { 1: 'y', 2: 'x', a: ['1', '3'], b: ['2', Buffer.from([0xff]).toString()] } },
    userPropertyList: [pair('a', '1'), pair('b', '2'), pair('a', '3'), pair('2', 'x'), pair('1', 'y'), pair('b', Buffer.from([0xff]))],
  }
  assert.equal(render('%P', msg), 'a:1 b:2 a:3 2:x 1:y b:\xff\n')
})

// mosquitto 2.1: hex groups. The precision is the group size in hex digits, the character after it the
// separator (default a space); the left padding counts towards the groups.
const hexGroups: Array<[string, string]> = [
  ['%.1x', '6 d 6 5 7 3 7 3 6 1 6 7 6 5'],
  ['%.2x', '6d 65 73 73 61 67 65'],
  ['%.2:x', '6d:65:73:73:61:67:65'],
  ['%.4-X', '6D65-7373-6167-65'],
  ['[%.13x][%.14x][%.x][%.0x]', '[6d65737361676 5][6d657373616765][6d657373616765][6d657373616765]'],
  ['[%20.4x]', '[       6d 6573 7361 6765]'],
  ['[%030.4_X]', '[0000_0000_0000_0000_6D65_7373_6167_65]'],
  ['[%010.3-x][%-10.2x]', '[6d6-573-736-167-65][6d 65 73 73 61 67 65    ]'],
  // the separator is accepted (and ignored) on every specifier
  ['[%:t][%5.2:p][%- p][%:%][%@t]', '[w/x][messa][message       ][%][w/x]'],
]
for (const [format, want] of hexGroups) {
  test(`hex groups ${format}`, () => assert.equal(render(format), want + '\n'))
}

test('hex groups of an empty payload: the padding alone, with its separators', () => {
  const empty = { ...plain, payload: Buffer.alloc(0) }
  assert.equal(render('[%6.2:x][%5.2:x][%-6.2x][%06.4x]', empty), '[  :  :  :][  :  : ][      ][0000 00]\n')
})

const bytes = (write: (b: Buffer) => void, size: number): Buffer => {
  const b = Buffer.alloc(size)
  write(b)
  return b
}
const double = (v: number): ReceivedMessage => ({ ...plain, payload: bytes((b) => b.writeDoubleLE(v), 8) })
const float = (v: number): ReceivedMessage => ({ ...plain, payload: bytes((b) => b.writeFloatLE(v), 4) })

// %f and %d, as mosquitto 2.1.2 printed them (glibc's printf "%*.*f")
const floats: Array<[string, ReceivedMessage, string]> = [
  ['[%f][%.3f][%10.2f][%-10.2f][%010.2f][%-010.2f][%.0f][%.f]', float(-0.70710678),
    '[-0.707107][-0.707][     -0.71][-0.71     ][-000000.71][-0.71     ][-1][-1]'],
  ['[%.60f]', float(-0.70710678), '[-0.707106769084930419921875000000000000000000000000000000000000]'],
  ['[%4294967297.3f][%-4294967286.3f][%.4294967295f]', float(-0.70710678), '[-0.707][-0.707    ][-0.707107]'],
  // exact ties round to even
  ['[%.0d][%.2d]', double(0.5), '[0][0.50]'],
  ['[%.0d]', double(1.5), '[2]'],
  ['[%.0d]', double(2.5), '[2]'],
  ['[%.2d]', double(0.125), '[0.12]'],
  ['[%d][%.0d][%08.1d]', double(-0), '[-0.000000][-0][-00000.0]'],
  ['[%.2d][%.0d]', double(-0.04), '[-0.04][-0]'],
  ['[%.1100d]', double(-0.04), '[-0.' + '04000000000000000083266726846886740531772375106811523437500'.padEnd(1100, '0') + ']'],
  ['[%.0d]', double(1e300), '[1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160]'],
  ['[%d][%.0d]', double(5e-324), '[0.000000][0]'],
  ['[%020.17d]', double(123456789.987654321), '[123456789.98765432834625244]'],
  ['[%d][%08.1d][%-8d][%.0d]', double(Infinity), '[inf][     inf][inf     ][inf]'],
  ['[%d][%08.1d]', double(-Infinity), '[-inf][    -inf]'],
  ['[%d][%-8d]', double(NaN), '[nan][nan     ]'],
]
for (const [format, msg, want] of floats) {
  test(`float printing ${format} of ${msg.payload.toString('hex')}`, () => assert.equal(render(format, msg), want + '\n'))
}

test('%d of a NaN with the sign bit set is -nan', () => {
  const msg = { ...plain, payload: Buffer.from('000000000000f8ff', 'hex') }
  assert.equal(render('[%d][%08d]', msg), '[-nan][    -nan]\n')
})

test('%f/%d of a payload of the wrong size: nothing for the field, one error line each', () => {
  const r = renderMessage(plain, { format: compileFormat(Buffer.from('[%f][%d]')), verbose: false, noEol: false, pretty: false }, noClock)
  assert.equal(joinOutput(r.out).toString(), '[][]\n')
  // Fixed: mosquitto leaves out the newline, so the next message's text runs on
  assert.deepEqual(r.errors, ['requested float printing, but non-float data received\n',
    'requested double printing, but non-double data received\n'])
})

// printf("%.<p>f") from the exact expansion (toFixed(100) is exact for these magnitudes), rounded half
// to even on the digit string: a second way to the same digits.
function reference(v: number, p: number): string {
  const [int, frac] = Math.abs(v).toFixed(100).split('.')
  let kept = BigInt(int + frac.slice(0, p))
  const rest = frac.slice(p)
  if (rest > '5'.padEnd(rest.length, '0') || (rest === '5'.padEnd(rest.length, '0') && kept % 2n === 1n)) kept++
  const digits = kept.toString().padStart(p + 1, '0')
  const sign = Object.is(v, -0) || v < 0 ? '-' : ''
  return sign + (p === 0 ? digits : digits.slice(0, -p) + '.' + digits.slice(-p))
}

test('%d digits are the exact decimal value rounded half to even', () => {
  let seed = 12345
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  let ties = 0
  for (let i = 0; i < 2000; i++) {
    // a few binary digits make exact ties likely
    const bits = 1 + Math.floor(random() * 52)
    const v = (Math.round((random() - 0.5) * 2 ** bits) / 2 ** bits) * 2 ** Math.floor(random() * 40 - 10) // at most 62 binary places: toFixed(100) is exact
    const p = Math.floor(random() * 12)
    if (v.toFixed(p) !== reference(v, p)) ties++
    assert.equal(render(`%.${p}d`, double(v)), reference(v, p) + '\n', `${v} at ${p}`)
  }
  assert.ok(ties > 10, `only ${ties} values where half-even and toFixed differ`)
})

test('a huge width or precision comes out as a Repeat, never as bytes in memory', () => {
  const r = renderMessage(plain, { format: compileFormat(Buffer.from('[%2147483647p][%.2147483647d]')), verbose: false, noEol: false, pretty: false }, noClock)
  assert.ok(Array.isArray(r.out))
  const parts = r.out as OutPart[]
  assert.deepEqual(parts.find((p) => !Buffer.isBuffer(p)), { pattern: Buffer.from(' '), length: 2147483647 - 7 })
  assert.ok(parts.every((p) => !Buffer.isBuffer(p) || p.length < 100))
})
