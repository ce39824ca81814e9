// Unit tests for -L URL parsing (contract §6.9); the mqtt cases were checked against mosquitto_pub 2.0.11,
// the ws cases against mosquitto_pub 2.1.2 (whose code parses them as mqtt URLs).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMqttUrl } from '../../src/options/url.js'
import { UsageError } from '../../src/core/errors.js'

interface Expected {
  websocket: boolean
  tls: boolean
  port: number
  host: string
  username?: string
  password?: string
  topic: string
}

function plain(url: string): Expected {
  const p = parseMqttUrl(Buffer.from(url, 'latin1'))
  const out: Expected = { websocket: p.websocket, tls: p.tls, port: p.port, host: p.host.toString('latin1'), topic: p.topic.toString('latin1') }
  if (p.username !== undefined) out.username = p.username.toString('latin1')
  if (p.password !== undefined) out.password = p.password.toString('latin1')
  return out
}

const mqtt = (host: string, port: number, topic: string, extra: Partial<Expected> = {}): Expected => ({
  websocket: false,
  tls: false,
  port,
  host,
  topic,
  ...extra,
})

const okCases: Array<[string, Expected]> = [
  ['mqtt://host/topic', mqtt('host', 1883, 'topic')],
  ['mqtts://host/topic', mqtt('host', 8883, 'topic', { tls: true })],
  ['MQTT://host/a/b', mqtt('host', 1883, 'a/b')],
  ['MqTtS://host/t', mqtt('host', 8883, 't', { tls: true })],
  ['mqtt://h:1884/t', mqtt('h', 1884, 't')],
  ['mqtt://u:p@h:1884/t', mqtt('h', 1884, 't', { username: 'u', password: 'p' })],
  ['mqtt://u@h/t', mqtt('h', 1883, 't', { username: 'u' })],
  ['mqtt://u:p:q@h/t', mqtt('h', 1883, 't', { username: 'u', password: 'p:q' })],
  ['mqtt://:@h/t', mqtt('h', 1883, 't', { username: '', password: '' })],
  // mosquitto: user info ends at the first '@'
  ['mqtt://a@b@h/t', mqtt('b@h', 1883, 't', { username: 'a' })],
  // mosquitto: the topic starts at the first '/', even inside the password
  ['mqtt://u:p/x@h:1/t', mqtt('u', 0, 'x@h:1/t')],
  ['mqtt://h/', mqtt('h', 1883, '')],
  ['mqtt:///t', mqtt('', 1883, 't')],
  ['mqtt://h/a+/#', mqtt('h', 1883, 'a+/#')],
  ['mqtt://h/%41', mqtt('h', 1883, '%41')],
  // mosquitto: port via atoi, no range check
  ['mqtt://h:1883abc/t', mqtt('h', 1883, 't')],
  ['mqtt://h: 1884/t', mqtt('h', 1884, 't')],
  ['mqtt://h:+1884/t', mqtt('h', 1884, 't')],
  ['mqtt://h:/t', mqtt('h', 0, 't')],
  ['mqtt://h:abc/t', mqtt('h', 0, 't')],
  ['mqtt://h:99999/t', mqtt('h', 99999, 't')],
  ['mqtt://h:-1/t', mqtt('h', -1, 't')],
  ['mqtt://h:4294986126/t', mqtt('h', 18830, 't')],
  ['mqtt://[::1]:1883/t', mqtt('[', 0, 't')],
  // mosquitto 2.1: the path is the topic, the ports are MQTT's (its man page says /path, 80 and 443)
  ['ws://h/t', mqtt('h', 1883, 't', { websocket: true })],
  ['wss://h/a/b', mqtt('h', 8883, 'a/b', { websocket: true, tls: true })],
  ['WsS://h/t', mqtt('h', 8883, 't', { websocket: true, tls: true })],
  ['ws://u:p@h:9001/mqtt', mqtt('h', 9001, 'mqtt', { websocket: true, username: 'u', password: 'p' })],
  ['ws://h:8080/', mqtt('h', 8080, '', { websocket: true })],
  ['ws://[::1]:9001/t', mqtt('[', 0, 't', { websocket: true })],
]

for (const [url, expected] of okCases) {
  test(`parseMqttUrl(${JSON.stringify(url)})`, () => {
    assert.deepEqual(plain(url), expected)
  })
}

const errorCases: Array<[string, string]> = [
  ['http://h/t', 'Error: Unsupported URL scheme.\n\n'],
  ['mqtt:/h/t', 'Error: Unsupported URL scheme.\n\n'],
  ['h/t', 'Error: Unsupported URL scheme.\n\n'],
  ['', 'Error: Unsupported URL scheme.\n\n'],
  ['mqtt://h', 'Error: Invalid URL for -L argument specified - topic missing.\n'],
  ['mqtts://u:p@h:1883', 'Error: Invalid URL for -L argument specified - topic missing.\n'],
  ['mqtt://', 'Error: Invalid URL for -L argument specified - topic missing.\n'],
  ['ws://h:9001', 'Error: Invalid URL for -L argument specified - topic missing.\n'],
  ['wss://h', 'Error: Invalid URL for -L argument specified - topic missing.\n'],
]

for (const [url, text] of errorCases) {
  test(`parseMqttUrl(${JSON.stringify(url)}) fails`, () => {
    assert.throws(
      () => parseMqttUrl(Buffer.from(url)),
      (e: unknown) => e instanceof UsageError && e.text.toString('latin1') === text && e.withUsageHint,
    )
  })
}

test('parseMqttUrl: topic bytes are kept raw', () => {
  const p = parseMqttUrl(Buffer.concat([Buffer.from('mqtt://h/'), Buffer.from([0xff, 0x01])]))
  assert.deepEqual(p.topic, Buffer.from([0xff, 0x01]))
})
