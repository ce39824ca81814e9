// Unit tests for the %j / %J JSON (contract §2.12): the cJSON-compatible parser and printer, number printing,
// and the message object. Expected strings were printed by mosquitto_sub 2.1.2 (libcjson 1.7.15; 2.0.11
// prints the same but for "retain" as a number, user properties as one object and a "Z" in "tst").

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ReceivedMessage } from '../../src/core/message.js'
import { compileFormat } from '../../src/output/format.js'
import { formatNumber, writeJson } from '../../src/output/json.js'
import { parseJson } from '../../src/output/json-parse.js'
import { ByteWriter, joinOutput } from '../../src/output/byte-writer.js'
import { renderMessage } from '../../src/output/render.js'
import type { Clock } from '../../src/output/time.js'

process.env.TZ = 'UTC'

const clock: Clock = { now: () => ({ epochMs: 1795319537125, nanos: 125818999 }) }
const TST = '2026-11-22T03:52:17.125818+0000' // without 2.0.11's stray Z before the offset

function reprint(payload: Buffer, pretty = false): string | undefined {
  const v = parseJson(payload)
  if (v === undefined) return undefined
  const w = new ByteWriter()
  writeJson(w, v, pretty)
  return joinOutput(w.take()).toString('latin1')
}

function json(msg: ReceivedMessage, format = '%j', pretty = false) {
  const r = renderMessage(msg, { format: compileFormat(Buffer.from(format)), verbose: false, noEol: false, pretty }, clock)
  return { out: joinOutput(r.out).toString('latin1'), errors: r.errors }
}

const msg = (payload: string | Buffer, extra: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  topic: Buffer.from('t'), payload: typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload,
  qos: 0, retain: true, mid: 0, ...extra,
})

