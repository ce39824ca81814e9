// Unit tests for -L URL parsing (contract §6.9); the mqtt cases were checked against mosquitto_pub 2.0.11.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMqttUrl } from '../../src/options/url.js'
import { UsageError } from '../../src/core/errors.js'

interface Expected {
  transport: 'mqtt' | 'ws'
  tls: boolean
  port: number
  host: string
  username?: string
  password?: string
  topic?: string
  path?: string
}

function plain(url: string): Expected {
  const p = parseMqttUrl(Buffer.from(url, 'latin1'))
  const out: Expected = { transport: p.transport, tls: p.tls, port: p.port, host: p.host.toString('latin1') }
  if (p.username !== undefined) out.username = p.username.toString('latin1')
  if (p.password !== undefined) out.password = p.password.toString('latin1')
  if (p.topic !== undefined) out.topic = p.topic.toString('latin1')
  if (p.path !== undefined) out.path = p.path.toString('latin1')
  return out
}

const mqtt = (host: string, port: number, topic: string, extra: Partial<Expected> = {}): Expected => ({
  transport: 'mqtt',
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
  // our WebSocket extension
  ['ws://h', { transport: 'ws', tls: false, port: 80, host: 'h', path: '/mqtt' }],
  ['wss://h', { transport: 'ws', tls: true, port: 443, host: 'h', path: '/mqtt' }],
  ['WS://h:8080/', { transport: 'ws', tls: false, port: 8080, host: 'h', path: '/' }],
  ['ws://u:p@h:9001/mqtt/x?y=1', { transport: 'ws', tls: false, port: 9001, host: 'h', username: 'u', password: 'p', path: '/mqtt/x?y=1' }],
  ['wss://u:p@ss@h', { transport: 'ws', tls: true, port: 443, host: 'h', username: 'u', password: 'p@ss', path: '/mqtt' }],
  ['ws://[::1]:9001/ws', { transport: 'ws', tls: false, port: 9001, host: '::1', path: '/ws' }],
  ['ws://[::1]', { transport: 'ws', tls: false, port: 80, host: '::1', path: '/mqtt' }],
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
