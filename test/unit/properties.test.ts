// -D / --property against mosquitto_pub 2.0.11 (contract §2.8): every check with its exact text,
// every type, the mqtt-packet shapes, and a generate/parse round trip. Expected texts were
// produced by the real client (`mosquitto_pub -t t -m m -D ...`), not derived from our code.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import mqtt from 'mqtt-packet'
import type { Packet } from 'mqtt-packet'
import { UsageError } from '../../src/core/errors.js'
import { buildProperties, checkPropertyArg, propertyNames, type PropertyMap } from '../../src/options/properties.js'
import { COMMAND_WORDS, PROPERTY_TABLE } from '../../src/options/property-table.js'
import type { PropertyArg } from '../../src/options/types.js'

// The words after -D; command and name as latin1 byte strings, values as raw bytes.
function arg(...words: Array<string | Buffer>): PropertyArg {
  const [command, name, ...values] = words.map((w) => (typeof w === 'string' ? Buffer.from(w, 'utf8') : w))
  return { command: command!.toString('latin1'), name: name!.toString('latin1'), values }
}

// Each -D is a list of words, as on the command line.
function args(...ds: Array<Array<string | Buffer>>): PropertyArg[] {
  return ds.map((d) => arg(...d))
}

function usageError(fn: () => unknown): { text: string; hint: boolean } {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`)
    return { text: err.text.toString('latin1'), hint: err.withUsageHint }
  }
  assert.fail('no error')
}

const bytes = (n: number, c = 'a'): Buffer => Buffer.alloc(n, c)
const NOT_ENOUGH = 'Error: --property argument given but not enough arguments specified.\n\n'
const BAD_COMMAND = (word: string): string => `Error: Invalid command ${word} given in --property argument.\n\n`
const BAD_NAME = (word: string): string => `Error: Invalid property name ${word} given in --property argument.\n\n`
const PROTOCOL = 'A network protocol error occurred when communicating with the broker'
const DUPLICATE = 'Duplicate property in property list'

// Checks 1-7, in mosquitto's order; every text is followed by the usage line.
const checkCases: Array<[string, Array<string | Buffer>, string]> = [
  ['no value at all', ['publish', 'content-type'], NOT_ENOUGH],
  ['user-property with one word', ['publish', 'user-property', 'a'], NOT_ENOUGH],
  ['the command is checked before the fourth word', ['foo', 'user-property', 'a'], BAD_COMMAND('foo')],
  ['unknown command', ['foo', 'bar', '1'], BAD_COMMAND('foo')],
  // mosquitto 2.1 knows suback and unsuback (2.0.11: "Invalid command"), and refuses to fill them.
  ['suback: not supported', ['suback', 'user-property', 'a', 'b'], 'Error: user-property property not supported for suback in --property argument.\n\n'],
  ['unsuback: not supported', ['unsuback', 'reason-string', 'a'], 'Error: reason-string property not supported for unsuback in --property argument.\n\n'],
  ['suback: not allowed', ['suback', 'content-type', 'a'], 'Error: content-type property not allowed for suback in --property argument.\n\n'],
  ['pingreq', ['pingreq', 'user-property', 'a', 'b'], BAD_COMMAND('pingreq')],
  ['unknown property', ['publish', 'foo', '1'], BAD_NAME('foo')],
  ['unknown property for connack', ['connack', 'foo', '1'], BAD_NAME('foo')],
  ['near-miss name', ['connack', 'server-keepalive', '1'], BAD_NAME('server-keepalive')],
  ['not allowed', ['connect', 'topic-alias', '1'], 'Error: topic-alias property not allowed for connect in --property argument.\n\n'],
  ['not allowed, echoed as typed', ['CONNECT', 'Topic-Alias', '1'],
    'Error: Topic-Alias property not allowed for CONNECT in --property argument.\n\n'],
  ['not allowed for connack', ['connack', 'topic-alias', '1'], 'Error: topic-alias property not allowed for connack in --property argument.\n\n'],
  ['not allowed for puback', ['puback', 'content-type', 'x'], 'Error: content-type property not allowed for puback in --property argument.\n\n'],
  ['connack user-property still needs 4 words', ['connack', 'user-property', 'a'], NOT_ENOUGH],
  ['puback user-property still needs 4 words', ['puback', 'user-property', 'a'], NOT_ENOUGH],
  ['connack: no message at all', ['connack', 'user-property', 'a', 'b'], ''],
  ['connack-only property', ['connack', 'assigned-client-identifier', 'x'], ''],
  ['connack before value checks', ['connack', 'reason-string', Buffer.from([0xff])], ''],
  ...['puback', 'pubrec', 'pubrel', 'pubcomp', 'auth'].map((c): [string, string[], string] =>
    [`${c} refused`, [c, 'reason-string', 'b'], `Error: reason-string property not supported for ${c} in --property argument.\n\n`]),
  ['auth authentication-method', ['auth', 'authentication-method', 'x'],
    'Error: authentication-method property not supported for auth in --property argument.\n\n'],
  ['auth user-property', ['auth', 'user-property', 'a', 'b'], 'Error: user-property property not supported for auth in --property argument.\n\n'],
  ['refusal comes before the UTF-8 check', ['auth', 'reason-string', Buffer.from([0xff])],
    'Error: reason-string property not supported for auth in --property argument.\n\n'],
  ['publish subscription-identifier', ['publish', 'subscription-identifier', '1'],
    'Error: subscription-identifier property not supported for publish in --property argument.\n\n'],
  ['refusal comes before the range check', ['publish', 'subscription-identifier', '-1'],
    'Error: subscription-identifier property not supported for publish in --property argument.\n\n'],
  ['byte below 0', ['publish', 'payload-format-indicator', '-1'],
    'Error: Property value (-1) out of range for property payload-format-indicator.\n\n'],
  ['byte above 255', ['publish', 'payload-format-indicator', '256'],
    'Error: Property value (256) out of range for property payload-format-indicator.\n\n'],
  ['int16 above 65535', ['publish', 'topic-alias', '65536'], 'Error: Property value (65536) out of range for property topic-alias.\n\n'],
  ['int16 below 0', ['publish', 'topic-alias', '-5'], 'Error: Property value (-5) out of range for property topic-alias.\n\n'],
  ['name echoed as typed', ['publish', 'Topic-Alias', '70000'], 'Error: Property value (70000) out of range for property Topic-Alias.\n\n'],
  ['int32 above 2^32-1', ['publish', 'message-expiry-interval', '4294967296'],
    'Error: Property value (4294967296) out of range for property message-expiry-interval.\n\n'],
  ['atol saturates high', ['publish', 'message-expiry-interval', '99999999999999999999'],
    'Error: Property value (9223372036854775807) out of range for property message-expiry-interval.\n\n'],
  ['atol saturates low', ['publish', 'message-expiry-interval', '-99999999999999999999'],
    'Error: Property value (-9223372036854775808) out of range for property message-expiry-interval.\n\n'],
  ['varint above 2^32-1', ['subscribe', 'subscription-identifier', '4294967296'],
    'Error: Property value (4294967296) out of range for property subscription-identifier.\n\n'],
  ['varint above 268435455', ['subscribe', 'subscription-identifier', '268435456'], 'Error adding property subscription-identifier 4\n'],
  ['string not UTF-8', ['publish', 'content-type', Buffer.from([0xff])], 'Error adding property content-type 6\n'],
  ['string name echoed as typed', ['publish', 'CONTENT-TYPE', Buffer.from([0xff])], 'Error adding property CONTENT-TYPE 6\n'],
  ['string with a control character', ['publish', 'content-type', 'a\x01'], 'Error adding property content-type 6\n'],
  ['string of 65537 bytes', ['publish', 'content-type', bytes(65537)], 'Error adding property content-type 6\n'],
  ['user-property key not UTF-8', ['publish', 'user-property', Buffer.from([0xff]), 'b'], 'Error adding property user-property 7\n'],
  ['user-property key of 65537 bytes', ['publish', 'user-property', bytes(65537), 'b'], 'Error adding property user-property 7\n'],
  ['binary of 65536 bytes', ['publish', 'correlation-data', bytes(65536)], 'Error: Property value too long for property correlation-data.\n\n'],
  ['binary name echoed as typed', ['publish', 'Correlation-Data', bytes(65536)],
    'Error: Property value too long for property Correlation-Data.\n\n'],
  ['authentication-data of 65536 bytes', ['connect', 'authentication-data', bytes(65536)],
    'Error: Property value too long for property authentication-data.\n\n'],
]

for (const [what, words, text] of checkCases) {
  test(`-D check: ${what}`, () => {
    assert.deepEqual(usageError(() => checkPropertyArg(arg(...words))), { text, hint: true })
    // the same error when the whole command line is built
    assert.deepEqual(usageError(() => buildProperties([arg(...words)], {})), { text, hint: true })
  })
}

// Accepted values, as checkPropertyArg returns them (the exact value mosquitto would send).
const valueCases: Array<[string, Array<string | Buffer>, string, unknown]> = [
  ['byte 255', ['publish', 'payload-format-indicator', '255'], 'payloadFormatIndicator', 255],
  ['garbage is 0, names are case-insensitive', ['Publish', 'PAYLOAD-format-Indicator', 'abc'], 'payloadFormatIndicator', 0],
  ['int32 maximum', ['publish', 'message-expiry-interval', '4294967295'], 'messageExpiryInterval', 4294967295],
  ['atol: spaces, trailing garbage', ['publish', 'message-expiry-interval', ' 12x'], 'messageExpiryInterval', 12],
  ['atol: no hex', ['publish', 'message-expiry-interval', '+0x12'], 'messageExpiryInterval', 0],
  ['atol: minus zero', ['publish', 'message-expiry-interval', '-0'], 'messageExpiryInterval', 0],
  ['int16 maximum', ['connect', 'receive-maximum', '65535'], 'receiveMaximum', 65535],
  ['varint maximum', ['subscribe', 'subscription-identifier', '268435455'], 'subscriptionIdentifier', 268435455],
  ['varint 0 (invalid MQTT, accepted)', ['subscribe', 'subscription-identifier', '0'], 'subscriptionIdentifier', 0],
  ['empty string', ['publish', 'content-type', ''], 'contentType', ''],
  ['UTF-8 string', ['publish', 'content-type', 'text/plain; ünï'], 'contentType', 'text/plain; ünï'],
  ['response-topic with wildcards (2.0.11)', ['publish', 'response-topic', 'a/#'], 'responseTopic', 'a/#'],
  ['a 65536-byte string goes out empty', ['publish', 'content-type', bytes(65536)], 'contentType', ''],
  ['binary is raw bytes', ['publish', 'correlation-data', Buffer.from([0xff, 0])], 'correlationData', Buffer.from([0xff, 0])],
  ['binary of 65535 bytes', ['connect', 'authentication-data', bytes(65535)], 'authenticationData', bytes(65535)],
  ['user-property', ['publish', 'USER-PROPERTY', 'k', 'v'], 'userProperties', ['k', 'v']],
  ['user-property, empty words', ['publish', 'user-property', '', ''], 'userProperties', ['', '']],
  ['user-property value is not UTF-8 checked', ['publish', 'user-property', 'a', Buffer.from([0xff])], 'userProperties', ['a', '\ufffd']],
  ['user-property value is not length checked', ['publish', 'user-property', 'k', bytes(70000, 'b')],
    'userProperties', ['k', 'b'.repeat(70000 - 65536)]],
  ['user-property key of 65536 bytes', ['publish', 'user-property', bytes(65536), 'v'], 'userProperties', ['', 'v']],
  ['reason-string passes for will', ['will', 'reason-string', 'x'], 'reasonString', 'x'],
  ['extra words are ignored', ['publish', 'content-type', 'a', 'b'], 'contentType', 'a'],
]

for (const [what, words, key, value] of valueCases) {
  test(`-D value: ${what}`, () => {
    const entry = checkPropertyArg(arg(...words))
    assert.equal(entry.key, key)
    assert.deepEqual(entry.value, value)
  })
}

// What mosquitto_pub 2.1.2 does with `-D <command> <name> 1` (user-property: `a b`), per command:
// Y accepted, - "not allowed", S "not supported", U usage line only. 2.0.11 is the same without
// the suback and unsuback columns (it calls both an "Invalid command").
const ORACLE_COMMANDS = ['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe',
  'unsuback', 'disconnect', 'auth', 'will']
const ORACLE_MATRIX: Array<[string, string]> = [
  ['payload-format-indicator', '--Y----------Y'], ['message-expiry-interval', '--Y----------Y'],
  ['content-type', '--Y----------Y'], ['response-topic', '--Y----------Y'], ['correlation-data', '--Y----------Y'],
  ['subscription-identifier', '--S----Y------'], ['session-expiry-interval', 'YU---------Y--'],
  ['assigned-client-identifier', '-U------------'], ['server-keep-alive', '-U------------'],
  ['authentication-method', 'YU----------S-'], ['authentication-data', 'YU----------S-'],
  ['request-problem-information', 'Y-------------'], ['will-delay-interval', '-------------Y'],
  ['request-response-information', 'Y-------------'], ['response-information', '-U------------'],
  ['server-reference', '-U---------Y--'], ['reason-string', '-U-SSSS-S-SYSY'], ['receive-maximum', 'YU------------'],
  ['topic-alias-maximum', 'YU------------'], ['topic-alias', '--Y-----------'], ['maximum-qos', '-U------------'],
  ['retain-available', '-U------------'], ['user-property', 'YUYSSSSYSYSYSY'], ['maximum-packet-size', 'YU------------'],
  ['wildcard-subscription-available', '-U------------'], ['subscription-identifier-available', '-U------------'],
  ['shared-subscription-available', '-U------------'],
]

test('every property name with every command word matches mosquitto_pub 2.1.2', () => {
  assert.deepEqual([...COMMAND_WORDS], ORACLE_COMMANDS)
  assert.deepEqual([...PROPERTY_TABLE.keys()].sort(), ORACLE_MATRIX.map(([n]) => n).sort())
  for (const [name, row] of ORACLE_MATRIX) {
    const got = ORACLE_COMMANDS.map((command) => {
      const words = name === 'user-property' ? [command, name, 'a', 'b'] : [command, name, '1']
      try {
        checkPropertyArg(arg(...words))
        return 'Y'
      } catch (err) {
        const text = (err as UsageError).text.toString('latin1')
        if (text === '') return 'U'
        if (text.includes(`not allowed for ${command} in`)) return '-'
        if (text.includes(`not supported for ${command} in`)) return 'S'
        return '?'
      }
    }).join('')
    assert.equal(got, row, name)
  }
})

test('command words are case-insensitive (ASCII only, like strcasecmp)', () => {
  for (const word of ['PUBLISH', 'Publish', 'pUbLiSh']) assert.equal(checkPropertyArg(arg(word, 'content-type', 'x')).command, 'publish')
  assert.equal(checkPropertyArg(arg('WILL', 'User-Property', 'a', 'b')).command, 'will')
  // The word is echoed as its bytes (here UTF-8, shown as latin1 like every text of usageError).
  assert.equal(usageError(() => checkPropertyArg(arg('publ\u00cdsh', 'content-type', 'x'))).text, BAD_COMMAND(Buffer.from('publ\u00cdsh').toString('latin1')))
})

// Check 8: one UsageError after all options, then the usage line; texts from mosquitto_pub 2.0.11.
const listCases: Array<[string, Array<Array<string | Buffer>>, string]> = [
  ['CONNECT duplicate', [['connect', 'receive-maximum', '5'], ['connect', 'receive-maximum', '6']], `Error in CONNECT properties: ${DUPLICATE}\n`],
  ['PUBLISH duplicate', [['publish', 'content-type', 'a'], ['publish', 'content-type', 'b']], `Error in PUBLISH properties: ${DUPLICATE}\n`],
  ['SUBSCRIBE duplicate', [['subscribe', 'subscription-identifier', '1'], ['subscribe', 'subscription-identifier', '1']],
    `Error in SUBSCRIBE properties: ${DUPLICATE}\n`],
  ['DISCONNECT duplicate', [['disconnect', 'reason-string', 'a'], ['disconnect', 'reason-string', 'b']], `Error in DISCONNECT properties: ${DUPLICATE}\n`],
  ['Will duplicate', [['will', 'content-type', 'a'], ['will', 'content-type', 'b']], `Error in Will properties: ${DUPLICATE}\n`],
  ['receive-maximum 0', [['connect', 'receive-maximum', '0']], `Error in CONNECT properties: ${PROTOCOL}\n`],
  ['maximum-packet-size 0', [['connect', 'maximum-packet-size', '0']], `Error in CONNECT properties: ${PROTOCOL}\n`],
  ['request-problem-information 2', [['connect', 'request-problem-information', '2']], `Error in CONNECT properties: ${PROTOCOL}\n`],
  ['request-response-information 2', [['connect', 'request-response-information', '2']], `Error in CONNECT properties: ${PROTOCOL}\n`],
  ['topic-alias 0', [['publish', 'topic-alias', '0']], `Error in PUBLISH properties: ${PROTOCOL}\n`],
  ['topic-alias garbage is 0', [['publish', 'topic-alias', '']], `Error in PUBLISH properties: ${PROTOCOL}\n`],
  ['CONNECT is checked before PUBLISH', [['publish', 'content-type', 'a'], ['publish', 'content-type', 'b'], ['connect', 'receive-maximum', '0']],
    `Error in CONNECT properties: ${PROTOCOL}\n`],
  ['PUBLISH before Will', [['will', 'content-type', 'a'], ['publish', 'content-type', 'a'], ['publish', 'content-type', 'b'], ['will', 'content-type', 'b']],
    `Error in PUBLISH properties: ${DUPLICATE}\n`],
  ['SUBSCRIBE before DISCONNECT', [['disconnect', 'reason-string', 'a'], ['disconnect', 'reason-string', 'b'],
    ['subscribe', 'subscription-identifier', '1'], ['subscribe', 'subscription-identifier', '1']], `Error in SUBSCRIBE properties: ${DUPLICATE}\n`],
  ['DISCONNECT before Will', [['will', 'content-type', 'a'], ['will', 'content-type', 'b'], ['disconnect', 'reason-string', 'a'],
    ['disconnect', 'reason-string', 'b']], `Error in DISCONNECT properties: ${DUPLICATE}\n`],
  ['a bad first entry wins over a later duplicate', [['connect', 'receive-maximum', '0'], ['connect', 'authentication-method', '0'],
    ['connect', 'authentication-method', '0']], `Error in CONNECT properties: ${PROTOCOL}\n`],
  ['an earlier duplicate wins over a later bad value', [['connect', 'authentication-method', '0'], ['connect', 'authentication-method', '0'],
    ['connect', 'receive-maximum', '0']], `Error in CONNECT properties: ${DUPLICATE}\n`],
  ['a duplicate of a good value before its bad twin', [['connect', 'receive-maximum', '5'], ['connect', 'receive-maximum', '0']],
    `Error in CONNECT properties: ${DUPLICATE}\n`],
  ['checks 1-7 come first, in argv order', [['connect', 'receive-maximum', '0'], ['publish', 'foo', '1']], BAD_NAME('foo')],
]

for (const [what, ds, text] of listCases) {
  test(`-D list check: ${what}`, () => {
    assert.deepEqual(usageError(() => buildProperties(args(...ds), {})), { text, hint: true })
  })
}

test('--quiet silences the list checks but keeps the usage line; checks 1-7 stay loud', () => {
  const dup = args(['publish', 'content-type', 'a'], ['publish', 'content-type', 'b'])
  assert.deepEqual(usageError(() => buildProperties(dup, { quiet: true })), { text: '', hint: true })
  assert.deepEqual(usageError(() => buildProperties(args(['publish', 'foo', '1']), { quiet: true })), { text: BAD_NAME('foo'), hint: true })
})

test('values the 2.0.11 list check lets through', () => {
  const map = buildProperties(args(['publish', 'payload-format-indicator', '2'], ['publish', 'response-topic', 'a/+'],
    ['publish', 'user-property', 'a', '1'], ['publish', 'user-property', 'a', '1']), {})
  assert.deepEqual(map.publish, { payloadFormatIndicator: true, responseTopic: 'a/+', userProperties: nullProto({ a: ['1', '1'] }) })
})

test('session expiry from -x / -c: appended last, and a clash with -D is a duplicate', () => {
  const d = args(['connect', 'session-expiry-interval', '5'])
  for (const sessionExpiry of [5, 4294967295]) {
    assert.deepEqual(usageError(() => buildProperties(d, { sessionExpiry })), { text: `Error in CONNECT properties: ${DUPLICATE}\n`, hint: true })
  }
  // -x 0 adds nothing, so -D may carry its own
  assert.deepEqual(buildProperties(d, { sessionExpiry: 0 }).connect, { sessionExpiryInterval: 5 })
  // mosquitto: -V 311 never adds it, so there is no clash
  assert.deepEqual(buildProperties(d, { sessionExpiry: 9, protocolVersion: 4 }).connect, { sessionExpiryInterval: 5 })
  assert.deepEqual(buildProperties([], { sessionExpiry: 9, protocolVersion: 3 }), {})
  const map = buildProperties(args(['connect', 'user-property', 'a', '1'], ['connect', 'maximum-packet-size', '1000']), { sessionExpiry: 100 })
  assert.deepEqual(Object.keys(map.connect!), ['userProperties', 'maximumPacketSize', 'sessionExpiryInterval'])
  assert.equal(map.connect!.sessionExpiryInterval, 100)
})

test('v3: the list checks still run (mosquitto checks them whatever the version)', () => {
  assert.deepEqual(usageError(() => buildProperties(args(['connect', 'receive-maximum', '0']), { protocolVersion: 4 })),
    { text: `Error in CONNECT properties: ${PROTOCOL}\n`, hint: true })
})

test('lists: only non-empty ones, keys in first-given order, byte types as booleans', () => {
  assert.deepEqual(buildProperties([], {}), {})
  const map = buildProperties(args(
    ['publish', 'user-property', 'a', '1'], ['publish', 'content-type', 'c'], ['publish', 'user-property', 'b', '2'],
    ['publish', 'payload-format-indicator', '0'], ['publish', 'user-property', 'a', '3'],
    ['connect', 'request-problem-information', '1'], ['connect', 'request-response-information', '0'],
    ['unsubscribe', 'user-property', '__proto__', 'x'], ['disconnect', 'reason-string', 'bye'],
  ), {})
  assert.deepEqual(Object.keys(map), ['connect', 'publish', 'unsubscribe', 'disconnect'])
  assert.deepEqual(Object.keys(map.publish!), ['userProperties', 'contentType', 'payloadFormatIndicator'])
  const users = map.publish!.userProperties as Record<string, string | string[]>
  assert.deepEqual(Object.keys(users), ['a', 'b'])
  assert.deepEqual(users.a, ['1', '3'])
  assert.equal(map.publish!.payloadFormatIndicator, false)
  assert.deepEqual(map.connect, { requestProblemInformation: true, requestResponseInformation: false })
  assert.deepEqual(Object.getOwnPropertyNames(map.unsubscribe!.userProperties), ['__proto__'])
  assert.deepEqual(map.disconnect, { reasonString: 'bye' })
})

test('propertyNames: what completion offers', () => {
  assert.deepEqual(propertyNames('subscribe'), ['subscription-identifier', 'user-property'])
  assert.deepEqual(propertyNames('unsubscribe'), ['user-property'])
  assert.ok(!propertyNames('publish').includes('subscription-identifier'))
  assert.deepEqual(propertyNames('disconnect'), ['session-expiry-interval', 'server-reference', 'reason-string', 'user-property'])
  const all = propertyNames()
  assert.equal(all.length, 19)
  for (const name of ['maximum-qos', 'server-keep-alive', 'assigned-client-identifier']) assert.ok(!all.includes(name))
})

// ---- mqtt-packet: it must accept every value, and the values must survive a round trip.

function nullProto(o: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, o)
}

function roundTrip(packet: Record<string, unknown>): Packet & Record<string, unknown> {
  const wire = mqtt.generate(packet as unknown as Packet, { protocolVersion: 5 })
  const parser = mqtt.parser({ protocolVersion: 5 })
  const got: Packet[] = []
  parser.on('packet', (p: Packet) => got.push(p))
  parser.on('error', (err: Error) => assert.fail(err))
  parser.parse(wire)
  assert.equal(got.length, 1)
  return got[0] as Packet & Record<string, unknown>
}

const EVERYTHING: PropertyMap = buildProperties(args(
  ['connect', 'session-expiry-interval', '60'], ['connect', 'authentication-method', 'SCRAM'], ['connect', 'authentication-data', Buffer.from([0, 0xff])],
  ['connect', 'request-problem-information', '1'], ['connect', 'request-response-information', '1'], ['connect', 'receive-maximum', '10'],
  ['connect', 'topic-alias-maximum', '5'], ['connect', 'maximum-packet-size', '4294967295'], ['connect', 'user-property', 'k', 'v'],
  ['connect', 'user-property', 'k', 'w'],
  ['will', 'payload-format-indicator', '1'], ['will', 'message-expiry-interval', '7'], ['will', 'content-type', 'text/plain'],
  ['will', 'response-topic', 'r/t'], ['will', 'correlation-data', 'id'], ['will', 'will-delay-interval', '3'], ['will', 'reason-string', 'r'],
  ['will', 'user-property', 'ü', 'é'],
  ['publish', 'payload-format-indicator', '0'], ['publish', 'message-expiry-interval', '4294967295'], ['publish', 'content-type', 'c'],
  ['publish', 'response-topic', 'resp'], ['publish', 'correlation-data', ''], ['publish', 'topic-alias', '65535'],
  ['publish', 'user-property', '', ''],
  ['subscribe', 'subscription-identifier', '268435455'], ['subscribe', 'user-property', 's', '1'],
  ['unsubscribe', 'user-property', 'u', '1'], ['unsubscribe', 'user-property', 'u', '2'],
  ['disconnect', 'session-expiry-interval', '0'], ['disconnect', 'reason-string', 'done'], ['disconnect', 'server-reference', 'other'],
  ['disconnect', 'user-property', 'd', '1'],
), {})

function plain(props: unknown): unknown {
  const p = { ...(props as Record<string, unknown>) }
  if (p.userProperties) p.userProperties = { ...(p.userProperties as object) }
  return p
}

test('mqtt-packet generates and parses back every property -D can produce', () => {
  const e = EVERYTHING
  const connect = roundTrip({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'c', clean: true, keepalive: 60, properties: e.connect,
    will: { topic: 'w', payload: Buffer.alloc(0), qos: 0, retain: false, properties: e.will },
  })
  assert.deepEqual(plain(connect.properties), plain(e.connect))
  assert.deepEqual(plain((connect.will as { properties: unknown }).properties), plain(e.will))
  const publish = roundTrip({ cmd: 'publish', topic: 't', payload: Buffer.from('m'), qos: 0, retain: false, dup: false, properties: e.publish })
  assert.deepEqual(plain(publish.properties), plain(e.publish))
  const subscribe = roundTrip({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 0 }], properties: e.subscribe })
  assert.deepEqual(plain(subscribe.properties), plain(e.subscribe))
  const unsubscribe = roundTrip({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['t'], properties: e.unsubscribe })
  assert.deepEqual(plain(unsubscribe.properties), plain(e.unsubscribe))
  const disconnect = roundTrip({ cmd: 'disconnect', reasonCode: 0, properties: e.disconnect })
  assert.deepEqual(plain(disconnect.properties), plain(e.disconnect))
})

test('mqtt-packet writes properties in the order the user gave them', () => {
  const map = buildProperties(args(['publish', 'response-topic', 'r'], ['publish', 'topic-alias', '3'], ['publish', 'content-type', 'c'],
    ['publish', 'message-expiry-interval', '5']), {})
  const wire = mqtt.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false,
    properties: map.publish } as unknown as Packet, { protocolVersion: 5 })
  // topic "t" (3 bytes) after the fixed header, then the properties length, then id 8, 35, 3, 2
  assert.equal(wire.subarray(5).toString('hex'), '10' + '080001' + '72' + '230003' + '030001' + '63' + '0200000005')
})

// Facts about mqtt-packet 9 that shape this module; a change here means revisiting it.
test('fact: mqtt-packet wants booleans for byte properties', () => {
  const pub = (v: unknown) => ({ cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false,
    properties: { payloadFormatIndicator: v } } as unknown as Packet)
  assert.throws(() => mqtt.generate(pub(1), { protocolVersion: 5 }), /Invalid payloadFormatIndicator/)
  assert.equal(mqtt.generate(pub(true), { protocolVersion: 5 }).subarray(-2).toString('hex'), '0101')
})

test('fact: mqtt-packet groups user properties by key, integer-like keys first', () => {
  const map = buildProperties(args(['publish', 'user-property', 'b', '1'], ['publish', 'user-property', '2', 'x'],
    ['publish', 'user-property', 'b', '3']), {})
  const back = roundTrip({ cmd: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false, properties: map.publish })
  // mosquitto sends b=1, 2=x, b=3; mqtt-packet sends 2=x, b=1, b=3
  assert.deepEqual(Object.entries((back.properties as { userProperties: object }).userProperties), [['2', 'x'], ['b', ['1', '3']]])
})

test('fact: subscription-identifier 0 is encoded as is', () => {
  const map = buildProperties(args(['subscribe', 'subscription-identifier', '0']), {})
  const back = roundTrip({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 0 }], properties: map.subscribe })
  assert.deepEqual(back.properties, { subscriptionIdentifier: 0 })
})

test('user properties go on the wire in argv order, interleaved with the others (PUBLISH and will), as mosquitto_pub sends them', async () => {
  const { encodePacket, encodePublish } = await import('../../src/core/encode.js')
  const { propertyChunks, publishUserProperties } = await import('../../src/core/decode-publish.js')
  const map = buildProperties(args(
    ['publish', 'user-property', 'a', '1'], ['publish', 'user-property', 'b', '2'], ['publish', 'content-type', 'c'],
    ['publish', 'user-property', 'a', '3'], ['publish', 'user-property', '2', 'x'], ['publish', 'user-property', '1', 'y'],
    ['will', 'user-property', 'a', '1'], ['will', 'content-type', 'c'], ['will', 'user-property', 'a', '2'],
  ), {})
  const user = (k: string, v: string): string => `26000${k.length}${Buffer.from(k).toString('hex')}000${v.length}${Buffer.from(v).toString('hex')}`
  const ct = '030001' + Buffer.from('c').toString('hex')
  for (const qos of [0, 1] as const) {
    const packet = encodePublish({ topic: Buffer.from('t'), payload: Buffer.from('m'), qos, retain: false, dup: false, mid: 7, properties: map.publish }, 5)
    const block = propertyChunks(packet, qos > 0 ? 7 : 5)!
    assert.equal(packet.toString('hex', block.start, block.end), user('a', '1') + user('b', '2') + ct + user('a', '3') + user('2', 'x') + user('1', 'y'))
    assert.deepEqual(publishUserProperties(packet)?.map(([k, v]) => `${k}:${v}`), ['a:1', 'b:2', 'a:3', '2:x', '1:y'])
    // the rest of the packet is mqtt-packet's: it still parses to the same properties
    const parsed = mqtt.parser({ protocolVersion: 5 })
    let got: Packet | undefined
    parsed.on('packet', (p: Packet) => { got = p })
    parsed.parse(packet)
    assert.deepEqual(JSON.parse(JSON.stringify((got as mqtt.IPublishPacket).properties)), { userProperties: { 1: 'y', 2: 'x', a: ['1', '3'], b: '2' }, contentType: 'c' })
  }
  const connect = encodePacket({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'id', clean: true, keepalive: 60,
    will: { topic: 'w', payload: Buffer.from('p'), qos: 0, retain: false, properties: map.will } } as Packet, 5)
  const at = 2 + 6 + 1 + 1 + 2 // fixed header, "MQTT", level, flags, keep alive: then the CONNECT's properties
  const willAt = propertyChunks(connect, at)!.end + 2 + 2 // after the client id "id"
  const will = propertyChunks(connect, willAt)!
  assert.equal(connect.toString('hex', will.start, will.end), user('a', '1') + ct + user('a', '2'))
})