// %J: payload bytes (latin1) -> the payload as mosquitto re-printed it; undefined = "not valid JSON".
// "Fixed": where cJSON prints something that is not the payload, or not JSON.
const normalisation: Array<[string, string | undefined]> = [
  ['1.0', '1'],
  ['1e21', '1e+21'],
  ['1.5e-7', '1.5e-07'],
  ['-0', '-0'],
  ['"\\u00e9"', '"\xc3\xa9"'],
  ['{"a":1,"a":2}', '{"a":1,"a":2}'],
  [' 12 \n', '12'],
  ['12', '12'],
  ['"str"', '"str"'],
  ['12 junk', undefined],
  ['{"a":1}x', undefined],
  ['12\u0000', undefined],
  ['\u0000 12', undefined],
  ['"a\u0000b"', undefined],
  ['\xef\xbb\xbf12', '12'],
  ['\u000112\u0002', '12'],
  ['[1,\u0002 2]', '[1,2]'],
  ['01', '1'],
  ['1.', '1'],
  ['-.5', '-0.5'],
  ['.5', undefined],
  ['+1', undefined],
  ['1e', undefined],
  ['1e+', undefined],
  ['0x10', undefined],
  ['1.5.3', undefined],
  ['-', undefined],
  ['1e400', '1e400'], // Fixed: cJSON prints null
  ['-1e400', '-1e400'],
  ['1e-400', '0'],
  ['2147483647', '2147483647'],
  ['2147483648', '2147483648'],
  ['-2147483648', '-2147483648'],
  ['-2147483649', '-2147483649'],
  ['1e15', '1e+15'],
  ['1e14', '100000000000000'],
  ['123456789012345678', '123456789012345678'], // Fixed: cJSON prints 1.2345678901234568e+17
  ['0.1', '0.1'],
  ['0.30000000000000004', '0.3'],
  ['3.14159', '3.14159'],
  ['1234567890123455', '1234567890123455'],
  ['1234567890123445', '1234567890123445'],
  ['2.98023223876953125e-08', '2.9802322387695312e-08'],
  ['1e-5', '1e-05'],
  ['0.0001', '0.0001'],
  ['0.00001', '1e-05'],
  ['100000000000000000000', '1e+20'],
  ['1E5', '100000'],
  ['-1.5E+3', '-1500'],
  ['"\\ud83d\\ude00"', '"\xf0\x9f\x98\x80"'],
  ['"\\ud83d"', undefined],
  ['"\\ude00"', undefined],
  ['"\\u0000x"', '"\\u0000x"'], // Fixed: cJSON ends the string at the NUL
  ['"\\/\\b\\f\\n\\r\\t\\"\\\\"', '"/\\b\\f\\n\\r\\t\\"\\\\"'],
  ['"\\x"', undefined],
  ['"a\tb"', '"a\\tb"'],
  ['"\u0001"', '"\\u0001"'],
  ['"\xff\xfe"', undefined], // Fixed: cJSON copies the bytes, and its output is not JSON
  ['true', 'true'],
  ['false', 'false'],
  ['null', 'null'],
  ['nul', undefined],
  ['True', undefined],
  ['[]', '[]'],
  ['{}', '{}'],
  ['[ ]', '[]'],
  ['{ }', '{}'],
  ['[1,]', undefined],
  ['{"a":1,}', undefined],
  ['{"a"}', undefined],
  ['{1:2}', undefined],
  ['[1 2]', undefined],
  ['""', '""'],
  ['"', undefined],
  ['[', undefined],
  ['111111111111111111111111111111111111111111111111111111111111111', '111111111111111111111111111111111111111111111111111111111111111'],
  ['1111111111111111111111111111111111111111111111111111111111111111', '1111111111111111111111111111111111111111111111111111111111111111'],
  ['1.1111111111111111111111111111111111111111111111111111111111111e62', '1.1111111111111112e+62'], // a double's digits, as jq reads it
  ['-9007199254740992', '-9.00719925474099e+15'], // exact in a double
  ['-9007199254740993', '-9007199254740993'],
  ['01111111111111111111', '1.1111111111111112e+18'], // not JSON's syntax: as cJSON prints it
  ['1.0000000000000000000000000000000000000000000000000000000000000000000000', '1'],
  ['{"a":[{"x":1}]}', '{"a":[{"x":1}]}'],
  ['[[{"x":1}]]', '[[{"x":1}]]'],
  ['{"e":{},"f":[],"g":[{}],"h":{"i":{}}}', '{"e":{},"f":[],"g":[{}],"h":{"i":{}}}'],
  ['[1,2,[3,{"a":[]}]]', '[1,2,[3,{"a":[]}]]'],
  ['\t\r\n 5\t\r\n ', '5'],
  ['5', undefined],
  ['5', undefined],
  ['-0.0', '-0'],
  ['0e0', '0'],
  ['-0e5', '-0'],
  ['1e308', '1e+308'],
  ['1.7976931348623157e308', '1.79769313486232e+308'],
  ['5e-324', '4.94065645841247e-324'],
  ['4.9406564584124654e-324', '4.94065645841247e-324'],
  ['0.1e1', '1'],
  ['123.456e-2', '1.23456'],
  ['9007199254740993', '9007199254740993'], // Fixed: cJSON prints 9.00719925474099e+15
  ['"\\U00e9"', undefined],
  ['"\\u00E9"', '"\xc3\xa9"'],
  ['"\\u12"', undefined],
  ['null ', 'null'],
  [' ', undefined],
  ['\xef\xbb\xbf', undefined],
  ['\xef\xbb\xbf\xef\xbb\xbf1', undefined],
  ['"\\u00zz"', undefined], // Fixed: cJSON reads a bad hex digit as code 0, which ends the C string
  ['"ab\\uzzzzcd"', undefined],
  ['"\\uD83D\\uzzzz"', undefined],
]
for (const [input, want] of normalisation) {
  test(`%J re-prints ${JSON.stringify(input)}`, () => assert.equal(reprint(Buffer.from(input, 'latin1')), want))
}

test('nesting: 1000 levels parse, 1001 do not', () => {
  assert.equal(reprint(Buffer.from('['.repeat(1000) + ']'.repeat(1000))), '['.repeat(1000) + ']'.repeat(1000))
  assert.equal(reprint(Buffer.from('['.repeat(1001) + ']'.repeat(1001))), undefined)
  assert.equal(reprint(Buffer.from('{"a":'.repeat(1001) + '1' + '}'.repeat(1001))), undefined)
})

test('numbers print as cJSON 1.7.15 does (%1.15g, else %1.17g)', () => {
  const cases: Array<[number, string]> = [
    [1, '1'], [-0, '-0'], [0, '0'], [1e21, '1e+21'], [1.5e-7, '1.5e-07'], [1e15, '1e+15'], [1e14, '100000000000000'],
    [2147483648, '2147483648'], [0.1, '0.1'], [1e-5, '1e-05'], [0.0001, '0.0001'], [123456789012345680, '1.2345678901234568e+17'],
    [2 ** -25, '2.9802322387695312e-08'], // an exact tie at the 17th digit rounds to even, as glibc does
    [1234567890123455, '1234567890123455'], [Number.MAX_VALUE, '1.79769313486232e+308'], [5e-324, '4.94065645841247e-324'],
    [Infinity, 'null'], [-Infinity, 'null'], [NaN, 'null'],
  ]
  for (const [n, want] of cases) assert.equal(formatNumber(n), want, String(n))
})

test('%j: compact object, keys in order, retain as a boolean', () => {
  assert.deepEqual(json(msg('hello')), {
    out: `{"tst":"${TST}","topic":"t","qos":0,"retain":true,"payloadlen":5,"payload":"hello"}\n`, errors: [],
  })
})

test('%j escaping (§2.12 example, fixed): control bytes escaped, 0x7f raw; invalid UTF-8 goes as base64', () => {
  const payload = Buffer.from('a\x01b\x1fc\x7fd\xc3\xa9e\xffz"q\\', 'latin1')
  // mosquitto copies the 0xff raw (not JSON); we say base64 and carry the bytes exactly.
  assert.equal(json(msg(payload, { topic: Buffer.from('e/1') })).out,
    `{"tst":"${TST}","topic":"e/1","qos":0,"retain":true,"payloadlen":15,"payload_encoding":"base64","payload":"${payload.toString('base64')}"}\n`)
  const valid = Buffer.from('a\x01b\x1fc\x7fd\xc3\xa9e"q\\', 'latin1')
  assert.equal(json(msg(valid, { topic: Buffer.from('e/1') })).out,
    `{"tst":"${TST}","topic":"e/1","qos":0,"retain":true,"payloadlen":13,"payload":"a\\u0001b\\u001fc\x7fd\xc3\xa9e\\"q\\\\"}\n`)
  assert.equal(json(msg('\b\f\n\r\t/')).out.split('"payload":')[1], '"\\b\\f\\n\\r\\t/"}\n')
})

test('%j keeps the whole payload, NULs escaped (mosquitto cuts it at the first NUL)', () => {
  assert.equal(json(msg('bin\0ary\0data123456')).out,
    `{"tst":"${TST}","topic":"t","qos":0,"retain":true,"payloadlen":18,"payload":"bin\\u0000ary\\u0000data123456"}\n`)
})

test('an empty payload is null for %j and %J', () => {
  const out = `{"tst":"${TST}","topic":"t","qos":0,"retain":false,"payloadlen":0,"payload":null}`
  assert.equal(json(msg('', { retain: false }), '%j|%J').out, `${out}|${out}\n`)
})

test('%J with an invalid payload prints nothing for the specifier and reports the topic', () => {
  assert.deepEqual(json(msg('message', { topic: Buffer.from('w/x') }), '%J|%J'), {
    out: '|\n',
    errors: ['Error: Message payload is not valid JSON on topic w/x.\n', 'Error: Message payload is not valid JSON on topic w/x.\n'],
  })
})

test('the topic and property strings are escaped', () => {
  const m = msg('', {
    topic: Buffer.from('e/"q\\é'), retain: false,
    properties: { contentType: '"\\', userProperties: { 'k"': 'v\\' }, responseTopic: 'r\\t' },
  })
  assert.equal(json(m).out, `{"tst":"${TST}","topic":"e/\\"q\\\\\xc3\xa9","qos":0,"retain":false,"payloadlen":0,` +
    '"properties":{"content-type":"\\"\\\\","user-properties":[{"k\\"":"v\\\\"}],"response-topic":"r\\\\t"},"payload":null}\n')
})

const v5: ReceivedMessage = {
  topic: Buffer.from('f/x'), payload: Buffer.from('message'), qos: 1, retain: true, mid: 1,
  properties: {
    subscriptionIdentifier: 56, contentType: 'text/plain', correlationData: Buffer.from('corr'), payloadFormatIndicator: true,
    responseTopic: 'resp/t', userProperties: { k1: ['v1', 'v2'] }, messageExpiryInterval: 3600,
  },
}

test('v5 properties in packet order, user properties as an array (repeated keys kept), mid only for QoS > 0', () => {
  assert.equal(json(v5).out, `{"tst":"${TST}","topic":"f/x","qos":1,"retain":true,"payloadlen":7,"mid":1,"properties":{` +
    '"subscription-identifier":56,"content-type":"text/plain","correlation-data":"corr","payload-format-indicator":1,' +
    '"response-topic":"resp/t","user-properties":[{"k1":"v1"},{"k1":"v2"}],"message-expiry-interval":3600},"payload":"message"}\n')
})

test('correlation data keeps a NUL (mosquitto cuts it there); topic-alias prints its real value (2.0.11 printed garbage)', () => {
  const m = msg('hi', { qos: 2, mid: 65535, retain: false, properties: { correlationData: Buffer.from('ab\0cd'), topicAlias: 7, payloadFormatIndicator: 3 } })
  assert.equal(json(m).out, `{"tst":"${TST}","topic":"t","qos":2,"retain":false,"payloadlen":2,"mid":65535,"properties":` +
    '{"correlation-data":"ab\\u0000cd","topic-alias":7,"payload-format-indicator":3},"payload":"hi"}\n')
})

test('correlation data that is not UTF-8 goes as base64, said by a key before it (mosquitto copies it raw: not JSON)', () => {
  const m = msg('hi', { properties: { correlationData: Buffer.from([0xff, 0x00, 0x41]) } })
  assert.equal(json(m).out, `{"tst":"${TST}","topic":"t","qos":0,"retain":true,"payloadlen":2,"properties":` +
    '{"correlation-data-encoding":"base64","correlation-data":"/wBB"},"payload":"hi"}\n')
  JSON.parse(json(m).out.toString())
})

test('--pretty: the contract sample', () => {
  const m = msg('{"a":1, "b": [1,2]}', { topic: Buffer.from('fmt/d') })
  assert.equal(json(m, '%J', true).out, `{\n\t"tst":\t"${TST}",\n\t"topic":\t"fmt/d",\n\t"qos":\t0,\n\t"retain":\ttrue,\n` +
    '\t"payloadlen":\t19,\n\t"payload":\t{\n\t\t"a":\t1,\n\t\t"b":\t[1, 2]\n\t}\n}\n')
})

test('--pretty: v5 properties and text around the object', () => {
  assert.equal(json(v5, 'A%jB', true).out, `A{\n\t"tst":\t"${TST}",\n\t"topic":\t"f/x",\n\t"qos":\t1,\n\t"retain":\ttrue,\n` +
    '\t"payloadlen":\t7,\n\t"mid":\t1,\n\t"properties":\t{\n\t\t"subscription-identifier":\t56,\n\t\t"content-type":\t"text/plain",\n' +
    '\t\t"correlation-data":\t"corr",\n\t\t"payload-format-indicator":\t1,\n\t\t"response-topic":\t"resp/t",\n' +
    '\t\t"user-properties":\t[{\n\t\t\t\t"k1":\t"v1"\n\t\t\t}, {\n\t\t\t\t"k1":\t"v2"\n\t\t\t}],\n\t\t"message-expiry-interval":\t3600\n\t},\n' +
    '\t"payload":\t"message"\n}B\n')
})

test('--pretty: arrays stay on one line, objects in arrays indent oddly, empty objects keep a line break', () => {
  const payloadOf = (p: string): string => json(msg(p), '%J', true).out.split('"payload":\t')[1]
  assert.equal(payloadOf('{"a":[{"x":1}]}'), '{\n\t\t"a":\t[{\n\t\t\t\t"x":\t1\n\t\t\t}]\n\t}\n}\n')
  assert.equal(payloadOf('[[{"x":1}]]'), '[[{\n\t\t\t\t"x":\t1\n\t\t\t}]]\n}\n')
  assert.equal(payloadOf('{"e":{},"f":[],"g":[{}],"h":{"i":{}}}'),
    '{\n\t\t"e":\t{\n\t\t},\n\t\t"f":\t[],\n\t\t"g":\t[{\n\t\t\t}],\n\t\t"h":\t{\n\t\t\t"i":\t{\n\t\t\t}\n\t\t}\n\t}\n}\n')
  assert.equal(payloadOf('[1,2,[3,{"a":[]}]]'), '[1, 2, [3, {\n\t\t\t\t"a":\t[]\n\t\t\t}]]\n}\n')
  assert.equal(payloadOf('{}'), '{\n\t}\n}\n')
})

test('user properties in packet order when it is known, the array where the first one was', () => {
  const pair = (k: string, v: string): [Buffer, Buffer] => [Buffer.from(k), Buffer.from(v)]
  const m = msg('', {
    retain: false,
    properties: { contentType: 'c', userProperties: { 1: 'y', 2: 'x', a: ['1', '3'], b: '2' }, responseTopic: 'r' },
    userPropertyList: [pair('a', '1'), pair('b', '2'), pair('a', '3'), pair('2', 'x'), pair('1', 'y')],
  })
  assert.equal(json(m).out, `{"tst":"${TST}","topic":"t","qos":0,"retain":false,"payloadlen":0,"properties":{"content-type":"c",` +
    '"user-properties":[{"a":"1"},{"b":"2"},{"a":"3"},{"2":"x"},{"1":"y"}],"response-topic":"r"},"payload":null}\n')
})
